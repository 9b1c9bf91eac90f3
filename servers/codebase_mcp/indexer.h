/* indexer.h — indexing jobs: start in the background, report progress, survive database outages.
 *
 * A job (one repository into one project) runs in its own thread: scan (scanner.h) -> N worker
 * threads, each with its own chunker (one tree-sitter parser per language) and tsvector builder,
 * take files from a shared counter, read them, skip binary / invalid UTF-8 content (WARN line
 * each) and files whose content hash is unchanged (unless force_reindex), chunk and tokenize the
 * rest, and append COPY rows to their own batch; a full batch (CB_BATCH_FILES files or
 * CB_BATCH_BYTES bytes) goes to the worker's writer thread, which writes it in one transaction
 * (writer.h) while the worker fills its second batch. When the database goes away a writer keeps
 * its batch, waits with backoff (100 ms doubling to 2 s) and writes it again once a
 * connection works, for up to outage_ms; batches are idempotent, so nothing is lost or doubled.
 * At the end, files that disappeared (or became binary) lose their rows and chunks, and the job's
 * counters are recounted from the rows themselves (exact even if a COMMIT reply was lost).
 *
 * One job per project at a time: starting another while one runs returns the running one.
 * Jobs interrupted by a server restart are marked failed at start-up (their finished files are
 * kept and skipped by the next run). Thread-safe. */
#ifndef CB_INDEXER_H
#define CB_INDEXER_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "servers/common/error.h"
#include "servers/common/pool.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CB_BATCH_FILES 250
#define CB_BATCH_BYTES (4u << 20)
#define CB_PROJECT_ID_MAX 64

typedef struct cb_indexer cb_indexer;

typedef struct cb_indexer_config {
  srv_pool *pool;            /* required; outlives the indexer */
  const char *index_roots;   /* colon/comma-separated allowed roots; NULL/"" => the defaults of
                                cb_scan_default_roots (copied) */
  int threads;               /* workers per job; <= 0 => 2 */
  int64_t max_file_bytes;    /* <= 0 => 1 MiB */
  int64_t outage_ms;         /* how long a job waits for a lost database; <= 0 => 300000 */
  uint64_t parse_timeout_us; /* 0 => 1 s */
  int max_jobs;              /* jobs pending or running at once, all projects; <= 0 => 4 */
  /* NULL, or called on a job's thread once the job has completed (its rows and the project's
   * new generation are committed) with the project id: the memory engine builds the project's
   * index then (memstore.h). Must be thread-safe; it may take seconds. */
  void (*on_completed)(void *arg, const char *project_id);
  void *on_completed_arg;
} cb_indexer_config;

/* Creates the indexer. SRV_EINVAL on a bad config, SRV_EINTERNAL out of memory. Caller frees. */
srv_code cb_indexer_new(const cb_indexer_config *cfg, cb_indexer **out, srv_err *err);

/* Asks running jobs to stop (they end as failed "server shutting down"), joins them, frees.
 * NULL is a no-op. */
void cb_indexer_free(cb_indexer *ix);

/* Marks jobs left pending/running by an earlier process as failed. SRV_EUNAVAIL if the database
 * cannot be reached (harmless: call again later). */
srv_code cb_indexer_recover(cb_indexer *ix, int64_t deadline_mono_ms, srv_err *err);

/* True if s is a valid project id: 1-64 of [a-z0-9_-]. */
int cb_project_id_valid(const char *s);

/* Validates the arguments (messages name repo_path / project_id and what to do), records a
 * pending job and starts it. *out (caller owns) is {job_id, status, project_id, repo_path}.
 * If a job for that project is already running, *out describes it (status "running",
 * "already_running": true) and nothing new starts. Errors: SRV_EINVAL (bad argument),
 * SRV_EBUSY when max_jobs jobs (of any projects) are pending or running already (retry later:
 * HTTP 503 with Retry-After, JSON-RPC -32001), SRV_EUNAVAIL / SRV_EBUSY (database; retry later),
 * SRV_EINTERNAL. */
srv_code cb_indexer_start(cb_indexer *ix, const char *repo_path, const char *project_id,
                          int force_reindex, int64_t deadline_mono_ms, cJSON **out, srv_err *err);

/* Progress of a job: {job_id, project_id, repo_path, status, files_total, files_indexed,
 * files_skipped, files_unchanged, files_rejected, files_deleted, chunks_created, percent,
 * elapsed_ms, eta_ms, warnings, error?}. From memory while the job is known to this process,
 * else from index_jobs. SRV_EINVAL (job_id not a UUID), SRV_ENOTFOUND, or a database code. */
srv_code cb_indexer_status(cb_indexer *ix, const char *job_id, int64_t deadline_mono_ms,
                           cJSON **out, srv_err *err);

#ifdef __cplusplus
}
#endif

#endif /* CB_INDEXER_H */
