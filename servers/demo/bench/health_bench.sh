#!/usr/bin/env bash
# health_bench.sh — /health and /metrics of demo-server against a trivial libmicrohttpd handler
# (static JSON, same threading flags) on the same machine in the same run, with wrk.
#
#   bazel run //servers/demo:health_bench                       # DATABASE_URL from the env
#   ROUNDS=3 SECONDS_PER_RUN=8 CONNS=50 bazel run //servers/demo:health_bench
#   SATURATE=1 bazel run //servers/demo:health_bench  # pool of 2 held by 6 slow DB calls
#
# Prints requests/s, p50/p99 and the server's CPU time per request per target and round, then
# the /health : trivial throughput ratio (issue 4 goal: >= 70%) and p99 at low concurrency
# (goal: /health <= 1 ms, /metrics <= 2 ms). On a shared, loaded machine throughput and p99 are
# noisy; CPU per request (utime + stime of the server process / requests) is not. Without DATABASE_URL the server runs with no database (/health answers 503;
# the work per request is the same). Request logs go to a temp file, as in production.
set -euo pipefail
here="${BUILD_WORKSPACE_DIRECTORY:-}"
bin_dir="$(cd "$(dirname "$0")" && pwd)"
demo="$bin_dir/demo_server"; trivial="$bin_dir/trivial_http"
[ -x "$demo" ] || demo="$(dirname "$0")/../demo_server"
[ -x "$trivial" ] || trivial="$(dirname "$0")/../trivial_http"
command -v wrk >/dev/null || { echo "health_bench: wrk is not installed" >&2; exit 1; }
rounds="${ROUNDS:-3}"; secs="${SECONDS_PER_RUN:-8}"; conns="${CONNS:-50}"
tmp=$(mktemp -d)
p1=$((20000 + RANDOM % 10000)); p2=$((p1 + 1))
"$trivial" "$p1" 4 & tpid=$!
pool_env=()
[ "${SATURATE:-0}" = 1 ] && pool_env=(POOL_MIN=2 POOL_MAX=2)
env "${pool_env[@]}" \
  DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:1/none?connect_timeout=1}" \
  LOG_FILE="$tmp/requests.log" "$demo" --port "$p2" 2>"$tmp/stderr" & spid=$!
loaders=()
trap 'kill $tpid $spid "${loaders[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
sleep 1.5
if [ "${SATURATE:-0}" = 1 ]; then
  for i in 1 2 3 4 5 6; do
    (while :; do curl -s -m 30 -X POST -d '{"ms":3000,"db":true}' \
       "http://127.0.0.1:$p2/mcp/slow" >/dev/null || sleep 0.2; done) & loaders+=($!)
  done
  sleep 1
  echo "saturated: $(curl -s "http://127.0.0.1:$p2/health")"
fi
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
run() { # url conns threads [pid] -> "rps p50 p99 [server-CPU-us-per-request]"
  local c0 c1 out
  [ -n "${4:-}" ] && c0=$(cpu_ticks "$4")
  out=$(wrk -t"$3" -c"$2" -d"${secs}s" --latency "$1" | awk '
    /requests in/ {n=$1} /Requests\/sec/ {rps=$2} / 50%/ {p50=$2} / 99%/ {p99=$2}
    END {print rps, p50, p99, n}')
  if [ -n "${4:-}" ]; then
    c1=$(cpu_ticks "$4")
    echo "$out" | awk -v a="$c0" -v b="$c1" -v hz="$(getconf CLK_TCK)" \
      '{printf "%s %s %s cpu_us/req=%.1f\n", $1, $2, $3, (b - a) * 1e6 / hz / $4}'
  else
    echo "$out" | cut -d' ' -f1-3
  fi
}
best_t=0; best_h=0
for r in $(seq 1 "$rounds"); do
  t=$(run "http://127.0.0.1:$p1/" "$conns" 2 "$tpid"); h=$(run "http://127.0.0.1:$p2/health" "$conns" 2 "$spid")
  echo "round $r  trivial: rps/p50/p99 = $t   /health: $h"
  tr=${t%% *}; hr=${h%% *}
  best_t=$(awk -v a="$best_t" -v b="$tr" 'BEGIN{print (b>a)?b:a}')
  best_h=$(awk -v a="$best_h" -v b="$hr" 'BEGIN{print (b>a)?b:a}')
done
echo "best throughput: trivial $best_t req/s, /health $best_h req/s, ratio $(awk -v h="$best_h" -v t="$best_t" 'BEGIN{printf "%.1f%%", 100*h/t}')"
echo "low concurrency (1 connection): p50/p99"
echo "  trivial : $(run "http://127.0.0.1:$p1/" 1 1 | cut -d' ' -f2-)"
echo "  /health : $(run "http://127.0.0.1:$p2/health" 1 1 | cut -d' ' -f2-)"
echo "  /metrics: $(run "http://127.0.0.1:$p2/metrics" 1 1 | cut -d' ' -f2-)"
echo "moderate concurrency (10 connections): p50/p99"
echo "  /health : $(run "http://127.0.0.1:$p2/health" 10 1 | cut -d' ' -f2-)"
echo "  /metrics: $(run "http://127.0.0.1:$p2/metrics" 10 1 | cut -d' ' -f2-)"
