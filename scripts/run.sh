#!/usr/bin/env bash
# The main job: installs packages, builds, creates the demo ledger in
# data/demo if there is none, prints the latest quarter's scores, and serves
# the API and dashboard on 127.0.0.1:8080 (override with QLEDGER_LISTEN).
set -euo pipefail
cd "$(dirname "$0")/.."
QLEDGER_TARGETS=qledger bash scripts/build.sh
qledger=build/tools/qledger
data=${QLEDGER_DATA:-data/demo}
listen=${QLEDGER_LISTEN:-127.0.0.1:8080}

if [ ! -e "$data/CURRENT" ]; then
  echo "run: creating the demo ledger in $data"
  mkdir -p "$(dirname "$data")"
  "$qledger" init --data "$data" --policy config/policy.json >/dev/null
  "$qledger" append --data "$data" config/demo/events.jsonl
fi

"$qledger" verify --data "$data"
latest=$("$qledger" quarters --data "$data" | awk 'NR>2 {q=$1} END {print q}')
prev=$("$qledger" quarters --data "$data" | awk 'NR>2 {p=q; q=$1} END {print p}')
# The latest quarter is usually still in progress; show the one before it too.
for q in $prev $latest; do
  echo
  "$qledger" scores --data "$data" --quarter "$q" --format table
done

if "$qledger" --help | grep -qE "^ +serve"; then
  echo
  echo "run: serving the ledger at http://$listen/  (Ctrl-C to stop)"
  exec "$qledger" serve --data "$data" --listen "$listen"
fi
