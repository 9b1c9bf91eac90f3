/* update_baseline.c — `bazel run //benchmarks:update_baseline`: refresh the committed baseline.
 *
 *   bazel test //benchmarks:all && bazel run //benchmarks:update_baseline
 *   bazel run //benchmarks:update_baseline -- [--baseline PATH] [INPUT ...]
 *
 * INPUTs are result files, directories or outputs.zip files (collect.h); default: the zips of the
 * last `bazel test` of //benchmarks (regression, then indexing_perf, search_perf, workflow_perf;
 * later wins). Operations missing from the run keep their previous baseline record (with a
 * warning). The new file records the run's machine (or this machine's), the workspace HEAD commit
 * and the time. Default PATH: docs/performance/baseline.json in the workspace. Exit 0 on success,
 * 1 when nothing could be collected, 2 on usage or I/O errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benchmarks/collect.h"
#include "benchmarks/machine.h"

int main(int argc, char **argv) {
  const char *path = "docs/performance/baseline.json";
  const char *inputs[64];
  char defaults[8][1024];
  size_t n = 0;
  bench_set run, old;
  bench_err err;
  int status = 2;
  memset(&run, 0, sizeof run);
  memset(&old, 0, sizeof old);
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--baseline") == 0 && i + 1 < argc)
      path = argv[++i];
    else if (argv[i][0] == '-') {
      fprintf(stderr, "usage: update_baseline [--baseline PATH] [INPUT ...]\n");
      return 2;
    } else if (n < 64)
      inputs[n++] = argv[i];
  }
  const char *ws = getenv("BUILD_WORKSPACE_DIRECTORY");
  if (ws != NULL && chdir(ws) != 0) {
    fprintf(stderr, "update_baseline: cannot enter the workspace %s\n", ws);
    return 2;
  }
  if (n == 0) {
    size_t k = bench_default_run_inputs(".", defaults, 8);
    for (size_t i = 0; i < k; i++) inputs[n++] = defaults[i];
    if (n == 0) {
      fprintf(stderr,
              "update_baseline: no run found under bazel-testlogs/benchmarks; run `bazel test "
              "//benchmarks:all` first or name the result files\n");
      return 1;
    }
  }
  for (size_t i = 0; i < n; i++) fprintf(stderr, "reading %s\n", inputs[i]);
  if (bench_collect(inputs, n, &run, &err) != BENCH_OK) {
    fprintf(stderr, "update_baseline: %s\n", err.msg);
    goto cleanup;
  }
  if (bench_set_load(path, 1, &old, &err) != BENCH_OK) {
    fprintf(stderr, "update_baseline: the current baseline is unreadable (%s); replacing it\n",
            err.msg);
    memset(&old, 0, sizeof old);
  }
  int have = 0;
  for (int op = 0; op < MDL_OP_COUNT; op++) {
    if (run.has[op]) {
      have++;
      continue;
    }
    if (old.has[op]) {
      fprintf(stderr, "warning: the run has no %s result; keeping the previous baseline figure\n",
              mdl_operation_type_name((mdl_operation_type)op));
      bench_set_put(&run, &old.results[op], NULL, 0, NULL);
      old.has[op] = 0;
    } else {
      fprintf(stderr, "warning: no %s result in the run nor in the old baseline\n",
              mdl_operation_type_name((mdl_operation_type)op));
    }
  }
  if (have == 0) {
    fprintf(stderr, "update_baseline: the inputs hold no benchmark records\n");
    status = 1;
    goto cleanup;
  }
  bench_git_commit(".", run.commit, sizeof run.commit);
  if (run.measured_at[0] == '\0') mdl_time_now(run.measured_at);
  if (run.machine == NULL) {
    bench_machine m;
    bench_machine_describe(&m);
    run.machine = bench_machine_to_json(&m);
  }
  if (bench_set_write(&run, path, &err) != BENCH_OK) {
    fprintf(stderr, "update_baseline: %s\n", err.msg);
    goto cleanup;
  }
  printf("baseline written to %s (commit %s)\n", path, run.commit);
  for (int op = 0; op < MDL_OP_COUNT; op++)
    if (run.has[op])
      printf("  %-15s p50 %10.2f  p95 %10.2f  p99 %10.2f ms  (n=%lld)\n",
             mdl_operation_type_name((mdl_operation_type)op), run.results[op].latency_p50_ms,
             run.results[op].latency_p95_ms, run.results[op].latency_p99_ms,
             (long long)run.results[op].sample_size);
  status = 0;
cleanup:
  bench_set_free(&run);
  bench_set_free(&old);
  return status;
}
