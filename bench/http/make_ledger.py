#!/usr/bin/env python3
"""Writes a synthetic ledger history as JSON Lines for the HTTP load benchmark.

The default policy's seven departments, from 1900Q1 on, each quarter with a
realistic amount of facts per department (3 monthly self-checks, 1 spot
check, 5 survey responses, 2 complaints each acknowledged and resolved: 14
events), until N events are written. The history is long rather than dense,
so that one quarter's replay (read through the indexes) is the size a real
quarter has, while the ledger as a whole holds N events.

Usage: make_ledger.py N OUT_DIR   -> OUT_DIR/batch-0000.jsonl … (10,000 a file)
Then:  qledger --data D init --effective-from 1900Q1
       for f in OUT_DIR/batch-*.jsonl; do qledger --data D append $f; done
"""
import json
import os
import sys

DEPTS = ["marketing", "logistics", "wuhan", "orders", "storage", "bidding", "metrology"]
BATCH = 10000


def events():
    year, q = 1900, 1
    while True:
        quarter = f"{year:04d}Q{q}"
        months = [f"{year:04d}-{3 * (q - 1) + i:02d}" for i in (1, 2, 3)]
        last_day = f"{months[2]}-28"
        for di, d in enumerate(DEPTS):
            for mi, m in enumerate(months):
                s = 90 + (year * 7 + q * 3 + di * 5 + mi) % 10
                yield {"id": f"{m}-{d}-selfcheck", "type": "selfcheck.reported", "department": d, "period": m,
                       "occurred_at": f"{m}-25", "actor": "bench", "data": {"score": f"{s}.50"}}
            spot = 90 + (year + q + di) % 10
            yield {"id": f"{months[1]}-{d}-spot", "type": "spotcheck.recorded", "department": d,
                   "period": months[1], "occurred_at": f"{months[1]}-26", "actor": "bench",
                   "data": {"score": f"{spot}.00", "inspector": "工作组"}}
            for k in range(5):
                s = 88 + (year * 3 + q + di + k * 7) % 12
                yield {"id": f"{quarter}-{d}-survey-{k}", "type": "survey.responded", "department": d,
                       "period": quarter, "occurred_at": last_day, "actor": "bench",
                       "data": {"respondent": f"客户{k}", "score": f"{s}.00"}}
            for k in range(2):
                cid = f"{quarter}-{d}-complaint-{k}"
                yield {"id": cid, "type": "complaint.recorded", "department": d, "period": quarter,
                       "occurred_at": last_day, "actor": "bench",
                       "data": {"received_at": f"{last_day}T09:00:00Z", "channel": "电话", "summary": "送货延迟"}}
                for stage in ("acknowledged", "resolved"):
                    yield {"id": f"{cid}-{stage}", "type": "complaint.handled", "department": d, "period": quarter,
                           "occurred_at": last_day, "actor": "bench",
                           "data": {"complaint": cid, "stage": stage, "at": f"{last_day}T10:00:00Z"}}
        q += 1
        if q == 5:
            year, q = year + 1, 1


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    os.makedirs(out, exist_ok=True)
    f, written = None, 0
    for e in events():
        if written == n:
            break
        if written % BATCH == 0:
            if f:
                f.close()
            f = open(os.path.join(out, f"batch-{written // BATCH:04d}.jsonl"), "w", encoding="utf-8")
        f.write(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n")
        written += 1
    f.close()


if __name__ == "__main__":
    main()
