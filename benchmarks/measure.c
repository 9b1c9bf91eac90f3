/* measure.c — the US1 measurements on real PostgreSQL and real server processes (measure.h).
 *
 * Sections: environment (cluster + servers), REST calls, fixture, indexing, search (query
 * building + concurrent clients), outputs. The workflow measurements are in measure_workflow.c. */
#include "benchmarks/measure.h"

#include <assert.h>
#include <dirent.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "benchmarks/machine.h"
#include "benchmarks/parse_floor.h"
#include "benchmarks/result_builder.h"
#include "models/calibration.h"
#include "servers/common/procstat.h"
#include "testing/http.h"
#include "testing/proc.h"
#include "testing/runfiles.h"

bench_plan bench_plan_full(void) {
  /* 1,000 searches (~5 s): a baseline of 240 at search's CV of ~130% cannot show a 20% change. */
  bench_plan p = {10000, 1, 5, 1000, 10, 5, 20, 100, 20261128};
  return p;
}

/* Sized so a 20% slowdown of one operation is caught against the baseline's samples while an
 * unchanged build passes (docs/performance/README.md has the figures): 4 indexing runs, so that 4
 * runs all slower than the baseline's 5 reach p < 0.0125 (3 cannot: 0.018 at best), and more of
 * the cheap request samples (1,000 searches take ~5 s, 100 switches ~0.1 s, 600 queries ~2 s). */
bench_plan bench_plan_short(void) {
  bench_plan p = bench_plan_full();
  p.index_runs = 4;
  p.search_queries = 1000;
  p.switches = 100;
  p.entity_queries = 600;
  return p;
}

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* ---- environment --------------------------------------------------------------------------- */

/* Starts the server binary rel on database db (created and migrated first), or, with db NULL, on
 * the existing (migrated) database at url. extra / extra2: environment entries (may be NULL). */
static int start_server(bench_env *env, const char *rel, const char *db, const char *extra,
                        const char *extra2, char *url, size_t urln, tst_server **out,
                        bench_err *err) {
  int rc = BENCH_OK;
  tst_err te;
  char bin[1024], dbenv[600];
  if (tst_runfile(rel, bin, sizeof bin) != 0)
    return bench_err_set(err, BENCH_ESETUP,
                         "server binary %s not found (tried %s): add it to the test's data", rel,
                         bin);
  if (db != NULL && tst_pg_create_db(env->pg, db, url, urln, &te) != TST_OK)
    return bench_err_set(err, BENCH_ESETUP, "cannot create database %s: %s", db, te.msg);
  snprintf(dbenv, sizeof dbenv, "DATABASE_URL=%s", url);
  const char *envv[] = {dbenv, extra, extra != NULL ? extra2 : NULL, NULL};
  if (db != NULL && tst_migrate(bin, envv, &te) != TST_OK) {
    rc = bench_err_set(err, BENCH_ESETUP, "%s: %s", rel, te.msg);
    goto cleanup;
  }
  tst_server_opts o;
  memset(&o, 0, sizeof o);
  o.binary = bin;
  o.env = envv;
  o.health_timeout_ms = 20000;
  if (tst_server_start(&o, out, &te) != TST_OK)
    rc = bench_err_set(err, BENCH_ESETUP, "cannot start %s: %s", rel, te.msg);
cleanup:
  return rc;
}

int bench_env_start(bench_env *env, int codebase, int workflow, bench_err *err) {
  int rc = BENCH_OK;
  tst_err te;
  char cb_url[300];
  assert(env != NULL);
  memset(env, 0, sizeof *env);
  if (tst_mkdtemp("bench-", 0, env->dir, sizeof env->dir, &te) != TST_OK) {
    rc = bench_err_set(err, BENCH_ESETUP, "scratch directory: %s", te.msg);
    goto cleanup;
  }
  if (tst_pg_start(&env->pg, &te) != TST_OK) {
    rc = bench_err_set(err, BENCH_ESETUP, "PostgreSQL: %s", te.msg);
    goto cleanup;
  }
  if (codebase &&
      (rc = start_server(env, BENCH_CODEBASE_BIN, "codebase", NULL, NULL, env->codebase_db,
                         sizeof env->codebase_db, &env->codebase, err)) != BENCH_OK)
    goto cleanup;
  snprintf(cb_url, sizeof cb_url, "CODEBASE_MCP_URL=%s",
           env->codebase != NULL ? tst_server_url(env->codebase) : "http://127.0.0.1:9");
  if (workflow &&
      (rc = start_server(env, BENCH_WORKFLOW_BIN, "workflow", cb_url, NULL, env->workflow_db,
                         sizeof env->workflow_db, &env->workflow, err)) != BENCH_OK)
    goto cleanup;
cleanup:
  if (rc != BENCH_OK) bench_env_stop(env);
  return rc;
}

int bench_workflow_start_extra(bench_env *env, const char *extra_env, tst_server **out,
                               bench_err *err) {
  char cb[300];
  assert(env != NULL && env->workflow_db[0] != '\0' && out != NULL);
  snprintf(cb, sizeof cb, "CODEBASE_MCP_URL=%s",
           env->codebase != NULL ? tst_server_url(env->codebase) : "http://127.0.0.1:9");
  return start_server(env, BENCH_WORKFLOW_BIN, NULL, cb, extra_env, env->workflow_db,
                      sizeof env->workflow_db, out, err);
}

void bench_env_stop(bench_env *env) {
  if (env == NULL) return;
  tst_server_destroy(env->workflow);
  tst_server_destroy(env->codebase);
  tst_pg_destroy(env->pg);
  if (env->dir[0] != '\0') tst_rmtree(env->dir);
  memset(env, 0, sizeof *env);
}

/* ---- REST ---------------------------------------------------------------------------------- */

