// Puts the page together in web/dist after tsc: the static files
// (index.html, style.css, config.json, favicon), the WebAssembly package
// from web/pkg (made by wasm-bindgen) and the demuxer's bundle. Run from web/ by `npm run build`.

import { copyFileSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";

const web = new URL("..", import.meta.url).pathname;
const dist = join(web, "dist");

/**
 * @param {string} from
 * @param {string} to
 * @param {(name: string) => boolean} keep
 */
function copyDir(from, to, keep = (_name) => true) {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    if (keep(name)) copyFileSync(join(from, name), join(to, name));
  }
}

const pkg = join(web, "pkg");
if (!existsSync(join(pkg, "hashbank_wasm_bg.wasm"))) {
  console.error("web/pkg has no WebAssembly: run web/build.sh (it runs wasm-bindgen first)");
  process.exit(1);
}
copyDir(join(web, "static"), dist);
copyDir(pkg, join(dist, "pkg"), (name) => name.endsWith(".js") || name.endsWith(".wasm"));
// Mediabunny (MPL-2.0), the demuxer the worker reads videos with: its one-file
// ES module bundle, served from the page's own origin, with its licence.
const vendor = join(dist, "js", "vendor");
mkdirSync(vendor, { recursive: true });
const mediabunny = join(web, "node_modules", "mediabunny");
copyFileSync(join(mediabunny, "dist", "bundles", "mediabunny.min.mjs"), join(vendor, "mediabunny.mjs"));
copyFileSync(join(mediabunny, "LICENSE"), join(vendor, "mediabunny.LICENSE"));
console.log("page assembled in web/dist");
