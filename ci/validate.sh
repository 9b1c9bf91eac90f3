#!/usr/bin/env bash
# The main job (README): the whole validation against embedded defaults.
#
#   bash ci/validate.sh
#
# 1. bootstrap (Debian packages, tree-sitter grammars);
# 2. every test target: models, harness, both servers, and the US1 benchmarks + regression verdict,
#    each on its own PostgreSQL cluster and real server processes on free loopback ports — no
#    configuration, nothing to start by hand;
# 3. the performance report with pictures from this run's artifacts, into out/validation/
#    (validation-report.md + *.svg), compared with docs/performance/baseline.json.
# Exits non-zero if any test failed (the regression target fails only on a "block" verdict).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash ci/bootstrap.sh || exit 1

echo "== validation: bazel test //... (each target starts its own PostgreSQL and servers)"
bazel test --config=ci //... 2>&1 | tee /tmp/validate-$$.log
rc=${PIPESTATUS[0]}

echo "== report: out/validation/validation-report.md"
mkdir -p out/validation
bazel run --config=ci //benchmarks:report -- --out out/validation || rc=1

echo
echo "JUnit XML:       bazel-testlogs/<package>/<target>/test.xml"
echo "Benchmark data:  bazel-testlogs/benchmarks/<target>/test.outputs/outputs.zip"
echo "Regression:      unzip -p bazel-testlogs/benchmarks/regression/test.outputs/outputs.zip comparison.md"
echo "Report:          out/validation/validation-report.md"
bash ci/summary.sh /tmp/validate-$$.log || rc=1
rm -f /tmp/validate-$$.log
exit $rc
