/* search_mem.c — search_code with the memory engine (CODEBASE_SEARCH_ENGINE=memory): the same
 * tiers as search.c's SQL (all words; a typo-corrected retry; any word; a one-word query's
 * fuzzy path arm), but the ranking comes from the project's cb_memidx (memidx.h) and SQL only
 * fetches the k rows by chunk id, in ONE statement per tier that also returns the project's
 * generation: when that differs from the index's, another instance (or this one) re-indexed the
 * project since it was loaded, so the index is reloaded (memstore.h) and the search run again.
 * The fuzzy path arm and the typo correction stay in SQL (code_files, code_terms): they read
 * small tables through trigram indexes.
 *
 * Differences from the SQL engine, on purpose: a one-word query is answered in one pass (the
 * "symbol_names" tier only existed because ts_rank read every match's tsvector), so match_mode
 * is "all_words" and total_count counts every chunk with the word; an all-words query's text
 * score is the sum of its terms' ts_rank shares, not ts_rank's proximity formula (memidx.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/buf.h"
#include "models/uuid.h"
#include "servers/codebase_mcp/memidx.h"
#include "servers/codebase_mcp/memstore.h"
#include "servers/codebase_mcp/search_internal.h"
#include "servers/common/db.h"

#define MEM_RELOADS 2 /* reloads one search may do when the generation keeps moving */

typedef struct memq {
  cb_memidx_hit hits[CB_SEARCH_LIMIT_MAX];
  int n;
  long total;
} memq;

static srv_code run_mem(const cb_memidx *m, const cb_memidx_query *q, int limit, memq *out,
                        srv_err *err) {
  out->n = 0;
  out->total = 0;
  if (!m) return SRV_OK;
  if (cb_memidx_search(m, q, limit, out->hits, &out->n, &out->total, NULL) != 0)
    return srv_err_set(err, SRV_EINTERNAL, "out of memory searching the memory index");
  return SRV_OK;
}

/* Rows that are results (the statement returns one all-NULL row when there are none). */
static int rows(const PGresult *res) {
  int n = 0;
  for (int i = 0; res && i < PQntuples(res); i++) n += !PQgetisnull(res, i, 0);
  return n;
}

/* The rows of the memory hits (their order kept for equal scores), blended with the fuzzy path
 * arm (fuzzy != NULL) exactly as search.c blends it, best first, and the project's generation. */
static srv_code fetch(PGconn *c, const cb_search_req *r, const cb_memidx *m, const memq *mq,
                      const char *fuzzy, const char *prefix_like, PGresult **out, int64_t *gen,
                      srv_err *err) {
  mdl_buf ids = {0}, scores = {0}, s = {0};
  const char *p[6];
  int n = 0;
  srv_code rc;
  mdl_buf_putc(&ids, '{');
  mdl_buf_putc(&scores, '{');
  for (int i = 0; i < mq->n; i++) {
    if (i) {
      mdl_buf_putc(&ids, ',');
      mdl_buf_putc(&scores, ',');
    }
    char id[MDL_UUID_LEN];
    mdl_uuid_format(cb_memidx_doc_id(m, mq->hits[i].doc), id);
    mdl_buf_puts(&ids, id);
    mdl_buf_printf(&scores, "%.17g", mq->hits[i].score);
  }
  mdl_buf_putc(&ids, '}');
  mdl_buf_putc(&scores, '}');
  p[n++] = r->project_id;
  p[n++] = ids.data;
  p[n++] = scores.data;
  int fz = 0, lang = 0, pre = 0; /* parameter numbers of the fuzzy arm's inputs */
  if (fuzzy) {
    p[n++] = fuzzy;
    fz = n;
    if (r->language) {
      p[n++] = r->language;
      lang = n;
    }
    if (prefix_like) {
      p[n++] = prefix_like;
      pre = n;
    }
  }
  mdl_buf_puts(&s,
               "WITH g AS (SELECT coalesce((SELECT generation FROM code_index_generations "
               "WHERE project_id = $1), 0) AS gen), "
               "mem AS (SELECT m.chunk_id, m.score, m.ord FROM unnest($2::uuid[], "
               "$3::float8[]) WITH ORDINALITY AS m(chunk_id, score, ord)), ");
  if (fz) cb_search_fuzzy_arm(&s, fz, lang, pre, r->limit, ", NULL::bigint AS ord");
  mdl_buf_puts(&s,
               "best AS (SELECT chunk_id, sum(score) AS score, min(ord) AS ord FROM ("
               "SELECT chunk_id, score, ord FROM mem");
  if (fz) mdl_buf_puts(&s, " UNION ALL SELECT chunk_id, score, ord FROM fp");
  mdl_buf_printf(&s,
                 ") u GROUP BY chunk_id ORDER BY score DESC, ord NULLS LAST LIMIT %d) "
                 "SELECT " CB_SEARCH_RESULT_COLUMNS
                 ", b.score, g.gen FROM g LEFT JOIN (best b JOIN code_chunks c ON "
                 "c.chunk_id = b.chunk_id AND c.project_id = $1) ON true "
                 "ORDER BY b.score DESC, b.ord NULLS LAST, c.file_path, c.start_line",
                 r->limit);
  if (ids.failed || scores.failed || s.failed) {
    rc = srv_err_set(err, SRV_EINTERNAL, "out of memory building the query");
  } else {
    rc = srv_db_exec(c, s.data, n, p, out, err);
    if (rc == SRV_OK)
      *gen = PQntuples(*out) > 0
                 ? strtoll(PQgetvalue(*out, 0, CB_SEARCH_RESULT_NCOLS + 1), NULL, 10)
                 : 0;
  }
  mdl_buf_free(&ids);
  mdl_buf_free(&scores);
  mdl_buf_free(&s);
  return rc;
}

