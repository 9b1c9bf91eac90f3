/* runner.h — runs IntegrationTestCase scenario files against real servers (US2).
 *
 * A scenario file is one IntegrationTestCase record (models/integration_case.h), validated by
 * //models when loaded: a malformed file fails naming the file, the step and the field. The
 * runner runs its setup steps, then its workflow steps (stopping at the first failing one), then
 * always its teardown steps, and evaluates each step's assertions (assertion.h) and
 * expected_response on the step's response view:
 *
 *   {"status": HTTP status (0 when the server could not be reached),
 *    "body": the JSON body (for POST /mcp, the JSON-RPC message even when sent as an SSE event),
 *            or the text when not JSON, "headers": {lower-case name: value},
 *    "latency_ms": request to last byte, "error": transport error text (status 0 only),
 *    "latency": {"n", "p50_ms", "p95_ms", "max_ms"} (repeated steps only)}
 *
 * A step with an api_call sends method + endpoint + payload (templates rendered, template.h) to
 * the step's server with Content-Type application/json; on POST /mcp it sends the Mcp-Session-Id
 * the server last gave this run (so a scenario drives a real MCP session; after a restart the old
 * id is sent until the server hands out a new one). An action beginning "repeat N" sends the call
 * N times and reports the median as latency_ms; one beginning "retry N" (before any "repeat") is
 * run again, 500 ms later, up to N times until its checks pass (measurements on a noisy host; the
 * view then has "attempts"). An answer 503 with Retry-After (the servers'
 * "retry later": pool busy, too many indexing jobs) is sent again after the advised delay (at most
 * 500 ms) for up to 60 s, as a client should; the view then has "retries". A step without api_call
 * is a runner action, written in its action text (integration/README.md lists them): fresh, stop,
 * kill, start, restart, slow MS, copy_fixture NAME [DEST], write_file DEST FIXTURE_FILE,
 * delete_file PATH, wait_job JOB_ID, sleep MS, concurrent N FLOW_FILE.
 *
 * Scenarios share one local environment (env.h) and keep apart through {{project}} — a fresh
 * project id per run — except those with a lifecycle action (fresh, stop, kill, start, restart,
 * slow), which get servers of their own, on fresh databases. Every local environment lives in
 * one PostgreSQL cluster (a database per server and environment). Against servers someone else
 * started (external URLs), those are skipped (last_run_status "skipped"). Each run's case is
 * written back as an artifact with last_run_status, last_run_timestamp and last_run_error filled in
 * (<stem>.json), next to every step's response view (<stem>.responses.json: the measured figures).
 */
#ifndef ITG_RUNNER_H
#define ITG_RUNNER_H

#include <stddef.h>

#include "models/integration_case.h"
#include "testing/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct itg_options {
  const char *codebase_url; /* non-NULL (with workflow_url): external servers, start nothing */
  const char *workflow_url;
  const char *fixtures_dir; /* directory of fixture repositories (copy_fixture, write_file) */
  const char *flows_dir;    /* directory of the flows `concurrent` runs */
  const char *out_dir;      /* artifacts go here (NULL: $TEST_UNDECLARED_OUTPUTS_DIR, or none) */
  long step_timeout_ms;     /* per HTTP request; <= 0: 30000 */
} itg_options;

typedef struct itg_result {
  mdl_run_status status; /* MDL_RUN_PASS, MDL_RUN_FAIL or MDL_RUN_SKIPPED */
  char name[256];        /* test_name ("" when the file did not load) */
  char error[4096];      /* why it failed or was skipped: scenario, step, assertion, response */
  double elapsed_ms;
  char artifact[4096]; /* path of the written artifact, "" if none */
} itg_result;

typedef struct itg_runner itg_runner;

/* Creates a runner (starts nothing yet: the shared environment starts with the first scenario
 * that needs it). TST_EINVAL on a bad URL. */
int itg_runner_new(const itg_options *o, itg_runner **out, tst_err *err);

/* Loads, runs and writes back one scenario file. Never fails as a call: everything that goes
 * wrong is in res (status MDL_RUN_FAIL, error). */
void itg_runner_run_file(itg_runner *r, const char *path, itg_result *res);

/* Stops the shared environment and frees r. NULL is a no-op. */
void itg_runner_free(itg_runner *r);

/* Reads and validates a scenario file into *out (caller frees with mdl_integration_case_free).
 * On failure returns -1 and why says "FILE: FIELD: RULE" (FIELD names the step, e.g.
 * "workflow_steps[1].step_number"), or that the file cannot be read or is not JSON. */
int itg_case_load(const char *path, mdl_integration_case *out, char *why, size_t why_n);

/* The *.json files directly in dir (not in subdirectories), sorted by name, as absolute or
 * dir-relative paths "dir/name.json". *files is a NULL-terminated array the caller frees with
 * itg_files_free. -1 with why filled if dir cannot be read. */
int itg_scenario_files(const char *dir, char ***files, size_t *n, char *why, size_t why_n);
void itg_files_free(char **files);

/* Where a runfile directory of the integration package lives ("integration/scenarios", ...):
 * writes its path to out[n]; -1 when it is not among the runfiles. */
int itg_runfile_dir(const char *rel, char *out, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* ITG_RUNNER_H */
