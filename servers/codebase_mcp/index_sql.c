/* index_sql.c — the statements of indexing jobs on index_jobs, code_files, code_chunks and
 * code_chunk_tombstones, and why each is written the way it is (see index_sql.h). */
#include "servers/codebase_mcp/index_sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "servers/codebase_mcp/writer.h"
#include "servers/common/db.h"
#include "servers/common/pgtext.h"

/* After "WITH u AS (... RETURNING project_id)": moves the generation of u's projects (once each). */
#define CB_SQL_BUMP_GENERATION                                        \
  "INSERT INTO code_index_generations AS g (project_id, generation) " \
  "SELECT DISTINCT project_id, 1 FROM u"
#define CB_SQL_BUMP_CONFLICT " ON CONFLICT (project_id) DO UPDATE SET generation = g.generation + 1"

/* ---- index_jobs rows ------------------------------------------------------------------------ */

srv_code cb_sql_insert_job(PGconn *c, void *arg, srv_err *err) {
  const cb_sql_job *j = arg;
  const char *p[4] = {j->job_id, j->project_id, j->repo_path, j->force ? "true" : "false"};
  return srv_db_exec(c,
                     "INSERT INTO index_jobs (job_id, project_id, repo_path, force_reindex) "
                     "VALUES ($1, $2, $3, $4) ON CONFLICT (job_id) DO NOTHING",
                     4, p, NULL, err);
}

srv_code cb_sql_update_job(PGconn *c, void *arg, srv_err *err) {
  const cb_sql_job_update *a = arg;
  char n[6][16];
  int v[6] = {a->files_total,     a->files_indexed, a->files_skipped,
              a->files_unchanged, a->files_deleted, a->chunks_created};
  for (int i = 0; i < 6; i++) snprintf(n[i], sizeof n[i], "%d", v[i]);
  const char *p[9] = {a->job_id, a->status, n[0], n[1], n[2], n[3], n[4], n[5], a->error};
  /* The final update also moves the project's generation (one statement: one transaction), so
   * memory indexes built from older rows are reloaded (code_index_generations). Run again after
   * a lost reply it moves it once more: harmless, one more reload. */
  return srv_db_exec(c,
                     "WITH u AS (UPDATE index_jobs SET status = $2, files_total = $3, "
                     "files_indexed = $4, files_skipped = $5, files_unchanged = $6, "
                     "files_deleted = $7, chunks_created = $8, error = $9, "
                     "started_at = coalesce(started_at, now()), "
                     "finished_at = CASE WHEN $2 IN ('completed', 'failed') THEN now() END "
                     "WHERE job_id = $1 RETURNING project_id) " CB_SQL_BUMP_GENERATION
                     " WHERE $2 IN ('completed', 'failed')" CB_SQL_BUMP_CONFLICT,
                     9, p, NULL, err);
}

srv_code cb_sql_recover(PGconn *c, void *arg, srv_err *err) {
  (void)arg;
  return srv_db_exec(
      c,
      "WITH u AS (UPDATE index_jobs SET status = 'failed', finished_at = now(), "
      "error = 'interrupted by a server restart: start indexing again (files "
      "already indexed are kept and skipped)' WHERE status IN ('pending', "
      "'running') RETURNING project_id) " CB_SQL_BUMP_GENERATION CB_SQL_BUMP_CONFLICT,
      0, NULL, NULL, err);
}

