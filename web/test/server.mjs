// The real `hashbank serve` on SQLite in a temporary folder, on a free port
// of 127.0.0.1, serving the built page; and a platform to read the feed and
// report matches as a platform would.

import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

// The tests file and open many cases from one address within a minute: rate
// limits far above the defaults (docs/limits.md), so that they never answer 429.
const LOOSE_LIMITS = [
  "--filings-per-minute", "100000", "--filings-per-minute-global", "100000",
  "--pin-tries-per-minute", "100000", "--pin-tries-per-minute-global", "100000",
  "--key-tries-per-minute", "100000", "--key-tries-per-minute-global", "100000",
];

export const ROOT = resolve(new URL("../..", import.meta.url).pathname);
export const WEB_DIST = join(ROOT, "web", "dist");
export const TESTDATA = resolve(ROOT, "..", "shared", "testdata");

/** The hashbank binary: HASHBANK_BIN, else a release build, else a debug build. */
export function hashbankBin() {
  const candidates = [
    process.env.HASHBANK_BIN,
    join(ROOT, "target", "release", "hashbank"),
    join(ROOT, "target", "debug", "hashbank"),
  ];
  const found = candidates.find((path) => path !== undefined && path !== "" && existsSync(path));
  if (found === undefined) throw new Error("no hashbank binary: build it (cargo build -p hashbank-cli) or set HASHBANK_BIN");
  return found;
}

export class Server {
  /** Starts the server; resolves once it is ready. */
  static async start() {
    if (!existsSync(join(WEB_DIST, "index.html"))) throw new Error("web/dist is missing: run web/build.sh");
    const server = new Server();
    await server.#start();
    return server;
  }

  #dir = mkdtempSync(join(tmpdir(), "hashbank-web-test-"));
  #child = null;
  bin = hashbankBin();
  database = "";
  origin = "";
  platformKey = "";
  investigatorKey = "";

  async #start() {
    this.database = `sqlite://${join(this.#dir, "bank.db")}`;
    // The bank does not exist yet: `--create` makes it (and its audit key).
    this.platformKey = execFileSync(
      this.bin,
      ["platform", "add", "test-platform", "--create", "--database", this.database],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    )
      .trim()
      .split("\n")
      .pop()
      .trim();
    const contact = join(this.#dir, "contact.json");
    writeFileSync(
      contact,
      JSON.stringify({
        en: "Call 02 000 00 00 (weekdays 9-17) and quote the reference.",
        nl: "Bel 02 000 00 00 (werkdagen 9-17 uur) en noem de referentie.",
      }),
    );
    this.investigatorKey = execFileSync(
      this.bin,
      ["investigator", "add", "test-unit", "--contact", contact, "--database", this.database],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    ).trim();
    const child = spawn(
      this.bin,
      [
        "serve", "--database", this.database, "--listen", "127.0.0.1:0", "--web-dir", WEB_DIST,
        // The feed released right after each write, so that a test sees its filing there at once.
        "--feed-hold-secs", "0", "--feed-delete-hold-secs", "0",
        ...LOOSE_LIMITS,
      ],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, RUST_LOG: "warn" } },
    );
    this.#child = child;
    let errors = "";
    child.stderr.on("data", (data) => (errors += data));
    this.origin = await new Promise((resolveOrigin, reject) => {
      let out = "";
      child.stdout.on("data", (data) => {
        out += data;
        const found = /listening on (http:\/\/\S+)/.exec(out);
        if (found !== null) resolveOrigin(found[1]);
      });
      child.on("exit", (code) => reject(new Error(`hashbank serve exited (${code}): ${errors}`)));
    });
    for (let i = 0; i < 300; i++) {
      const ready = await fetch(this.origin + "/readyz").catch(() => null);
      if (ready !== null && ready.ok) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("hashbank serve did not become ready: " + errors);
  }

  /** A platform call with the test platform's key. */
  async platform(method, path, body) {
    return this.#call(this.platformKey, method, path, body);
  }

  /** An investigator's call with the test unit's key. */
  async investigator(method, path, body) {
    return this.#call(this.investigatorKey, method, path, body);
  }

  async #call(key, method, path, body) {
    const response = await fetch(this.origin + path, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await response.json();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  }

  /** The whole feed from the start. */
  async feed() {
    const entries = [];
    let after = 0;
    for (;;) {
      const page = await this.platform("GET", `/v1/feed?after=${after}&limit=10000`);
      entries.push(...page.entries);
      after = page.next_cursor;
      if (!page.more) return entries;
    }
  }

  /** `hashbank hash` on a path: one JSON record per file. */
  hash(path) {
    const out = execFileSync(this.bin, ["hash", path], { encoding: "utf8", maxBuffer: 64 << 20 });
    return out
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line));
  }

  async stop() {
    if (this.#child !== null && this.#child.exitCode === null) {
      const exited = new Promise((r) => this.#child.once("exit", r));
      this.#child.kill("SIGTERM");
      await exited;
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
