#!/usr/bin/env bash
# Peak memory and time of `qledger import` against the size of the file
# (issue: "import memory under 10× the file size"), beside the anchor of the
# same run: `qledger append` of the same events as JSON Lines (the batch
# held whole, as append holds it). For each N (default 100000 survey rows;
# ROWS="10000 100000 300000" for more) a fresh ledger imports a CSV of N
# short rows (~55 bytes each, as a work group's sheet), then, in another
# fresh ledger, appends the same events as JSON.
#
#   bench/import_memory.sh
#   ROWS="100000 300000" bench/import_memory.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
Q="${QLEDGER:-$ROOT/build/tools/qledger}"
ROWS="${ROWS:-100000}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/qledger-import-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# shellcheck source=measure.sh
. "$ROOT/bench/measure.sh"

echo "machine: $(nproc) cores; binary: $Q"
printf '%-8s %-10s %-12s %-9s %-8s %-12s %-9s %-10s\n' rows file_MB import_MB import/file import_s append_MB append_s import/append_s
for n in $ROWS; do
  python3 - "$n" "$WORK/s.csv" "$WORK/s.jsonl" <<'PY'
import json, sys
n, csv_path, jsonl_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
depts = [("市场经营部", "marketing"), ("物流业务部", "logistics"), ("储运中心", "storage")]
with open(csv_path, "w") as c, open(jsonl_path, "w") as j:
    c.write("部门,季度,客户,得分,日期,填报人\n")
    for i in range(n):
        name, code = depts[i % 3]
        score = "%d.%d" % (85 + i % 15, i % 10)
        day = "2026-08-%02d" % (1 + i % 28)
        c.write("%s,2026Q3,客户%d,%s,%s,工作组\n" % (name, i, score, day))
        j.write(json.dumps({"id": "r%d" % i, "type": "survey.responded", "department": code, "period": "2026Q3",
                            "occurred_at": day, "actor": "工作组",
                            "data": {"respondent": "客户%d" % i, "score": score}}, ensure_ascii=False) + "\n")
PY
  "$Q" init --data "$WORK/a" --policy "$ROOT/config/policy.json" >/dev/null
  "$Q" init --data "$WORK/b" --policy "$ROOT/config/policy.json" >/dev/null
  read -r imp_rss imp_s < <(measure "$Q" import --data "$WORK/a" --kind survey "$WORK/s.csv")
  read -r app_rss app_s < <(measure "$Q" append --data "$WORK/b" "$WORK/s.jsonl")
  size=$(stat -c %s "$WORK/s.csv")
  awk -v n="$n" -v f="$size" -v ir="$imp_rss" -v is="$imp_s" -v ar="$app_rss" -v as="$app_s" 'BEGIN {
    printf "%-8s %-10.1f %-12.1f %-9.2f %-8.2f %-12.1f %-9.2f %-10.2f\n", n, f / 1e6, ir / 1e6, ir / f, is, ar / 1e6, as, is / as }'
  rm -rf "$WORK/a" "$WORK/b"
done
