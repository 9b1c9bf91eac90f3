/* search.c — the search and get_chunks queries and result shaping (see search.h). */
#include "servers/codebase_mcp/search.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/buf.h"
#include "models/uuid.h"
#include "servers/codebase_mcp/hash.h"
#include "servers/codebase_mcp/search_internal.h"
#include "servers/codebase_mcp/tokens.h"
#include "servers/codebase_mcp/writer.h"
#include "servers/common/db.h"
#include "servers/common/pgtext.h"

#define SNIPPET_BEFORE 2
#define SNIPPET_AFTER 2
#define RESULT_COLUMNS CB_SEARCH_RESULT_COLUMNS

/* ---- query text ------------------------------------------------------------------------------ */

typedef struct qsql {
  mdl_buf sql;
  const char *params[8];
  int n;
} qsql;

static int add_param(qsql *q, const char *v) {
  assert(q->n < (int)(sizeof q->params / sizeof q->params[0]));
  q->params[q->n] = v;
  return ++q->n;
}

/* Appends " AND language = $k AND file_path LIKE $m" for the filters that are set. The prefix
 * also names the files under it (code_files, 10,000 rows): under a narrow prefix the planner
 * then reads only those files' chunks through code_chunks_file instead of fetching every chunk
 * that matches the words and dropping those outside the prefix (measured: "varianc" under a
 * 40-file directory read 8,900 heap pages before, 1,300 after); a broad prefix keeps the GIN
 * plan. LIKE alone cannot use the btree index: the database collation need not be C. */
static void add_filters(qsql *q, const char *alias, int lang_p, int prefix_p) {
  if (lang_p) mdl_buf_printf(&q->sql, " AND %slanguage = $%d", alias, lang_p);
  if (prefix_p)
    mdl_buf_printf(&q->sql,
                   " AND %sfile_path LIKE $%d AND %sfile_path IN (SELECT path FROM code_files "
                   "WHERE project_id = $1 AND path LIKE $%d)",
                   alias, prefix_p, alias, prefix_p);
}

void cb_search_fuzzy_arm(mdl_buf *s, int fz_p, int lang_p, int prefix_p, int limit,
                         const char *extra_cols) {
  /* The best-matching paths first, on their own (MATERIALIZED: planned apart from the join
   * below, so the trigram GIN index answers `<%` and only those rows are scored; joined
   * directly, the planner walked every file of the project in path order computing
   * word_similarity, ~170 ms on 10,000 files), then each one's first chunk. */
  mdl_buf_printf(s,
                 "fpf AS MATERIALIZED (SELECT f.project_id, f.path, word_similarity($%d, f.path) "
                 "AS sim FROM code_files f WHERE f.project_id = $1 AND $%d <%% f.path",
                 fz_p, fz_p);
  if (lang_p) mdl_buf_printf(s, " AND f.language = $%d", lang_p);
  if (prefix_p) mdl_buf_printf(s, " AND f.path LIKE $%d", prefix_p);
  mdl_buf_printf(s, " ORDER BY sim DESC, f.path LIMIT %d), ", limit);
  mdl_buf_printf(s,
                 "fp AS (SELECT c.chunk_id, (0.3 * fpf.sim)::float8 AS score%s FROM fpf CROSS "
                 "JOIN LATERAL (SELECT chunk_id FROM code_chunks c WHERE c.project_id = "
                 "fpf.project_id AND c.file_path = fpf.path",
                 extra_cols);
  if (lang_p) mdl_buf_printf(s, " AND c.language = $%d", lang_p);
  mdl_buf_puts(s, " ORDER BY c.start_line LIMIT 1) c), ");
}

const char *cb_search_prefix_like(const char *prefix, mdl_buf *out) {
  if (prefix == NULL || *prefix == '\0') return NULL;
  for (const char *p = prefix; *p; p++) {
    if (*p == '%' || *p == '_' || *p == '\\') mdl_buf_putc(out, '\\');
    mdl_buf_putc(out, *p);
  }
  mdl_buf_putc(out, '%');
  return out->failed ? NULL : out->data;
}

/* ---- the symbol names a query states ------------------------------------------------------ */

#define NAME_WORDS_MAX 16
#define NAME_NORM "lower(replace(%s, '_', ''))" /* as query_names normalises */

