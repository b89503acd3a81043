#!/usr/bin/env bash
# Configures and builds qledger into build/ (Release with debug info).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQLEDGER_WERROR=ON "$@" >/dev/null
cmake --build build -j "${QLEDGER_JOBS:-2}"
