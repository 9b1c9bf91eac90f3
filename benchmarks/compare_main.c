/* compare_main.c — `//benchmarks:compare_tool`: compares a run with the baseline by the hybrid
 * rule.
 *
 *   bazel run //benchmarks:compare_tool -- --current RUN.json [--baseline
 * docs/performance/baseline.json]
 *                                     [--out DIR]
 *
 * Relative paths are taken from the workspace ($BUILD_WORKSPACE_DIRECTORY under `bazel run`).
 * Writes DIR/comparison.json and DIR/comparison.md (default DIR: docs/performance/comparison),
 * prints the markdown. Exit status: 0 pass or review, 1 block, 2 bad usage or unreadable input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benchmarks/compare.h"

static int usage(void) {
  fprintf(stderr,
          "usage: compare --current RUN.json [--baseline BASELINE.json] [--out DIR]\n"
          "  exit 0: pass or review, 1: block, 2: usage or input error\n");
  return 2;
}

int main(int argc, char **argv) {
  const char *baseline_path = "docs/performance/baseline.json";
  const char *current_path = NULL, *out_dir = "docs/performance/comparison";
  bench_set baseline, current;
  bench_comparison cmp;
  bench_err err;
  int status = 2;
  memset(&baseline, 0, sizeof baseline);
  memset(&current, 0, sizeof current);
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--baseline") == 0 && i + 1 < argc)
      baseline_path = argv[++i];
    else if (strcmp(argv[i], "--current") == 0 && i + 1 < argc)
      current_path = argv[++i];
    else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
      out_dir = argv[++i];
    else
      return usage();
  }
  if (current_path == NULL) return usage();
  const char *ws = getenv("BUILD_WORKSPACE_DIRECTORY");
  if (ws != NULL && chdir(ws) != 0) {
    fprintf(stderr, "compare: cannot enter the workspace %s\n", ws);
    return 2;
  }
  if (bench_set_load(baseline_path, 1, &baseline, &err) != BENCH_OK ||
      bench_set_load(current_path, 0, &current, &err) != BENCH_OK) {
    fprintf(stderr, "compare: %s\n", err.msg);
    goto cleanup;
  }
  bench_compare(&baseline, &current, &cmp);
  if (bench_comparison_write_files(&cmp, &baseline, &current, out_dir, &err) != BENCH_OK) {
    fprintf(stderr, "compare: %s\n", err.msg);
    goto cleanup;
  }
  bench_comparison_write_markdown(&cmp, &baseline, &current, stdout, NULL);
  printf("\n(written to %s/comparison.json and %s/comparison.md)\n", out_dir, out_dir);
  status = cmp.verdict == BENCH_BLOCK ? 1 : 0;
cleanup:
  bench_set_free(&baseline);
  bench_set_free(&current);
  return status;
}
