#!/usr/bin/env bash
# The test command (README): bootstrap, then every Bazel test, then the sanitizer pass.
#
#   bash ci/test.sh            # all tests; JUnit XML lands in bazel-testlogs/**/test.xml
#
# Exits non-zero if any test fails. Prints Bazel's summary and a closing "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash ci/bootstrap.sh || exit 1
bash ci/lint.sh || exit 1

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0

echo "== bazel test //... (JUnit XML: bazel-testlogs/<package>/<target>/test.xml)"
bazel test --config=ci //... 2>&1 | tee -a "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

echo "== bazel test --config=asan //:sanitized (AddressSanitizer + UBSan)"
bazel test --config=ci --config=asan //:sanitized 2>&1 | tee -a "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

echo
bash ci/summary.sh "$log" || status=1
exit $status
