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

cargo test --workspace --locked