int bench_tool(const char *base_url, const char *tool, const char *args_json, long timeout_ms,
               cJSON **out, double *latency_ms, bench_err *err) {
  int rc = BENCH_OK;
  tst_http_resp resp;
  tst_err te;
  char url[600];
  assert(base_url != NULL && tool != NULL);
  if (out != NULL) *out = NULL;
  snprintf(url, sizeof url, "%s/mcp/%s", base_url, tool);
  double t0 = tst_now_ms();
  if (tst_http_post_json(url, args_json, timeout_ms, NULL, &resp, &te) != TST_OK)
    return bench_err_set(err, BENCH_ERUN, "POST %s failed: %s", url, te.msg);
  double t1 = tst_now_ms();
  if (resp.status < 200 || resp.status > 299) {
    rc = bench_err_set(err, BENCH_ERUN, "POST %s with %.200s answered HTTP %ld: %.300s", url,
                       args_json != NULL ? args_json : "{}", resp.status, resp.body);
    goto cleanup;
  }
  if (out != NULL) {
    if (resp.json == NULL) {
      rc = bench_err_set(err, BENCH_ERUN, "POST %s answered non-JSON: %.200s", url, resp.body);
      goto cleanup;
    }
    *out = resp.json;
    resp.json = NULL;
  }
  if (latency_ms != NULL) *latency_ms = t1 - t0;
cleanup:
  tst_http_resp_free(&resp);
  return rc;
}

