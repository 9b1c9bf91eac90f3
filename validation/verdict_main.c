/* verdict_main.c — `verdict`: the SC table, the report and the go / review / block exit code of
 * a validation run (ci/validate.sh calls it after the stories ran).
 *
 *   verdict --artifacts DIR [--criteria validation/criteria.json] [--out DIR] [--profile quick]
 *           [--external] [--codebase-url URL] [--workflow-url URL] [--commit SHA]
 *           [--picture PATH]... [--load TEXT]
 * Exit status: 0 go, 1 review, 2 block, 3 nothing to judge (no artifact at all) or bad usage. */
#include <stdio.h>
#include <string.h>

#include "validation/report.h"
#include "validation/verdict.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: verdict --artifacts DIR [--criteria FILE] [--out DIR] [--profile quick|full]\n"
          "               [--external] [--codebase-url URL] [--workflow-url URL] [--commit SHA]\n"
          "               [--picture PATH]... [--load TEXT]\n"
          "Judges SC-001..SC-014 from the artifacts a validation run collected (see\n"
          "validation/criteria.json), prints the table and writes validation-report.md/.json\n"
          "to --out. Exit 0 go, 1 review, 2 block, 3 no evidence at all or bad usage.\n");
}

int main(int argc, char **argv) {
  const char *artifacts = NULL, *criteria = "validation/criteria.json", *out = NULL;
  const char *pictures[64];
  vld_context ctx;
  memset(&ctx, 0, sizeof ctx);
  ctx.profile = "quick";
  int external = 0;
  size_t np = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return 0;
    }
    if (strcmp(a, "--external") == 0) {
      external = 1;
      continue;
    }
    if (i + 1 >= argc) {
      fprintf(stderr, "verdict: %s needs a value (run verdict --help)\n", a);
      return 3;
    }
    const char *v = argv[++i];
    if (strcmp(a, "--artifacts") == 0)
      artifacts = v;
    else if (strcmp(a, "--criteria") == 0)
      criteria = v;
    else if (strcmp(a, "--out") == 0)
      out = v;
    else if (strcmp(a, "--profile") == 0)
      ctx.profile = v;
    else if (strcmp(a, "--codebase-url") == 0)
      ctx.codebase_url = v;
    else if (strcmp(a, "--workflow-url") == 0)
      ctx.workflow_url = v;
    else if (strcmp(a, "--commit") == 0)
      ctx.commit = v;
    else if (strcmp(a, "--load") == 0)
      ctx.load = v;
    else if (strcmp(a, "--picture") == 0 && np < sizeof pictures / sizeof *pictures)
      pictures[np++] = v;
    else {
      fprintf(stderr, "verdict: unknown option %s (run verdict --help)\n", a);
      return 3;
    }
  }
  if (artifacts == NULL) {
    fprintf(stderr, "verdict: give --artifacts DIR (what ci/validate.sh collected)\n");
    return 3;
  }
  if (strcmp(ctx.profile, "quick") != 0 && strcmp(ctx.profile, "full") != 0) {
    fprintf(stderr, "verdict: --profile is quick or full, not \"%s\"\n", ctx.profile);
    return 3;
  }
  if (ctx.codebase_url || ctx.workflow_url) external = 1;
  vld_err err = {{0}};
  cJSON *crit = vld_criteria_load(criteria, &err);
  if (crit == NULL) {
    fprintf(stderr, "verdict: %s\n", err.msg);
    return 3;
  }
  vld_opts o = {artifacts, external, ctx.profile};
  static vld_report rep;
  int rc = vld_evaluate(crit, &o, &rep, &err);
  cJSON_Delete(crit);
  if (rc != 0) {
    fprintf(stderr, "verdict: %s: %s\n", criteria, err.msg);
    return 3;
  }
  vld_print_table(&rep, stdout);
  /* A row that blocks on a latency may be the host's doing: say how loaded it was. */
  if (ctx.load) printf("host load: %s\n", ctx.load);
  if (out != NULL) {
    ctx.artifacts = artifacts;
    ctx.pictures = pictures;
    ctx.n_pictures = np;
    vld_context_stamp(&ctx);
    if (vld_write_report(&rep, &ctx, out, &err) != 0) {
      fprintf(stderr, "verdict: %s\n", err.msg);
      return 3;
    }
    printf("report: %s/validation-report.md (and .json)\n", out);
  }
  return vld_exit_code(&rep);
}
