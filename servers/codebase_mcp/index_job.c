/* index_job.c — one indexing job from its thread's start to its end: the job's row, the scan,
 * the workers (index_worker.c), the deletion of files that disappeared, the recount and the
 * search indexes' maintenance, the final status and its log line; and how a job waits out a
 * lost database (cb_job_wait).
 *
 * Memory while indexing: the scan list (paths only), the project's previous file hashes, and the
 * workers' buffers: bounded whatever the repository size. */
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "servers/codebase_mcp/index_sql.h"
#include "servers/codebase_mcp/indexer_state.h"
#include "servers/common/log.h"
#include "servers/common/timeutil.h"

/* The outage policy (indexer.h): 100 ms doubling to 2 s, 10 s per attempt for a connection. */
#define OUTAGE_BACKOFF_MS 100
#define OUTAGE_BACKOFF_MAX_MS 2000
#define OUTAGE_ATTEMPT_MS 10000

static const char *const kPhase[CB_JOB_PHASES] = {"scan",           "load_prev", "files",
                                                  "delete_missing", "recount",   "merge"};

/* Closes phase ph (started at *t0) and starts the next one. */
static void phase_done(cb_job *job, int ph, int64_t *t0) {
  int64_t now = srv_mono_ms();
  job->phase_ms[ph] = now - *t0;
  *t0 = now;
}

static int job_stopping(void *arg) {
  return atomic_load(&((cb_job *)arg)->ix->stopping);
}

int64_t cb_job_wait(cb_job *job, srv_db_wait *w) {
  memset(w, 0, sizeof *w);
  w->max_retries = -1;
  w->backoff_ms = OUTAGE_BACKOFF_MS;
  w->backoff_max_ms = OUTAGE_BACKOFF_MAX_MS;
  w->attempt_ms = OUTAGE_ATTEMPT_MS;
  w->retry_busy = 1;
  w->stop = job_stopping;
  w->arg = job;
  return srv_mono_ms() + job->ix->outage_ms;
}

srv_code cb_job_db(cb_job *job, srv_db_fn fn, void *arg, srv_err *err) {
  srv_db_wait w;
  int64_t deadline = cb_job_wait(job, &w);
  return srv_db_run_wait(job->ix->pool, deadline, &w, fn, arg, 1, err);
}

void cb_job_warn_file(cb_job *job, const char *op, const char *path, const char *reason) {
  atomic_fetch_add(&job->warnings, 1);
  cJSON *ctx = cJSON_CreateObject();
  if (ctx) {
    cJSON_AddStringToObject(ctx, "job_id", job->id);
    cJSON_AddStringToObject(ctx, "project_id", job->project);
    cJSON_AddStringToObject(ctx, "path", path);
    cJSON_AddStringToObject(ctx, "reason", reason);
  }
  srv_log_event_ctx(SRV_LOG_WARN, op, ctx, "%s: %s", path, reason);
  cJSON_Delete(ctx);
}

/* Writes the job's status and counters to its row (waiting out an outage). */
static srv_code update_row(cb_job *job, const char *status, const char *error, srv_err *err) {
  cb_sql_job_update u = {
      .job_id = job->id,
      .status = status,
      .error = error,
      .files_total = atomic_load(&job->files_total),
      .files_indexed = atomic_load(&job->files_indexed),
      .files_skipped = atomic_load(&job->files_unchanged) + atomic_load(&job->files_rejected),
      .files_unchanged = atomic_load(&job->files_unchanged),
      .files_deleted = atomic_load(&job->files_deleted),
      .chunks_created = atomic_load(&job->chunks_created),
  };
  return cb_job_db(job, cb_sql_update_job, &u, err);
}

