#!/usr/bin/env bash
# The browser test (run by ctest as DashboardInChromium, so by
# scripts/test.sh): a demo ledger in a temporary directory, the real server on
# a free loopback port, the dashboard driven in Debian's headless Chromium by
# puppeteer-core (a test tool pinned in tests/browser/package-lock.json;
# tests/browser/dashboard.test.mjs says what it checks), then the approved
# quarter's report printed to PDF by the same Chromium and read back with
# pdftotext: page numbers on every page, the signature block, and the ledger
# head on one line. QLEDGER_BROWSER_OUT keeps the PDF and screenshots.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
qledger=${QLEDGER_BIN:-$root/build/tools/qledger}
tools="$root/tests/browser"
QLEDGER_SETUP_TESTS=1 bash "$root/scripts/setup.sh" >/dev/null

if [ ! -d "$tools/node_modules/puppeteer-core" ]; then
  (cd "$tools" && npm ci --no-audit --no-fund --loglevel=error)
fi

work=$(mktemp -d /tmp/qledger-browser-XXXXXX)
out=${QLEDGER_BROWSER_OUT:-$work/out}
mkdir -p "$out"
servers=()
cleanup() {
  rc=$?
  for s in "${servers[@]}"; do kill "$s" 2>/dev/null || true; wait "$s" 2>/dev/null || true; done
  rm -rf "$work"
  exit $rc
}
trap cleanup EXIT

# serve LEDGER NAME: starts the server on LEDGER and sets $url to where it listens.
serve() {
  "$qledger" serve --data "$1" --listen 127.0.0.1:0 >"$work/$2.out" 2>"$work/$2.err" &
  local pid=$!
  servers+=("$pid")
  url=
  for _ in $(seq 1 100); do
    url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/$2.out" 2>/dev/null | head -1 || true)
    [ -n "$url" ] && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$work/$2.err" >&2; echo "check-browser: the server did not start" >&2; exit 1; }
    sleep 0.1
  done
  echo "check-browser: the server did not say where it listens" >&2
  exit 1
}

# A ledger with only its policy: the dashboard says there is nothing yet.
"$qledger" init --data "$work/empty" --policy "$root/config/policy.json" >/dev/null
serve "$work/empty" empty
echo "check-browser: the dashboard of an empty ledger at $url/"
node "$tools/empty.test.mjs" "$url"

"$qledger" init --data "$work/ledger" --policy "$root/config/policy.json" >/dev/null
"$qledger" append --data "$work/ledger" "$root/config/demo/events.jsonl" >/dev/null
serve "$work/ledger" serve
echo "check-browser: the dashboard at $url/ in $(/usr/bin/chromium --version 2>/dev/null | head -1)"

node "$tools/dashboard.test.mjs" "$url" "$out"

pdf=$(ls "$out"/report-*.pdf | head -1)
pages=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
text=$(pdftotext -layout "$pdf" -)
hash=$(curl -s "$url/v1/quarters/$(basename "$pdf" .pdf | sed 's/report-//')/report?format=json" |
       python3 -c 'import json,sys; print(json.load(sys.stdin)["as_of_hash"])')
fail=0
expect() {  # expect DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fail=1; fi
}
expect "the report prints on $pages A4 pages" test "$pages" -ge 1
for p in $(seq 1 "$pages"); do
  # pdftotext drops the spaces of the margin box: compare without them.
  expect "page $p is numbered (第 $p 页 / 共 $pages 页)" grep -q "第${p}页/共${pages}页" <<<"$(tr -d ' ' <<<"$text")"
done
for block in 编制 审核 批准 签字 日期; do
  expect "the signature block has $block" grep -q "$block" <<<"$text"
done
expect "the ledger head's hash is printed whole on one line" grep -q "$hash" <<<"$text"
expect "every department is named" bash -c 'for n in 市场经营部 物流业务部 武汉业务部 订单处理中心 储运中心 招标分公司 计量检测中心; do grep -q "$n" <<<"$1" || exit 1; done' _ "$text"
expect "the report is in one language (no English headings)" bash -c '! grep -qE "Scores and grades|Ledger head|Complaints" <<<"$1"' _ "$text"
if [ -n "${QLEDGER_BROWSER_OUT:-}" ]; then pdftoppm -png -r 70 "$pdf" "$out/report-page"; fi
exit $fail