srv_code cb_search_mem_run(PGconn *c, cb_search_req *r, srv_err *err) {
  srv_code rc = SRV_OK;
  PGresult *res = NULL;
  mdl_buf prefix = {0};
  cb_memidx *m = NULL;
  cb_memidx_query q;
  memq mq;
  cb_search_terms t;
  r->results = NULL;
  r->total_count = 0;
  r->mode = "none";
  if (!r->mem) return srv_err_set(err, SRV_EINTERNAL, "the memory engine has no index store");
  const char *prefix_like = cb_search_prefix_like(r->path_prefix, &prefix);
  if (prefix.failed) {
    rc = srv_err_set(err, SRV_EINTERNAL, "out of memory");
    goto cleanup;
  }
  const char *fuzzy = cb_search_single_word(r->query) ? r->query : NULL;
  int words = cb_memidx_query_parse(r->query, 1, &q);
  q.language = r->language;
  q.path_prefix = r->path_prefix;
  if (words == 0 && !fuzzy) goto shape; /* nothing searchable (only stop words / symbols) */
  if (words > 0) {
    rc = cb_memstore_get(r->mem, c, r->project_id, &m, err);
    if (rc != SRV_OK) goto cleanup;
  }
  for (int attempt = 0;; attempt++) {
    int64_t gen = 0;
    rc = run_mem(m, &q, r->limit, &mq, err);
    if (rc == SRV_OK) rc = fetch(c, r, m, &mq, fuzzy, prefix_like, &res, &gen, err);
    if (rc != SRV_OK) goto cleanup;
    if (m && gen != cb_memidx_generation(m) && attempt < MEM_RELOADS) {
      /* the project was re-indexed since this index was built: reload it and search again */
      PQclear(res);
      res = NULL;
      rc = cb_memstore_refresh(r->mem, c, r->project_id, gen, err);
      cb_memidx_release(m);
      m = NULL;
      if (rc == SRV_OK) rc = cb_memstore_get(r->mem, c, r->project_id, &m, err);
      if (rc != SRV_OK) goto cleanup;
      continue;
    }
    break;
  }
  r->mode = words ? "all_words" : "fuzzy";
  r->total_count = words ? mq.total : rows(res);
  if (rows(res) == 0 && words > 0) { /* typos: correct against the vocabulary, retry */
    cb_search_corrected cq;
    rc = cb_search_correct_terms(c, r->project_id, r->query, &cq, err);
    if (rc != SRV_OK) goto cleanup;
    if (cq.changed && cq.n > 0) {
      cb_memidx_query fixed = q; /* the names the query states still lift */
      fixed.nterms = fixed.nwords = 0;
      fixed.and_mode = 1;
      for (int i = 0; i < cq.n; i++) cb_memidx_query_add_term(&fixed, cq.t[i]);
      int64_t gen = 0;
      PQclear(res);
      res = NULL;
      rc = run_mem(m, &fixed, r->limit, &mq, err);
      if (rc == SRV_OK) rc = fetch(c, r, m, &mq, fuzzy, prefix_like, &res, &gen, err);
      if (rc != SRV_OK) goto cleanup;
      r->mode = "corrected";
      r->total_count = mq.total;
    }
  }
  if (rows(res) == 0 && words > 1) {
    int64_t gen = 0;
    q.and_mode = 0;
    PQclear(res);
    res = NULL;
    rc = run_mem(m, &q, r->limit, &mq, err);
    if (rc == SRV_OK) rc = fetch(c, r, m, &mq, fuzzy, prefix_like, &res, &gen, err);
    if (rc != SRV_OK) goto cleanup;
    r->mode = "any_word";
    r->total_count = mq.total;
  }
  if (rows(res) == 0) r->total_count = 0;

shape:
  r->results = cJSON_CreateArray();
  if (!r->results) {
    rc = srv_err_set(err, SRV_EINTERNAL, "out of memory");
    goto cleanup;
  }
  cb_search_collect_terms(r->query, &t);
  for (int i = 0; res && i < PQntuples(res); i++) {
    if (PQgetisnull(res, i, 0)) continue;
    cJSON *o = cb_search_result_json(res, i, &t);
    if (o) cJSON_AddItemToArray(r->results, o);
  }

cleanup:
  PQclear(res);
  mdl_buf_free(&prefix);
  cb_memidx_release(m);
  if (rc != SRV_OK) {
    cJSON_Delete(r->results);
    r->results = NULL;
  }
  return rc;
}
