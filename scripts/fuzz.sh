#!/usr/bin/env bash
# Builds the libFuzzer harnesses under fuzz/ with clang, AddressSanitizer and
# UBSan into build-fuzz/, and runs each for QLEDGER_FUZZ_SECONDS (default 45)
# from its seed corpus in fuzz/corpus/<name>/. Fails on any finding: the
# input that found it is left in build-fuzz/artifacts/ (add it to the seed
# corpus with a regression test when it is fixed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
seconds=${QLEDGER_FUZZ_SECONDS:-45}
cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQLEDGER_FUZZ=ON \
  -DQLEDGER_BUILD_TESTS=OFF -DQLEDGER_BUILD_BENCH=OFF >/dev/null
cmake --build build-fuzz -j "${QLEDGER_JOBS:-2}"
mkdir -p build-fuzz/artifacts
failed=0
for harness in event_json csv http_target stored tlog xlsx; do
  work=build-fuzz/corpus/$harness  # new inputs go here, not into the repository
  mkdir -p "$work"
  echo "fuzz: $harness for ${seconds}s"
  if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 "build-fuzz/fuzz/${harness}_fuzz" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="build-fuzz/artifacts/${harness}-" "$work" "fuzz/corpus/$harness" \
      >"build-fuzz/$harness.log" 2>&1; then
    echo "fuzz: $harness FAILED; the last lines of build-fuzz/$harness.log:"
    tail -40 "build-fuzz/$harness.log"
    failed=1
  else
    grep -E "stat::number_of_executed_units|Done [0-9]+ runs" "build-fuzz/$harness.log" | tail -1 || true
  fi
done
if ((failed)); then
  exit 1
fi
echo "fuzz: 6 harnesses ran ${seconds}s each without a finding"
