#!/bin/bash
# Every API route beside a bare Beast server (issue 11, item 5), as ratios.
#
# For each route: its body size is fetched once (the first, uncached answer
# is timed and printed apart), then bench/http/hello_server answers a body of
# that size and wrk loads it, and right after wrk loads the route on `qledger
# serve` — the ceiling and the route back to back, so that the machine's
# drift moves both. Both servers run with the same io threads; on a machine
# of 2 cores or more the servers are pinned to the first core and wrk to the
# others (taskset), so that wrk does not take the server's core: on a shared
# 2-core box that is what makes the figures repeatable.
#
# Usage: bench/http/routes.sh QLEDGER_BINARY LEDGER_DIR [QUARTER] [DEPARTMENT]
#   (make the ledger first: bench/http/make_ledger.sh QLEDGER_BINARY LEDGER_DIR)
# Env: CONNECTIONS (32), DURATION (5s), REPEAT (3: pairs of runs a route,
#      ceiling and qledger alternately; the medians are printed),
#      THREADS (server io threads, 1),
#      WRK_THREADS (1), PORT (18181), HELLO_PORT (18182), PIN (1; 0: no taskset),
#      ONLY (a pattern: only the routes that contain it, e.g. ONLY=/v1/head)
# Prints one line a route and a RATIO line a route: req/s ratio (qledger /
# ceiling; issue 11 asks >= 0.9) and p99 ratio (<= 1.2), each the median of
# the REPEAT pairs' ratios (their range is printed too); and, steadier on a
# shared machine, the CPU each server's process spent a request (user +
# system, /proc/PID/stat, over the load), as the ceiling's / qledger's: the
# req/s the server's core could give, whatever else ran.
set -euo pipefail
bin=$1; ledger=$2; quarter=${3:-2026Q3}; dept=${4:-storage}
conns=${CONNECTIONS:-32}; dur=${DURATION:-5s}; repeat=${REPEAT:-3}; threads=${THREADS:-1}; wthreads=${WRK_THREADS:-1}
port=${PORT:-18181}; hello_port=${HELLO_PORT:-18182}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
command -v wrk >/dev/null || { echo "routes.sh: needs wrk (apt-get install wrk)" >&2; exit 2; }

server_cpu=(); client_cpu=()
if [ "${PIN:-1}" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
  server_cpu=(taskset -c 0); client_cpu=(taskset -c "1-$(($(nproc) - 1))")
fi

c++ -std=c++20 -O2 "$here/hello_server.cc" -o "$work/hello_server" -pthread

# The proof routes answer only below a signed checkpoint: sign one at the
# head if the ledger holds none (a checkpoint is an addition, never a change
# of the events).
if ! "$bin" --data "$ledger" checkpoint > /dev/null 2>&1; then
  "$bin" key generate --name bench.qledger.example --out "$work/bench.key" > /dev/null
  "$bin" --data "$ledger" checkpoint --sign "$work/bench.key" > /dev/null
  echo "signed a checkpoint at the head with a bench key (the proof routes need one)"
fi

# The server's log (an access line a request: ~20 MB/s at 110k req/s) goes
# through a pipe to a reader that keeps its last MiB, as journald would take
# it (config/systemd), not into a file: 16 GB written to one file in a run
# had the kernel's writeback stall the server's writes, and the p99 of the
# routes measured last drifted up with it (docs/performance.md, seventh
# session).
"${server_cpu[@]}" "$bin" --data "$ledger" serve --listen "127.0.0.1:$port" --threads "$threads" \
  > >(tail -c 1048576 > "$work/serve.log") 2>&1 &
spid=$!; pids+=("$spid")
until curl -sf "http://127.0.0.1:$port/healthz" > /dev/null; do sleep 0.01; done
# The server re-hashes the chain in the background after start-up (docs/
# performance.md, "Chain verification in the server"): measured after it.
until curl -s "http://127.0.0.1:$port/v1/head" | grep -q '"verified":true'; do sleep 0.2; done
year=${quarter:0:4}
echo "ledger: $ledger ($(du -sh "$ledger" | cut -f1)); head $(curl -s "http://127.0.0.1:$port/v1/head")"
echo "wrk: $wthreads thread(s), $conns connections, $dur each; servers: $threads io thread(s);" \
     "$(nproc) cores; pinned: ${server_cpu[*]:-no} / ${client_cpu[*]:-no}; load average $(cut -d' ' -f1-3 /proc/loadavg)"

routes=(
  "/healthz"
  "/v1/head"
  "/v1/policy"
  "/v1/departments"
  "/v1/quarters"
  "/v1/quarters/$quarter/scores"
  "/v1/quarters/$quarter/scores?format=csv"
  "/v1/quarters/$quarter/departments/$dept"
  "/v1/events?quarter=$quarter&limit=100"
  "/v1/events/1"
  "/v1/ledger?year=$year"
  "/v1/complaints?quarter=$quarter"
  "/v1/quarters/$quarter/report"
  "/v1/checkpoints"
  "/v1/proofs/inclusion?seq=1"
  "/v1/proofs/consistency?from=1"
)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # user + system, in clock ticks

wrk_run() {  # url pid -> "req_per_s p99_ms non2xx cpu_us_per_request"
  local before after
  before=$(cpu_ticks "$2")
  "${client_cpu[@]}" wrk -t"$wthreads" -c"$conns" -d"$dur" --latency "$1" > "$work/wrk.out"
  after=$(cpu_ticks "$2")
  python3 - "$work/wrk.out" "$((after - before))" "$(getconf CLK_TCK)" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
ticks, hz = int(sys.argv[2]), int(sys.argv[3])
rps = float(re.search(r"Requests/sec:\s*([0-9.]+)", text).group(1))
m = re.search(r"^\s*99%\s+([0-9.]+)(us|ms|s)\s*$", text, re.M)
p99 = float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
bad = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text)
n = int(re.search(r"(\d+) requests in", text).group(1))
print(f"{rps:.0f} {p99:.3f} {bad.group(1) if bad else 0} {ticks / hz * 1e6 / max(n, 1):.1f}")
PY
}

