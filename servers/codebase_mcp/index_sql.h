/* index_sql.h — the SQL of indexing jobs: their index_jobs rows, the project's previous file
 * hashes, and what a job does to the tables once its files are written (deleting the files that
 * disappeared, recounting, merging the search indexes' pending lists).
 *
 * Each cb_sql_ function is an srv_db_fn (servers/common/db.h): run it through srv_db_run or
 * srv_db_run_wait with the argument named in its comment. Every one is safe to run again from the
 * start after a lost connection (keyed writes, reads, or one transaction). None keeps the
 * connection, or any state between calls; the in-memory jobs are indexer_state.h's. */
#ifndef CB_INDEX_SQL_H
#define CB_INDEX_SQL_H

#include <libpq-fe.h>
#include <stdint.h>

#include "models/buf.h"
#include "servers/codebase_mcp/strmap.h"
#include "servers/common/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A job's identity, for its pending row. */
typedef struct cb_sql_job {
  const char *job_id, *project_id, *repo_path;
  int force; /* force_reindex */
} cb_sql_job;

/* arg: const cb_sql_job *. Inserts the pending row (nothing when job_id exists already). */
srv_code cb_sql_insert_job(PGconn *c, void *arg, srv_err *err);

/* A job's status and counters, for its row. */
typedef struct cb_sql_job_update {
  const char *job_id, *status;
  const char *error; /* NULL: no error (SQL NULL) */
  int files_total, files_indexed, files_skipped, files_unchanged, files_deleted, chunks_created;
} cb_sql_job_update;

/* arg: const cb_sql_job_update *. Sets the row's status, counters and error; started_at on the
 * first update, finished_at when the status is completed or failed. */
srv_code cb_sql_update_job(PGconn *c, void *arg, srv_err *err);

/* arg: NULL. Marks the rows left pending or running by an earlier process as failed. */
srv_code cb_sql_recover(PGconn *c, void *arg, srv_err *err);

/* One job's row, as cb_indexer_status reports it. */
typedef struct cb_sql_status {
  const char *job_id; /* in: the canonical (lowercase) id */
  /* out, on SRV_OK: the row; the strings point into res, which the caller PQclear()s */
  PGresult *res;
  const char *project_id, *repo_path, *status;
  const char *error; /* NULL when there is none */
  int files_total, files_indexed, files_skipped, files_unchanged, files_deleted, chunks_created;
  int64_t elapsed_ms; /* started to finished (or now) */
} cb_sql_status;

/* arg: cb_sql_status *. Reads the row; SRV_ENOTFOUND (message says which id to use) when there is
 * none. */
srv_code cb_sql_status_get(PGconn *c, void *arg, srv_err *err);

/* The project's files as the last jobs left them. */
typedef struct cb_sql_prev {
  const char *project_id, *job_id;
  cb_strmap *map; /* out: path -> content hash; flag = the row was written by job_id itself */
} cb_sql_prev;

/* arg: cb_sql_prev *. Replaces map's content with the project's code_files rows. */
srv_code cb_sql_load_prev(PGconn *c, void *arg, srv_err *err);

/* The files a finished job kept. */
typedef struct cb_sql_delete_missing {
  const char *project_id;
  const mdl_buf *kept; /* array literal body of the kept paths (srv_pg_array_elem) */
  int deleted;         /* out: how many code_files rows were deleted */
} cb_sql_delete_missing;

/* arg: cb_sql_delete_missing *. In one transaction: deletes the project's files that are not in
 * kept with their chunks (tombstones 'file_deleted'), and the project's tombstones older than
 * 30 days. */
srv_code cb_sql_delete_missing_files(PGconn *c, void *arg, srv_err *err);

/* A job's own rows, counted. */
typedef struct cb_sql_recount {
  const char *project_id, *job_id;
  int files, chunks; /* out: code_files rows written by the job, and their chunks */
} cb_sql_recount;

/* arg: cb_sql_recount *. Counts the rows (exact even if a COMMIT reply was lost). */
srv_code cb_sql_recount_job(PGconn *c, void *arg, srv_err *err);

/* arg: NULL. Merges the GIN indexes' pending lists and analyzes the tables searches read. */
srv_code cb_sql_merge_pending(PGconn *c, void *arg, srv_err *err);

#ifdef __cplusplus
}
#endif

#endif /* CB_INDEX_SQL_H */
