#!/usr/bin/env bash
# Configures and builds qledger into build/ (Release with debug info).
# QLEDGER_TARGETS="qledger" builds only those targets (the run command needs
# only the CLI); by default everything, tests and benchmarks included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQLEDGER_WERROR=ON "$@" >/dev/null
targets=()
for t in ${QLEDGER_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build build -j "${QLEDGER_JOBS:-2}" "${targets[@]}"
