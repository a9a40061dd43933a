# Sourced by the bench/serve runners: `start_postgres` installs PostgreSQL
# from Debian's packages when missing, starts a throwaway server in a
# temporary folder on a free port of 127.0.0.1 (trust authentication, this
# machine only), stops and removes it on exit, and exports
#   BENCH_POSTGRES       postgres://postgres@127.0.0.1:PORT/postgres
#   BENCH_POSTGRES_DATA  its data folder (to look at the raw files)
#   BENCH_PSQL           its psql
# as scripts/test.sh does for the tests.
PG_DIR=""
PG_BIN=""
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
stop_postgres() {
  if [ -n "$PG_DIR" ] && [ -f "$PG_DIR/data/postmaster.pid" ]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null || true
  fi
  if [ -n "$PG_DIR" ]; then rm -rf "$PG_DIR"; fi
}
start_postgres() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "== installing PostgreSQL" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
  fi
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  PG_DIR="$(mktemp -d /tmp/hashbank-bench-pg.XXXXXX)"
  trap stop_postgres EXIT
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PG_DIR"; fi
  local port=56432
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust --no-sync >/dev/null
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
  export BENCH_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres"
  export BENCH_POSTGRES_DATA="$PG_DIR/data"
  export BENCH_PSQL="$PG_BIN/psql"
  echo "== PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
}
