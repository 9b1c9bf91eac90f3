/* indexer.c — the job registry and the public API (see indexer.h): the indexer's settings, the
 * in-memory list of jobs (one per project at a time, at most max_jobs pending or running, the
 * newest MAX_JOBS_KEPT kept for status), and the status of a job from memory or from its row.
 * A job's own work is index_job.c's; the internals are in indexer_state.h. */
#include "servers/codebase_mcp/indexer.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "servers/codebase_mcp/index_sql.h"
#include "servers/codebase_mcp/indexer_state.h"
#include "servers/common/log.h"
#include "servers/common/timeutil.h"

#define MAX_JOBS_KEPT 256

static const char *const kStatus[] = {"pending", "running", "completed", "failed"};

const char *cb_job_status_name(cb_job_status st) {
  assert((unsigned)st < sizeof kStatus / sizeof kStatus[0]);
  return kStatus[st];
}

int cb_project_id_valid(const char *s) {
  size_t n = 0;
  if (!s) return 0;
  for (; s[n]; n++) {
    char c = s[n];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return 0;
  }
  return n >= 1 && n <= CB_PROJECT_ID_MAX;
}

/* ---- registry and public API ---------------------------------------------------------------- */

srv_code cb_indexer_new(const cb_indexer_config *cfg, cb_indexer **out, srv_err *err) {
  assert(cfg && out);
  *out = NULL;
  if (!cfg->pool) return srv_err_set(err, SRV_EINVAL, "indexer needs a database pool");
  cb_indexer *ix = calloc(1, sizeof *ix);
  if (!ix) return srv_err_set(err, SRV_EINTERNAL, "out of memory");
  ix->pool = cfg->pool;
  ix->index_roots = strdup(cfg->index_roots ? cfg->index_roots : "");
  ix->threads = cfg->threads > 0 ? (cfg->threads > 32 ? 32 : cfg->threads) : 2;
  ix->max_file_bytes = cfg->max_file_bytes > 0 ? cfg->max_file_bytes : (1 << 20);
  ix->outage_ms = cfg->outage_ms > 0 ? cfg->outage_ms : 300000;
  ix->parse_timeout_us = cfg->parse_timeout_us ? cfg->parse_timeout_us : 1000000;
  ix->max_jobs = cfg->max_jobs > 0 ? cfg->max_jobs : 4;
  ix->on_completed = cfg->on_completed;
  ix->on_completed_arg = cfg->on_completed_arg;
  if (!ix->index_roots) {
    free(ix);
    return srv_err_set(err, SRV_EINTERNAL, "out of memory");
  }
  /* INDEX_ROOTS may be comma-separated too */
  for (char *p = ix->index_roots; *p; p++)
    if (*p == ',') *p = ':';
  pthread_mutex_init(&ix->mu, NULL);
  *out = ix;
  return SRV_OK;
}

void cb_indexer_free(cb_indexer *ix) {
  if (!ix) return;
  atomic_store(&ix->stopping, 1);
  for (cb_job *j = ix->jobs; j; j = j->next)
    if (j->has_thread) pthread_join(j->thread, NULL);
  cb_job *j = ix->jobs;
  while (j) {
    cb_job *n = j->next;
    free(j);
    j = n;
  }
  pthread_mutex_destroy(&ix->mu);
  free(ix->index_roots);
  free(ix);
}

srv_code cb_indexer_recover(cb_indexer *ix, int64_t deadline_mono_ms, srv_err *err) {
  return srv_db_run(ix->pool, deadline_mono_ms, cb_sql_recover, NULL, 1, err);
}

static void job_json_basic(const cb_job *j, cJSON *o) {
  cJSON_AddStringToObject(o, "job_id", j->id);
  cJSON_AddStringToObject(o, "status", cb_job_status_name(atomic_load(&j->status)));
  cJSON_AddStringToObject(o, "project_id", j->project);
  cJSON_AddStringToObject(o, "repo_path", j->repo);
}

/* Drops the oldest finished jobs beyond MAX_JOBS_KEPT (their rows stay in index_jobs).
 * Caller holds ix->mu. */
static void prune(cb_indexer *ix) {
  if (ix->njobs <= MAX_JOBS_KEPT) return;
  cb_job **pp = &ix->jobs;
  int k = 0;
  while (*pp) {
    cb_job *j = *pp;
    int st = atomic_load(&j->status);
    if (++k > MAX_JOBS_KEPT && (st == JOB_COMPLETED || st == JOB_FAILED)) {
      *pp = j->next;
      if (j->has_thread) pthread_join(j->thread, NULL); /* finished: returns at once */
      free(j);
      ix->njobs--;
      continue;
    }
    pp = &j->next;
  }
}