static void finish(cb_job *job, cb_job_status st, const char *error) {
  cb_indexer *ix = job->ix;
  pthread_mutex_lock(&ix->mu);
  job->finished_mono = srv_mono_ms();
  if (error) snprintf(job->error, sizeof job->error, "%s", error);
  pthread_mutex_unlock(&ix->mu);
  srv_err err = {0};
  if (update_row(job, cb_job_status_name(st), error, &err) != SRV_OK)
    srv_log_event(SRV_LOG_ERROR, "index_job_record_failed",
                  "job %s finished as %s but its row could not be updated: %s", job->id,
                  cb_job_status_name(st), err.msg);
  atomic_store(&job->status, st);
  cJSON *ctx = cJSON_CreateObject();
  if (ctx) {
    cJSON_AddStringToObject(ctx, "job_id", job->id);
    cJSON_AddStringToObject(ctx, "project_id", job->project);
    cJSON_AddNumberToObject(ctx, "files_total", atomic_load(&job->files_total));
    cJSON_AddNumberToObject(ctx, "files_indexed", atomic_load(&job->files_indexed));
    cJSON_AddNumberToObject(ctx, "files_unchanged", atomic_load(&job->files_unchanged));
    cJSON_AddNumberToObject(ctx, "files_rejected", atomic_load(&job->files_rejected));
    cJSON_AddNumberToObject(ctx, "files_deleted", atomic_load(&job->files_deleted));
    cJSON_AddNumberToObject(ctx, "chunks_created", atomic_load(&job->chunks_created));
    cJSON_AddNumberToObject(ctx, "elapsed_ms", (double)(job->finished_mono - job->started_mono));
    cJSON *ph = cJSON_AddObjectToObject(ctx, "phase_ms");
    for (int i = 0; ph && i < CB_JOB_PHASES; i++)
      cJSON_AddNumberToObject(ph, kPhase[i], (double)job->phase_ms[i]);
    cJSON_AddNumberToObject(ctx, "batch_write_ms",
                            (double)(atomic_load(&job->batch_write_us) / 1000));
    cJSON_AddNumberToObject(ctx, "writer_wait_ms",
                            (double)(atomic_load(&job->writer_wait_us) / 1000));
  }
  srv_log_event_ctx(st == JOB_COMPLETED ? SRV_LOG_INFO : SRV_LOG_ERROR, "index_job_finished", ctx,
                    "job %s %s%s%s", job->id, cb_job_status_name(st), error ? ": " : "",
                    error ? error : "");
  cJSON_Delete(ctx);
}

void *cb_job_main(void *arg) {
  cb_job *job = arg;
  cb_indexer *ix = job->ix;
  srv_err err = {0};
  cb_scan_result scan = {0};
  cb_strmap prev = {0};
  mdl_buf kept = {0};
  char failbuf[600];

  pthread_mutex_lock(&ix->mu);
  job->started_mono = srv_mono_ms();
  pthread_mutex_unlock(&ix->mu);
  atomic_store(&job->status, JOB_RUNNING);
  if (update_row(job, "running", NULL, &err) != SRV_OK) goto failed;

  int64_t t0 = srv_mono_ms();
  cb_scan_opts so = {ix->threads, ix->max_file_bytes};
  if (cb_scan(job->repo, &so, &scan, &err) != SRV_OK) goto failed;
  phase_done(job, PH_SCAN, &t0);
  atomic_store(&job->files_total, (int)(scan.n + scan.nskipped));
  atomic_store(&job->secrets_skipped, (int)scan.secrets);
  for (size_t i = 0; i < scan.nskipped; i++) {
    atomic_fetch_add(&job->files_rejected, 1);
    cb_job_warn_file(job, "index_file_skipped", scan.skipped[i].path, scan.skipped[i].reason);
  }
  cb_sql_prev la = {job->project, job->id, &prev};
  if (cb_job_db(job, cb_sql_load_prev, &la, &err) != SRV_OK) goto failed;
  phase_done(job, PH_LOAD_PREV, &t0);

  if (cb_index_files(job, &scan, &prev, &kept, &err) != SRV_OK) goto failed;
  phase_done(job, PH_FILES, &t0);
  cb_sql_delete_missing da = {job->project, &kept, 0};
  if (cb_job_db(job, cb_sql_delete_missing_files, &da, &err) != SRV_OK) goto failed;
  atomic_store(&job->files_deleted, da.deleted);
  phase_done(job, PH_DELETE_MISSING, &t0);
  cb_sql_recount rc = {job->project, job->id, 0, 0};
  if (cb_job_db(job, cb_sql_recount_job, &rc, &err) != SRV_OK) goto failed;
  phase_done(job, PH_RECOUNT, &t0);
  atomic_store(&job->files_indexed, rc.files);
  atomic_store(&job->chunks_created, rc.chunks);
  /* Merge the GIN pending list now, so searches never scan it (autovacuum would, later).
   * Only after writing: the merge waits for an autovacuum busy on the same list, and a
   * re-index that changed nothing must not wait for that. */
  if (atomic_load(&job->chunks_created) > 0 &&
      cb_job_db(job, cb_sql_merge_pending, NULL, &err) != SRV_OK)
    srv_log_event(SRV_LOG_WARN, "index_gin_merge_skipped",
                  "job %s: merging the search index's pending list failed: %s", job->id, err.msg);
  phase_done(job, PH_MERGE, &t0);
  finish(job, JOB_COMPLETED, NULL);
  if (ix->on_completed) ix->on_completed(ix->on_completed_arg, job->project);
  goto cleanup;

failed:
  snprintf(failbuf, sizeof failbuf, "%s", err.msg[0] ? err.msg : "indexing failed");
  finish(job, JOB_FAILED, failbuf);

cleanup:
  mdl_buf_free(&kept);
  cb_strmap_free(&prev);
  cb_scan_free(&scan);
  /* A job frees tens of MB spread over the worker threads' malloc arenas; glibc keeps them, so
   * an idle server grew ~15 MB per finished job. Hand the freed memory back to the system. */
  malloc_trim(0);
  return NULL;
}
