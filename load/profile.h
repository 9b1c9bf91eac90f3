/* profile.h — the load profiles (smoke, standard, soak, capacity) against real servers.
 *
 * A profile is a JSON file in load/profiles/: closed model {"name", "stages": ["5m:50", ...],
 * "think", "interval", "fixture_files", "timeout", "thresholds": [...]} or, for capacity, an open
 * model stepped through "rates" (iterations/s), each held for "step", stopping after the first
 * step whose thresholds fail (p95 over 2 s or errors over 1%) or whose arrivals were more than
 * 10% dropped for lack of an idle VU (the server no longer keeps up). ld_profile_run starts an
 * ephemeral PostgreSQL and the server under test (//benchmarks measure: real binaries, real HTTP),
 * prepares its data (codebase-mcp: a //testing repogen fixture indexed through
 * start_indexing_background; workflow-mcp: 3 projects with 40 invoices each), fills the scenario
 * template of load/scenarios/<server>.json with values drawn from that data, runs the load with the
 * engine and writes <out_dir>/<profile>-<server>.json (capacity: one file per step,
 * <profile>-<server>-<rate>.json). Test-only: it links the PostgreSQL harness. */
#ifndef LD_PROFILE_H
#define LD_PROFILE_H

#include <stdio.h>

#include "load/engine.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ld_profile_opts {
  const char *profile_path; /* a load/profiles file, e.g. load/profiles/smoke.json (runfile path or
                               absolute) */
  mdl_server_id server;
  const char *out_dir; /* NULL: $TEST_UNDECLARED_OUTPUTS_DIR, else no files */
  FILE *progress;      /* live progress line; NULL: none */
  int fixture_files;   /* > 0: overrides the profile's */
} ld_profile_opts;

typedef struct ld_profile_outcome {
  ld_result last;   /* the (last) run's result; caller frees with ld_result_free */
  int steps;        /* capacity: steps run */
  double knee_rate; /* capacity: highest offered rate whose step passed its thresholds */
  double knee_rps;  /* requests/s achieved at that step */
  double knee_p95_ms;
  int failed_thresholds; /* of the last run */
} ld_profile_outcome;

/* Runs the profile. LD_ESETUP when PostgreSQL, a server or the fixture cannot be set up (message
 * from the harness), LD_EINVAL for a bad profile file, other codes from ld_run. A failed
 * threshold is not an error: see out->failed_thresholds. */
int ld_profile_run(const ld_profile_opts *o, ld_profile_outcome *out, ld_err *err);

/* Finds a file shipped as Bazel data ("load/profiles/smoke.json") into buf[n]; 0 when found. */
int ld_profile_runfile(const char *rel, char *buf, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* LD_PROFILE_H */
