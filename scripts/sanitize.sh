#!/usr/bin/env bash
# Builds everything with AddressSanitizer and UBSan (QLEDGER_ASAN) and
# -Werror into build-asan/, and runs the whole CTest suite there: the tests
# run the sanitized binary too. Any report fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQLEDGER_ASAN=ON -DQLEDGER_WERROR=ON \
  -DQLEDGER_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan -j "${QLEDGER_JOBS:-2}"
cd build-asan
# halt_on_error: a report is a failure, not a warning; UBSan likewise.
# Leaks are checked by the fuzzers (scripts/fuzz.sh), not here: LeakSanitizer
# stopping the world of a server whose RocksDB threads are still running, on
# a loaded machine, failed a run once with nothing to report.
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=0:detect_leaks=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
ctest --output-on-failure -j 2 "$@"
