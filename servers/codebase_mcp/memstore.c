/* memstore.c — the per-process cache of memory indexes and their load from PostgreSQL (see
 * memstore.h).
 *
 * A load reads the project's chunks through a cursor, FETCH_ROWS at a time, so the rows in
 * flight stay a few MB whatever the project's size (the tsvector text of 167,000 chunks is
 * ~100 MB), inside one REPEATABLE READ transaction that also reads the generation: the index is
 * exactly the rows of that generation. Rows come in (file_path, start_line, chunk_id) order,
 * which is the index's tie order, so a reload of unchanged rows ranks exactly as before. */
#include "servers/codebase_mcp/memstore.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/buf.h"
#include "models/uuid.h"
#include "servers/common/db.h"
#include "servers/common/log.h"
#include "servers/common/timeutil.h"

#define FETCH_ROWS 5000
#define PROJECT_MAX 64

typedef struct entry {
  char project[PROJECT_MAX + 1];
  pthread_mutex_t load_mu; /* one load of this project at a time */
  cb_memidx *idx;          /* guarded by the store's mu; NULL until loaded or once evicted */
  uint64_t used;           /* guarded by mu: the store's tick at the last search or install */
  struct entry *next;
} entry;

struct cb_memstore {
  pthread_mutex_t mu; /* guards head, tick, evictions and every entry's idx and used */
  entry *head;
  uint64_t budget; /* bytes; 0: no limit */
  uint64_t tick;
  uint64_t evictions;
};

cb_memstore *cb_memstore_new(uint64_t budget_bytes) {
  cb_memstore *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->budget = budget_bytes;
  pthread_mutex_init(&s->mu, NULL);
  return s;
}

/* Under mu: the bytes and projects of the indexes held, and the evictions so far. */
static cb_memstore_stats stats_locked(const cb_memstore *s) {
  cb_memstore_stats st = {0, 0, s->evictions};
  for (const entry *e = s->head; e; e = e->next)
    if (e->idx) {
      st.bytes += cb_memidx_bytes(e->idx);
      st.projects++;
    }
  return st;
}

cb_memstore_stats cb_memstore_stats_now(cb_memstore *s) {
  pthread_mutex_lock(&s->mu);
  cb_memstore_stats st = stats_locked(s);
  pthread_mutex_unlock(&s->mu);
  return st;
}

void cb_memstore_free(cb_memstore *s) {
  if (!s) return;
  entry *e = s->head;
  while (e) {
    entry *n = e->next;
    cb_memidx_release(e->idx);
    pthread_mutex_destroy(&e->load_mu);
    free(e);
    e = n;
  }
  pthread_mutex_destroy(&s->mu);
  free(s);
}

/* The project's entry, created when absent; NULL when memory runs out. */
static entry *entry_of(cb_memstore *s, const char *project) {
  pthread_mutex_lock(&s->mu);
  entry *e = s->head;
  while (e && strcmp(e->project, project) != 0) e = e->next;
  if (!e && strlen(project) <= PROJECT_MAX && (e = calloc(1, sizeof *e)) != NULL) {
    snprintf(e->project, sizeof e->project, "%s", project);
    pthread_mutex_init(&e->load_mu, NULL);
    e->next = s->head;
    s->head = e;
  }
  pthread_mutex_unlock(&s->mu);
  return e;
}

static cb_memidx *current(cb_memstore *s, entry *e) {
  pthread_mutex_lock(&s->mu);
  cb_memidx *m = e->idx;
  if (m) {
    cb_memidx_retain(m);
    e->used = ++s->tick;
  }
  pthread_mutex_unlock(&s->mu);
  return m;
}

/* Under mu: detaches the least recently used indexes other than keep's until the store fits its
 * budget; returns how many, their indexes in victims[] (at most n) for release outside the
 * lock and their projects in names[]. */
static int evict_locked(cb_memstore *s, const entry *keep, cb_memidx **victims,
                        char (*names)[PROJECT_MAX + 1], int n) {
  if (s->budget == 0) return 0;
  uint64_t total = stats_locked(s).bytes;
  int k = 0;
  while (total > s->budget && k < n) {
    entry *lru = NULL;
    for (entry *e = s->head; e; e = e->next)
      if (e->idx && e != keep && (!lru || e->used < lru->used)) lru = e;
    if (!lru) break; /* only keep is left: a project larger than the budget is still served */
    total -= cb_memidx_bytes(lru->idx);
    snprintf(names[k], sizeof names[k], "%s", lru->project);
    victims[k++] = lru->idx;
    lru->idx = NULL;
    s->evictions++;
  }
  return k;
}