/* The query's identifiers as the ranking compares them with symbol names: lowercase, '_'
 * dropped ("HttpClient", "http_client" -> "httpclient"); whole is all of them joined ("parse
 * invoice header" -> "parseinvoiceheader"), the symbol the query spells out. */
typedef struct qnames {
  mdl_buf whole;
  mdl_buf words; /* text[] literal of each identifier */
  int n;
} qnames;

static void query_names(const char *query, qnames *nm) {
  mdl_buf body = {0};
  char w[CB_TOKEN_MAX + 1];
  size_t len = 0;
  for (const char *p = query; nm->n < NAME_WORDS_MAX; p++) {
    unsigned char ch = (unsigned char)*p;
    int ident = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                ch == '_';
    if (ident) {
      if (ch != '_' && len < CB_TOKEN_MAX) w[len++] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
      continue;
    }
    if (len > 0) {
      w[len] = '\0';
      srv_pg_array_elem(&body, w);
      mdl_buf_puts(&nm->whole, w);
      nm->n++;
      len = 0;
    }
    if (ch == '\0') break;
  }
  srv_pg_array_literal(&nm->words, &body);
  mdl_buf_free(&body);
}

/* Appends the score's lift for the names a query states, in tiers a whole unit apart because
 * ts_rank stays within [0, 1] (and reaches ~1 for a chunk that repeats the words): + 3 when the
 * chunk's symbol is the one the whole query spells, so an exact symbol match comes first;
 * otherwise + 1 when its symbol is one of the query's identifiers and + 1 when its enclosing
 * class is. "HttpClient send": HttpClient's own send (+ 2) before other classes' send and the
 * HttpClient class itself (+ 1), however often those mention HttpClient. */
static void add_name_lift(mdl_buf *s, int whole_p, int words_p) {
  mdl_buf_printf(s,
                 " + CASE WHEN symbol = '' THEN 0 WHEN " NAME_NORM
                 " = $%d THEN 3.0 ELSE"
                 " (CASE WHEN " NAME_NORM
                 " = ANY($%d::text[]) THEN 1.0 ELSE 0 END) +"
                 " (CASE WHEN parent_symbol <> '' AND " NAME_NORM
                 " = ANY($%d::text[]) THEN 1.0 ELSE 0 END) END",
                 "symbol", whole_p, "symbol", words_p, "parent_symbol", words_p);
}

/* What one query asks: tsq ranks; filter (NULL => tsq) selects the candidates through the
 * full-text index; sym (NULL: none) is the symbol tier's query (all words in the symbol name),
 * a second candidate arm where candidates are bounded (rum, gin with a rank cap), so those
 * chunks are never cut off; fuzzy (NULL: none) blends in the path match; nm (NULL or no words:
 * none) lifts the chunks the query names. */
typedef struct qargs {
  const char *tsq, *filter, *sym, *fuzzy, *prefix_like;
  const qnames *nm;
} qargs;

/* Appends one bounded candidate arm: up to n chunk ids matching $match_p, in the RUM index's
 * rank order for rum, in the order found for gin. */
static void add_arm(qsql *q, int rum, int match_p, int lang_p, int prefix_p, int n) {
  mdl_buf_printf(&q->sql,
                 "SELECT chunk_id FROM code_chunks WHERE project_id = $1 AND tsv @@ $%d::tsquery",
                 match_p);
  add_filters(q, "", lang_p, prefix_p);
  if (rum) mdl_buf_printf(&q->sql, " ORDER BY tsv <=> $%d::tsquery", match_p);
  mdl_buf_printf(&q->sql, " LIMIT %d", n);
}

/* Runs the statement, prepared per connection when the options say so (named after a hash of
 * its text: one name, one text). */
static srv_code exec_query(PGconn *c, const cb_search_req *r, const qsql *q, PGresult **out,
                           srv_err *err) {
  if (r->opts == NULL || !r->opts->prepared)
    return srv_db_exec(c, q->sql.data, q->n, q->params, out, err);
  char hex[CB_HASH_HEX_LEN], name[40];
  cb_hash128 zero = {0, 0};
  cb_hash_hex(cb_hash(q->sql.data, q->sql.len, zero), hex);
  snprintf(name, sizeof name, "cbs_%s", hex);
  return srv_db_exec_prepared(c, name, q->sql.data, q->n, q->params, out, err);
}

