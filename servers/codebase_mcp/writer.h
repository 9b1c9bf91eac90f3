/* writer.h — one indexing batch and the transaction that stores it.
 *
 * A batch holds the COPY rows of several files: their chunks (code_chunks) and their file rows
 * (code_files), plus the list of their paths. cb_batch_write stores it in ONE transaction:
 * delete the old chunks and file rows of exactly those paths, COPY the new ones in, commit. So a
 * batch is all-or-nothing and writing it twice leaves the same rows as writing it once: after a
 * lost connection (even one lost while COMMIT was in flight) the caller simply writes the same
 * batch again — no chunk lost, none doubled. A file's code_files row is the checkpoint saying
 * "this content is fully indexed". The chunks it replaces are recorded as tombstones (reason
 * 'changed', see CB_SQL_DELETE_CHUNKS). The batch also adds identifier pieces to the project's
 * vocabulary (code_terms, insert-if-absent), which fuzzy search corrects typos against. Not thread-safe per batch. */
#ifndef CB_WRITER_H
#define CB_WRITER_H

#include <libpq-fe.h>
#include <stddef.h>

#include "models/buf.h"
#include "servers/common/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Column order of the COPY rows (tab-separated, COPY text format). */
#define CB_CHUNK_COLUMNS                                                                     \
  "chunk_id, project_id, file_path, start_line, end_line, language, symbol, parent_symbol, " \
  "kind, content, context_before, context_after, tsv"
#define CB_FILE_COLUMNS "project_id, path, content_hash, language, size_bytes, chunk_count, job_id"

/* One statement that deletes the chunks of the files $2 (text[]) of project $1 and records each
 * removed id in code_chunk_tombstones with `reason` ('changed' or 'file_deleted'), so get_chunks
 * can later say what happened to a stale reference. Chunks re-inserted under the same id (their
 * content did not change) keep a harmless tombstone: a live chunk is always reported found. */
#define CB_SQL_DELETE_CHUNKS(reason)                                                            \
  "WITH d AS (DELETE FROM code_chunks WHERE project_id = $1 AND file_path = ANY($2::text[]) "   \
  "RETURNING chunk_id, project_id, file_path, symbol, parent_symbol, kind) "                    \
  "INSERT INTO code_chunk_tombstones (chunk_id, project_id, file_path, symbol, parent_symbol, " \
  "kind, reason) SELECT chunk_id, project_id, file_path, symbol, parent_symbol, kind, '" reason \
  "' FROM d ON CONFLICT (chunk_id) DO UPDATE SET file_path = EXCLUDED.file_path, "              \
  "symbol = EXCLUDED.symbol, parent_symbol = EXCLUDED.parent_symbol, kind = EXCLUDED.kind, "    \
  "reason = EXCLUDED.reason, removed_at = now()"

typedef struct cb_batch {
  mdl_buf chunks; /* code_chunks rows */
  mdl_buf files;  /* code_files rows */
  mdl_buf paths;  /* the files' paths as a text[] literal body: "a","b" (no braces) */
  mdl_buf terms;  /* new identifier pieces for the project's vocabulary (code_terms), same form */
  int nfiles;
  int nchunks;
} cb_batch;

/* Adds path to the batch's path list (escaped for an array literal). */
void cb_batch_add_path(cb_batch *b, const char *path);

/* Empties the batch, keeping memory. */
void cb_batch_reset(cb_batch *b);
void cb_batch_free(cb_batch *b);

/* Writes the batch for project_id in one transaction on c (which must be idle). Returns SRV_OK,
 * SRV_EUNAVAIL when the connection was lost (write the batch again on a new connection), or
 * another code with PostgreSQL's message (the transaction is rolled back). While it writes, the
 * socket's TCP user timeout is 10 s instead of the pool's 1.5 s (a busy backend's closed receive
 * window is not a dead peer); run it through srv_db_run_wait, which ends a lost attempt's backend
 * before writing again, or the repeated COPY waits on the rows that backend still holds. */
srv_code cb_batch_write(PGconn *c, const char *project_id, const cb_batch *b, srv_err *err);

#ifdef __cplusplus
}
#endif

#endif /* CB_WRITER_H */
