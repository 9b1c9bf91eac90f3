/* rig.h — what every resilience test sets up: a server on its own database, and the artifacts.
 *
 * rs_server_start() creates a database on a tst_pg cluster, runs `<server> migrate` and starts
 * the real server binary (a Bazel runfile) with DATABASE_URL and the extra environment given; its
 * JSON log goes to the launcher's log file (tst_server_log_path), which the tests read back with
 * logscan.h. rs_post() is one REST tool call. rs_write_benchmark() / rs_write_load() turn measured
 * figures into PerformanceBenchmarkResult / LoadTestResult records, validate them with //models
 * and write them to $TEST_UNDECLARED_OUTPUTS_DIR/<name>.json (Bazel zips that directory into
 * bazel-testlogs/resilience/<target>/test.outputs/outputs.zip); docs/operations' report is
 * generated from those files (resilience:report). */
#ifndef RS_RIG_H
#define RS_RIG_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "models/benchmark_result.h"
#include "models/load_result.h"
#include "testing/error.h"
#include "testing/http.h"
#include "testing/pg.h"
#include "testing/server.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RS_CODEBASE_BIN "servers/codebase_mcp/codebase-mcp"
#define RS_WORKFLOW_BIN "servers/workflow_mcp/workflow-mcp"

/* Creates database `dbname` on pg, migrates it with the binary at runfile `rel` and starts the
 * server (extra_env: "KEY=VALUE" entries, NULL-terminated, may be NULL). *out is the running
 * server (tst_server_destroy). db_url (optional, n bytes) receives the database's URI.
 * Errors name the step (binary missing, migrate output, server log tail). */
int rs_server_start(tst_pg *pg, const char *rel, const char *dbname, const char *const *extra_env,
                    char *db_url, size_t n, tst_server **out, tst_err *err);

/* POST <base>/mcp/<tool> (or <base><tool> when tool starts with '/') with body; the response in
 * *resp (tst_http_resp_free). Transport failures return the tst_http code. */
int rs_post(const char *base, const char *tool, const char *body, long timeout_ms,
            tst_http_resp *resp, tst_err *err);

/* One named extra parameter of a benchmark record. */
typedef struct rs_param {
  const char *key;
  const char *str; /* non-NULL: a string value; else num */
  double num;
  int is_int;
} rs_param;

/* Builds a PerformanceBenchmarkResult from n >= 1 samples (ms) with target_ms as its threshold
 * (pass when p95 < target), adds the params, validates it (//models) and writes
 * <outputs>/<name>.json. *out (optional) receives the record (mdl_benchmark_result_free).
 * TST_EINVAL when a rule is broken (message names the field), TST_ESYS when it cannot be
 * written. Outside `bazel test` ($TEST_UNDECLARED_OUTPUTS_DIR unset) the record is still built
 * and validated, and written nowhere. */
int rs_write_benchmark(const char *name, mdl_server_id server, mdl_operation_type op,
                       const double *samples, size_t n, double target_ms, const rs_param *params,
                       size_t nparams, mdl_benchmark_result *out, tst_err *err);

/* Validates r (//models) and writes <outputs>/<name>.json. */
int rs_write_load(const char *name, const mdl_load_result *r, tst_err *err);

#ifdef __cplusplus
}
#endif

#endif /* RS_RIG_H */
