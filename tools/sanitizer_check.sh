#!/usr/bin/env bash
# Runs a test (bazel test --run_under=//tools:sanitizer_check, set by --config=asan and
# --config=tsan) and fails it when any process it started — the test itself, a server it launched,
# a CLI it ran — wrote an AddressSanitizer, UBSan, LeakSanitizer or ThreadSanitizer report.
#
# Sanitizer runtimes print to stderr by default, and a server's stderr goes to a log file the
# harness deletes with the server, so a report in a server that the test did not look at would be
# lost. Here every process of the test writes its reports to REPORT_DIR/report.<pid> (log_path is
# inherited through the environment), and the wrapper prints each one and exits 1 if there is any.
set -uo pipefail
dir="${TEST_TMPDIR:-${TMPDIR:-/tmp}}/sanitizer-reports"
mkdir -p "$dir" && chmod 1777 "$dir" 2>/dev/null
rm -f "$dir"/report.*
for v in ASAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS LSAN_OPTIONS; do
  cur="${!v:-}"
  export "$v=${cur:+$cur:}log_path=$dir/report"
done
"$@"
rc=$?
shopt -s nullglob
reports=("$dir"/report.*)
if [ ${#reports[@]} -gt 0 ]; then
  echo "sanitizer_check: FAIL: ${#reports[@]} sanitizer report(s) from processes of this test" \
       "(test exit status $rc):" >&2
  for f in "${reports[@]}"; do
    echo "---- $(basename "$f") (pid ${f##*.}): $(grep -m1 -E 'ERROR|WARNING|runtime error' "$f")" >&2
    cat "$f" >&2
  done
  [ "$rc" -ne 0 ] || rc=1
fi
exit "$rc"