#define EVICT_MAX 16 /* per install; the next install evicts more if still over budget */

/* Takes over the caller's reference to m unless the entry holds a newer generation already,
 * then evicts what no longer fits the budget. */
static void install(cb_memstore *s, entry *e, cb_memidx *m) {
  cb_memidx *victims[EVICT_MAX];
  char names[EVICT_MAX][PROJECT_MAX + 1];
  pthread_mutex_lock(&s->mu);
  cb_memidx *old = m;
  if (!e->idx || cb_memidx_generation(m) >= cb_memidx_generation(e->idx)) {
    old = e->idx;
    e->idx = m;
  }
  e->used = ++s->tick;
  int n = evict_locked(s, e, victims, names, EVICT_MAX);
  uint64_t budget = s->budget;
  pthread_mutex_unlock(&s->mu);
  cb_memidx_release(old);
  for (int i = 0; i < n; i++) {
    uint64_t bytes = cb_memidx_bytes(victims[i]);
    cJSON *ctx = cJSON_CreateObject();
    if (ctx) {
      cJSON_AddStringToObject(ctx, "project_id", names[i]);
      cJSON_AddNumberToObject(ctx, "bytes", (double)bytes);
      cJSON_AddNumberToObject(ctx, "budget_bytes", (double)budget);
    }
    srv_log_event_ctx(SRV_LOG_INFO, "memidx_evicted", ctx,
                      "project %s: memory index (%.1f MB) dropped to stay within "
                      "CODEBASE_MEMIDX_MAX_MB (%.0f MB); its next search loads it again",
                      names[i], (double)bytes / 1048576.0, (double)budget / 1048576.0);
    cJSON_Delete(ctx);
    cb_memidx_release(victims[i]); /* searches still holding it keep their reference */
  }
}

static srv_code read_generation(PGconn *c, const char *project, int64_t *gen, srv_err *err) {
  PGresult *res = NULL;
  const char *p[1] = {project};
  srv_code rc = srv_db_exec(c,
                            "SELECT coalesce((SELECT generation FROM code_index_generations "
                            "WHERE project_id = $1), 0)",
                            1, p, &res, err);
  if (rc == SRV_OK) *gen = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
  PQclear(res);
  return rc;
}