srv_code cb_sql_status_get(PGconn *c, void *arg, srv_err *err) {
  cb_sql_status *a = arg;
  PGresult *r = NULL;
  const char *p[1] = {a->job_id};
  a->res = NULL;
  srv_code rc = srv_db_exec(
      c,
      "SELECT job_id, project_id, repo_path, status, files_total, files_indexed, files_skipped, "
      "files_unchanged, files_deleted, chunks_created, error, "
      "(extract(epoch from (coalesce(finished_at, now()) - coalesce(started_at, now()))) "
      "* 1000)::bigint FROM index_jobs WHERE job_id = $1",
      1, p, &r, err);
  if (rc != SRV_OK) return rc;
  if (PQntuples(r) == 0) {
    PQclear(r);
    return srv_err_set(err, SRV_ENOTFOUND,
                       "no indexing job %s: use the job_id returned by "
                       "start_indexing_background",
                       a->job_id);
  }
  a->res = r;
  a->project_id = PQgetvalue(r, 0, 1);
  a->repo_path = PQgetvalue(r, 0, 2);
  a->status = PQgetvalue(r, 0, 3);
  int *v[6] = {&a->files_total,     &a->files_indexed, &a->files_skipped,
               &a->files_unchanged, &a->files_deleted, &a->chunks_created};
  for (int i = 0; i < 6; i++) *v[i] = (int)strtol(PQgetvalue(r, 0, 4 + i), NULL, 10);
  a->error = PQgetisnull(r, 0, 10) ? NULL : PQgetvalue(r, 0, 10);
  a->elapsed_ms = strtoll(PQgetvalue(r, 0, 11), NULL, 10);
  return SRV_OK;
}

/* ---- previous file hashes ------------------------------------------------------------------ */

srv_code cb_sql_load_prev(PGconn *c, void *arg, srv_err *err) {
  cb_sql_prev *a = arg;
  PGresult *r = NULL;
  const char *p[2] = {a->project_id, a->job_id};
  srv_code rc = srv_db_exec(c,
                            "SELECT path, content_hash, job_id = $2 FROM code_files "
                            "WHERE project_id = $1",
                            2, p, &r, err);
  if (rc != SRV_OK) return rc;
  int n = PQntuples(r);
  cb_strmap_free(a->map);
  for (int i = 0; i < n; i++) {
    const char *path = PQgetvalue(r, i, 0);
    int added;
    cb_strmap_entry *e = cb_strmap_put(a->map, path, strlen(path), &added);
    if (!e) {
      PQclear(r);
      return srv_err_set(err, SRV_EINTERNAL, "out of memory loading %d file hashes", n);
    }
    snprintf(e->val, sizeof e->val, "%s", PQgetvalue(r, i, 1));
    e->flag = PQgetvalue(r, i, 2)[0] == 't';
  }
  PQclear(r);
  return SRV_OK;
}

/* ---- the end of a job ----------------------------------------------------------------------- */

srv_code cb_sql_delete_missing_files(PGconn *c, void *arg, srv_err *err) {
  cb_sql_delete_missing *a = arg;
  mdl_buf arr = {0}, gone = {0};
  PGresult *r = NULL;
  srv_code rc;
  if (srv_pg_array_literal(&arr, a->kept) != 0)
    return srv_err_set(err, SRV_EINTERNAL, "out of memory");
  const char *p[2] = {a->project_id, arr.data};
  rc = srv_db_exec(c, "BEGIN", 0, NULL, NULL, err);
  if (rc != SRV_OK) goto cleanup;
  /* background work: not bound by the request statement timeout */
  rc = srv_db_exec(c, "SET LOCAL statement_timeout = '120s'", 0, NULL, NULL, err);
  if (rc != SRV_OK) goto cleanup;
  rc = srv_db_exec(c,
                   /* A set difference (hashed whatever the statistics say): the NOT EXISTS
                    * form became a nested loop of 10^4 files x 10^4 kept paths (4.4 s) when the
                    * planner estimated a new project's files at zero rows. */
                   "DELETE FROM code_files f WHERE f.project_id = $1 AND f.path IN "
                   "(SELECT g.path FROM code_files g WHERE g.project_id = $1 "
                   "EXCEPT SELECT unnest($2::text[])) RETURNING path",
                   2, p, &r, err);
  if (rc != SRV_OK) goto cleanup;
  a->deleted = PQntuples(r);
  if (a->deleted > 0) {
    /* Their chunks, by the (project_id, file_path) index. One statement joining the deleted
     * paths planned a hash join over a sequential scan of every project's chunks while the
     * statistics were stale: 1 s per job with six projects indexed, even with nothing gone. */
    for (int i = 0; i < a->deleted; i++) srv_pg_array_elem(&gone, PQgetvalue(r, i, 0));
    if (gone.failed || srv_pg_array_literal(&arr, &gone) != 0) {
      rc = srv_err_set(err, SRV_EINTERNAL, "out of memory");
      goto cleanup;
    }
    const char *q[2] = {a->project_id, arr.data};
    rc = srv_db_exec(c, CB_SQL_DELETE_CHUNKS("file_deleted"), 2, q, NULL, err);
    if (rc != SRV_OK) goto cleanup;
  }
  /* Tombstones answer "what happened to this chunk id"; a month of history is plenty. */
  rc = srv_db_exec(c,
                   "DELETE FROM code_chunk_tombstones WHERE project_id = $1 AND "
                   "removed_at < now() - interval '30 days'",
                   1, p, NULL, err);
  if (rc != SRV_OK) goto cleanup;
  rc = srv_db_exec(c, "COMMIT", 0, NULL, NULL, err);

cleanup:
  if (rc != SRV_OK && PQstatus(c) == CONNECTION_OK) {
    PGresult *rb = PQexec(c, "ROLLBACK");
    PQclear(rb);
  }
  PQclear(r);
  mdl_buf_free(&arr);
  mdl_buf_free(&gone);
  return rc;
}

