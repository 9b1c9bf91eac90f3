/* runner_main.c — integration-runner: runs US2 scenario files and prints a summary.
 *
 *   integration-runner [--codebase-url URL --workflow-url URL] [--out DIR] [FILE|DIR ...]
 *
 * Without URLs it starts PostgreSQL and both servers itself (the binaries come from its runfiles);
 * with them it targets servers someone else started and skips the scenarios that must stop,
 * restart or slow a server. Without FILE arguments it runs every scenario of
 * integration/scenarios. Artifacts (each case with last_run_* filled in) go to --out, or to
 * $TEST_UNDECLARED_OUTPUTS_DIR. Exit status: 0 all passed or skipped, 1 a scenario failed,
 * 2 bad usage or nothing to run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "integration/runner.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: integration-runner [--codebase-url URL --workflow-url URL] [--out DIR]\n"
          "                          [--fixtures DIR] [--flows DIR] [FILE.json|DIR ...]\n"
          "Runs US2 cross-server scenarios (IntegrationTestCase files). Without URLs it starts\n"
          "PostgreSQL, codebase-mcp and workflow-mcp itself; with them it uses those servers and\n"
          "skips scenarios that stop, restart or slow a server. Default: every scenario of\n"
          "integration/scenarios. Exit 0 when none failed, 1 when one failed, 2 on bad usage.\n");
}

static int is_dir(const char *p) {
  struct stat sb;
  return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

int main(int argc, char **argv) {
  itg_options o;
  memset(&o, 0, sizeof o);
  char fixtures[4096] = "", flows[4096] = "", scen[4096] = "";
  const char **inputs = calloc((size_t)argc + 1, sizeof *inputs);
  int n_in = 0;
  if (inputs == NULL) return 2;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int more = i + 1 < argc;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      free(inputs);
      return 0;
    } else if (strcmp(a, "--codebase-url") == 0 && more)
      o.codebase_url = argv[++i];
    else if (strcmp(a, "--workflow-url") == 0 && more)
      o.workflow_url = argv[++i];
    else if (strcmp(a, "--out") == 0 && more)
      o.out_dir = argv[++i];
    else if (strcmp(a, "--fixtures") == 0 && more)
      snprintf(fixtures, sizeof fixtures, "%s", argv[++i]);
    else if (strcmp(a, "--flows") == 0 && more)
      snprintf(flows, sizeof flows, "%s", argv[++i]);
    else if (a[0] == '-') {
      fprintf(stderr, "integration-runner: unknown option %s (or its value is missing)\n", a);
      usage(stderr);
      free(inputs);
      return 2;
    } else
      inputs[n_in++] = a;
  }
  if ((o.codebase_url == NULL) != (o.workflow_url == NULL))
    fprintf(stderr,
            "integration-runner: only one URL given: scenarios needing the other server "
            "are skipped\n");
  if (!fixtures[0] && itg_runfile_dir("integration/testdata/repos", fixtures, sizeof fixtures) != 0)
    fixtures[0] = '\0';
  if (!flows[0] && itg_runfile_dir("integration/scenarios/flows", flows, sizeof flows) != 0)
    flows[0] = '\0';
  o.fixtures_dir = fixtures[0] ? fixtures : NULL;
  o.flows_dir = flows[0] ? flows : NULL;
  if (n_in == 0) {
    if (itg_runfile_dir("integration/scenarios", scen, sizeof scen) != 0) {
      fprintf(stderr,
              "integration-runner: no scenario files given and integration/scenarios is "
              "not among the runfiles: pass FILE.json or a directory\n");
      free(inputs);
      return 2;
    }
    inputs[n_in++] = scen;
  }
  /* Expand directories. */
  size_t total = 0, cap = 64;
  char **files = calloc(cap, sizeof *files);
  for (int i = 0; i < n_in && files != NULL; i++) {
    char **list = NULL;
    size_t n = 0;
    char why[1024];
    if (is_dir(inputs[i])) {
      if (itg_scenario_files(inputs[i], &list, &n, why, sizeof why) != 0) {
        fprintf(stderr, "integration-runner: %s\n", why);
        continue;
      }
    }
    for (size_t k = 0; k < (list ? n : 1); k++) {
      if (total + 1 >= cap) {
        char **nf = realloc(files, cap * 2 * sizeof *files);
        if (nf == NULL) break;
        files = nf;
        cap *= 2;
      }
      files[total++] = strdup(list ? list[k] : inputs[i]);
    }
    itg_files_free(list);
  }
  free(inputs);
  if (files == NULL || total == 0) {
    fprintf(stderr, "integration-runner: no scenario files to run\n");
    free(files);
    return 2;
  }
  itg_runner *r = NULL;
  tst_err err;
  if (itg_runner_new(&o, &r, &err) != TST_OK) {
    fprintf(stderr, "integration-runner: %s\n", err.msg);
    return 2;
  }
  printf("integration-runner: %zu scenario(s) against %s\n", total,
         o.codebase_url ? "the given servers" : "servers it starts itself");
  int passed = 0, failed = 0, skipped = 0;
  double ms = 0;
  for (size_t i = 0; i < total; i++) {
    itg_result res;
    itg_runner_run_file(r, files[i], &res);
    ms += res.elapsed_ms;
    const char *tag = res.status == MDL_RUN_PASS      ? "PASS"
                      : res.status == MDL_RUN_SKIPPED ? "SKIP"
                                                      : "FAIL";
    const char *shown = NULL;
    for (const char *p = strstr(files[i], "/integration/"); p; p = strstr(p + 1, "/integration/"))
      shown = p;
    printf("%s  %8.0f ms  %s  (%s)\n", tag, res.elapsed_ms, res.name[0] ? res.name : "?",
           shown ? shown + 1 : files[i]);
    if (res.status != MDL_RUN_PASS) printf("      %s\n", res.error);
    passed += res.status == MDL_RUN_PASS;
    failed += res.status == MDL_RUN_FAIL;
    skipped += res.status == MDL_RUN_SKIPPED;
    fflush(stdout);
    free(files[i]);
  }
  free(files);
  itg_runner_free(r);
  printf("integration-runner: %d passed, %d failed, %d skipped of %zu scenario(s) in %.1f s%s\n",
         passed, failed, skipped, total, ms / 1000.0, failed ? " — FAILED" : "");
  return failed ? 1 : 0;
}
