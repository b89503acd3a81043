#!/bin/sh
# One append as a clerk makes it (issue 11, item 1): N consecutive `qledger
# append` processes of one event each on an existing ledger, each timed whole
# (process start to exit), with the ledger's level-0 table files counted
# (from its MANIFEST, `ldb manifest_dump`) every 10 appends; then the reads a
# clerk makes next (`scores --quarter`, `quarters`, whole processes). Beside
# them, in the same run, the anchors: RocksDB's `db_bench fillseq --sync=true
# --batch_size=1` (one synced write, in process) and `ldb get` of one key
# from the same directory (a whole process that opens the ledger; ldb opens
# it as a writer, so it runs after the qledger reads).
#
# Usage: bench/append_latency.sh QLEDGER_BINARY LEDGER_DIR [N]   (N = 300)
# The ledger is appended to: run it on a copy (bench/http/make_ledger.sh
# makes the 1,000,000-event one).
set -eu
bin=$1; dir=$2; n=${3:-300}
command -v db_bench >/dev/null && command -v ldb >/dev/null || {
  echo "append_latency.sh: needs db_bench and ldb (apt-get install rocksdb-tools)" >&2; exit 2; }
python3 - "$bin" "$dir" "$n" <<'PY'
import json, os, statistics, subprocess, sys, tempfile, time

binary, ledger, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
work = tempfile.mkdtemp(prefix="qledger-latency-")

def level0():
    # Read from the MANIFEST (ldb manifest_dump reads it and opens nothing
    # for writing: `ldb get_property` would open the ledger as a writer and
    # flush its logs, changing what is measured).
    with open(os.path.join(ledger, "CURRENT")) as f:
        manifest = os.path.join(ledger, f.read().strip())
    r = subprocess.run(["ldb", "manifest_dump", "--path=" + manifest], capture_output=True)
    if r.returncode != 0:
        raise SystemExit("ldb manifest_dump failed: " + r.stderr.decode(errors="replace")[-500:])
    count, in_level0 = 0, False
    for line in r.stdout.decode(errors="replace").splitlines():
        if line.startswith("--- level "):
            in_level0 = line.startswith("--- level 0 ")
        elif in_level0 and line.strip():
            count += 1
    return count

stamp = str(time.time_ns())
times, l0 = [], [level0()]
for i in range(n):
    path = os.path.join(work, "one.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"id": f"latency-{stamp}-{i}", "type": "survey.responded", "department": "storage",
                   "period": "2026Q3", "occurred_at": "2026-09-28", "actor": "bench",
                   "data": {"respondent": f"客户{i}", "score": "95.00"}}, f, ensure_ascii=False)
    t = time.monotonic()
    r = subprocess.run([binary, "--data", ledger, "append", path], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    times.append(time.monotonic() - t)
    if r.returncode != 0:
        raise SystemExit(f"append {i} failed ({r.returncode}): " + r.stderr.decode(errors="replace")[-1000:])
    if (i + 1) % 10 == 0:
        l0.append(level0())

def median_run(args, n=21):
    ts = []
    for _ in range(n):
        t = time.monotonic()
        subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        ts.append(time.monotonic() - t)
    return statistics.median(ts)
scores = median_run([binary, "--data", ledger, "scores", "--quarter", "2026Q3"])
quarters = median_run([binary, "--data", ledger, "quarters"])
logs = len([f for f in os.listdir(ledger) if f.endswith(".log")])

def ldb_get():
    t = time.monotonic()
    subprocess.run(["ldb", "--db=" + ledger, "--hex", "get", "0x48"], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
    return time.monotonic() - t
ldb = statistics.median(ldb_get() for _ in range(21))

bench_db = os.path.join(work, "db_bench")
r = subprocess.run(["db_bench", "--benchmarks=fillseq", "--sync=true", "--batch_size=1", f"--num={n}",
                    "--value_size=1024", "--db=" + bench_db, "--compression_type=none"],
                   capture_output=True, text=True, check=True)
op_ms = next(float(l.split()[2]) / 1000 for l in r.stdout.splitlines() if l.startswith("fillseq"))
subprocess.run(["rm", "-rf", work])

med, slow = statistics.median(times), max(times)
print(f"appends: {n} one-event CLI processes on {ledger}")
print(f"  median {med * 1000:.1f} ms, p90 {sorted(times)[int(0.9 * n)] * 1000:.1f} ms, "
      f"slowest {slow * 1000:.1f} ms = {slow / med:.2f}x the median (target: median < 30 ms, slowest < 3x)")
print(f"  level-0 files every 10 appends: max {max(l0)}, last {l0[-1]} (first {l0[0]})")
print(f"  write-ahead logs left for readers to replay: {logs} (the writer flushes at 8 or 4 MiB)")
print(f"reads after the appends, whole CLI processes, median of 21:")
print(f"  scores --quarter 2026Q3 {scores * 1000:.1f} ms -> {scores / ldb:.2f}x ldb get; "
      f"quarters {quarters * 1000:.1f} ms -> {quarters / ldb:.2f}x ldb get (target: within 1.5x)")
print(f"anchors in the same run:")
print(f"  db_bench fillseq --sync=true --batch_size=1: {op_ms:.3f} ms per write -> append is {med * 1000 / op_ms:.0f}x")
print(f"  ldb get of one key (whole process, read-only open of the ledger): {ldb * 1000:.1f} ms "
      f"-> append is {med / ldb:.2f}x")
PY
