#!/usr/bin/env bash
# validate_record_test.sh — the validate_record CLI: "ok" + exit 0 for every fixture, "FIELD: RULE"
# + exit 1 for a broken record, exit 2 for usage errors. $1 is the binary.
set -u
bin="$1"
fail=0
check() { # expected_exit expected_output_substring args...
  local want_rc="$1" want_out="$2"
  shift 2
  local out rc
  out=$("$bin" "$@" 2>&1)
  rc=$?
  if [ "$rc" != "$want_rc" ] || [[ "$out" != *"$want_out"* ]]; then
    echo "FAIL: validate_record $* -> rc=$rc out='$out' (want rc=$want_rc, '$want_out')"
    fail=1
  else
    echo "ok:   validate_record $* -> $rc"
  fi
}
for t in benchmark_result integration_case load_result health metrics histogram; do
  check 0 ok --type "$t" "models/testdata/$t.json"
done
tmp="${TEST_TMPDIR:-/tmp}"
sed 's/"latency_p99_ms":445.1/"latency_p99_ms":300/' models/testdata/benchmark_result.json >"$tmp/bad.json"
check 1 "latency_p99_ms: latency_p99_ms must be >= latency_p95_ms" --type benchmark_result "$tmp/bad.json"
check 1 "not valid JSON" --type health <(printf '{"status":')
printf '[%s]' "$(cat models/testdata/health.json)" | check 0 ok --type HealthCheckResponse -
check 0 '"utilization_percent":40' --type health --canonical models/testdata/health.json
check 2 "unknown --type" --type nope models/testdata/health.json
check 2 "usage" models/testdata/health.json
check 2 "cannot open" --type health /nonexistent/file.json
exit $fail
