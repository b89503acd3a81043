#!/usr/bin/env bash
# Runs every test: installs packages, builds, fuzzes each parser of outside
# bytes for QLEDGER_FUZZ_SECONDS (default 45) under ASan/UBSan
# (scripts/fuzz.sh), runs the whole CTest suite (unit tests, real-RocksDB
# storage tests, CLI end-to-end, fault-injection, server and crash tests,
# the OpenAPI validators, the dashboard in headless Chromium and the printed
# report read back from its PDF), builds the Debian package and runs it installed
# (scripts/package-test.sh), then the same suite again built with AddressSanitizer, UBSan and -Werror
# (scripts/sanitize.sh). Any failure fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
QLEDGER_SETUP_TESTS=1 bash scripts/build.sh
bash scripts/fuzz.sh
(cd build && ctest --output-on-failure -j 2 "$@")
bash scripts/package-test.sh
bash scripts/sanitize.sh "$@"