printf '%-46s %8s %10s %10s %6s %9s %9s %6s %8s %8s %6s\n' route bytes ceiling qledger ratio "p99 ceil" "p99 ql" ratio \
  "cpu ceil" "cpu ql" ratio
for r in "${routes[@]}"; do
  case "$r" in *"${ONLY:-}"*) ;; *) continue ;; esac
  url="http://127.0.0.1:$port$r"
  t0=$(date +%s.%N); code=$(curl -s -o "$work/body" -w '%{http_code}' "$url"); t1=$(date +%s.%N)
  size=$(wc -c < "$work/body")
  if [ "$code" != 200 ]; then echo "$r: HTTP $code (skipped)"; continue; fi
  "${server_cpu[@]}" "$work/hello_server" "$hello_port" "$threads" "$size" &
  hpid=$!; pids+=("$hpid")
  until curl -sf "http://127.0.0.1:$hello_port/" > /dev/null; do sleep 0.01; done
  # REPEAT pairs, in the order ceiling, qledger, qledger, ceiling, ... so
  # that a drift of the machine moves both alike; the medians are printed.
  samples=()
  for ((i = 1; i <= repeat; i++)); do
    if ((i % 2)); then order=(h q); else order=(q h); fi
    for who in "${order[@]}"; do
      if [ "$who" = h ]; then
        read -r h_rps h_p99 _ h_cpu < <(wrk_run "http://127.0.0.1:$hello_port/" "$hpid")
      else
        read -r q_rps q_p99 q_bad q_cpu < <(wrk_run "$url" "$spid")
        [ "$q_bad" = 0 ] || { echo "routes.sh: $r answered $q_bad non-2xx responses under load" >&2; exit 1; }
      fi
    done
    samples+=("$h_rps,$q_rps,$h_p99,$q_p99,$h_cpu,$q_cpu")
  done
  kill "$hpid"; wait "$hpid" 2>/dev/null || true
  python3 - "$r" "$size" "$(echo "$t1 - $t0" | bc)" "${samples[@]}" <<'PY'
import statistics, sys
r, size, first = sys.argv[1:4]
rows = [[float(x) for x in s.split(",")] for s in sys.argv[4:]]
med = lambda i: statistics.median(row[i] for row in rows)
h, q, hp, qp, hc, qc = (med(i) for i in range(6))
rps = [row[1] / row[0] for row in rows]
p99 = [row[3] / row[2] for row in rows]
cpu = [row[4] / row[5] for row in rows]
spread = f"   (pairs: req/s {min(rps):.2f}-{max(rps):.2f}, p99 {min(p99):.2f}-{max(p99):.2f})" if len(rows) > 1 else ""
print(f"{r:<46} {size:>8} {h:>10.0f} {q:>10.0f} {statistics.median(rps):>6.2f} {hp:>8.2f}ms {qp:>8.2f}ms"
      f" {statistics.median(p99):>6.2f} {hc:>6.1f}us {qc:>6.1f}us {statistics.median(cpu):>6.2f}"
      f"   (first answer {float(first) * 1000:.0f} ms){spread}")
print(f"RATIO route={r} rps={statistics.median(rps):.3f} p99={statistics.median(p99):.3f} cpu={statistics.median(cpu):.3f}"
      f" pairs={len(rows)}")
PY
done
echo "qledger serve RSS: $(grep -E 'VmRSS|VmHWM' /proc/$spid/status | tr -s ' \t' ' ' | paste -sd ';')"
kill -TERM "$spid"; wait "$spid" && echo "qledger serve exited 0 on SIGTERM"