static srv_code run_query(PGconn *c, cb_search_req *r, const qargs *a, PGresult **out,
                          srv_err *err) {
  qsql q;
  memset(&q, 0, sizeof q);
  const cb_search_opts *o = r->opts;
  int rum = o != NULL && o->engine == CB_ENGINE_RUM;
  int bound = rum ? CB_SEARCH_RUM_CANDIDATES : o != NULL && o->rank_cap > 0 ? o->rank_cap : 0;
  add_param(&q, r->project_id);
  int ts_p = a->tsq ? add_param(&q, a->tsq) : 0;
  int filter_p = a->tsq && a->filter ? add_param(&q, a->filter) : ts_p;
  int sym_p = a->tsq && a->sym && bound ? add_param(&q, a->sym) : 0;
  int fz_p = a->fuzzy ? add_param(&q, a->fuzzy) : 0;
  int lang_p = r->language ? add_param(&q, r->language) : 0;
  int prefix_p = a->prefix_like ? add_param(&q, a->prefix_like) : 0;
  const qnames *nm = a->nm;
  int named = ts_p && nm != NULL && nm->n > 0 && !nm->whole.failed && !nm->words.failed;
  int whole_p = named ? add_param(&q, nm->whole.data) : 0;
  int words_p = named ? add_param(&q, nm->words.data) : 0;
  int lim = r->limit;
  mdl_buf *s = &q.sql;
  mdl_buf_puts(s, "WITH ");
  if (ts_p && !bound) { /* gin: every match ranked */
    mdl_buf_printf(s, "fts AS (SELECT chunk_id, ts_rank('{0.05,0.2,0.4,1.0}', tsv, $%d::tsquery)",
                   ts_p);
    if (named) add_name_lift(s, whole_p, words_p);
    mdl_buf_printf(s, " AS score FROM code_chunks WHERE project_id = $1 AND tsv @@ $%d::tsquery",
                   filter_p);
    add_filters(&q, "", lang_p, prefix_p);
    mdl_buf_printf(s, "), top AS (SELECT chunk_id, score FROM fts ORDER BY score DESC LIMIT %d), ",
                   lim);
  } else if (ts_p) { /* rum, or gin with a rank cap: bounded candidate arms, then the score */
    mdl_buf_puts(s, "mw AS MATERIALIZED (");
    add_arm(&q, rum, filter_p, lang_p, prefix_p, bound);
    mdl_buf_puts(s, "), ");
    if (sym_p) {
      mdl_buf_puts(s, "ms AS MATERIALIZED (");
      add_arm(&q, rum, sym_p, lang_p, prefix_p, bound);
      mdl_buf_puts(s, "), ");
    }
    mdl_buf_printf(s,
                   "m AS (SELECT chunk_id FROM mw%s), fts AS (SELECT c.chunk_id, "
                   "ts_rank('{0.05,0.2,0.4,1.0}', c.tsv, $%d::tsquery)",
                   sym_p ? " UNION SELECT chunk_id FROM ms" : "", ts_p);
    if (named) add_name_lift(s, whole_p, words_p);
    mdl_buf_printf(s,
                   " AS score FROM m JOIN code_chunks c USING (chunk_id)), top AS (SELECT "
                   "chunk_id, score FROM fts ORDER BY score DESC LIMIT %d), ",
                   lim);
  }
  if (fz_p) cb_search_fuzzy_arm(s, fz_p, lang_p, prefix_p, lim, "");
  mdl_buf_puts(s, "best AS (SELECT chunk_id, sum(score) AS score FROM (");
  int arms = 0;
  if (ts_p) {
    mdl_buf_puts(s, arms++ ? " UNION ALL " : "");
    mdl_buf_puts(s, "SELECT * FROM top");
  }
  if (fz_p) {
    mdl_buf_puts(s, arms++ ? " UNION ALL " : "");
    mdl_buf_puts(s, "SELECT * FROM fp");
  }
  mdl_buf_printf(s, ") u GROUP BY chunk_id ORDER BY score DESC LIMIT %d) ", lim);
  mdl_buf_puts(s, "SELECT " RESULT_COLUMNS ", b.score, ");
  if (ts_p && !bound) {
    mdl_buf_puts(s, "(SELECT count(*) FROM fts) ");
  } else if (ts_p && o != NULL && !o->exact_count) {
    mdl_buf_puts(s, "(SELECT count(*) FROM mw) ");
  } else if (ts_p) {
    /* Fewer matches than the bound: the arm holds them all. Otherwise counted apart (a bitmap
     * scan of the index, no ranking), evaluated only then. */
    mdl_buf_printf(s,
                   "(SELECT CASE WHEN (SELECT count(*) FROM mw) < %d THEN (SELECT count(*) FROM "
                   "mw) ELSE (SELECT count(*) FROM code_chunks WHERE project_id = $1 AND tsv @@ "
                   "$%d::tsquery",
                   bound, filter_p);
    add_filters(&q, "", lang_p, prefix_p);
    mdl_buf_puts(s, ") END) ");
  } else {
    mdl_buf_puts(s, "(SELECT count(*) FROM best) ");
  }
  mdl_buf_puts(s,
               "FROM best b JOIN code_chunks c USING (chunk_id) "
               "ORDER BY b.score DESC, c.file_path, c.start_line");
  srv_code rc = s->failed ? srv_err_set(err, SRV_EINTERNAL, "out of memory building the query")
                          : exec_query(c, r, &q, out, err);
  mdl_buf_free(s);
  return rc;
}

