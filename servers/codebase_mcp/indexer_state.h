/* indexer_state.h — the indexer's internals, shared by its files and by nothing else (indexer.h
 * is the API):
 *   indexer.c       the job registry and the public API: jobs started, looked up, pruned;
 *   index_job.c     one job's thread: scan, workers, deletions, recount, the job's row, and how a
 *                   job waits out a database outage;
 *   index_worker.c  the worker threads: read, check, chunk and tokenize files, write batches;
 *   index_sql.c     the SQL (index_sql.h, its own library).
 * Locking: ix->mu guards the job list (jobs, njobs) and each job's started_mono, finished_mono
 * and error; the counters and the status are atomics, written by the job's threads only. */
#ifndef CB_INDEXER_STATE_H
#define CB_INDEXER_STATE_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "models/buf.h"
#include "models/uuid.h"
#include "servers/codebase_mcp/indexer.h"
#include "servers/codebase_mcp/scanner.h"
#include "servers/codebase_mcp/strmap.h"
#include "servers/common/db.h"

typedef enum cb_job_status { JOB_PENDING, JOB_RUNNING, JOB_COMPLETED, JOB_FAILED } cb_job_status;

/* A job's phases, in order (index_job.c names them in its log line). */
enum { PH_SCAN, PH_LOAD_PREV, PH_FILES, PH_DELETE_MISSING, PH_RECOUNT, PH_MERGE, CB_JOB_PHASES };

typedef struct cb_job {
  char id[MDL_UUID_LEN];
  char project[CB_PROJECT_ID_MAX + 1];
  char repo[PATH_MAX];
  int force;
  atomic_int status; /* cb_job_status */
  atomic_int files_total, files_indexed, files_unchanged, files_rejected, files_deleted;
  atomic_int chunks_created, warnings, secrets_skipped;
  /* Where the job's time went, for its index_job_finished log line: batch_write_us sums the
   * writer threads' batch writes, writer_wait_us the time workers waited for their writer (the
   * part of writing that parsing did not hide); phase_ms the job thread's phases (written by that
   * thread only). */
  atomic_llong batch_write_us, writer_wait_us;
  int64_t phase_ms[CB_JOB_PHASES];
  int64_t started_mono, finished_mono; /* guarded by ix->mu */
  char error[512];                     /* guarded by ix->mu */
  pthread_t thread;
  int has_thread;
  struct cb_indexer *ix;
  struct cb_job *next;
} cb_job;

struct cb_indexer {
  srv_pool *pool;
  char *index_roots;
  int threads;
  int64_t max_file_bytes, outage_ms;
  uint64_t parse_timeout_us;
  int max_jobs;
  void (*on_completed)(void *arg, const char *project_id); /* see cb_indexer_config */
  void *on_completed_arg;
  pthread_mutex_t mu;
  cb_job *jobs; /* newest first */
  int njobs;
  atomic_int stopping;
};

/* ---- indexer.c ---- */

/* "pending", "running", "completed", "failed". */
const char *cb_job_status_name(cb_job_status st);

/* ---- index_job.c ---- */

/* The job thread (pthread start routine; arg is the cb_job, owned by the registry). */
void *cb_job_main(void *arg);

/* How a job waits out a lost database: 100 ms doubling to 2 s between attempts, for up to
 * ix->outage_ms, each attempt waiting up to 10 s for a free connection, until the server stops.
 * Fills *w (on_retry NULL: each retry logs "db_retry") and returns the deadline to run it with. */
int64_t cb_job_wait(cb_job *job, srv_db_wait *w);

/* Runs fn (retry-safe) through srv_db_run_wait with cb_job_wait's policy. */
srv_code cb_job_db(cb_job *job, srv_db_fn fn, void *arg, srv_err *err);

/* Counts a warning of the job and logs WARN `op` {job_id, project_id, path, reason}. */
void cb_job_warn_file(cb_job *job, const char *op, const char *path, const char *reason);

/* ---- index_worker.c ---- */

/* Indexes the scanned files with ix->threads workers: each file whose content hash differs from
 * prev (or every one when the job forces) is chunked and written in batches; the job's counters
 * follow. On SRV_OK kept holds the paths (array literal body) of the files indexed or unchanged.
 * Fails with the first fatal error of a worker, or SRV_EUNAVAIL when the server is stopping. */
srv_code cb_index_files(cb_job *job, const cb_scan_result *scan, const cb_strmap *prev,
                        mdl_buf *kept, srv_err *err);

#endif /* CB_INDEXER_STATE_H */
