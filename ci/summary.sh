#!/usr/bin/env bash
# Reads a saved `bazel test` output and prints the closing "N passed, N failed" line.
#   bash ci/summary.sh LOG     # exit 1 if any target failed, timed out, or did not build
set -uo pipefail
log="${1:?usage: ci/summary.sh BAZEL_TEST_LOG}"
passed=$(grep -cE '^//[^ ]+ +(\(cached\) )?PASSED' "$log" || true)
failed=$(grep -cE '^//[^ ]+ +(FAILED|TIMEOUT|NO STATUS|FAILED TO BUILD)' "$log" || true)
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
