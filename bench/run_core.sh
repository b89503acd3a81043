#!/usr/bin/env bash
# Builds the benchmarks (Release) and runs the core benchmark RUNS times
# (default 3): 1,000,000 events appended in synced batches of 10,000 through
# the real EventStore, then a full rebuild of every quarter's scores. Prints
# each run and the median of each number. Not a test: ctest never runs it.
#
#   bench/run_core.sh                      # 3 runs of 1,000,000 events
#   RUNS=1 EVENTS=100000 bench/run_core.sh # a quick look
#   BUILD_DIR=/tmp/b bench/run_core.sh     # build elsewhere
#   MICRO=1 bench/run_core.sh              # also the Google Benchmark micro-benchmarks
#
# The ledger of each run goes to a fresh directory under ${TMPDIR:-/tmp} and
# is removed afterwards. Warnings are not errors here (QLEDGER_WERROR=OFF):
# GCC 12 at -O3 reports a false -Wrestrict in std::string code.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-bench}"
RUNS="${RUNS:-3}"
EVENTS="${EVENTS:-1000000}"
BATCH="${BATCH:-10000}"
QUARTERS="${QUARTERS:-200}"

cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DQLEDGER_WERROR=OFF -DQLEDGER_BUILD_BENCH=ON >/dev/null
cmake --build "$BUILD_DIR" -j2 --target qledger_bench_core
BIN="$BUILD_DIR/bench/qledger_bench_core"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg)"

results=()
for i in $(seq 1 "$RUNS"); do
  echo "--- run $i of $RUNS: $BIN --events $EVENTS --batch $BATCH --quarters $QUARTERS"
  out="$("$BIN" --events "$EVENTS" --batch "$BATCH" --quarters "$QUARTERS")"
  echo "$out"
  results+=("$(echo "$out" | grep '^RESULT' | sed 's/^RESULT //' | tr '\n' ' ')")
done

# The median of each key=value over the runs.
echo "--- median of $RUNS run(s) ($EVENTS events, batches of $BATCH)"
printf '%s\n' "${results[@]}" | tr ' ' '\n' | grep '=' | awk -F= '
  { v[$1] = v[$1] " " $2; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
  END {
    for (i = 1; i <= n; i++) {
      k = order[i]; m = split(substr(v[k], 2), a, " ");
      for (x = 1; x <= m; x++) for (y = x + 1; y <= m; y++) if (a[y] + 0 < a[x] + 0) { t = a[x]; a[x] = a[y]; a[y] = t }
      med = (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2;
      printf "%-24s %s\n", k, med
    }
  }'
echo "targets: append_events_per_s >= 200000, rebuild_events_per_s >= 1500000"

if [[ "${MICRO:-0}" == 1 ]]; then
  cmake --build "$BUILD_DIR" -j2 --target qledger_bench_micro
  "$BUILD_DIR/bench/qledger_bench_micro"
fi