/* ---- typo correction against the project's vocabulary --------------------------------------- */

typedef struct leaves {
  mdl_buf arr; /* array literal body of the query's leaf tokens */
  int n;
} leaves;

static void leaf_token(const char *tok, size_t n, int is_part, unsigned idx, void *arg) {
  (void)is_part;
  (void)idx;
  leaves *l = arg;
  char t[CB_TOKEN_MAX + 1];
  memcpy(t, tok, n);
  t[n] = '\0';
  srv_pg_array_elem(&l->arr, t);
  l->n++;
}

srv_code cb_search_correct_terms(PGconn *c, const char *project, const char *query,
                                 cb_search_corrected *out, srv_err *err) {
  leaves l;
  memset(&l, 0, sizeof l);
  PGresult *res = NULL;
  mdl_buf body = {0};
  srv_code rc = SRV_OK;
  out->n = 0;
  out->changed = 0;
  cb_tokens_leaves(query, strlen(query), leaf_token, &l);
  if (l.n == 0 || l.n > 16) goto cleanup;
  if (srv_pg_array_literal(&body, &l.arr) != 0) {
    rc = srv_err_set(err, SRV_EINTERNAL, "out of memory");
    goto cleanup;
  }
  const char *p[2] = {project, body.data};
  rc = srv_db_exec(c,
                   "SELECT q.t, EXISTS (SELECT 1 FROM code_terms WHERE project_id = $1 AND "
                   "term = q.t), (SELECT term FROM code_terms WHERE project_id = $1 AND term % q.t "
                   "ORDER BY similarity(term, q.t) DESC, term LIMIT 1) "
                   "FROM unnest($2::text[]) WITH ORDINALITY AS q(t, i) ORDER BY q.i",
                   2, p, &res, err);
  if (rc != SRV_OK) goto cleanup;
  for (int i = 0; i < PQntuples(res) && out->n < 16; i++) {
    const char *t = PQgetvalue(res, i, 0);
    int known = PQgetvalue(res, i, 1)[0] == 't';
    if (!known && !PQgetisnull(res, i, 2)) {
      t = PQgetvalue(res, i, 2);
      out->changed = 1;
    }
    snprintf(out->t[out->n++], sizeof out->t[0], "%s", t);
  }

cleanup:
  PQclear(res);
  mdl_buf_free(&body);
  mdl_buf_free(&l.arr);
  return rc;
}

/* Writes to out a tsquery (all words required) of the query's leaf tokens, each token unknown
 * to the project's vocabulary replaced by its most similar known term (pg_trgm), and to sym the
 * same over the '#'-marked symbol-name lexemes (see tokens.h). *changed = 0 when nothing was
 * replaced. */
static srv_code correct_query(PGconn *c, const char *project, const char *query, mdl_buf *out,
                              mdl_buf *sym, int *changed, srv_err *err) {
  cb_search_corrected cq;
  srv_code rc = cb_search_correct_terms(c, project, query, &cq, err);
  *changed = 0;
  if (rc != SRV_OK) return rc;
  *changed = cq.changed;
  for (int i = 0; i < cq.n; i++) {
    /* the terms are already tokens (lowercase, stemmed): quote them as they are */
    mdl_buf_printf(out, "%s'%s'", i ? " & " : "", cq.t[i]);
    mdl_buf_printf(sym, "%s'#%s'", i ? " & " : "", cq.t[i]);
  }
  return SRV_OK;
}

