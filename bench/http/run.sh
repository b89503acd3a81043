#!/bin/bash
# HTTP load benchmark: qledger serve on a large ledger against a minimal
# Beast server (the ceiling), measured in the same run with wrk.
#
# Usage: bench/http/run.sh QLEDGER_BINARY LEDGER_DIR [QUARTER] [DEPARTMENT]
#   (make the ledger first: bench/http/make_ledger.sh QLEDGER_BINARY LEDGER_DIR)
# Env: CONNECTIONS (32), DURATION (10s), THREADS (server io threads, 2),
#      WRK_THREADS (2), PORT (18181), HELLO_PORT (18182)
set -euo pipefail
bin=$1; ledger=$2; quarter=${3:-2026Q3}; dept=${4:-storage}
conns=${CONNECTIONS:-32}; dur=${DURATION:-10s}; threads=${THREADS:-2}; wthreads=${WRK_THREADS:-2}
port=${PORT:-18181}; hello_port=${HELLO_PORT:-18182}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

c++ -std=c++20 -O2 "$here/hello_server.cc" -o "$work/hello_server" -pthread

echo "ledger: $ledger ($(du -sh "$ledger" | cut -f1)), quarter $quarter, department $dept"
echo "wrk: $wthreads threads, $conns connections, $dur; server: $threads io threads; $(nproc) cores"

# Start-up: from exec to the first 200 from a ledger endpoint.
start=$(date +%s.%N)
"$bin" --data "$ledger" serve --listen "127.0.0.1:$port" --threads "$threads" > "$work/serve.log" 2>&1 &
spid=$!; pids+=("$spid")
until curl -sf "http://127.0.0.1:$port/v1/head" > /dev/null; do sleep 0.005; done
ready=$(date +%s.%N)
echo "start-up to first answer: $(echo "$ready - $start" | bc) s; head $(curl -s "http://127.0.0.1:$port/v1/head")"

scores="http://127.0.0.1:$port/v1/quarters/$quarter/scores"
derivation="http://127.0.0.1:$port/v1/quarters/$quarter/departments/$dept"
for u in "$scores" "$derivation"; do
  t0=$(date +%s.%N); size=$(curl -s "$u" | wc -c); t1=$(date +%s.%N)
  echo "first (uncached) request $u: $size bytes in $(echo "$t1 - $t0" | bc) s"
done
scores_size=$(curl -s "$scores" | wc -c)

"$work/hello_server" "$hello_port" "$threads" "$scores_size" &
pids+=("$!")
sleep 0.3

run() {  # name url
  echo "== $1: $2"
  wrk -t"$wthreads" -c"$conns" -d"$dur" --latency "$2" | grep -E "Requests/sec|Transfer/sec|  50%|  99%|Latency |Non-2xx|Socket errors"
}
run "hello (ceiling, $scores_size-byte body)" "http://127.0.0.1:$hello_port/"
run "qledger scores" "$scores"
run "qledger derivation" "$derivation"
# /v1/head beside a ceiling of its own body's size.
head_size=$(curl -s "http://127.0.0.1:$port/v1/head" | wc -c)
"$work/hello_server" "$((hello_port + 1))" "$threads" "$head_size" &
pids+=("$!")
sleep 0.3
run "hello (ceiling, $head_size-byte body)" "http://127.0.0.1:$((hello_port + 1))/"
run "qledger head" "http://127.0.0.1:$port/v1/head"
echo "qledger serve RSS: $(grep -E 'VmRSS|VmHWM' /proc/$spid/status | tr -s ' \t' ' ' | paste -sd ';')"
curl -s "http://127.0.0.1:$port/metrics" | grep -E '^qledger_(http_requests_total|ledger_head_seq|follower_lag|response_cache)'
kill -TERM "$spid"; wait "$spid" && echo "qledger serve exited 0 on SIGTERM"
