#!/usr/bin/env bash
# Builds the victim page into web/dist: the WebAssembly package (web/wasm,
# i.e. crates/media + crates/pdq, through wasm-bindgen) and the TypeScript.
# Installs what is missing: the wasm32 target, wasm-bindgen-cli of exactly
# the wasm-bindgen version in Cargo.lock, and the npm packages (npm ci).
# Run from anywhere; needs the Rust toolchain and Node.js with npm.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  echo "== adding the Rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$have" != "$want" ]; then
  echo "== installing wasm-bindgen-cli $want (found: ${have:-none})"
  # --locked first, as the release was tested; if one of its locked
  # dependencies is no longer in the registry, the newest compatible ones.
  cargo install --locked wasm-bindgen-cli --version "$want" ||
    cargo install wasm-bindgen-cli --version "$want"
fi

echo "== WebAssembly (web/wasm)"
cargo build -p hashbank-wasm --target wasm32-unknown-unknown --release --locked
target_dir="$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
rm -rf web/pkg
# The .d.ts it writes beside the module is what the page is type-checked against.
wasm-bindgen --target web --out-dir web/pkg \
  "$target_dir/wasm32-unknown-unknown/release/hashbank_wasm.wasm"

echo "== page (web/dist)"
cd web
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
fi
rm -rf dist
npm run --silent build
