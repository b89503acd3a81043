#!/usr/bin/env bash
# How the scoring of one quarter grows with its events (issue: "a quarter's
# scoring is linear in its events"). For each N (default 10000 100000; add
# 1000000 with FULL=1) a fresh ledger gets N survey responses in 2026Q3,
# spread over the seven departments, appended in batches of 100,000; then
#   scores --quarter 2026Q3                        (every department's score)
#   replay --quarter 2026Q3 --department storage   (one derivation, N/7 steps)
# each the median of 3 whole CLI runs, beside the anchor of the same run:
# `qledger export` of the same ledger (every event read and written once).
#
#   bench/quarter_scale.sh
#   FULL=1 bench/quarter_scale.sh          # also 1,000,000 (a few minutes)
#   QLEDGER=build-bench/tools/qledger bench/quarter_scale.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
Q="${QLEDGER:-$ROOT/build/tools/qledger}"
SIZES="10000 100000"
[ "${FULL:-0}" = 1 ] && SIZES="$SIZES 1000000"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/qledger-quarter-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

median3() {  # runs "$@" three times, prints the median wall time in seconds
  local ts=()
  for _ in 1 2 3; do
    local s e
    s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N)
    ts+=("$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.4f", b - a }')")
  done
  printf '%s\n' "${ts[@]}" | sort -n | sed -n 2p
}

echo "machine: $(nproc) cores; binary: $Q"
printf '%-9s %-10s %-10s %-10s %-14s %-14s\n' events scores_s replay_s export_s scores/export replay/export
for n in $SIZES; do
  data="$WORK/l$n"
  "$Q" init --data "$data" --policy "$ROOT/config/policy.json" >/dev/null
  python3 - "$n" "$WORK/batch" <<'PY'
import json, sys
n, prefix = int(sys.argv[1]), sys.argv[2]
depts = ["marketing", "logistics", "wuhan", "orders", "storage", "bidding", "metrology"]
per = 100000
for b in range(0, n, per):
    with open("%s-%08d.jsonl" % (prefix, b), "w") as out:
        for i in range(b, min(n, b + per)):
            out.write(json.dumps({"id": "r%d" % i, "type": "survey.responded", "department": depts[i % 7],
                                  "period": "2026Q3", "occurred_at": "2026-08-%02d" % (1 + i % 28), "actor": "工作组",
                                  "data": {"respondent": "客户%d" % i, "score": "%d.%02d" % (85 + i % 15, i % 100)}},
                                 ensure_ascii=False) + "\n")
PY
  for f in "$WORK"/batch-*.jsonl; do "$Q" append --data "$data" "$f" >/dev/null; rm -f "$f"; done
  s=$(median3 "$Q" scores --data "$data" --quarter 2026Q3)
  r=$(median3 "$Q" replay --data "$data" --quarter 2026Q3 --department storage --format json)
  x=$(median3 "$Q" export --data "$data")
  awk -v n="$n" -v s="$s" -v r="$r" -v x="$x" \
    'BEGIN { printf "%-9s %-10.3f %-10.3f %-10.3f %-14.2f %-14.2f\n", n, s, r, x, s / x, r / x }'
  rm -rf "$data"
done
