/* collect.h — gather benchmark results from a run's artifacts into one result set.
 *
 * Bazel 4 zips what a test writes to $TEST_UNDECLARED_OUTPUTS_DIR into
 * bazel-testlogs/<package>/<target>/test.outputs/outputs.zip. The tools that read a run
 * (update_baseline, report) accept, in any mix: result-set files (result_set.h), bare record
 * files, directories (every *.json inside, not recursive) and such zip files (extracted with
 * `unzip` into a temporary directory). Records are merged by operation_type (a later input wins);
 * raw samples travel with their record; commit, measured_at and machine come from the first input
 * that has them. Only for tools run by hand (`bazel run`), never inside a test. */
#ifndef BENCH_COLLECT_H
#define BENCH_COLLECT_H

#include <stddef.h>

#include "benchmarks/error.h"
#include "benchmarks/result_set.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The zips of the US1 targets under <workspace>/bazel-testlogs (regression first, then the
 * benchmarks, so the full benchmark figures win where both exist).
 * Writes up to max paths (each PATH_MAX) and returns how many exist. */
size_t bench_default_run_inputs(const char *workspace, char paths[][1024], size_t max);

/* Merges every input into *out (which starts empty). Files that are JSON but not records
 * (e.g. comparison.json) are skipped with a note on stderr. BENCH_EIO / BENCH_EINVAL for an
 * unreadable input or an invalid record; *out is empty on failure. */
int bench_collect(const char *const *inputs, size_t n, bench_set *out, bench_err *err);

/* The workspace's HEAD commit (short hash) into out[n], or "unknown". Runs `git rev-parse`. */
void bench_git_commit(const char *workspace, char *out, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* BENCH_COLLECT_H */
