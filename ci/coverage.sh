#!/usr/bin/env bash
# Coverage gate: runs //:sanitized (the models, the server unit tests and the servers' own
# PostgreSQL tests with their real server processes) built with gcc --coverage (--config=coverage),
# then reports line and branch coverage per package with gcovr:
#   text summary  -> stdout (and out/coverage/summary.txt)
#   HTML          -> out/coverage/index.html (git-ignored)
# and applies the gates of ci/coverage_gates.txt (ci/coverage_gate.py): a package below its floor,
# or a function no test runs that is not in ci/coverage_uncovered.txt, fails with the names of
# the uncovered functions.
#   bash ci/coverage.sh              # exit 1 if a test or a gate failed
#   COVERAGE_TARGETS="//models:all" bash ci/coverage.sh    # another target set (gates still apply)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ws=$(pwd)
out="$ws/out/coverage"
rm -rf "$out" && mkdir -p "$out"
command -v gcovr >/dev/null || { echo "coverage: gcovr is missing: run bash ci/bootstrap.sh" >&2; exit 1; }

exec_root=$(bazel info --config=ci execution_root 2>/dev/null) || { echo "coverage: bazel info failed" >&2; exit 1; }
objs="bazel-out/k8-fastbuild/bin"
# Counts of an earlier run would add up with this one's.
[ -d "$exec_root/$objs" ] && find "$exec_root/$objs" -name '*.gcda' -delete

# gcc records each object as /proc/self/cwd/bazel-out/... (Bazel's PWD); strip those 3 components
# and put the counts beside the notes in the execution root, whatever the process's cwd (a server
# launched by a test runs in its own temp dir).
status=0
# shellcheck disable=SC2086
bazel test --config=ci --config=coverage \
  --test_env=GCOV_PREFIX="$exec_root" --test_env=GCOV_PREFIX_STRIP=3 \
  ${COVERAGE_TARGETS:-//:sanitized} 2>&1 | tee "$out/bazel-test.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "coverage: some tests failed under --config=coverage" >&2; status=1; }

n_gcda=$(find "$exec_root/$objs" -name '*.gcda' | wc -l)
if [ "$n_gcda" -eq 0 ]; then
  echo "coverage: FAIL: the tests wrote no .gcda counts (was the build instrumented?)" >&2
  exit 1
fi
# Product C only: not the tests, not test-only tools that no CI test runs (fuzz driver, benchmark
# baseline server).
# gcovr runs from the execution root (where gcov finds the sources as compiled) and matches filters
# against the sources' real paths (the execution root links to this tree).
(cd "$exec_root" && timeout 600 gcovr -r . --object-directory "$objs" -j 2 --gcov-ignore-parse-errors \
    -f "$ws/models/" -f "$ws/servers/" \
    -e '.*_test\.cc$' -e "$ws/servers/common/fuzz/" -e "$ws/servers/demo/trivial_http\.c" \
    --json "$out/coverage.json" --html-details "$out/index.html" --txt "$out/files.txt" \
    "$objs") >"$out/gcovr.log" 2>&1 || { cat "$out/gcovr.log" >&2; echo "coverage: gcovr failed" >&2; exit 1; }
python3 ci/coverage_gate.py "$out/coverage.json" ci/coverage_gates.txt ci/coverage_uncovered.txt \
  | tee "$out/summary.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
echo "coverage: per-file report $out/files.txt, HTML $out/index.html"
exit $status
