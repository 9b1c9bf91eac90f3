/* profile_main.c — `load_profile`: run one profile against one server from the command line.
 *
 *   bazel run //load:load_profile -- --profile load/profiles/standard.json \
 *       --server codebase-mcp --out DIR [--fixture-files N]
 * Exit status: 0 thresholds held; 99 a threshold failed (capacity: always 0 once it found the
 * knee); 2 bad usage; 1 set-up or run failure. */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "load/profile.h"
#include "load/summary.h"

int main(int argc, char **argv) {
  ld_profile_opts o;
  memset(&o, 0, sizeof o);
  o.server = MDL_SERVER_CODEBASE_MCP;
  for (int i = 1; i < argc; i++) {
    if (i + 1 >= argc) {
      fprintf(stderr, "load_profile: %s needs a value\n", argv[i]);
      return 2;
    }
    if (strcmp(argv[i], "--profile") == 0)
      o.profile_path = argv[++i];
    else if (strcmp(argv[i], "--out") == 0)
      o.out_dir = argv[++i];
    else if (strcmp(argv[i], "--fixture-files") == 0) {
      char *end = NULL;
      long n = strtol(argv[++i], &end, 10);
      if (end == argv[i] || *end != '\0' || n < 1 || n > 1000000) {
        fprintf(stderr,
                "load_profile: --fixture-files: expected a count from 1 to 1000000, got '%s'\n",
                argv[i]);
        return 2;
      }
      o.fixture_files = (int)n;
    } else if (strcmp(argv[i], "--server") == 0) {
      if (!mdl_server_id_parse(argv[++i], &o.server)) {
        fprintf(stderr, "load_profile: --server: expected codebase-mcp or workflow-mcp\n");
        return 2;
      }
    } else {
      fprintf(stderr,
              "load_profile: unknown flag %s (use --profile, --server, --out, --fixture-files)\n",
              argv[i]);
      return 2;
    }
  }
  if (o.profile_path == NULL) {
    fprintf(stderr, "load_profile: --profile FILE is required (load/profiles/*.json)\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  if (isatty(STDERR_FILENO)) o.progress = stderr;
  ld_profile_outcome r;
  ld_err err;
  if (ld_profile_run(&o, &r, &err) != LD_OK) {
    fprintf(stderr, "load_profile: %s\n", err.msg);
    return err.code == LD_EINVAL ? 2 : 1;
  }
  ld_summary_print(&r.last, stderr);
  if (r.knee_rate > 0)
    fprintf(stderr, "capacity: knee at %.0f iterations/s offered, %.1f req/s, p95 %.2f ms\n",
            r.knee_rate, r.knee_rps, r.knee_p95_ms);
  int is_capacity = r.steps > 1 || r.knee_rate > 0;
  ld_result_free(&r.last);
  return !is_capacity && r.failed_thresholds > 0 ? 99 : 0;
}
