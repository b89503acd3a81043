#!/usr/bin/env bash
# Runs every test: installs packages, builds, fuzzes each parser of outside
# bytes for QLEDGER_FUZZ_SECONDS (default 60) under ASan/UBSan
# (scripts/fuzz.sh), then runs the whole CTest suite (unit tests,
# real-RocksDB storage tests, CLI end-to-end, fault-injection, server and
# crash tests). Any failure fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
bash scripts/fuzz.sh
cd build
ctest --output-on-failure -j 2 "$@"
