#!/bin/sh
# Builds the 1,000,000-event benchmark ledger with the real qledger CLI.
# Usage: bench/http/make_ledger.sh QLEDGER_BINARY LEDGER_DIR [N]
set -eu
bin=$1; dir=$2; n=${3:-1000000}
here=$(dirname "$0")
batches=$(mktemp -d)
trap 'rm -rf "$batches"' EXIT
python3 "$here/make_ledger.py" "$((n - 1))" "$batches"   # + the policy.adopted = n
"$bin" --data "$dir" init --effective-from 1900Q1 >/dev/null
for f in "$batches"/batch-*.jsonl; do "$bin" --data "$dir" append "$f" >/dev/null; done
"$bin" --data "$dir" quarters | tail -n 1