/* ---- result shaping -------------------------------------------------------------------------- */

typedef cb_search_terms terms;

static void collect_term(const char *tok, size_t n, int is_part, unsigned idx, void *arg) {
  (void)is_part;
  (void)idx;
  terms *t = arg;
  if (t->n < 32 && n <= CB_TOKEN_MAX) {
    memcpy(t->t[t->n], tok, n);
    t->t[t->n][n] = '\0';
    t->n++;
  }
}

void cb_search_collect_terms(const char *query, cb_search_terms *t) {
  t->n = 0;
  if (query != NULL) cb_tokens_each(query, strlen(query), collect_term, t);
}

/* Adds snippet / snippet_start_line to o: lines around the first line holding a query term. */
static void cb_search_snippet(cJSON *o, const char *content, int start_line, const terms *t) {
  const char *p = content;
  int line = 0, hit = -1;
  char tmp[1024];
  while (*p && hit < 0) {
    const char *e = strchr(p, '\n');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    size_t k = n < sizeof tmp - 1 ? n : sizeof tmp - 1;
    memcpy(tmp, p, k);
    tmp[k] = '\0';
    for (int i = 0; i < t->n && hit < 0; i++)
      if (strcasestr(tmp, t->t[i])) hit = line;
    if (!e) break;
    p = e + 1;
    line++;
  }
  if (hit < 0) hit = 0;
  int from = hit > SNIPPET_BEFORE ? hit - SNIPPET_BEFORE : 0, to = hit + SNIPPET_AFTER;
  p = content;
  for (int l = 0; l < from && p; l++) {
    p = strchr(p, '\n');
    if (p) p++;
  }
  const char *q = p;
  for (int l = from; l <= to && q && *q; l++) {
    q = strchr(q, '\n');
    if (q) q++;
  }
  size_t len = !p ? 0 : q ? (size_t)(q - p) : strlen(p);
  char *snip = malloc(len + 1);
  if (snip) {
    if (len) memcpy(snip, p, len);
    snip[len] = '\0';
    cJSON_AddStringToObject(o, "snippet", snip);
    free(snip);
  }
  cJSON_AddNumberToObject(o, "snippet_start_line", start_line + from);
}

/* Row i of res (CB_SEARCH_RESULT_COLUMNS first) as a result object without score and snippet;
 * NULL when memory runs out. */
static cJSON *cb_search_chunk_json(const PGresult *res, int i) {
  cJSON *o = cJSON_CreateObject();
  if (!o) return NULL;
  cJSON_AddStringToObject(o, "chunk_id", PQgetvalue(res, i, 0));
  cJSON_AddStringToObject(o, "project_id", PQgetvalue(res, i, 10));
  cJSON_AddStringToObject(o, "file_path", PQgetvalue(res, i, 1));
  cJSON_AddNumberToObject(o, "start_line", (double)strtol(PQgetvalue(res, i, 2), NULL, 10));
  cJSON_AddNumberToObject(o, "end_line", (double)strtol(PQgetvalue(res, i, 3), NULL, 10));
  cJSON_AddStringToObject(o, "language", PQgetvalue(res, i, 4));
  const char *sym = PQgetvalue(res, i, 5);
  if (*sym)
    cJSON_AddStringToObject(o, "symbol", sym);
  else
    cJSON_AddNullToObject(o, "symbol");
  cJSON_AddStringToObject(o, "kind", PQgetvalue(res, i, 6));
  cJSON_AddStringToObject(o, "content", PQgetvalue(res, i, 7));
  cJSON_AddStringToObject(o, "context_before", PQgetvalue(res, i, 8));
  cJSON_AddStringToObject(o, "context_after", PQgetvalue(res, i, 9));
  return o;
}

cJSON *cb_search_result_json(const PGresult *res, int i, const cb_search_terms *t) {
  cJSON *o = cb_search_chunk_json(res, i);
  if (!o) return NULL;
  double score = strtod(PQgetvalue(res, i, CB_SEARCH_RESULT_NCOLS), NULL);
  cJSON_AddNumberToObject(o, "score", (double)((long long)(score * 10000.0 + 0.5)) / 10000.0);
  cb_search_snippet(o, PQgetvalue(res, i, 7), (int)strtol(PQgetvalue(res, i, 2), NULL, 10), t);
  return o;
}