static const char *jstr(const cJSON *o, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* ---- fixture ------------------------------------------------------------------------------- */

static int make_fixture(bench_env *env, int files, uint64_t seed, int low_vocab, char *repo,
                        size_t rn, char *manifest, size_t mn, tst_repogen_stats *st,
                        bench_err *err) {
  tst_err te;
  tst_repogen_opts o;
  const char *tag = low_vocab ? "_lowvocab" : "";
  assert(env != NULL && repo != NULL && manifest != NULL);
  snprintf(repo, rn, "%s/repo%d%s", env->dir, files, tag);
  snprintf(manifest, mn, "%s/repo%d%s.manifest.tsv", env->dir, files, tag);
  memset(&o, 0, sizeof o);
  o.out_dir = repo;
  o.manifest_path = manifest;
  o.files = files;
  o.seed = seed;
  o.binary_files = -1;
  o.unparseable_files = -1;
  o.low_vocab = low_vocab;
  if (tst_repogen_generate(&o, st, &te) != TST_OK)
    return bench_err_set(err, BENCH_ESETUP, "%sfixture of %d files: %s",
                         low_vocab ? "low-vocabulary " : "", files, te.msg);
  return BENCH_OK;
}

int bench_fixture(bench_env *env, int files, uint64_t seed, char *repo, size_t rn, char *manifest,
                  size_t mn, tst_repogen_stats *st, bench_err *err) {
  return make_fixture(env, files, seed, 0, repo, rn, manifest, mn, st, err);
}

int bench_fixture_lowvocab(bench_env *env, int files, uint64_t seed, char *repo, size_t rn,
                           char *manifest, size_t mn, tst_repogen_stats *st, bench_err *err) {
  return make_fixture(env, files, seed, 1, repo, rn, manifest, mn, st, err);
}

/* ---- indexing ------------------------------------------------------------------------------ */

static int status_is(const char *s, const char *const *set) {
  for (; s != NULL && *set != NULL; set++)
    if (strcmp(s, *set) == 0) return 1;
  return 0;
}

int bench_index_once(bench_env *env, const char *repo, const char *project_id, int timeout_ms,
                     double *ms, double *peak_rss_mb, long *files, double *server_cpu_s,
                     bench_index_probes *probes, bench_err *err) {
  static const char *const done[] = {"completed", "complete", "succeeded", "success", "done", NULL};
  static const char *const failed[] = {"failed", "error", "cancelled", "canceled", NULL};
  int rc = BENCH_OK;
  cJSON *args = NULL, *out = NULL;
  char *text = NULL, job[128], q[256];
  double peak = 0;
  assert(env != NULL && env->codebase != NULL && ms != NULL);
  const char *url = tst_server_url(env->codebase);
  pid_t pid = tst_server_pid(env->codebase);
  args = cJSON_CreateObject();
  if (args == NULL || cJSON_AddStringToObject(args, "repo_path", repo) == NULL ||
      cJSON_AddStringToObject(args, "project_id", project_id) == NULL ||
      (text = cJSON_PrintUnformatted(args)) == NULL) {
    rc = bench_err_set(err, BENCH_ENOMEM, "out of memory");
    goto cleanup;
  }
  srv_procstat ps0;
  double cpu0 =
      srv_procstat_read(pid, &ps0, NULL) == SRV_OK ? ps0.cpu_user_s + ps0.cpu_system_s : -1;
  double t0 = tst_now_ms();
  if ((rc = bench_tool(url, "start_indexing_background", text, 30000, &out, NULL, err)) != BENCH_OK)
    goto cleanup;
  const char *id = jstr(out, "job_id");
  if (id == NULL) {
    char *s = cJSON_PrintUnformatted(out);
    rc = bench_err_set(err, BENCH_ERUN, "start_indexing_background answered without job_id: %.300s",
                       s != NULL ? s : "?");
    free(s);
    goto cleanup;
  }
  snprintf(job, sizeof job, "%s", id);
  snprintf(q, sizeof q, "{\"job_id\":\"%s\"}", job);
  for (int poll = 0;; poll++) {
    srv_procstat ps;
    if (srv_procstat_read(pid, &ps, NULL) == SRV_OK && ps.rss_bytes / 1048576.0 > peak)
      peak = ps.rss_bytes / 1048576.0;
    cJSON_Delete(out);
    out = NULL;
    if ((rc = bench_tool(url, "get_indexing_status", q, 30000, &out, NULL, err)) != BENCH_OK)
      goto cleanup;
    const char *st = jstr(out, "status");
    if (status_is(st, done)) {
      *ms = tst_now_ms() - t0;
      if (server_cpu_s != NULL)
        *server_cpu_s = cpu0 >= 0 && srv_procstat_read(pid, &ps, NULL) == SRV_OK
                            ? ps.cpu_user_s + ps.cpu_system_s - cpu0
                            : -1;
      const cJSON *f = cJSON_GetObjectItemCaseSensitive(out, "files_indexed");
      if (files != NULL) *files = cJSON_IsNumber(f) ? (long)f->valuedouble : -1;
      break;
    }
    if (status_is(st, failed)) {
      char *s = cJSON_PrintUnformatted(out);
      rc = bench_err_set(err, BENCH_ERUN, "indexing job %s of %s ended %s: %.400s", job, repo, st,
                         s != NULL ? s : "?");
      free(s);
      goto cleanup;
    }
    if (tst_now_ms() - t0 > timeout_ms) {
      rc = bench_err_set(err, BENCH_ERUN, "indexing job %s of %s still '%s' after %d ms", job, repo,
                         st != NULL ? st : "(no status)", timeout_ms);
      goto cleanup;
    }
    /* One calibration unit (~0.8 ms) and one parse (~1 ms) every 4th poll (~100 ms): ~2% of one
     * core, spread over the whole run, so the probes see every phase of the host's speed the run
     * saw. */
    if (probes != NULL && poll % 4 == 0) {
      mdl_calib_probe_take(&probes->unit, 1);
      if (probes->parser != NULL) bench_parse_probe_take(probes->parser, &probes->parse);
    }
    sleep_ms(25);
  }
  if (peak_rss_mb != NULL) *peak_rss_mb = peak;
cleanup:
  free(text);
  cJSON_Delete(args);
  cJSON_Delete(out);
  return rc;
}

/* Empties codebase-mcp's index (every table of its schema but schema_version) and checkpoints,
 * so each indexing run starts from the same state: an empty index, no dirty buffers. A fresh
 * project id alone would leave earlier runs' rows in the tables and GIN indexes, and every run
 * would be slower than the one before it (a trend the CV would report as spread). */
static int reset_index(bench_env *env, bench_err *err) {
  static const char sql[] =
      "DO $$ DECLARE t text; BEGIN "
      "SELECT string_agg(format('%I.%I', schemaname, tablename), ', ') INTO t FROM pg_tables "
      "WHERE schemaname = 'public' AND tablename <> 'schema_version'; "
      "IF t IS NOT NULL THEN EXECUTE 'TRUNCATE ' || t; END IF; END $$; CHECKPOINT;";
  tst_err te;
  if (tst_pg_exec(env->pg, env->codebase_db, sql, &te) != TST_OK)
    return bench_err_set(err, BENCH_ERUN, "cannot empty the index before a run: %s", te.msg);
  /* The test cluster runs with fsync=off, so a run leaves up to ~800 MB of dirty pages behind
   * it, and the kernel flushes them once the machine passes its writeback threshold (sooner
   * after a big build). With 2.5 GB dirtied beforehand, the run that crossed it took 21.2 s
   * against 16.3 s (server CPU 15.9 s against 12.4 s). Flushing here, untimed, keeps that
   * writeback out of the timed runs. */
  sync();
  return BENCH_OK;
}

/* CPU seconds (user + system) PostgreSQL has spent so far: the postmaster with its reaped
 * children (cutime/cstime, i.e. backends that ended) plus every live child (the pool's backends,
 * checkpointer, writer). -1 if /proc cannot be read. */
static double pg_cpu_s(pid_t postmaster) {
  double hz = (double)sysconf(_SC_CLK_TCK), total = 0;
  DIR *d = opendir("/proc");
  struct dirent *de;
  if (d == NULL || hz <= 0) {
    if (d != NULL) closedir(d);
    return -1;
  }
  while ((de = readdir(d)) != NULL) {
    char path[300], buf[1024];
    if (de->d_name[0] < '0' || de->d_name[0] > '9') continue;
    snprintf(path, sizeof path, "/proc/%s/stat", de->d_name);
    FILE *f = fopen(path, "r");
    if (f == NULL) continue;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *rp = strrchr(buf, ')');
    long pid = strtol(de->d_name, NULL, 10), ppid = 0;
    unsigned long long ut = 0, st = 0;
    long long cut = 0, cst = 0;
    /* after "(comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
     * utime stime cutime cstime */
    if (rp == NULL ||
        sscanf(rp + 1, " %*c %ld %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %lld %lld", &ppid,
               &ut, &st, &cut, &cst) != 5)
      continue;
    if (pid == (long)postmaster)
      total += (double)(ut + st + (unsigned long long)(cut + cst)) / hz;
    else if (ppid == (long)postmaster)
      total += (double)(ut + st) / hz;
  }
  closedir(d);
  return total;
}

/* The parse floor beside the indexing runs (parse_floor.h): passes (the best one counts) and
 * threads (the server's default worker count, CODEBASE_INDEX_THREADS unset). */
#define PARSE_FLOOR_PASSES 2
#define PARSE_FLOOR_THREADS 2

int bench_op_index(bench_env *env, const bench_plan *plan, const char *repo, bench_set *set,
                   char *project_out, bench_err *err) {
  int rc = BENCH_OK;
  int total = plan->index_warmup + plan->index_runs;
  size_t nr = (size_t)(plan->index_runs > 0 ? plan->index_runs : 1);
  double *samples = calloc(nr, sizeof(double));
  double *calib = calloc(nr, sizeof(double));
  double *cpus = calloc(nr, sizeof(double));
  double *work = calloc(nr, sizeof(double)); /* server + PostgreSQL CPU seconds per run */
  double *pcal = calloc(nr, sizeof(double)); /* mean parse-probe ms per run */
  bench_parse_probe *parser = NULL;
  double peak = 0, sum = 0, cpu_sum = 0, pg_sum = 0;
  long files = -1, probes = 0;
  char pid[MDL_UUID_LEN] = "";
  mdl_benchmark_result r;
  mdl_calib_cv_result cv, wcv, pcv, pwcv;
  mdl_err me;
  memset(&r, 0, sizeof r);
  if (samples == NULL || calib == NULL || cpus == NULL || work == NULL || pcal == NULL) {
    rc = bench_err_set(err, BENCH_ENOMEM, "out of memory");
    goto cleanup;
  }
  if ((rc = bench_parse_probe_new(&parser, err)) != BENCH_OK) goto cleanup;
  for (int i = 0; i < total; i++) {
    double ms = 0, pk = 0, cpu = -1;
    long f = -1;
    bench_index_probes probe = {{0}, {0}, parser};
    if (mdl_uuid_v4(pid, NULL) != MDL_OK) {
      rc = bench_err_set(err, BENCH_ESETUP, "cannot make a project id (no kernel randomness)");
      goto cleanup;
    }
    if ((rc = reset_index(env, err)) != BENCH_OK) goto cleanup;
    double pg0 = pg_cpu_s(tst_pg_postmaster_pid(env->pg));
    rc = bench_index_once(env, repo, pid, 3000000, &ms, &pk, &f, &cpu, &probe, err);
    if (rc != BENCH_OK) goto cleanup;
    double pg1 = pg_cpu_s(tst_pg_postmaster_pid(env->pg));
    double pg = pg0 >= 0 && pg1 >= pg0 ? pg1 - pg0 : 0;
    fprintf(stderr,
            "index run %d/%d (%s): %.0f ms, %ld files, server CPU %.1f s, server RSS peak %.1f MB, "
            "load %.1f, PostgreSQL CPU %.1f s, calibration %.3f ms (%zu probes, %.3f-%.3f), parse "
            "probe %.3f ms (%.3f-%.3f), server CPU / parse probe %.0f\n",
            i + 1, total, i < plan->index_warmup ? "warm-up" : "measured", ms, f, cpu, pk,
            bench_machine_load1(), pg, mdl_calib_probe_mean(&probe.unit), probe.unit.n,
            probe.unit.min_ms, probe.unit.max_ms, mdl_calib_probe_mean(&probe.parse),
            probe.parse.min_ms, probe.parse.max_ms,
            probe.parse.n > 0 ? cpu * 1000.0 / mdl_calib_probe_mean(&probe.parse) : 0.0);
    if (pk > peak) peak = pk;
    if (i >= plan->index_warmup) {
      int k = i - plan->index_warmup;
      cpu_sum += cpu;
      samples[k] = ms;
      cpus[k] = cpu > 0 ? cpu : 0;
      work[k] = cpus[k] + pg;
      pg_sum += pg;
      /* A run too short for one probe (a tiny fixture) is calibrated by one probe taken now. */
      calib[k] = probe.unit.n > 0 ? mdl_calib_probe_mean(&probe.unit) : mdl_calib_time_ms(1);
      pcal[k] = probe.parse.n > 0 ? mdl_calib_probe_mean(&probe.parse)
                                  : bench_parse_probe_take(parser, &probe.parse);
      probes += (long)probe.unit.n;
      sum += ms;
      files = f;
    }
  }
  /* pcv: codebase-mcp's CPU seconds in parse-probe units, what SC-001 judges
   * (docs/performance/README.md says why); pwcv: wall time in parse-probe units; cv: the job's CPU
   * work (server + PostgreSQL) in integer-loop units; wcv: wall time in integer-loop units. */
  if (mdl_calib_cv(cpus, pcal, (size_t)plan->index_runs, &pcv, NULL, &me) != MDL_OK ||
      mdl_calib_cv(samples, pcal, (size_t)plan->index_runs, &pwcv, NULL, &me) != MDL_OK ||
      mdl_calib_cv(work, calib, (size_t)plan->index_runs, &cv, NULL, &me) != MDL_OK ||
      mdl_calib_cv(samples, calib, (size_t)plan->index_runs, &wcv, NULL, &me) != MDL_OK) {
    rc = bench_err_set(err, BENCH_ERUN, "calibrated CV: %s: %s", me.field, me.msg);
    goto cleanup;
  }
  fprintf(stderr,
          "index CV: server CPU / parse probe %.2f%% (judged); server CPU raw %.2f%%, wall raw "
          "%.2f%%, wall / parse probe %.2f%%, wall / integer loop %.2f%%, CPU work (server + "
          "PostgreSQL) raw %.2f%%, CPU work / integer loop %.2f%%; the probes' own spread: parse "
          "%.2f%%, integer loop %.2f%%\n",
          pcv.calibrated_cv_percent, pcv.raw_cv_percent, wcv.raw_cv_percent,
          pwcv.calibrated_cv_percent, wcv.calibrated_cv_percent, cv.raw_cv_percent,
          cv.calibrated_cv_percent, pcv.calib_cv_percent, cv.calib_cv_percent);
  /* The parse floor of the same files, after the runs (page cache as warm as theirs): best of
   * PARSE_FLOOR_PASSES passes with the server's thread count. */
  bench_parse_floor pf = {0};
  for (int k = 0; k < PARSE_FLOOR_PASSES; k++) {
    bench_parse_floor one;
    if ((rc = bench_parse_floor_run(repo, PARSE_FLOOR_THREADS, &one, err)) != BENCH_OK)
      goto cleanup;
    fprintf(stderr,
            "parse-only pass %d/%d: %.2f s wall, %.2f s CPU (%d threads: read + text check + "
            "chunk), %ld files, %ld chunks, %.1f MB; scan %.2f s; load %.1f\n",
            k + 1, PARSE_FLOOR_PASSES, one.wall_s, one.cpu_s, PARSE_FLOOR_THREADS, one.files,
            one.chunks, one.bytes / 1048576.0, one.scan_s, bench_machine_load1());
    if (k == 0 || one.wall_s < pf.wall_s) pf = one;
  }
  bench_result_opts o = {MDL_OP_INDEX, MDL_SERVER_CODEBASE_MCP, 0,
                         sum / 1000.0, plan->index_runs,        plan->index_warmup};
  if ((rc = bench_result_build(&o, samples, (size_t)plan->index_runs, &r, NULL, err)) != BENCH_OK ||
      (rc = bench_result_param_int(&r, "files", plan->index_files, err)) != BENCH_OK ||
      (rc = bench_result_param_int(&r, "files_indexed", files, err)) != BENCH_OK ||
      (rc = bench_result_param_float(
           &r, "files_per_second", sum > 0 ? files * plan->index_runs / (sum / 1000.0) : 0, err)) !=
          BENCH_OK ||
      (rc = bench_result_param_float(&r, "server_rss_peak_mb", peak, err)) != BENCH_OK ||
      (rc = bench_result_param_float(&r, "server_cpu_seconds_mean", cpu_sum / plan->index_runs,
                                     err)) != BENCH_OK ||
      (rc = bench_result_param_float(&r, "server_cpu_cv_percent",
                                     mdl_stats_cv(cpus, (size_t)plan->index_runs) * 100.0, err)) !=
          BENCH_OK ||
      (rc = bench_result_param_float(&r, "calibrated_cv_percent", pcv.calibrated_cv_percent,
                                     err)) != BENCH_OK ||
      (rc = bench_result_param_float(&r, "wall_parse_calibrated_cv_percent",
                                     pwcv.calibrated_cv_percent, err)) != BENCH_OK ||
      (rc = bench_result_param_float(&r, "parse_calibration_ms", pcv.ref_ms, err)) != BENCH_OK ||
      (rc = bench_result_param_float(&r, "parse_calibration_cv_percent", pcv.calib_cv_percent,
                                     err)) != BENCH_OK ||
      (rc = bench_result_param_float(&r, "cpu_work_unit_calibrated_cv_percent",
                                     cv.calibrated_cv_percent, err)) != BENCH_OK ||
      (rc = bench_result_param_float(&r, "cpu_work_cv_percent", cv.raw_cv_percent, err)) !=
          BENCH_OK ||
      (rc = bench_result_param_float(&r, "wall_calibrated_cv_percent", wcv.calibrated_cv_percent,
                                     err)) != BENCH_OK ||
      (rc = bench_result_param_float(&r, "pg_cpu_seconds_mean", pg_sum / plan->index_runs, err)) !=
          BENCH_OK ||
      (rc = bench_result_param_float(&r, "calibration_ms", cv.ref_ms, err)) != BENCH_OK ||
      (rc = bench_result_param_float(&r, "calibration_cv_percent", cv.calib_cv_percent, err)) !=
          BENCH_OK ||
      (rc = bench_result_param_int(&r, "calibration_probes", probes, err)) != BENCH_OK ||
      (rc = bench_result_param_str(
           &r, "empty_index", "tables truncated + checkpoint before each run", err)) != BENCH_OK)
    goto cleanup;
  {
    /* index_over_parse_ratio: the runs' median wall time over the parse floor's (the goal is
     * <= 1.5); cpu_over_parse_ratio: server + PostgreSQL CPU per run over the floor's CPU;
     * cpu_busy_percent: how much of the machine's cores the runs kept busy (100: no core idle,
     * so overlapping more cannot shorten them, only less work can). */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    double work_mean = 0;
    for (int k = 0; k < plan->index_runs; k++) work_mean += work[k] / plan->index_runs;
    double wall_mean_s = sum / 1000.0 / plan->index_runs;
    double ratio = pf.wall_s > 0 ? r.latency_p50_ms / 1000.0 / pf.wall_s : 0;
    double cpu_ratio = pf.cpu_s > 0 ? work_mean / pf.cpu_s : 0;
    double busy = cores > 0 && wall_mean_s > 0 ? 100.0 * work_mean / (wall_mean_s * cores) : 0;
    fprintf(stderr,
            "index over parse-only: median index %.2f s / parse-only %.2f s = %.2f (goal <= 1.5); "
            "CPU per run %.2f s (server + PostgreSQL) / parse-only CPU %.2f s = %.2f; the runs "
            "kept %.0f%% of %ld cores busy\n",
            r.latency_p50_ms / 1000.0, pf.wall_s, ratio, work_mean, pf.cpu_s, cpu_ratio, busy,
            cores);
    if ((rc = bench_result_param_float(&r, "parse_only_seconds", pf.wall_s, err)) != BENCH_OK ||
        (rc = bench_result_param_float(&r, "parse_only_cpu_seconds", pf.cpu_s, err)) != BENCH_OK ||
        (rc = bench_result_param_int(&r, "parse_only_threads", PARSE_FLOOR_THREADS, err)) !=
            BENCH_OK ||
        (rc = bench_result_param_int(&r, "parse_only_files", pf.files, err)) != BENCH_OK ||
        (rc = bench_result_param_int(&r, "parse_only_chunks", pf.chunks, err)) != BENCH_OK ||
        (rc = bench_result_param_float(&r, "index_over_parse_ratio", ratio, err)) != BENCH_OK ||
        (rc = bench_result_param_float(&r, "cpu_over_parse_ratio", cpu_ratio, err)) != BENCH_OK ||
        (rc = bench_result_param_float(&r, "cpu_busy_percent", busy, err)) != BENCH_OK)
      goto cleanup;
  }
  if ((rc = bench_set_put(set, &r, samples, (size_t)plan->index_runs, err)) != BENCH_OK ||
      (rc = bench_set_put_calibration(set, MDL_OP_INDEX, pcal, (size_t)plan->index_runs, err)) !=
          BENCH_OK)
    goto cleanup;
  if (project_out != NULL) snprintf(project_out, MDL_UUID_LEN, "%s", pid);
cleanup:
  mdl_benchmark_result_free(&r);
  free(samples);
  free(calib);
  free(cpus);
  free(work);
  free(pcal);
  bench_parse_probe_free(parser);
  return rc;
}

/* ---- search -------------------------------------------------------------------------------- */

enum { Q_SYMBOL, Q_DOC, Q_FUZZY, Q_PATH, Q_KINDS };
static const char *const kQueryKind[Q_KINDS] = {"symbol", "doc_words", "fuzzy_identifier",
                                                "path_filter"};

typedef struct query {
  int kind;
  char *args;       /* JSON text; owned */
  char expect[512]; /* file the answer should contain ("" for none) */
  double ms;
  int ok, hit;
  long total; /* the answer's total_count: chunks the query matched */
} query;

typedef struct search_run {
  const char *url;
  query *q;
  size_t n;
  size_t next;         /* atomic cursor */
  bench_err first_err; /* first failure (guarded by mu) */
  pthread_mutex_t mu;
} search_run;

static int suffix_match(const char *path, const char *rel) {
  size_t a = strlen(path), b = strlen(rel);
  if (a < b) return 0;
  if (strcmp(path + a - b, rel) != 0) return 0;
  return a == b || path[a - b - 1] == '/';
}

static void *search_worker(void *arg) {
  search_run *run = arg;
  for (;;) {
    size_t i = __atomic_fetch_add(&run->next, 1, __ATOMIC_RELAXED);
    if (i >= run->n) break;
    query *q = &run->q[i];
    cJSON *out = NULL;
    bench_err e;
    if (bench_tool(run->url, "search_code", q->args, 30000, &out, &q->ms, &e) != BENCH_OK) {
      pthread_mutex_lock(&run->mu);
      if (run->first_err.code == BENCH_OK) run->first_err = e;
      pthread_mutex_unlock(&run->mu);
      continue;
    }
    q->ok = 1;
    const cJSON *total = cJSON_GetObjectItemCaseSensitive(out, "total_count");
    if (cJSON_IsNumber(total)) q->total = (long)total->valuedouble;
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(out, "results"), *it;
    cJSON_ArrayForEach(it, res) {
      const char *fp = jstr(it, "file_path");
      if (fp != NULL && q->expect[0] != '\0' && suffix_match(fp, q->expect)) {
        q->hit = 1;
        break;
      }
    }
    cJSON_Delete(out);
  }
  return NULL;
}

/* Misspells an identifier: drops the character in the middle of its longest word. */
static void misspell(const char *ident, char *out, size_t n) {
  size_t len = strlen(ident);
  snprintf(out, n, "%s", ident);
  if (len < 5) return;
  size_t at = len / 2;
  if (ident[at] == '_') at++;
  memmove(out + at, out + at + 1, strlen(out + at + 1) + 1);
}

/* First k words of a space-separated list (',' also separates). */
static void first_words(const char *words, int k, char *out, size_t n) {
  size_t o = 0;
  int w = 0, in = 0;
  for (const char *p = words; *p != '\0' && o + 1 < n; p++) {
    int sep = *p == ' ' || *p == ',' || *p == '\t';
    if (sep) {
      if (in && ++w == k) break;
      in = 0;
      continue;
    }
    if (!in && o > 0) out[o++] = ' ';
    if (o + 1 < n) out[o++] = *p;
    in = 1;
  }
  out[o] = '\0';
}

static char *query_args(const char *text, const char *project, const char *prefix) {
  cJSON *a = cJSON_CreateObject();
  char *s = NULL;
  if (a != NULL && cJSON_AddStringToObject(a, "query", text) != NULL &&
      cJSON_AddStringToObject(a, "project_id", project) != NULL &&
      cJSON_AddNumberToObject(a, "limit", 10) != NULL &&
      (prefix == NULL || cJSON_AddStringToObject(a, "file_path_prefix", prefix) != NULL))
    s = cJSON_PrintUnformatted(a);
  cJSON_Delete(a);
  return s;
}

static int build_queries(const tst_manifest *m, const char *project, int count, uint64_t seed,
                         query **out, bench_err *err) {
  size_t nsym = 0;
  const tst_manifest_entry **sym = calloc(m->n > 0 ? m->n : 1, sizeof *sym);
  query *q = calloc((size_t)count, sizeof *q);
  int rc = BENCH_OK;
  if (sym == NULL || q == NULL) {
    rc = bench_err_set(err, BENCH_ENOMEM, "out of memory");
    goto cleanup;
  }
  for (size_t i = 0; i < m->n; i++) {
    const char *k = m->entries[i].kind;
    if (strcmp(k, "function") == 0 || strcmp(k, "class") == 0 || strcmp(k, "method") == 0)
      sym[nsym++] = &m->entries[i];
  }
  if (nsym == 0) {
    rc = bench_err_set(err, BENCH_ESETUP, "the fixture manifest lists no symbols");
    goto cleanup;
  }
  for (int i = 0; i < count; i++) {
    const tst_manifest_entry *e = sym[(seed + (uint64_t)i * 7919u) % nsym];
    char text[512], words[512], prefix[512];
    const char *pre = NULL;
    q[i].kind = i % Q_KINDS;
    snprintf(q[i].expect, sizeof q[i].expect, "%s", e->file);
    switch (q[i].kind) {
      case Q_SYMBOL:
        snprintf(text, sizeof text, "%s", e->symbol);
        break;
      case Q_DOC:
        if (e->doc_words != NULL && e->doc_words[0] != '\0' && strcmp(e->doc_words, "-") != 0)
          first_words(e->doc_words, 4, text, sizeof text);
        else
          tst_identifier_words(e->symbol, text, sizeof text);
        break;
      case Q_FUZZY:
        misspell(e->symbol, text, sizeof text);
        break;
      default:
        tst_identifier_words(e->symbol, words, sizeof words);
        snprintf(text, sizeof text, "%s", words);
        snprintf(prefix, sizeof prefix, "%s", e->file);
        char *slash = strrchr(prefix, '/');
        if (slash != NULL) slash[1] = '\0';
        pre = prefix;
    }
    q[i].args = query_args(text, project, pre);
    if (q[i].args == NULL) {
      rc = bench_err_set(err, BENCH_ENOMEM, "out of memory");
      goto cleanup;
    }
  }
  *out = q;
  q = NULL;
cleanup:
  if (q != NULL)
    for (int i = 0; i < count; i++) free(q[i].args);
  free(q);
  free(sym);
  return rc;
}

/* Issues the nq queries from nc client threads; *started gets the threads that ran, *wall_s the
 * elapsed seconds. BENCH_ERUN if no thread starts or a search fails. */
static int run_clients(bench_env *env, query *q, int nq, int nc, int *started, double *wall_s,
                       bench_err *err) {
  pthread_t th[64];
  search_run run;
  int rc = BENCH_OK;
  assert(nc >= 1 && nc <= 64);
  memset(&run, 0, sizeof run);
  pthread_mutex_init(&run.mu, NULL);
  run.url = tst_server_url(env->codebase);
  run.q = q;
  run.n = (size_t)nq;
  *started = 0;
  double t0 = tst_now_ms();
  for (; *started < nc; (*started)++)
    if (pthread_create(&th[*started], NULL, search_worker, &run) != 0) break;
  for (int i = 0; i < *started; i++) pthread_join(th[i], NULL);
  *wall_s = (tst_now_ms() - t0) / 1000.0;
  if (*started == 0)
    rc = bench_err_set(err, BENCH_ERUN, "cannot start search client threads");
  else if (run.first_err.code != BENCH_OK)
    rc = bench_err_set(err, BENCH_ERUN, "a search failed: %s", run.first_err.msg);
  pthread_mutex_destroy(&run.mu);
  return rc;
}

int bench_op_search(bench_env *env, const bench_plan *plan, const char *manifest,
                    const char *project_id, bench_set *set, double *hit_rate, bench_err *err) {
  int rc = BENCH_OK;
  tst_manifest *m = NULL;
  tst_err te;
  query *q = NULL;
  double *samples = NULL;
  int started = 0, nq = plan->search_queries, nc = plan->search_clients;
  mdl_benchmark_result r;
  memset(&r, 0, sizeof r);
  assert(env->codebase != NULL && nc >= 1 && nc <= 64 && nq >= 1);
  if (tst_manifest_load(manifest, &m, &te) != TST_OK) {
    rc = bench_err_set(err, BENCH_ESETUP, "manifest %s: %s", manifest, te.msg);
    goto cleanup;
  }
  if ((rc = build_queries(m, project_id, nq, plan->seed, &q, err)) != BENCH_OK) goto cleanup;
  double wall = 0;
  if ((rc = run_clients(env, q, nq, nc, &started, &wall, err)) != BENCH_OK) goto cleanup;
  samples = malloc((size_t)nq * sizeof *samples);
  if (samples == NULL) {
    rc = bench_err_set(err, BENCH_ENOMEM, "out of memory");
    goto cleanup;
  }
  int hits[Q_KINDS] = {0}, per[Q_KINDS] = {0}, all = 0;
  for (int i = 0; i < nq; i++) {
    samples[i] = q[i].ms;
    per[q[i].kind]++;
    hits[q[i].kind] += q[i].hit;
    all += q[i].hit;
  }
  bench_result_opts o = {MDL_OP_SEARCH, MDL_SERVER_CODEBASE_MCP, 0, wall, 1, 0};
  if ((rc = bench_result_build(&o, samples, (size_t)nq, &r, NULL, err)) != BENCH_OK ||
      (rc = bench_result_param_int(&r, "concurrent_clients", started, err)) != BENCH_OK ||
      (rc = bench_result_param_int(&r, "queries", nq, err)) != BENCH_OK ||
      (rc = bench_result_param_int(&r, "indexed_files", plan->index_files, err)) != BENCH_OK ||
      (rc = bench_result_param_str(&r, "query_kinds",
                                   "symbol, doc_words, fuzzy_identifier, path_filter", err)) !=
          BENCH_OK ||
      (rc = bench_result_param_float(&r, "expected_file_hit_rate", (double)all / nq, err)) !=
          BENCH_OK)
    goto cleanup;
  for (int k = 0; k < Q_KINDS; k++) {
    char key[64];
    size_t nk = 0;
    double *kind = malloc((size_t)nq * sizeof *kind);
    if (kind == NULL) {
      rc = bench_err_set(err, BENCH_ENOMEM, "out of memory");
      goto cleanup;
    }
    for (int i = 0; i < nq; i++)
      if (q[i].kind == k) kind[nk++] = q[i].ms;
    if (nk > 0) {
      mdl_stats_sort(kind, nk);
      snprintf(key, sizeof key, "p95_ms_%s", kQueryKind[k]);
      rc = bench_result_param_float(&r, key, mdl_stats_percentile_sorted(kind, nk, 95.0), err);
      snprintf(key, sizeof key, "hit_rate_%s", kQueryKind[k]);
      if (rc == BENCH_OK) rc = bench_result_param_float(&r, key, (double)hits[k] / per[k], err);
    }
    free(kind);
    if (rc != BENCH_OK) goto cleanup;
  }
  if ((rc = bench_set_put(set, &r, samples, (size_t)nq, err)) != BENCH_OK) goto cleanup;
  if (hit_rate != NULL) *hit_rate = (double)all / nq;
cleanup:
  mdl_benchmark_result_free(&r);
  if (q != NULL)
    for (int i = 0; i < nq; i++) free(q[i].args);
  free(q);
  free(samples);
  tst_manifest_free(m);
  return rc;
}

static int cmp_long(const void *a, const void *b) {
  long x = *(const long *)a, y = *(const long *)b;
  return (x > y) - (x < y);
}

int bench_op_search_lowvocab(bench_env *env, const bench_plan *plan, const char *manifest,
                             const char *project_id, bench_set *set, long *min_matches,
                             bench_err *err) {
  int rc = BENCH_OK, started = 0, nq = plan->search_queries, nc = plan->search_clients;
  tst_manifest *m = NULL;
  tst_err te;
  query *q = NULL;
  double *samples = NULL;
  long *totals = NULL;
  const char *texts[64];
  int nt = 0;
  mdl_benchmark_result r;
  memset(&r, 0, sizeof r);
  assert(env->codebase != NULL && nc >= 1 && nc <= 64 && nq >= 1);
  if (tst_manifest_load(manifest, &m, &te) != TST_OK) {
    rc = bench_err_set(err, BENCH_ESETUP, "manifest %s: %s", manifest, te.msg);
    goto cleanup;
  }
  for (size_t i = 0; i < m->n && nt < 64; i++)
    if (strcmp(m->entries[i].kind, "query") == 0) texts[nt++] = m->entries[i].doc_words;
  if (nt == 0) {
    rc = bench_err_set(err, BENCH_ESETUP,
                       "manifest %s has no query lines: not a low-vocabulary corpus", manifest);
    goto cleanup;
  }
  q = calloc((size_t)nq, sizeof *q);
  samples = malloc((size_t)nq * sizeof *samples);
  totals = malloc((size_t)nq * sizeof *totals);
  if (q == NULL || samples == NULL || totals == NULL) {
    rc = bench_err_set(err, BENCH_ENOMEM, "out of memory");
    goto cleanup;
  }
  for (int i = 0; i < nq; i++) {
    q[i].args = query_args(texts[i % nt], project_id, NULL);
    if (q[i].args == NULL) {
      rc = bench_err_set(err, BENCH_ENOMEM, "out of memory");
      goto cleanup;
    }
  }
  double wall = 0;
  if ((rc = run_clients(env, q, nq, nc, &started, &wall, err)) != BENCH_OK) goto cleanup;
  for (int i = 0; i < nq; i++) {
    samples[i] = q[i].ms;
    totals[i] = q[i].total;
  }
  qsort(totals, (size_t)nq, sizeof *totals, cmp_long);
  bench_result_opts o = {MDL_OP_SEARCH_LOWVOCAB, MDL_SERVER_CODEBASE_MCP, 0, wall, 1, 0};
  if ((rc = bench_result_build(&o, samples, (size_t)nq, &r, NULL, err)) != BENCH_OK ||
      (rc = bench_result_param_int(&r, "concurrent_clients", started, err)) != BENCH_OK ||
      (rc = bench_result_param_int(&r, "queries", nq, err)) != BENCH_OK ||
      (rc = bench_result_param_int(&r, "distinct_queries", nt, err)) != BENCH_OK ||
      (rc = bench_result_param_int(&r, "indexed_files", plan->index_files, err)) != BENCH_OK ||
      (rc = bench_result_param_str(&r, "corpus", "repogen low_vocab (common-word queries)", err)) !=
          BENCH_OK ||
      (rc = bench_result_param_int(&r, "matching_chunks_min", totals[0], err)) != BENCH_OK ||
      (rc = bench_result_param_int(&r, "matching_chunks_median", totals[nq / 2], err)) !=
          BENCH_OK ||
      (rc = bench_result_param_int(&r, "matching_chunks_max", totals[nq - 1], err)) != BENCH_OK)
    goto cleanup;
  if ((rc = bench_set_put(set, &r, samples, (size_t)nq, err)) != BENCH_OK) goto cleanup;
  if (min_matches != NULL) *min_matches = totals[0];
cleanup:
  mdl_benchmark_result_free(&r);
  if (q != NULL)
    for (int i = 0; i < nq; i++) free(q[i].args);
  free(q);
  free(samples);
  free(totals);
  tst_manifest_free(m);
  return rc;
}

/* ---- outputs ------------------------------------------------------------------------------- */

void bench_set_stamp(bench_set *set) {
  bench_machine m;
  bench_machine_describe(&m);
  cJSON_Delete(set->machine);
  set->machine = bench_machine_to_json(&m);
  mdl_time_now(set->measured_at);
  const char *c = getenv("BENCH_COMMIT");
  if (c == NULL) c = getenv("BUILD_SCM_REVISION");
  if (c != NULL) snprintf(set->commit, sizeof set->commit, "%s", c);
}

int bench_write_outputs(const bench_set *set, const char *dir, const char *name, bench_err *err) {
  char path[1024];
  int rc = BENCH_OK;
  if (dir == NULL) dir = getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  if (dir == NULL) return BENCH_OK;
  snprintf(path, sizeof path, "%s/%s.json", dir, name);
  if ((rc = bench_set_write(set, path, err)) != BENCH_OK) return rc;
  for (int op = 0; op < MDL_OP_COUNT; op++) {
    if (!set->has[op]) continue;
    cJSON *j = mdl_benchmark_result_to_json(&set->results[op]);
    char *text = j != NULL ? cJSON_Print(j) : NULL;
    cJSON_Delete(j);
    if (text == NULL) return bench_err_set(err, BENCH_ENOMEM, "out of memory");
    snprintf(path, sizeof path, "%s/%s.result.json", dir,
             mdl_operation_type_name((mdl_operation_type)op));
    rc = bench_write_file(path, text, err);
    free(text);
    if (rc != BENCH_OK) return rc;
  }
  return BENCH_OK;
}
