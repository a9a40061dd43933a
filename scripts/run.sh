#!/usr/bin/env bash
# The main job: builds the victim page (crates/media + crates/pdq as
# WebAssembly, and the TypeScript) and hashbank in release, then runs
# `hashbank serve` on the embedded SQLite default (./hashbank.db) at
# http://127.0.0.1:8080, serving the page at /. Extra arguments go to
# `hashbank serve` (e.g. --listen 0.0.0.0:8080).
#
# On a fresh Debian machine with the Rust toolchain it installs what is
# missing: Node.js, npm and FFmpeg's libraries (Debian's packages; hashbank
# decodes videos with them, scripts/deps.sh), the wasm32 target,
# wasm-bindgen-cli and the page's npm packages (web/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v npm >/dev/null 2>&1; then
  echo "== installing Node.js and npm"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq nodejs npm >/dev/null
fi

bash scripts/deps.sh
bash web/build.sh
echo "== hashbank (release)"
cargo build --release --locked -p hashbank-cli
exec ./target/release/hashbank serve --web-dir web/dist "$@"
