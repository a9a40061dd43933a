#!/usr/bin/env bash
# Sets up what the tests need on a fresh Debian machine with the Rust
# toolchain, then runs the whole test suite. Run from anywhere; needs
# ../shared/testdata beside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d ../shared/testdata/pdq ]; then
  echo "test data missing: expected ../shared/testdata beside $(pwd)" >&2
  exit 1
fi

# PostgreSQL for the bank's tests (HASHBANK_TEST_POSTGRES). When the variable
# is set, that server is used. Otherwise PostgreSQL is installed from Debian's
# packages if missing, and a throwaway server is started in a temporary folder
# on a free port of 127.0.0.1 (trust authentication, local tests only) and
# stopped on exit. A PostgreSQL already running elsewhere is left alone.
PG_DIR=""
PG_BIN=""
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
stop_postgres() {
  if [ -n "$PG_DIR" ] && [ -f "$PG_DIR/data/postmaster.pid" ]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null || true
  fi
  [ -n "$PG_DIR" ] && rm -rf "$PG_DIR"
}
start_postgres() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "== installing PostgreSQL"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
    apt-get clean
  fi
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  PG_DIR="$(mktemp -d /tmp/hashbank-test-pg.XXXXXX)"
  trap stop_postgres EXIT
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PG_DIR"; fi
  local port=55432
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust --no-sync >/dev/null
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
  export HASHBANK_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres"
  echo "== PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') for the tests on 127.0.0.1:$port"
}
if [ -z "${HASHBANK_TEST_POSTGRES:-}" ]; then
  start_postgres
fi

# FFmpeg for the video tests (Debian's package), and the vPDQ reference
# package, pip `vpdq` built against Debian's FFmpeg libraries: the
# conformance test (crates/video/tests/reference.rs) asks for its hashes of
# the sample videos on this machine (HASHBANK_TEST_VPDQ_PEER).
bash scripts/deps.sh cmake
if [ -z "${HASHBANK_TEST_VPDQ_PEER:-}" ]; then
  peers="$(realpath -m "${CARGO_TARGET_DIR:-target}/peers")"
  if ! "$peers/venv/bin/python" -c "import vpdq" >/dev/null 2>&1; then
    echo "== installing pip vpdq 0.2.5 (the vPDQ reference)"
    python3 -m venv "$peers/venv"
    "$peers/venv/bin/pip" install --quiet --disable-pip-version-check vpdq==0.2.5
  fi
  if [ ! -s "$peers/vpdq/test-padded-dimensions.txt" ]; then
    "$peers/venv/bin/python" scripts/vpdq-peer.py "$peers/vpdq"
  fi
  export HASHBANK_TEST_VPDQ_PEER="$peers/vpdq"
fi

cargo test --workspace --locked
if [ -n "${HASHBANK_TEST_LEAN:-}" ]; then
  # Where disk is short (CI): the test executables have run; drop them. The
  # hashbank binary the browser tests use is a hard link and stays.
  find "${CARGO_TARGET_DIR:-target}/debug/deps" -maxdepth 1 -type f -perm -u+x -delete
fi

# The python-threatexchange extension (integrations/python-threatexchange):
# the real `threatexchange` CLI, pip threatexchange 1.2.17 in a venv under
# target/peers, against `hashbank serve` on SQLite with the binary the cargo
# tests built (docs/threatexchange.md).
echo "== python-threatexchange against hashbank serve"
HASHBANK_BIN="$(realpath -m "${CARGO_TARGET_DIR:-target}/debug/hashbank")" bash integrations/python-threatexchange/test.sh

# The victim page in a real browser (web/test): Debian's Chromium (never a
# browser download), the page built (web/build.sh: WebAssembly and
# TypeScript), the hashbank binary the cargo tests built, then node's test
# runner against `hashbank serve` on SQLite.
if [ ! -x /usr/bin/chromium ]; then
  echo "== installing Chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  apt-get clean
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "== installing Node.js and npm"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq nodejs npm >/dev/null
  apt-get clean
fi
bash web/build.sh
# `cargo test` built the binary for the CLI's tests; building it alone would
# pick other dependency features and compile much of the tree again.
bin="$(realpath -m "${CARGO_TARGET_DIR:-target}/debug/hashbank")"
[ -x "$bin" ] || cargo build -p hashbank-cli --locked
echo "== the victim page in Chromium"
(cd web && HASHBANK_BIN="$bin" npm test)
