#!/bin/sh
# `qledger verify` beside the hashing limit (issue 11, item 3), in one run:
# the whole verify process on a ledger (the chain, every index entry, the
# Merkle tree and checkpoints, every projection snapshot), timed and its
# peak memory taken, beside `openssl dgst -sha256` of the same ledger's
# export (every event's bytes hashed once, in one process). Each is run RUNS
# times, alternately; the medians and their ratio are printed.
#
# Usage: bench/verify_vs_openssl.sh QLEDGER_BINARY LEDGER_DIR [RUNS]   (RUNS = 3)
#   (bench/http/make_ledger.sh makes the 1,000,000-event ledger)
# The ledger is only read. The export goes to a temporary file, removed
# afterwards.
set -eu
bin=$1; dir=$2; runs=${3:-3}
command -v openssl >/dev/null || { echo "verify_vs_openssl.sh: needs openssl" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "verify_vs_openssl.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/qledger-verify-XXXXXX")
trap 'rm -rf "$work"' EXIT

"$bin" --data "$dir" export > "$work/export.jsonl"
events=$(wc -l < "$work/export.jsonl")
bytes=$(wc -c < "$work/export.jsonl")
echo "ledger $dir: $events events, export $bytes bytes; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"

i=1
while [ "$i" -le "$runs" ]; do
  /usr/bin/time -f "%e %M" -o "$work/verify.$i" "$bin" --data "$dir" verify > "$work/verify.out" 2>&1 || {
    echo "verify_vs_openssl.sh: qledger verify failed:" >&2; cat "$work/verify.out" >&2; exit 1; }
  /usr/bin/time -f "%e %M" -o "$work/openssl.$i" openssl dgst -sha256 "$work/export.jsonl" > /dev/null
  echo "run $i: verify $(cat "$work/verify.$i") | openssl dgst $(cat "$work/openssl.$i")   (seconds, peak KiB)"
  i=$((i + 1))
done
python3 - "$work" "$runs" "$events" <<'PY'
import statistics, sys
work, runs, events = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def read(name):
    rows = [open(f"{work}/{name}.{i}").read().split() for i in range(1, runs + 1)]
    return statistics.median(float(r[0]) for r in rows), max(int(r[1]) for r in rows) / 1024
v, vmem = read("verify")
o, omem = read("openssl")
print(f"verify: median {v:.2f} s, peak {vmem:.0f} MiB ({events / v:,.0f} events/s)")
print(f"openssl dgst -sha256 of the export: median {o:.2f} s, peak {omem:.0f} MiB")
print(f"RATIO verify/openssl={v / o:.1f} verify_peak_mib={vmem:.0f}")
PY
