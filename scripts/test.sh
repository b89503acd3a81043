#!/usr/bin/env bash
# Runs every test: installs packages, builds, then runs the whole CTest suite
# (unit tests, real-RocksDB storage tests, CLI end-to-end and crash tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
cd build
ctest --output-on-failure -j 2 "$@"
