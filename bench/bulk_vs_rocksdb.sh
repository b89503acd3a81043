#!/bin/sh
# Bulk append and full rebuild beside RocksDB's own benchmark (issue 11,
# item 4), in the same run, as ratios. Each run:
#
#   1. qledger_bench_core appends EVENTS generated events in synced batches
#      of 10,000 into a fresh ledger (with a fixed --now, so the head hash
#      is the same for the same code and input: printed, to show the stored
#      bytes unchanged), then rebuilds every quarter's scores from it;
#   2. right after, the anchors:
#      - `db_bench --benchmarks=fillbatch --sync=1` (synced batches of 1,000
#        keys) of 3 x EVENTS keys of 16 bytes, each value a third of the
#        bytes an event takes in the export: events/s = its ops/s / 3, as
#        issue 11 defines it;
#      - `db_bench --benchmarks=readseq` over the same ledger's directory
#        (every key, events and indexes and tree, read once in order):
#        events/s = EVENTS / its seconds.
#
# The machine this runs on drifts by a fifth within minutes (its quiet and
# slow phases; docs/performance.md), and a phase that changes between
# qledger and its anchor moves the ratio the other way for each. So the
# order alternates: odd runs qledger first, then fillbatch; even runs
# fillbatch first, then qledger (readseq always after qledger: it reads
# qledger's ledger). The last lines give each ratio's median over the runs
# and its range; with RUNS of 5 or more the median is what to quote.
#
# Usage: bench/bulk_vs_rocksdb.sh BUILD_DIR [EVENTS] [RUNS]
#   (EVENTS = 1000000, RUNS = 3; BUILD_DIR has bench/qledger_bench_core and
#   tools/qledger, e.g. build-bench from bench/run_core.sh)
# Needs db_bench (apt-get install rocksdb-tools). Work goes to a fresh
# directory under ${TMPDIR:-/tmp}, removed afterwards.
set -eu
build=$1; events=${2:-1000000}; runs=${3:-3}
command -v db_bench >/dev/null || { echo "bulk_vs_rocksdb.sh: needs db_bench (apt-get install rocksdb-tools)" >&2; exit 2; }
core=$build/bench/qledger_bench_core
qledger=$build/tools/qledger
[ -x "$core" ] && [ -x "$qledger" ] || { echo "bulk_vs_rocksdb.sh: $core or $qledger is missing" >&2; exit 2; }
quarters=$((events / 5000)); [ "$quarters" -ge 1 ] || quarters=1
work=$(mktemp -d "${TMPDIR:-/tmp}/qledger-bulk-XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "machine: $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "events $events, $quarters quarters, $runs run(s)"
run_qledger() {
  out=$("$core" --events "$events" --quarters "$quarters" --no-verify --now 2026-08-03T10:00:00Z \
        --dir "$work/ledger" --keep)
  append=$(echo "$out" | sed -n 's/.*append_events_per_s=\([0-9]*\).*/\1/p')
  rebuild=$(echo "$out" | sed -n 's/.*rebuild_events_per_s=\([0-9]*\).*/\1/p')
  head=$(echo "$out" | sed -n 's/.*head seq [0-9]* hash \([0-9a-f]*\).*/\1/p')
  # The bytes an event takes in the export, as 3 values: from the first
  # run's ledger (the same input every run).
  if [ -z "${value:-}" ]; then
    bytes=$("$qledger" --data "$work/ledger" export | wc -c)
    value=$((bytes / events / 3))
  fi
}
run_fillbatch() {
  fill=$(db_bench --benchmarks=fillbatch --sync=1 --num=$((3 * events)) --value_size="$value" --key_size=16 \
         --db="$work/anchor" 2>&1 | sed -n 's/^fillbatch *: *[0-9.]* micros\/op \([0-9]*\) ops\/sec.*/\1/p')
}
: > "$work/runs"
i=1
while [ "$i" -le "$runs" ]; do
  rm -rf "$work/ledger" "$work/anchor"
  # Run 1 is qledger first: it gives the anchor its value size.
  if [ $((i % 2)) = 1 ]; then run_qledger; run_fillbatch; else run_fillbatch; run_qledger; fi
  readseq=$(db_bench --benchmarks=readseq --use_existing_db=1 --db="$work/ledger" --num=1000000000 2>&1 |
            sed -n 's/^readseq .* ops\/sec \([0-9.]*\) seconds.*/\1/p')
  [ -n "$append" ] && [ -n "$rebuild" ] && [ -n "$fill" ] && [ -n "$readseq" ] || {
    echo "bulk_vs_rocksdb.sh: a figure is missing (append=$append rebuild=$rebuild fillbatch=$fill readseq=$readseq)" >&2
    exit 1
  }
  order=$([ $((i % 2)) = 1 ] && echo "qledger first" || echo "fillbatch first")
  result=$(python3 - "$i" "$events" "$append" "$rebuild" "$fill" "$readseq" "$value" "$head" "$order" <<'PY'
import sys
run, events, append, rebuild, fill, readseq, value, head, order = sys.argv[1:]
events = int(events)
fill_events = int(fill) / 3
readseq_events = events / float(readseq)
print(f"run {run} ({order}): head hash {head}")
print(f"  bulk append  {int(append):>9} events/s | fillbatch --sync=1 ({value}-byte values) {fill_events:>9.0f} events/s"
      f" | ratio {int(append) / fill_events:.2f}")
print(f"  full rebuild {int(rebuild):>9} events/s | readseq of the ledger ({float(readseq):.3f} s) {readseq_events:>9.0f} events/s"
      f" | ratio {int(rebuild) / readseq_events:.2f}")
print(f"RATIO run={run} append={int(append) / fill_events:.3f} rebuild={int(rebuild) / readseq_events:.3f}")
PY
  )
  echo "$result"
  echo "$result" >> "$work/runs"
  rm -rf "$work/ledger" "$work/anchor"
  i=$((i + 1))
done
python3 - "$work/runs" <<'PY'
import re, statistics, sys
runs = re.findall(r"RATIO run=\d+ append=([0-9.]+) rebuild=([0-9.]+)", open(sys.argv[1]).read())
for name, values in (("append", [float(a) for a, _ in runs]), ("rebuild", [float(r) for _, r in runs])):
    print(f"MEDIAN {name}={statistics.median(values):.3f} range={min(values):.3f}-{max(values):.3f} runs={len(values)}")
PY
