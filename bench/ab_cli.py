#!/usr/bin/env python3
"""Two builds of qledger, A and B, timed alternately as whole CLI processes on
the same ledger: N one-event appends each (A, B, A, B, ...), then 21 of each
read (`quarters`, `scores --quarter Q`). On a machine whose speed drifts
between runs, alternating is what makes the two comparable; run-to-run
figures of one build are not.

Usage: bench/ab_cli.py A_BINARY B_BINARY LEDGER_DIR [N] [QUARTER]
  (N = 60, QUARTER = 2026Q3). The ledger is appended to: give a copy
  (bench/http/make_ledger.sh makes the 1,000,000-event one).
"""
import json, os, statistics, subprocess, sys, tempfile, time

if len(sys.argv) < 4:
    sys.exit(__doc__)
builds = {"A": sys.argv[1], "B": sys.argv[2]}
ledger = sys.argv[3]
n = int(sys.argv[4]) if len(sys.argv) > 4 else 60
quarter = sys.argv[5] if len(sys.argv) > 5 else "2026Q3"
work = tempfile.mkdtemp(prefix="qledger-ab-")
stamp = time.time_ns()

def timed(args):
    t = time.monotonic()
    r = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if r.returncode != 0:
        sys.exit(f"{' '.join(args)} failed ({r.returncode}): " + r.stderr.decode(errors="replace")[-1000:])
    return time.monotonic() - t

appends = {k: [] for k in builds}
for i in range(n):
    for k, binary in builds.items():
        path = os.path.join(work, f"{k}.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"id": f"ab-{stamp}-{k}-{i}", "type": "survey.responded", "department": "storage",
                       "period": quarter, "occurred_at": "2026-09-28", "actor": "bench",
                       "data": {"respondent": f"客户{i}", "score": "95.00"}}, f, ensure_ascii=False)
        appends[k].append(timed([binary, "--data", ledger, "append", path]))
for k, binary in builds.items():
    ts = sorted(appends[k])
    print(f"{k} append: median {statistics.median(ts) * 1e3:.1f} ms, p90 {ts[int(0.9 * n)] * 1e3:.1f} ms  ({binary})")
for args in (["quarters"], ["scores", "--quarter", quarter]):
    reads = {k: [] for k in builds}
    for _ in range(21):
        for k, binary in builds.items():
            reads[k].append(timed([binary, "--data", ledger] + args))
    print(f"{args[0]}: " + ", ".join(f"{k} {statistics.median(v) * 1e3:.1f} ms" for k, v in reads.items()))
subprocess.run(["rm", "-rf", work])
