/* measure.h — the US1 measurements, defined once and used by the benchmark targets, the
 * regression target and the 50,000-file edge case.
 *
 * Everything is real: an ephemeral PostgreSQL cluster (//testing tst_pg), the real server binaries
 * launched as processes (tst_server, found as Bazel runfiles), real HTTP on loopback through the
 * REST form of each tool (POST <url>/mcp/<tool>, body = the tool's arguments, answer = its
 * output). Latencies are client-side wall time (monotonic clock) of one operation:
 *   index          start_indexing_background -> get_indexing_status says completed (polled every
 *                  25 ms), each run on an empty index (tables truncated, checkpoint) and a fresh
 * project id; search         one search_code request, issued by one of N concurrent client threads;
 *   search_lowvocab the same on the low-vocabulary corpus (queries matching >= 100k chunks);
 *   project_switch one POST /mcp/switch_project;
 *   entity_query   one POST /mcp/query_entities with a JSONB filter.
 * The plan (bench_plan) says how many rounds; benchmarks use the full plan, the regression target
 * a short one. Results land in a bench_set as PerformanceBenchmarkResult records built by
 * result_builder.h, with the raw samples for the report's histograms. Not thread-safe per
 * object. */
#ifndef BENCH_MEASURE_H
#define BENCH_MEASURE_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "benchmarks/error.h"
#include "benchmarks/parse_probe.h"
#include "benchmarks/result_set.h"
#include "models/calibration.h"
#include "testing/pg.h"
#include "testing/repogen.h"
#include "testing/server.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BENCH_CODEBASE_BIN "servers/codebase_mcp/codebase-mcp"
#define BENCH_WORKFLOW_BIN "servers/workflow_mcp/workflow-mcp"

/* How much to measure. */
typedef struct bench_plan {
  int index_files;    /* fixture size; 10000 */
  int index_warmup;   /* 1 */
  int index_runs;     /* 5 (benchmark) / 4 (regression) */
  int search_queries; /* >= 200 */
  int search_clients; /* 10 */
  int switch_warmup;  /* switches not counted (connection set-up); 5 */
  int switches;       /* 20 */
  int entity_queries; /* 100 */
  uint64_t seed;      /* fixture and workflow data seed */
} bench_plan;

/* The full plan of the benchmarks and the short one of the regression target. */
bench_plan bench_plan_full(void);
bench_plan bench_plan_short(void);

/* PostgreSQL + the servers a measurement needs. */
typedef struct bench_env {
  tst_pg *pg;
  tst_server *codebase;  /* NULL unless started */
  tst_server *workflow;  /* NULL unless started */
  char dir[512];         /* private scratch directory (fixtures), removed by bench_env_stop */
  char codebase_db[512]; /* libpq URI of the codebase-mcp database ("" if not started) */
  char workflow_db[512]; /* libpq URI of the workflow-mcp database ("" if not started) */
} bench_env;

/* Starts a cluster, migrates and starts the servers asked for (each on its own database).
 * BENCH_ESETUP with the harness's message (binary missing, migrate failed, server log tail).
 * On failure nothing is left running. */
int bench_env_start(bench_env *env, int codebase, int workflow, bench_err *err);

/* Stops everything bench_env_start started and removes the scratch directory. Safe to repeat. */
void bench_env_stop(bench_env *env);

/* POST <base_url>/mcp/<tool> with args_json. 2xx: *out (optional) gets the parsed answer (caller
 * frees) and *latency_ms (optional) the round trip. Other statuses: BENCH_ERUN with status and
 * body excerpt; transport failures: BENCH_ERUN too. */
int bench_tool(const char *base_url, const char *tool, const char *args_json, long timeout_ms,
               cJSON **out, double *latency_ms, bench_err *err);

/* Generates the FR-024 fixture (files, seed) under env->dir: repo path into repo[rn], manifest
 * path into manifest[mn]. st optional. BENCH_ESETUP on failure. */
int bench_fixture(bench_env *env, int files, uint64_t seed, char *repo, size_t rn, char *manifest,
                  size_t mn, tst_repogen_stats *st, bench_err *err);

/* The same with the low-vocabulary corpus (tst_repogen_opts.low_vocab; issue 13): every
 * function, class and method matches each query of the manifest's "query" lines. */
int bench_fixture_lowvocab(bench_env *env, int files, uint64_t seed, char *repo, size_t rn,
                           char *manifest, size_t mn, tst_repogen_stats *st, bench_err *err);

/* The probes bench_index_once takes every ~100 ms while a job runs (//models calibration), all on
 * the harness thread's CPU clock: unit is the fixed integer loop, parse one tree-sitter parse of a
 * fixed source (parse_probe.h; skipped when parser is NULL). Zero the two probes before a run. */
typedef struct bench_index_probes {
  mdl_calib_probe unit;
  mdl_calib_probe parse;
  bench_parse_probe *parser; /* borrowed */
} bench_index_probes;

/* One indexing run of repo into project_id on the codebase server, timed to completion.
 * peak_rss_mb (optional) gets the server's peak RSS sampled while it ran; files (optional) the
 * files_indexed the job reported; server_cpu_s (optional) the CPU seconds (user + system) the
 * server process spent meanwhile (PostgreSQL's share is not included). BENCH_ERUN if the job fails
 * or does not finish in timeout_ms. probes (optional) get the calibration probes taken while the
 * job runs: the host's speed during this run. */
