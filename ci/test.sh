#!/usr/bin/env bash
# The test command (README): bootstrap, then every quality gate, then one table of them.
#
#   bash ci/test.sh            # all gates; JUnit XML lands in bazel-testlogs/**/test.xml
#
# Gates (each timed; the table gives its figure, PASS/FAIL and seconds):
#   lint        ci/lint.sh         banned C library calls; the package map against the BUILD deps
#   commits     ci/commits.sh      Conventional Commits since the last tag
#   tests       bazel test //...
#   fuzz        the //... targets tagged fuzz (their result, read from the tests' log)
#   coverage    ci/coverage.sh     gcc --coverage over //:sanitized, floors per package
#   sanitizers  //:sanitized under --config=asan (servers' own tests start ASan+UBSan servers),
#               and pool / metrics / indexer workers under --config=tsan
#   tidy        ci/static.sh       clang-tidy + cppcheck, zero findings (suppressions need a reason)
#   format      clang-format --dry-run: every C/C++ file matches .clang-format (also in ci/lint.sh)
#   conformance ci/conformance.sh  official MCP conformance suite against both servers; a scenario
#                                  outside ci/conformance/expected-failures.yml fails
#   gates-test  ci/gates_test.sh   proves the gates above fail on what they should catch
# Exits non-zero if any gate fails. The last line is "N passed, N failed" over the Bazel tests.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash ci/bootstrap.sh || exit 1

log=$(mktemp)
table=$(mktemp)
trap 'rm -f "$log" "$table"' EXIT
status=0

# row NAME FIGURE RESULT SECONDS
row() {
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$table"
  [ "$3" != FAIL ] || status=1
}
verdict() { if [ "$1" -eq 0 ]; then echo PASS; else echo FAIL; fi; }

echo "== lint: banned functions"
t=$SECONDS
out=$(bash ci/lint.sh 2>&1); rc=$?
echo "$out"
row lint "$(echo "$out" | grep -c ':[0-9]*:' || true) banned calls" "$(verdict $rc)" $((SECONDS - t))

echo "== commits: Conventional Commits since the last tag"
t=$SECONDS
out=$(bash ci/commits.sh 2>&1); rc=$?
echo "$out"
row commits "$(echo "$out" | tail -1 | sed 's/^commits: //')" "$(verdict $rc)" $((SECONDS - t))

echo "== bazel test //... (JUnit XML: bazel-testlogs/<package>/<target>/test.xml)"
t=$SECONDS
tests_log=$(mktemp)
bazel test --config=ci //... 2>&1 | tee "$tests_log"
rc=${PIPESTATUS[0]}
cat "$tests_log" >>"$log"
row tests "$(bash ci/summary.sh "$tests_log" | tail -1)" "$(verdict $rc)" $((SECONDS - t))

fuzz_pass=$(grep -cE '^//[^ ]*fuzz[^ ]* +(\(cached\) )?(PASSED|FLAKY)' "$tests_log" || true)
fuzz_fail=$(grep -cE '^//[^ ]*fuzz[^ ]* +(FAILED|TIMEOUT|NO STATUS|FAILED TO BUILD)' "$tests_log" || true)
if [ $((fuzz_pass + fuzz_fail)) -eq 0 ]; then
  row fuzz "no fuzz target ran" FAIL 0
else
  row fuzz "$fuzz_pass fuzz targets passed, $fuzz_fail failed (in tests)" \
    "$(verdict "$fuzz_fail")" 0
fi
rm -f "$tests_log"

echo "== coverage: bash ci/coverage.sh (gcc --coverage, gcovr; HTML in out/coverage/)"
t=$SECONDS
bash ci/coverage.sh; rc=$?
fig=$(grep -E '^coverage_gate: ' out/coverage/summary.txt 2>/dev/null | tail -1 | sed 's/^coverage_gate: //')
row coverage "${fig:-no report}" "$(verdict $rc)" $((SECONDS - t))

echo "== sanitizers: bazel test --config=asan //:sanitized (ASan + UBSan, servers included)"
t=$SECONDS
san_log=$(mktemp)
bazel test --config=ci --config=asan //:sanitized 2>&1 | tee "$san_log"
rc_asan=${PIPESTATUS[0]}
echo "== sanitizers: bazel test --config=tsan (pool, metrics, indexer workers in codebase-mcp)"
bazel test --config=ci --config=tsan //servers/common:pool_test //servers/common:metrics_test \
  //servers/codebase_mcp:server_test 2>&1 | tee -a "$san_log"
rc_tsan=${PIPESTATUS[0]}
cat "$san_log" >>"$log"
row sanitizers "asan+tsan: $(bash ci/summary.sh "$san_log" | tail -1)" \
  "$(verdict $((rc_asan | rc_tsan)))" $((SECONDS - t))
rm -f "$san_log"

echo "== tidy: bash ci/static.sh (clang-tidy + cppcheck)"
t=$SECONDS
out=$(bash ci/static.sh 2>&1); rc=$?
echo "$out"
row tidy "$(echo "$out" | grep -E '^static: clang-tidy' | sed 's/^static: //')" "$(verdict $rc)" \
  $((SECONDS - t))

echo "== format: clang-format --dry-run"
t=$SECONDS
fmt_files=$(git ls-files -- '*.c' '*.h' '*.cc' | grep -v '^third_party/')
n_all=$(echo "$fmt_files" | wc -l)
n_fmt=$(echo "$fmt_files" | xargs -P2 -n50 clang-format --dry-run 2>&1 \
  | grep -oE '^[^ :]+:[0-9]+:[0-9]+: (warning|error)' | cut -d: -f1 | sort -u | wc -l)
fmt_rc=0
[ "$n_fmt" -eq 0 ] || fmt_rc=1
row format "$n_fmt of $n_all files differ from .clang-format" "$(verdict $fmt_rc)" $((SECONDS - t))

echo "== conformance: bash ci/conformance.sh (official MCP suite against both servers)"
t=$SECONDS
out=$(bash ci/conformance.sh 2>&1); rc=$?
echo "$out"
row conformance "$(echo "$out" | tail -1 | sed 's/^conformance: //')" "$(verdict $rc)" \
  $((SECONDS - t))

echo "== gates-test: bash ci/gates_test.sh (the gates catch what they should)"
t=$SECONDS
out=$(bash ci/gates_test.sh 2>&1); rc=$?
echo "$out"
row gates-test "$(echo "$out" | tail -1 | sed 's/^gates_test: //')" "$(verdict $rc)" \
  $((SECONDS - t))

echo
echo "== quality gates"
printf '%-12s %-6s %6s  %s\n' gate result secs figure
while IFS=$'\t' read -r name fig res secs; do
  printf '%-12s %-6s %6s  %s\n' "$name" "$res" "$secs" "$fig"
done <"$table"
echo
bash ci/summary.sh "$log" || status=1
exit $status