int cb_search_single_word(const char *q) {
  size_t n = 0;
  for (const char *p = q; *p; p++, n++)
    if (*p == ' ' || *p == '\t' || *p == '\n') return 0;
  return n >= 3 && n <= 128;
}

srv_code cb_search_run(PGconn *c, void *arg, srv_err *err) {
  cb_search_req *r = arg;
  if (r->opts && r->opts->engine == CB_ENGINE_MEMORY) return cb_search_mem_run(c, r, err);
  srv_code rc = SRV_OK;
  PGresult *res = NULL;
  mdl_buf tsq = {0}, prefix = {0}, sym = {0};
  qnames names;
  memset(&names, 0, sizeof names);
  terms t;
  t.n = 0;
  r->results = NULL;
  r->total_count = 0;
  r->count_capped = 0;
  r->mode = "none";
  const char *prefix_like = cb_search_prefix_like(r->path_prefix, &prefix);
  const char *fuzzy = cb_search_single_word(r->query) ? r->query : NULL;
  int words = cb_tsquery_build(r->query, 1, &tsq);
  query_names(r->query, &names);
  /* Several words: the symbol tier (all of them in the symbol name) as its own candidate arm
   * where candidates are bounded (see qargs). */
  if (words > 1) cb_tsquery_build_w(r->query, 1, 1, &sym);
  if (tsq.failed || sym.failed || prefix.failed || names.whole.failed || names.words.failed) {
    rc = srv_err_set(err, SRV_EINTERNAL, "out of memory");
    goto cleanup;
  }
  if (words == 0 && !fuzzy) goto shape; /* nothing searchable (only stop words / symbols) */
  if (words == 1) {
    /* One word can match tens of thousands of chunks, and ranking reads each one's tsvector.
     * First rank only chunks with the word in their symbol name (the '#'-marked lexemes, a GIN
     * lookup): if they fill the page they are the best answers anyway (A outweighs the rest). */
    mdl_buf ab = {0};
    cb_tsquery_build_w(r->query, 1, 1, &ab);
    qargs a = {tsq.data, ab.data, NULL, fuzzy, prefix_like, &names};
    rc = ab.failed ? srv_err_set(err, SRV_EINTERNAL, "out of memory")
                   : run_query(c, r, &a, &res, err);
    mdl_buf_free(&ab);
    if (rc != SRV_OK) goto cleanup;
    r->mode = "symbol_names";
    if (PQntuples(res) >= r->limit) goto shape;
    PQclear(res);
    res = NULL;
  }
  qargs all = {
      words ? tsq.data : NULL, NULL, words > 1 ? sym.data : NULL, fuzzy, prefix_like, &names};
  rc = run_query(c, r, &all, &res, err);
  if (rc != SRV_OK) goto cleanup;
  r->mode = words ? "all_words" : "fuzzy";
  if (PQntuples(res) == 0 && words > 0) { /* typos: correct against the vocabulary, retry */
    mdl_buf fixed = {0}, fixed_sym = {0};
    int changed = 0;
    rc = correct_query(c, r->project_id, r->query, &fixed, &fixed_sym, &changed, err);
    if (rc == SRV_OK && changed && fixed.data != NULL && !fixed.failed && !fixed_sym.failed) {
      PQclear(res);
      res = NULL;
      r->mode = "corrected";
      /* One corrected term is a known term and often a common one ("refund": 2,800 chunks):
       * as for one-word queries, chunks with it in their symbol name come first. Several
       * terms (all required) are selective enough to rank at once. */
      int one = strstr(fixed.data, " & ") == NULL;
      qargs fa = {
          fixed.data, one ? fixed_sym.data : NULL, one ? NULL : fixed_sym.data, fuzzy, prefix_like,
          &names};
      rc = run_query(c, r, &fa, &res, err);
      if (one && rc == SRV_OK && PQntuples(res) < r->limit) {
        PQclear(res);
        res = NULL;
        qargs fb = {fixed.data, NULL, NULL, fuzzy, prefix_like, &names};
        rc = run_query(c, r, &fb, &res, err);
      }
    }
    mdl_buf_free(&fixed);
    mdl_buf_free(&fixed_sym);
    if (rc != SRV_OK) goto cleanup;
  }
  if (PQntuples(res) == 0 && words > 1) {
    PQclear(res);
    res = NULL;
    mdl_buf_reset(&tsq);
    cb_tsquery_build(r->query, 0, &tsq);
    qargs any = {tsq.data, NULL, NULL, fuzzy, prefix_like, &names};
    rc = run_query(c, r, &any, &res, err);
    if (rc != SRV_OK) goto cleanup;
    r->mode = "any_word";
  }

shape:
  r->results = cJSON_CreateArray();
  if (!r->results) {
    rc = srv_err_set(err, SRV_EINTERNAL, "out of memory");
    goto cleanup;
  }
  cb_search_collect_terms(r->query, &t);
  for (int i = 0; res && i < PQntuples(res); i++) {
    cJSON *o = cb_search_result_json(res, i, &t);
    if (o) cJSON_AddItemToArray(r->results, o);
    if (i == 0) r->total_count = strtol(PQgetvalue(res, i, CB_SEARCH_RESULT_NCOLS + 1), NULL, 10);
  }
  if (r->opts != NULL && !r->opts->exact_count && r->total_count > 0) {
    long bound = r->opts->engine == CB_ENGINE_RUM ? CB_SEARCH_RUM_CANDIDATES : r->opts->rank_cap;
    r->count_capped = bound > 0 && r->total_count >= bound;
  }

cleanup:
  PQclear(res);
  mdl_buf_free(&tsq);
  mdl_buf_free(&sym);
  mdl_buf_free(&prefix);
  mdl_buf_free(&names.whole);
  mdl_buf_free(&names.words);
  if (rc != SRV_OK) {
    cJSON_Delete(r->results);
    r->results = NULL;
  }
  return rc;
}