srv_code cb_indexer_start(cb_indexer *ix, const char *repo_path, const char *project_id,
                          int force_reindex, int64_t deadline_mono_ms, cJSON **out, srv_err *err) {
  srv_code rc = SRV_OK;
  cb_job *job = NULL;
  *out = NULL;
  if (!project_id || !*project_id) project_id = "default";
  if (!cb_project_id_valid(project_id))
    return srv_err_set(err, SRV_EINVAL,
                       "project_id '%.80s' is invalid: use 1-64 characters from lowercase "
                       "letters, digits, '-' and '_' (e.g. \"my-repo\")",
                       project_id);
  job = calloc(1, sizeof *job);
  if (!job) return srv_err_set(err, SRV_EINTERNAL, "out of memory");
  rc = cb_scan_resolve_root(repo_path, ix->index_roots, job->repo, sizeof job->repo, err);
  if (rc != SRV_OK) goto cleanup;
  snprintf(job->project, sizeof job->project, "%s", project_id);
  job->force = force_reindex ? 1 : 0;
  job->ix = ix;
  mdl_err me;
  if (mdl_uuid_v4(job->id, &me) != MDL_OK) {
    rc = srv_err_set(err, SRV_EINTERNAL, "cannot generate a job id");
    goto cleanup;
  }
  /* one job per project at a time, at most max_jobs in all */
  int active = 0;
  pthread_mutex_lock(&ix->mu);
  for (cb_job *j = ix->jobs; j; j = j->next) {
    int st = atomic_load(&j->status);
    active += st == JOB_PENDING || st == JOB_RUNNING;
    if (strcmp(j->project, project_id) == 0 && (st == JOB_PENDING || st == JOB_RUNNING)) {
      cJSON *o = cJSON_CreateObject();
      if (o) {
        job_json_basic(j, o);
        cJSON_AddBoolToObject(o, "already_running", 1);
      }
      pthread_mutex_unlock(&ix->mu);
      *out = o;
      rc = o ? SRV_OK : srv_err_set(err, SRV_EINTERNAL, "out of memory");
      goto cleanup;
    }
  }
  if (active >= ix->max_jobs) {
    pthread_mutex_unlock(&ix->mu);
    rc = srv_err_set(err, SRV_EBUSY,
                     "%d indexing jobs are running already, the most this server runs at once "
                     "(INDEX_MAX_JOBS=%d); retry when one has finished",
                     active, ix->max_jobs);
    goto cleanup;
  }
  atomic_store(&job->status, JOB_PENDING);
  job->next = ix->jobs; /* registered before the insert so a twin start sees it */
  ix->jobs = job;
  ix->njobs++;
  pthread_mutex_unlock(&ix->mu);

  cb_sql_job row = {job->id, job->project, job->repo, job->force};
  rc = srv_db_run(ix->pool, deadline_mono_ms, cb_sql_insert_job, &row, 1, err);
  if (rc == SRV_OK && pthread_create(&job->thread, NULL, cb_job_main, job) == 0) {
    job->has_thread = 1;
  } else if (rc == SRV_OK) {
    rc = srv_err_set(err, SRV_EINTERNAL, "cannot start the indexing thread");
  }
  pthread_mutex_lock(&ix->mu);
  if (rc != SRV_OK) { /* unregister */
    for (cb_job **pp = &ix->jobs; *pp; pp = &(*pp)->next)
      if (*pp == job) {
        *pp = job->next;
        break;
      }
    ix->njobs--;
    pthread_mutex_unlock(&ix->mu);
    goto cleanup;
  }
  cJSON *o = cJSON_CreateObject();
  if (o) {
    cJSON_AddStringToObject(o, "job_id", job->id);
    cJSON_AddStringToObject(o, "status", "pending");
    cJSON_AddStringToObject(o, "project_id", job->project);
    cJSON_AddStringToObject(o, "repo_path", job->repo);
  }
  prune(ix);
  pthread_mutex_unlock(&ix->mu);
  srv_log_event(SRV_LOG_INFO, "index_job_started", "job %s: indexing %s into project %s%s", job->id,
                job->repo, job->project, job->force ? " (force)" : "");
  job = NULL; /* owned by the registry now */
  *out = o;
  if (!o) rc = srv_err_set(err, SRV_EINTERNAL, "out of memory");

cleanup:
  free(job);
  return rc;
}

