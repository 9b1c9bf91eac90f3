/* writer.c — COPY of one batch inside one transaction (see writer.h). */
#include "servers/codebase_mcp/writer.h"

#include <string.h>

#include "servers/common/db.h"
#include "servers/common/pgtext.h"

#define COPY_PIECE ((size_t)256 * 1024)
/* TCP user timeout while a batch is written (see srv_db_user_timeout): a busy backend may leave
 * its receive window closed for seconds during a COPY. A dead database is still seen by the
 * pool's ping within ~1.5 s; the batch itself gives up after this long and is written again. */
#define WRITE_USER_TIMEOUT_MS 10000

void cb_batch_add_path(cb_batch *b, const char *path) {
  srv_pg_array_elem(&b->paths, path);
}

void cb_batch_reset(cb_batch *b) {
  mdl_buf_reset(&b->chunks);
  mdl_buf_reset(&b->files);
  mdl_buf_reset(&b->paths);
  mdl_buf_reset(&b->terms);
  b->nfiles = 0;
  b->nchunks = 0;
}

void cb_batch_free(cb_batch *b) {
  mdl_buf_free(&b->chunks);
  mdl_buf_free(&b->files);
  mdl_buf_free(&b->paths);
  mdl_buf_free(&b->terms);
  memset(b, 0, sizeof *b);
}

static srv_code exec_simple(PGconn *c, const char *sql, srv_err *err) {
  PGresult *r = PQexec(c, sql);
  srv_code rc = SRV_OK;
  if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) rc = srv_db_result_error(c, r, sql, err);
  PQclear(r);
  return rc;
}

static srv_code copy_in(PGconn *c, const char *sql, const mdl_buf *data, srv_err *err) {
  srv_code rc = SRV_OK;
  PGresult *r = PQexec(c, sql);
  if (!r || PQresultStatus(r) != PGRES_COPY_IN) {
    rc = srv_db_result_error(c, r, "start COPY", err);
    PQclear(r);
    return rc;
  }
  PQclear(r);
  for (size_t off = 0; off < data->len; off += COPY_PIECE) {
    size_t n = data->len - off < COPY_PIECE ? data->len - off : COPY_PIECE;
    if (PQputCopyData(c, data->data + off, (int)n) != 1) {
      rc = srv_db_result_error(c, NULL, "send COPY data", err);
      break;
    }
  }
  if (PQputCopyEnd(c, rc == SRV_OK ? NULL : "aborted by the indexer") != 1 && rc == SRV_OK)
    rc = srv_db_result_error(c, NULL, "end COPY", err);
  while ((r = PQgetResult(c)) != NULL) {
    if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == SRV_OK)
      rc = srv_db_result_error(c, r, "COPY", err);
    PQclear(r);
    if (PQstatus(c) != CONNECTION_OK) break;
  }
  return rc;
}

srv_code cb_batch_write(PGconn *c, const char *project_id, const cb_batch *b, srv_err *err) {
  srv_code rc = SRV_OK;
  int in_tx = 0;
  mdl_buf arr = {0};
  int prev_timeout = -1;
  if (b->nfiles == 0) return SRV_OK;
  srv_db_user_timeout(c, WRITE_USER_TIMEOUT_MS, &prev_timeout);
  if (srv_pg_array_literal(&arr, &b->paths) != 0) {
    rc = srv_err_set(err, SRV_EINTERNAL, "out of memory building a batch");
    goto cleanup;
  }
  rc = exec_simple(c, "BEGIN", err);
  if (rc != SRV_OK) goto cleanup;
  in_tx = 1;
  /* A batch may take longer than the request statement timeout on a busy machine. */
  rc = exec_simple(c, "SET LOCAL statement_timeout = '120s'", err);
  if (rc != SRV_OK) goto cleanup;
  const char *params[2] = {project_id, arr.data};
  rc = srv_db_exec(c, CB_SQL_DELETE_CHUNKS("changed"), 2, params, NULL, err);
  if (rc != SRV_OK) goto cleanup;
  rc = srv_db_exec(c, "DELETE FROM code_files WHERE project_id = $1 AND path = ANY($2::text[])", 2,
                   params, NULL, err);
  if (rc != SRV_OK) goto cleanup;
  if (b->chunks.len) {
    rc = copy_in(c, "COPY code_chunks (" CB_CHUNK_COLUMNS ") FROM STDIN", &b->chunks, err);
    if (rc != SRV_OK) goto cleanup;
  }
  rc = copy_in(c, "COPY code_files (" CB_FILE_COLUMNS ") FROM STDIN", &b->files, err);
  if (rc != SRV_OK) goto cleanup;
  if (b->terms.len) {
    if (srv_pg_array_literal(&arr, &b->terms) != 0) {
      rc = srv_err_set(err, SRV_EINTERNAL, "out of memory building a batch");
      goto cleanup;
    }
    const char *tp[2] = {project_id, arr.data};
    rc = srv_db_exec(c,
                     /* sorted: concurrent batches take the key locks in one order, so
                        overlapping inserts wait for each other instead of deadlocking */
                     "INSERT INTO code_terms (project_id, term) SELECT $1, t FROM "
                     "unnest($2::text[]) AS t ORDER BY t ON CONFLICT DO NOTHING",
                     2, tp, NULL, err);
    if (rc != SRV_OK) goto cleanup;
  }
  rc = exec_simple(c, "COMMIT", err);
  in_tx = 0;

cleanup:
  if (in_tx && PQstatus(c) == CONNECTION_OK) {
    PGresult *r = PQexec(c, "ROLLBACK");
    PQclear(r);
  }
  if (prev_timeout >= 0) srv_db_user_timeout(c, prev_timeout, NULL);
  mdl_buf_free(&arr);
  return rc;
}