/* ---- get_chunks ----------------------------------------------------------------------------- */

/* What happened to each missing id (see cb_chunks_req): one query over the tombstones, with the
 * likely successor found through the (project_id, file_path) index for a changed file and among
 * the project's chunks after a file deletion (a rare lookup, only for stale references). */
static srv_code missing_details(PGconn *c, cb_chunks_req *r, srv_err *err) {
  mdl_buf arr = {0}, body = {0};
  PGresult *res = NULL;
  srv_code rc = SRV_OK;
  const cJSON *id;
  cJSON_ArrayForEach(id, r->missing) {
    if (mdl_uuid_valid(id->valuestring)) srv_pg_array_elem(&arr, id->valuestring);
  }
  if (arr.len) {
    if (srv_pg_array_literal(&body, &arr) != 0) {
      rc = srv_err_set(err, SRV_EINTERNAL, "out of memory");
      goto cleanup;
    }
    const char *p[2] = {body.data, r->project_id};
    rc = srv_db_exec(
        c,
        "SELECT t.chunk_id::text, t.reason, t.file_path, t.symbol, t.kind, "
        "to_char(t.removed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
        "s.chunk_id::text, s.file_path, s.start_line, s.end_line "
        "FROM code_chunk_tombstones t LEFT JOIN LATERAL ("
        "SELECT c.chunk_id, c.file_path, c.start_line, c.end_line FROM code_chunks c "
        "WHERE c.project_id = t.project_id AND t.symbol <> '' AND c.symbol = t.symbol "
        "AND c.kind = t.kind AND c.parent_symbol = t.parent_symbol AND c.chunk_id <> t.chunk_id "
        "AND (t.reason = 'file_deleted' OR c.file_path = t.file_path) "
        "ORDER BY (c.file_path = t.file_path) DESC, c.file_path, c.start_line LIMIT 1) s ON true "
        "WHERE t.project_id = $2 AND t.chunk_id = ANY($1::uuid[])",
        2, p, &res, err);
    if (rc != SRV_OK) goto cleanup;
  }
  cJSON_ArrayForEach(id, r->missing) {
    int hit = -1;
    for (int i = 0; res && i < PQntuples(res) && hit < 0; i++)
      if (strcasecmp(PQgetvalue(res, i, 0), id->valuestring) == 0) hit = i;
    cJSON *d = cJSON_CreateObject();
    if (!d) {
      rc = srv_err_set(err, SRV_EINTERNAL, "out of memory");
      goto cleanup;
    }
    cJSON_AddItemToArray(r->missing_details, d);
    cJSON_AddStringToObject(d, "chunk_id", id->valuestring);
    if (hit < 0) {
      cJSON_AddStringToObject(d, "reason", "unknown");
      cJSON_AddNullToObject(d, "file_path");
      cJSON_AddNullToObject(d, "symbol");
      cJSON_AddNullToObject(d, "kind");
      cJSON_AddNullToObject(d, "removed_at");
      cJSON_AddNullToObject(d, "likely_successor");
      continue;
    }
    const char *sym = PQgetvalue(res, hit, 3);
    cJSON_AddStringToObject(d, "reason", PQgetvalue(res, hit, 1));
    cJSON_AddStringToObject(d, "file_path", PQgetvalue(res, hit, 2));
    if (*sym)
      cJSON_AddStringToObject(d, "symbol", sym);
    else
      cJSON_AddNullToObject(d, "symbol");
    cJSON_AddStringToObject(d, "kind", PQgetvalue(res, hit, 4));
    cJSON_AddStringToObject(d, "removed_at", PQgetvalue(res, hit, 5));
    if (PQgetisnull(res, hit, 6)) {
      cJSON_AddNullToObject(d, "likely_successor");
      continue;
    }
    cJSON *s = cJSON_AddObjectToObject(d, "likely_successor");
    if (!s) continue;
    cJSON_AddStringToObject(s, "chunk_id", PQgetvalue(res, hit, 6));
    cJSON_AddStringToObject(s, "file_path", PQgetvalue(res, hit, 7));
    cJSON_AddNumberToObject(s, "start_line", (double)strtol(PQgetvalue(res, hit, 8), NULL, 10));
    cJSON_AddNumberToObject(s, "end_line", (double)strtol(PQgetvalue(res, hit, 9), NULL, 10));
    cJSON_AddStringToObject(s, "symbol", sym);
    cJSON_AddStringToObject(s, "kind", PQgetvalue(res, hit, 4));
  }

cleanup:
  PQclear(res);
  mdl_buf_free(&arr);
  mdl_buf_free(&body);
  return rc;
}