int bench_index_once(bench_env *env, const char *repo, const char *project_id, int timeout_ms,
                     double *ms, double *peak_rss_mb, long *files, double *server_cpu_s,
                     bench_index_probes *probes, bench_err *err);

/* Indexing benchmark: plan->index_warmup + plan->index_runs runs, each on an empty index (tables
 * truncated and checkpointed first) under a fresh project id, each calibrated by the probes its
 * bench_index_once took. test_parameters: calibrated_cv_percent (what SC-001 judges) is the CV of
 * codebase-mcp's CPU seconds per run divided by that run's mean parse-probe time; cv_percent the
 * raw CV of the wall times; server_cpu_cv_percent codebase-mcp's CPU seconds undivided;
 * wall_parse_calibrated_cv_percent wall time / parse probe; cpu_work_cv_percent and
 * cpu_work_unit_calibrated_cv_percent codebase-mcp + PostgreSQL CPU seconds, undivided and
 * divided by the integer-loop probe; wall_calibrated_cv_percent wall time / integer-loop probe;
 * calibration_ms / calibration_cv_percent and parse_calibration_ms / parse_calibration_cv_percent
 * the probes' median times and spread; pg_cpu_seconds_mean PostgreSQL's share. Puts the "index"
 * record (runs only) into set; project_out (optional, 37 bytes) gets the last project id (an
 * indexed project the search can use). */
int bench_op_index(bench_env *env, const bench_plan *plan, const char *repo, bench_set *set,
                   char *project_out, bench_err *err);

/* Search benchmark on an indexed project: plan->search_queries queries of four kinds built from
 * the manifest (symbol name, words of a doc comment, misspelt identifier, identifier words with a
 * file_path_prefix filter), issued by plan->search_clients threads. Puts the "search" record.
 * hit_rate (optional) gets the share of queries whose expected file was among the results. */
int bench_op_search(bench_env *env, const bench_plan *plan, const char *manifest,
                    const char *project_id, bench_set *set, double *hit_rate, bench_err *err);

/* Search on an indexed low-vocabulary corpus: plan->search_queries queries cycling through the
 * manifest's "query" lines (common words, each matching every definition), issued by
 * plan->search_clients threads. Puts the "search_lowvocab" record, with the chunks the queries
 * matched (the answers' total_count: matching_chunks_min / _median / _max); *min_matches
 * (optional) gets the minimum. BENCH_ESETUP if the manifest has no query lines. */
int bench_op_search_lowvocab(bench_env *env, const bench_plan *plan, const char *manifest,
                             const char *project_id, bench_set *set, long *min_matches,
                             bench_err *err);

/* (measure_workflow.c, library :measure_workflow) Workflow benchmarks: seeds 5 projects, 1,000
 * entities and 10-20 work items per project
 * (//testing workgen), then measures plan->switches switches among the projects and
 * plan->entity_queries JSONB-filtered entity queries. Puts "project_switch" and "entity_query". */
int bench_op_workflow(bench_env *env, const bench_plan *plan, bench_set *set, bench_err *err);

/* (measure_workflow.c) A/B measurement for the regression's sensitivity test. bench_wf_seed seeds
 * the workflow data (as bench_op_workflow does) through env->workflow; bench_wf_ab then runs
 * warmup + n steps of op (MDL_OP_PROJECT_SWITCH or MDL_OP_ENTITY_QUERY), each step once on url_a
 * and once on url_b (the order alternating), so the host's noise falls on both alike; the n
 * measured steps go into an op record in a and in b. Both URLs must serve the seeded database. */
typedef struct bench_wf_data bench_wf_data;
int bench_wf_seed(bench_env *env, uint64_t seed, bench_wf_data **out, bench_err *err);
void bench_wf_free(bench_wf_data *d);
int bench_wf_ab(const bench_wf_data *data, mdl_operation_type op, const char *url_a,
                const char *url_b, int warmup, int n, bench_set *a, bench_set *b, bench_err *err);

/* Starts one more workflow-mcp on env's (migrated) workflow database with one extra environment
 * entry (e.g. "TEST_REQUEST_DELAY_US=170"; NULL for none). Caller destroys it (tst_server_destroy)
 * before bench_env_stop. BENCH_ESETUP with the harness's message. */
int bench_workflow_start_extra(bench_env *env, const char *extra_env, tst_server **out,
                               bench_err *err);

/* Fills set's metadata: machine (this one), measured_at (now), commit from env BENCH_COMMIT or
 * BUILD_SCM_REVISION when present. */
void bench_set_stamp(bench_set *set);

/* Writes set as <dir>/<name>.json plus one bare record file per operation
 * (<dir>/<operation>.result.json). dir NULL: $TEST_UNDECLARED_OUTPUTS_DIR (no-op if unset). */
int bench_write_outputs(const bench_set *set, const char *dir, const char *name, bench_err *err);

#ifdef __cplusplus
}
#endif

#endif /* BENCH_MEASURE_H */
