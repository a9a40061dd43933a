#!/usr/bin/env bash
# The python-threatexchange extension's tests, against a real `hashbank
# serve`: a venv with threatexchange 1.2.17, pytest and this package (kept in
# ${CARGO_TARGET_DIR:-target}/peers/pytx and reused), then pytest on tests/.
# The hashbank binary comes from HASHBANK_BIN (default: the debug build).
# Run from anywhere; needs ../shared/testdata beside the repository.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."

bin="${HASHBANK_BIN:-${CARGO_TARGET_DIR:-target}/debug/hashbank}"
bin="$(realpath -m "$bin")"
if [ ! -x "$bin" ]; then
  echo "hashbank binary missing: $bin (set HASHBANK_BIN)" >&2
  exit 1
fi

venv="$(realpath -m "${CARGO_TARGET_DIR:-target}/peers/pytx")"
want_tx="1.2.17"
if ! "$venv/bin/python" - "$want_tx" >/dev/null 2>&1 <<'PY'
import sys
from importlib import metadata
import pytest  # noqa: F401
assert metadata.version("threatexchange") == sys.argv[1]
PY
then
  echo "== installing threatexchange $want_tx and pytest in $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "threatexchange==$want_tx" "pytest>=7" "setuptools>=61" wheel
fi
# The extension itself, again every run so that the tests see this tree's
# code. Built from a copy, so that the build leaves nothing in the tree, by
# the venv's own setuptools (no build isolation: nothing downloaded).
build="$(mktemp -d -t hashbank-pytx-build.XXXXXX)"
trap 'rm -rf "$build"' EXIT
cp -r integrations/python-threatexchange/pyproject.toml \
  integrations/python-threatexchange/README.md \
  integrations/python-threatexchange/src "$build/"
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps \
  --no-build-isolation --force-reinstall "$build"

echo "== python-threatexchange $want_tx against $bin"
PYTHONDONTWRITEBYTECODE=1 HASHBANK_BIN="$bin" "$venv/bin/python" -m pytest -q \
  -p no:cacheprovider integrations/python-threatexchange/tests "$@"
