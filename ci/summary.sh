#!/usr/bin/env bash
# Reads a saved `bazel test` output and prints the closing "N passed, N failed" line; a target
# Bazel reports FLAKY (failed once, passed on its rerun) counts as passed and is named above it.
#   bash ci/summary.sh LOG     # exit 1 if any target failed, timed out, or did not build
set -uo pipefail
log="${1:?usage: ci/summary.sh BAZEL_TEST_LOG}"
passed=$(grep -cE '^//[^ ]+ +(\(cached\) )?(PASSED|FLAKY)' "$log" || true)
flaky=$(grep -E '^//[^ ]+ +(\(cached\) )?FLAKY' "$log" || true)
failed=$(grep -cE '^//[^ ]+ +(FAILED|TIMEOUT|NO STATUS|FAILED TO BUILD)' "$log" || true)
[ -z "$flaky" ] || printf 'passed on a rerun (FLAKY: a failed attempt is in its test logs):\n%s\n' "$flaky"
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