srv_code cb_chunks_get(PGconn *c, void *arg, srv_err *err) {
  cb_chunks_req *r = arg;
  srv_code rc = SRV_OK;
  PGresult *res = NULL;
  mdl_buf arr = {0};
  r->found = cJSON_CreateArray();
  r->missing = cJSON_CreateArray();
  r->missing_details = cJSON_CreateArray();
  if (!r->found || !r->missing || !r->missing_details) {
    rc = srv_err_set(err, SRV_EINTERNAL, "out of memory");
    goto cleanup;
  }
  const cJSON *id;
  cJSON_ArrayForEach(id, r->ids) {
    if (cJSON_IsString(id) && mdl_uuid_valid(id->valuestring))
      srv_pg_array_elem(&arr, id->valuestring);
  }
  if (arr.len) {
    mdl_buf body = {0};
    if (srv_pg_array_literal(&body, &arr) != 0) {
      mdl_buf_free(&body);
      rc = srv_err_set(err, SRV_EINTERNAL, "out of memory");
      goto cleanup;
    }
    const char *p[2] = {body.data, r->project_id};
    rc = srv_db_exec(c,
                     "SELECT " RESULT_COLUMNS
                     " FROM code_chunks c "
                     "WHERE c.chunk_id = ANY($1::uuid[]) AND c.project_id = $2",
                     2, p, &res, err);
    mdl_buf_free(&body);
    if (rc != SRV_OK) goto cleanup;
  }
  cJSON_ArrayForEach(id, r->ids) {
    const char *s = cJSON_IsString(id) ? id->valuestring : "";
    int hit = -1;
    for (int i = 0; res && i < PQntuples(res) && hit < 0; i++)
      if (strcasecmp(PQgetvalue(res, i, 0), s) == 0) hit = i;
    if (hit >= 0)
      cJSON_AddItemToArray(r->found, cb_search_chunk_json(res, hit));
    else
      cJSON_AddItemToArray(r->missing, cJSON_CreateString(s));
  }
  if (cJSON_GetArraySize(r->missing) > 0) rc = missing_details(c, r, err);

cleanup:
  PQclear(res);
  mdl_buf_free(&arr);
  if (rc != SRV_OK) {
    cJSON_Delete(r->found);
    cJSON_Delete(r->missing);
    cJSON_Delete(r->missing_details);
    r->found = r->missing = r->missing_details = NULL;
  }
  return rc;
}