srv_code cb_sql_recount_job(PGconn *c, void *arg, srv_err *err) {
  cb_sql_recount *a = arg;
  PGresult *r = NULL;
  const char *p[2] = {a->project_id, a->job_id};
  srv_code rc = srv_db_exec(c,
                            "SELECT count(*), coalesce(sum(chunk_count), 0) FROM code_files "
                            "WHERE project_id = $1 AND job_id = $2",
                            2, p, &r, err);
  if (rc != SRV_OK) return rc;
  a->files = (int)strtol(PQgetvalue(r, 0, 0), NULL, 10);
  a->chunks = (int)strtol(PQgetvalue(r, 0, 1), NULL, 10);
  PQclear(r);
  return SRV_OK;
}

srv_code cb_sql_merge_pending(PGconn *c, void *arg, srv_err *err) {
  (void)arg;
  srv_code rc = srv_db_exec(c, "BEGIN", 0, NULL, NULL, err);
  if (rc == SRV_OK) rc = srv_db_exec(c, "SET LOCAL statement_timeout = '120s'", 0, NULL, NULL, err);
  if (rc == SRV_OK)
    /* Every GIN index there is (code_chunks_tsv exists only under the gin engine, see
     * cb_search_schema_apply), not only the chunks': while code_files_path_trgm still held its pending
     * list, the planner priced the trigram scan above a sequential scan and computed
     * word_similarity over every path (~100 ms a query; 10 clients: ~1.4 s p95) until
     * autovacuum happened to merge it. */
    rc = srv_db_exec(c,
                     "SELECT gin_clean_pending_list(i) FROM unnest(ARRAY["
                     "to_regclass('code_chunks_tsv'), to_regclass('code_files_path_trgm'), "
                     "to_regclass('code_terms_trgm')]) i WHERE i IS NOT NULL",
                     0, NULL, NULL, err);
  /* Statistics for the path and vocabulary tables (10^4 and 10^3 rows: milliseconds): without
   * them the planner still guessed a sequential scan for the path match right after a job.
   * And for the chunk columns that searches filter on (a 30,000-row sample: ~0.7 s with 1.2
   * million chunks): until autovacuum got to it, search right after a job took p50 148 ms, p95
   * 165 ms one client at a time; after it, p50 4.4 ms, p95 7.0 ms. */
  if (rc == SRV_OK)
    rc = srv_db_exec(c,
                     "ANALYZE code_files, code_terms, "
                     "code_chunks (project_id, file_path, symbol, tsv)",
                     0, NULL, NULL, err);
  if (rc == SRV_OK) return srv_db_exec(c, "COMMIT", 0, NULL, NULL, err);
  if (PQstatus(c) == CONNECTION_OK) {
    PGresult *r = PQexec(c, "ROLLBACK");
    PQclear(r);
  }
  return rc;
}