srv_code cb_memstore_load(PGconn *c, const char *project, cb_memidx **out, srv_err *err) {
  int64_t t0 = srv_mono_us();
  *out = NULL;
  cb_memidx_builder *b = cb_memidx_builder_new();
  PGresult *res = NULL;
  mdl_buf sql = {0};
  char *lit = NULL;
  int in_tx = 0;
  int64_t gen = 0;
  srv_code rc = SRV_OK;
  if (!b) return srv_err_set(err, SRV_EINTERNAL, "out of memory");
  rc = srv_db_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL, NULL, err);
  if (rc != SRV_OK) goto cleanup;
  in_tx = 1;
  /* a whole project: not bound by the request statement timeout */
  rc = srv_db_exec(c, "SET LOCAL statement_timeout = '300s'", 0, NULL, NULL, err);
  if (rc == SRV_OK) rc = read_generation(c, project, &gen, err);
  if (rc != SRV_OK) goto cleanup;
  lit = PQescapeLiteral(c, project, strlen(project));
  if (!lit) {
    rc = srv_err_set(err, SRV_EINTERNAL, "out of memory");
    goto cleanup;
  }
  mdl_buf_printf(&sql,
                 "DECLARE cb_memidx_rows NO SCROLL CURSOR FOR SELECT chunk_id, language, "
                 "file_path, symbol, parent_symbol, tsv FROM code_chunks WHERE project_id = %s "
                 "ORDER BY file_path, start_line, chunk_id",
                 lit);
  if (sql.failed) {
    rc = srv_err_set(err, SRV_EINTERNAL, "out of memory");
    goto cleanup;
  }
  rc = srv_db_exec(c, sql.data, 0, NULL, NULL, err);
  if (rc != SRV_OK) goto cleanup;
  for (;;) {
    char fetch[64];
    snprintf(fetch, sizeof fetch, "FETCH FORWARD %d FROM cb_memidx_rows", FETCH_ROWS);
    rc = srv_db_exec(c, fetch, 0, NULL, &res, err);
    if (rc != SRV_OK) goto cleanup;
    int n = PQntuples(res);
    if (n == 0) break;
    for (int i = 0; i < n; i++) {
      cb_memidx_doc d;
      if (!mdl_uuid_parse(PQgetvalue(res, i, 0), d.id)) {
        rc = srv_err_set(err, SRV_EINTERNAL, "chunk id %s is not a UUID", PQgetvalue(res, i, 0));
        goto cleanup;
      }
      d.language = PQgetvalue(res, i, 1);
      d.file_path = PQgetvalue(res, i, 2);
      d.symbol = PQgetvalue(res, i, 3);
      d.parent_symbol = PQgetvalue(res, i, 4);
      d.tsv = PQgetvalue(res, i, 5);
      if (cb_memidx_builder_add(b, &d) != 0) {
        rc = srv_err_set(err, SRV_EINTERNAL,
                         "building the memory index of project %s failed at chunk %s (out of "
                         "memory, or its tsvector could not be read)",
                         project, PQgetvalue(res, i, 0));
        goto cleanup;
      }
    }
    PQclear(res);
    res = NULL;
  }
  rc = srv_db_exec(c, "COMMIT", 0, NULL, NULL, err);
  if (rc != SRV_OK) goto cleanup;
  in_tx = 0;
  int built = cb_memidx_build(b, gen, out);
  b = NULL;
  if (built != 0) {
    rc = srv_err_set(err, SRV_EINTERNAL, "out of memory building the memory index of %s", project);
    goto cleanup;
  }
  double ms = (double)(srv_mono_us() - t0) / 1000.0;
  cJSON *ctx = cJSON_CreateObject();
  if (ctx) {
    cJSON_AddStringToObject(ctx, "project_id", project);
    cJSON_AddNumberToObject(ctx, "generation", (double)gen);
    cJSON_AddNumberToObject(ctx, "docs", cb_memidx_docs(*out));
    cJSON_AddNumberToObject(ctx, "terms", cb_memidx_terms(*out));
    cJSON_AddNumberToObject(ctx, "postings", (double)cb_memidx_postings(*out));
    cJSON_AddNumberToObject(ctx, "bytes", (double)cb_memidx_bytes(*out));
    cJSON_AddNumberToObject(ctx, "load_ms", ms);
  }
  srv_log_event_ctx(SRV_LOG_INFO, "memidx_loaded", ctx,
                    "project %s generation %lld: %u chunks, %llu postings, %.1f MB in %.0f ms",
                    project, (long long)gen, cb_memidx_docs(*out),
                    (unsigned long long)cb_memidx_postings(*out),
                    (double)cb_memidx_bytes(*out) / 1048576.0, ms);
  cJSON_Delete(ctx);

cleanup:
  if (rc != SRV_OK && in_tx && PQstatus(c) == CONNECTION_OK) {
    PGresult *rb = PQexec(c, "ROLLBACK");
    PQclear(rb);
  }
  PQclear(res);
  PQfreemem(lit);
  mdl_buf_free(&sql);
  cb_memidx_builder_free(b);
  return rc;
}

srv_code cb_memstore_get(cb_memstore *s, PGconn *c, const char *project, cb_memidx **out,
                         srv_err *err) {
  *out = NULL;
  entry *e = entry_of(s, project);
  if (!e) return srv_err_set(err, SRV_EINTERNAL, "out of memory");
  cb_memidx *m = current(s, e);
  srv_code rc = SRV_OK;
  if (!m) {
    pthread_mutex_lock(&e->load_mu);
    m = current(s, e); /* another thread may have loaded it meanwhile */
    if (!m) {
      rc = cb_memstore_load(c, project, &m, err);
      if (rc == SRV_OK) {
        cb_memidx_retain(m);
        install(s, e, m);
      }
    }
    pthread_mutex_unlock(&e->load_mu);
  }
  *out = m;
  return rc;
}

srv_code cb_memstore_refresh(cb_memstore *s, PGconn *c, const char *project, int64_t generation,
                             srv_err *err) {
  entry *e = entry_of(s, project);
  if (!e) return srv_err_set(err, SRV_EINTERNAL, "out of memory");
  srv_code rc = SRV_OK;
  if (generation < 0) {
    rc = read_generation(c, project, &generation, err);
    if (rc != SRV_OK) return rc;
  }
  pthread_mutex_lock(&e->load_mu);
  cb_memidx *m = current(s, e);
  if (!m || cb_memidx_generation(m) < generation) {
    cb_memidx *fresh = NULL;
    rc = cb_memstore_load(c, project, &fresh, err);
    if (rc == SRV_OK) install(s, e, fresh);
  }
  cb_memidx_release(m);
  pthread_mutex_unlock(&e->load_mu);
  return rc;
}
