#!/usr/bin/env bash
# The main job (README): the whole validation against embedded defaults — every story suite on
# its own PostgreSQL and real server processes, then the regression verdict and the report.
#
#   bash ci/validate.sh
#
# No configuration: each test target starts its own PostgreSQL and servers on free loopback ports.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash ci/bootstrap.sh || exit 1
bazel test --config=ci //... 2>&1
exit ${PIPESTATUS[0]}