static void add_progress(cJSON *o, int total, int indexed, int unchanged, int rejected, int deleted,
                         int chunks, int64_t elapsed, int running) {
  int done = indexed + unchanged + rejected;
  double pct = total > 0 ? 100.0 * done / total : (running ? 0.0 : 100.0);
  if (!running && pct < 100.0 && total == done) pct = 100.0;
  if (pct > 100.0) pct = 100.0;
  cJSON_AddNumberToObject(o, "files_total", total);
  cJSON_AddNumberToObject(o, "files_indexed", indexed);
  cJSON_AddNumberToObject(o, "files_skipped", unchanged + rejected);
  cJSON_AddNumberToObject(o, "files_unchanged", unchanged);
  cJSON_AddNumberToObject(o, "files_rejected", rejected);
  cJSON_AddNumberToObject(o, "files_deleted", deleted);
  cJSON_AddNumberToObject(o, "chunks_created", chunks);
  cJSON_AddNumberToObject(o, "percent", (double)((int)(pct * 10)) / 10.0);
  cJSON_AddNumberToObject(o, "elapsed_ms", (double)elapsed);
  int64_t eta = 0;
  if (running && done > 0 && total > done) eta = elapsed * (total - done) / done;
  cJSON_AddNumberToObject(o, "eta_ms", (double)eta);
}

srv_code cb_indexer_status(cb_indexer *ix, const char *job_id, int64_t deadline_mono_ms,
                           cJSON **out, srv_err *err) {
  *out = NULL;
  if (!job_id || !mdl_uuid_valid(job_id))
    return srv_err_set(err, SRV_EINVAL,
                       "job_id '%.80s' is not a UUID: pass the job_id returned by "
                       "start_indexing_background",
                       job_id ? job_id : "");
  char canon[MDL_UUID_LEN];
  for (int i = 0; i < MDL_UUID_LEN; i++)
    canon[i] = (char)((job_id[i] >= 'A' && job_id[i] <= 'F') ? job_id[i] + 32 : job_id[i]);
  pthread_mutex_lock(&ix->mu);
  for (cb_job *j = ix->jobs; j; j = j->next) {
    if (strcmp(j->id, canon) != 0) continue;
    cJSON *o = cJSON_CreateObject();
    if (!o) break;
    int st = atomic_load(&j->status);
    job_json_basic(j, o);
    int64_t end = (st == JOB_COMPLETED || st == JOB_FAILED) ? j->finished_mono : srv_mono_ms();
    int64_t elapsed = j->started_mono ? end - j->started_mono : 0;
    add_progress(o, atomic_load(&j->files_total), atomic_load(&j->files_indexed),
                 atomic_load(&j->files_unchanged), atomic_load(&j->files_rejected),
                 atomic_load(&j->files_deleted), atomic_load(&j->chunks_created), elapsed,
                 st == JOB_RUNNING || st == JOB_PENDING);
    cJSON_AddNumberToObject(o, "warnings", atomic_load(&j->warnings));
    cJSON_AddNumberToObject(o, "secrets_skipped", atomic_load(&j->secrets_skipped));
    if (st == JOB_FAILED && j->error[0]) cJSON_AddStringToObject(o, "error", j->error);
    pthread_mutex_unlock(&ix->mu);
    *out = o;
    return SRV_OK;
  }
  pthread_mutex_unlock(&ix->mu);
  cb_sql_status row = {.job_id = canon};
  srv_code rc = srv_db_run(ix->pool, deadline_mono_ms, cb_sql_status_get, &row, 1, err);
  if (rc != SRV_OK) return rc;
  cJSON *o = cJSON_CreateObject();
  if (!o) {
    PQclear(row.res);
    return srv_err_set(err, SRV_EINTERNAL, "out of memory");
  }
  cJSON_AddStringToObject(o, "job_id", canon);
  cJSON_AddStringToObject(o, "status", row.status);
  cJSON_AddStringToObject(o, "project_id", row.project_id);
  cJSON_AddStringToObject(o, "repo_path", row.repo_path);
  add_progress(o, row.files_total, row.files_indexed, row.files_unchanged,
               row.files_skipped - row.files_unchanged, row.files_deleted, row.chunks_created,
               row.elapsed_ms, strcmp(row.status, "running") == 0);
  cJSON_AddNumberToObject(o, "warnings", 0);
  if (row.error) cJSON_AddStringToObject(o, "error", row.error);
  PQclear(row.res);
  *out = o;
  return SRV_OK;
}
