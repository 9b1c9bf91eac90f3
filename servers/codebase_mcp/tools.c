/* tools.c — the four tools of codebase-mcp, their schemas and REST routes, and the server's
 * init/fini hooks (see tools.h). Handlers validate what the schemas cannot express (project_id
 * rules, a whitespace-only query) with messages naming the field and what to do. */
#include "servers/codebase_mcp/tools.h"

#include <stdlib.h>
#include <string.h>

#include "servers/codebase_mcp/codebase_migrations.h"
#include "servers/codebase_mcp/indexer.h"
#include "servers/codebase_mcp/lang.h"
#include "servers/codebase_mcp/memstore.h"
#include "servers/codebase_mcp/search.h"
#include "servers/common/db.h"
#include "servers/common/log.h"
#include "servers/common/timeutil.h"

typedef struct cb_server {
  cb_indexer *ix;
  cb_search_opts search; /* the engine and its knobs (CODEBASE_SEARCH_*) */
  cb_memstore *mem;      /* the memory engine's indexes (NULL for the other engines) */
  srv_pool *pool;
} cb_server;

/* ---- argument helpers ------------------------------------------------------------------------ */

static const char *str_arg(const cJSON *args, const char *name) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, name);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

static srv_code project_arg(const cJSON *args, const char **out, srv_err *err) {
  const char *p = str_arg(args, "project_id");
  if (!p) p = "default";
  if (!cb_project_id_valid(p))
    return srv_err_set(err, SRV_EINVAL,
                       "project_id '%.80s' is invalid: use 1-64 characters from lowercase "
                       "letters, digits, '-' and '_' (e.g. \"my-repo\"), or omit it for "
                       "\"default\"",
                       p);
  *out = p;
  return SRV_OK;
}

static cb_server *server_of(srv_call *call) {
  return call->user;
}

/* ---- handlers -------------------------------------------------------------------------------- */

static srv_code h_start(srv_call *call, const cJSON *args, cJSON **out, srv_err *err) {
  const char *project = NULL;
  srv_code rc = project_arg(args, &project, err);
  if (rc != SRV_OK) return rc;
  if (!server_of(call))
    return srv_err_set(err, SRV_EUNAVAIL, "the indexer is not running; retry later");
  const cJSON *force = cJSON_GetObjectItemCaseSensitive(args, "force_reindex");
  return cb_indexer_start(server_of(call)->ix, str_arg(args, "repo_path"), project,
                          cJSON_IsTrue(force), call->deadline_ms, out, err);
}

static srv_code h_status(srv_call *call, const cJSON *args, cJSON **out, srv_err *err) {
  if (!server_of(call))
    return srv_err_set(err, SRV_EUNAVAIL, "the indexer is not running; retry later");
  return cb_indexer_status(server_of(call)->ix, str_arg(args, "job_id"), call->deadline_ms, out,
                           err);
}

static srv_code h_search(srv_call *call, const cJSON *args, cJSON **out, srv_err *err) {
  int64_t t0 = srv_mono_us();
  cb_search_req req;
  memset(&req, 0, sizeof req);
  srv_code rc = project_arg(args, &req.project_id, err);
  if (rc != SRV_OK) return rc;
  req.query = str_arg(args, "query");
  int blank = 1;
  for (const char *p = req.query ? req.query : ""; *p; p++)
    if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') blank = 0;
  if (blank)
    return srv_err_set(err, SRV_EINVAL,
                       "query is empty: give words or an identifier to search for, e.g. "
                       "\"parse invoice header\"");
  const cJSON *lim = cJSON_GetObjectItemCaseSensitive(args, "limit");
  req.limit = cJSON_IsNumber(lim) ? lim->valueint : 10;
  if (req.limit < 1 || req.limit > CB_SEARCH_LIMIT_MAX)
    return srv_err_set(err, SRV_EINVAL,
                       "limit must be between 1 and %d (got %d): pass a value in range or omit "
                       "it for 10",
                       CB_SEARCH_LIMIT_MAX, req.limit);
  req.language = str_arg(args, "language");
  if (req.language && !*req.language) req.language = NULL;
  if (req.language && !cb_lang_is_known(req.language))
    return srv_err_set(err, SRV_EINVAL,
                       "language '%.40s' is unknown: use e.g. \"python\", \"javascript\", "
                       "\"markdown\" or \"text\", or omit it",
                       req.language);
  req.path_prefix = str_arg(args, "file_path_prefix");
  if (server_of(call)) {
    req.opts = &server_of(call)->search;
    req.mem = server_of(call)->mem;
  }
  rc = srv_call_db(call, cb_search_run, &req, 1, err);
  if (rc != SRV_OK) return rc;
  cJSON *o = cJSON_CreateObject();
  if (!o) {
    cJSON_Delete(req.results);
    return srv_err_set(err, SRV_EINTERNAL, "out of memory");
  }
  cJSON_AddItemToObject(o, "results", req.results);
  cJSON_AddNumberToObject(o, "total_count", (double)req.total_count);
  if (req.count_capped) cJSON_AddTrueToObject(o, "total_count_capped");
  cJSON_AddStringToObject(o, "project_id", req.project_id);
  cJSON_AddStringToObject(o, "match_mode", req.mode);
  cJSON_AddNumberToObject(o, "latency_ms", (double)(srv_mono_us() - t0) / 1000.0);
  *out = o;
  return SRV_OK;
}

static srv_code h_chunks(srv_call *call, const cJSON *args, cJSON **out, srv_err *err) {
  cb_chunks_req req;
  memset(&req, 0, sizeof req);
  srv_code prc = project_arg(args, &req.project_id, err);
  if (prc != SRV_OK) return prc;
  const cJSON *ids = cJSON_GetObjectItemCaseSensitive(args, "chunk_ids");
  const char *one = str_arg(args, "id");
  cJSON *single = NULL;
  if (!ids && one) {
    single = cJSON_CreateArray();
    if (!single) return srv_err_set(err, SRV_EINTERNAL, "out of memory");
    cJSON_AddItemToArray(single, cJSON_CreateString(one));
    ids = single;
  }
  if (!cJSON_IsArray(ids)) {
    cJSON_Delete(single);
    return srv_err_set(err, SRV_EINVAL,
                       "chunk_ids is missing: pass {\"chunk_ids\": [\"<chunk id>\", ...]} with the "
                       "chunk_id values returned by search_code");
  }
  req.ids = ids;
  srv_code rc = srv_call_db(call, cb_chunks_get, &req, 1, err);
  if (rc == SRV_OK && single && cJSON_GetArraySize(req.found) == 0) {
    rc = srv_err_set(err, SRV_ENOTFOUND,
                     "chunk %.80s not found in project \"%s\": it was deleted or its code "
                     "changed and was re-indexed (a stale reference), or it belongs to another "
                     "project; search again for a current chunk",
                     one, req.project_id);
    cJSON_Delete(req.found);
    cJSON_Delete(req.missing);
    cJSON_Delete(req.missing_details);
  }
  cJSON_Delete(single);
  if (rc != SRV_OK) return rc;
  cJSON *o = cJSON_CreateObject();
  if (!o) {
    cJSON_Delete(req.found);
    cJSON_Delete(req.missing);
    cJSON_Delete(req.missing_details);
    return srv_err_set(err, SRV_EINTERNAL, "out of memory");
  }
  cJSON_AddStringToObject(o, "project_id", req.project_id);
  cJSON_AddItemToObject(o, "found", req.found);
  cJSON_AddItemToObject(o, "missing", req.missing);
  cJSON_AddItemToObject(o, "missing_details", req.missing_details);
  *out = o;
  return SRV_OK;
}

/* ---- declarations ---------------------------------------------------------------------------- */

static const srv_tool kTools[] = {
    {"start_indexing_background",
     "Index a source repository (a directory on the server's machine) into a project for "
     "code search. Returns a job_id at once; poll get_indexing_status with it. Unchanged files "
     "are skipped on re-index unless force_reindex is true; deleted files are removed.",
     "{\"type\":\"object\",\"properties\":{"
     "\"repo_path\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":4096,"
     "\"description\":\"absolute path of the repository directory\"},"
     "\"project_id\":{\"type\":\"string\",\"maxLength\":200,"
     "\"description\":\"tenant: 1-64 of [a-z0-9_-]; default \\\"default\\\"\"},"
     "\"force_reindex\":{\"type\":\"boolean\",\"description\":\"re-index unchanged files too\"}},"
     "\"required\":[\"repo_path\"],\"additionalProperties\":false}",
     NULL, h_start, 0},
    {"get_indexing_status",
     "Progress of an indexing job: status (pending, running, completed, failed), file and chunk "
     "counters, percent, elapsed and estimated remaining milliseconds, error when failed.",
     "{\"type\":\"object\",\"properties\":{\"job_id\":{\"type\":\"string\",\"minLength\":1,"
     "\"maxLength\":100}},\"required\":[\"job_id\"],\"additionalProperties\":false}",
     NULL, h_status, SRV_TOOL_READONLY | SRV_TOOL_IDEMPOTENT},
    {"search_code",
     "Search the indexed code of a project with words or identifiers (camelCase and snake_case "
     "are split). Returns ranked chunks (functions, classes, methods, or line windows) with "
     "file, lines, content, a snippet around the match and surrounding context lines.",
     "{\"type\":\"object\",\"properties\":{"
     "\"query\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":1000},"
     "\"project_id\":{\"type\":\"string\",\"maxLength\":200},"
     "\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":50,\"description\":\"default 10\"},"
     "\"language\":{\"type\":\"string\",\"maxLength\":40},"
     "\"file_path_prefix\":{\"type\":\"string\",\"maxLength\":4096}},"
     "\"required\":[\"query\"],\"additionalProperties\":false}",
     NULL, h_search, SRV_TOOL_READONLY | SRV_TOOL_IDEMPOTENT},
    {"get_chunks",
     "Look chunks of one project (project_id, default \"default\") up by chunk_id: which still "
     "exist (found, with their content) and which are gone (missing). A chunk of another project "
     "is reported missing, exactly like an id that never existed. missing_details says for each "
     "missing id what happened: reason \"changed\" (its file changed and was re-indexed), "
     "\"file_deleted\" (its file was deleted and the project re-indexed) or \"unknown\", with "
     "the old file_path and symbol, and likely_successor: the current chunk with the same symbol "
     "(or null).",
     "{\"type\":\"object\",\"properties\":{"
     "\"project_id\":{\"type\":\"string\",\"maxLength\":200},"
     "\"chunk_ids\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"maxLength\":100},"
     "\"maxItems\":1000},"
     "\"id\":{\"type\":\"string\",\"maxLength\":100}},\"additionalProperties\":false}",
     NULL, h_chunks, SRV_TOOL_READONLY | SRV_TOOL_IDEMPOTENT},
};

static const srv_route kRoutes[] = {
    {"POST", "/mcp/search", "search_code"},
    {"GET", "/mcp/chunks/{id}", "get_chunks"},
    {"GET", "/mcp/projects/{project_id}/chunks/{id}", "get_chunks"},
    {"GET", "/mcp/jobs/{job_id}", "get_indexing_status"},
};

/* gin: chunks ranked per query at most (CODEBASE_SEARCH_RANK_CAP; 0 = every match). */
#define CB_DEFAULT_RANK_CAP 0
/* MB of memory indexes kept per process. Measured (//benchmarks:scale_50k): the 10,000-file
 * fixture's index adds ~30 MB of RSS, the 50,000-file one ~130 MB; 256 keeps both and more. */
#define CB_DEFAULT_MEMIDX_MAX_MB 256

/* *out = the integer setting name from the environment (dflt when unset or empty); SRV_EINVAL
 * naming the variable, what is allowed and the value given when it is not an integer in
 * [lo, hi]. */
static srv_code env_setting(const char *name, long dflt, long lo, long hi, const char *allowed,
                            long *out, srv_err *err) {
  const char *s = getenv(name);
  *out = dflt;
  if (!s || !*s) return SRV_OK;
  char *end;
  long v = strtol(s, &end, 10);
  if (*end || v < lo || v > hi)
    return srv_err_set(err, SRV_EINVAL, "%s must be %s, got '%.40s'", name, allowed, s);
  *out = v;
  return SRV_OK;
}

/* The search engine and its knobs from the environment (tools.h); SRV_EINVAL naming the variable,
 * the value and what is allowed. */
static srv_code search_opts_from_env(cb_search_opts *o, srv_err *err) {
  const char *e = getenv("CODEBASE_SEARCH_ENGINE");
  memset(o, 0, sizeof *o);
  /* memory: the fastest design measured (issue 13, docs/performance/search-engines.md). */
  o->engine = CB_ENGINE_MEMORY;
  if (e && *e && cb_search_engine_parse(e, &o->engine) != 0)
    return srv_err_set(err, SRV_EINVAL,
                       "CODEBASE_SEARCH_ENGINE must be one of memory, gin, rum (default memory), "
                       "got '%.40s'",
                       e);
  long prepared, cap, exact;
  srv_code rc = env_setting("CODEBASE_SEARCH_PREPARED", 1, 0, 1, "0 or 1", &prepared, err);
  if (rc == SRV_OK)
    rc = env_setting("CODEBASE_SEARCH_RANK_CAP", CB_DEFAULT_RANK_CAP, 0, 1000000,
                     "0 (rank every match) to 1000000", &cap, err);
  if (rc == SRV_OK) rc = env_setting("CODEBASE_SEARCH_EXACT_COUNT", 1, 0, 1, "0 or 1", &exact, err);
  if (rc != SRV_OK) return rc;
  if (cap > 0 && cap < CB_SEARCH_LIMIT_MAX) cap = CB_SEARCH_LIMIT_MAX; /* a full page at least */
  o->exact_count = (int)exact;
  o->prepared = (int)prepared;
  o->rank_cap = (int)cap;
  return SRV_OK;
}

static srv_code schema_step(PGconn *c, void *arg, srv_err *err) {
  return cb_search_schema_apply(c, *(const cb_search_engine *)arg, err);
}

/* ---- the memory engine's index at the end of a job ------------------------------------------ */

typedef struct refresh_arg {
  cb_memstore *mem;
  const char *project;
} refresh_arg;

static srv_code refresh_fn(PGconn *c, void *arg, srv_err *err) {
  refresh_arg *a = arg;
  return cb_memstore_refresh(a->mem, c, a->project, -1, err);
}

/* cb_indexer_config.on_completed: builds the project's index from the rows just committed, so
 * the next search finds it ready. A failure only logs: the next search loads it itself. */
static void job_completed(void *arg, const char *project) {
  cb_server *s = arg;
  refresh_arg a = {s->mem, project};
  srv_err err = {0};
  if (srv_db_run(s->pool, srv_mono_ms() + 600000, refresh_fn, &a, 1, &err) != SRV_OK)
    srv_log_event(SRV_LOG_WARN, "memidx_build_failed",
                  "project %s: building the memory index after the job failed (the next "
                  "search loads it): %s",
                  project, err.msg);
}

/* ---- the memory engine's figures in /metrics --------------------------------------------- */

static double memidx_bytes_fn(void *arg) {
  return (double)cb_memstore_stats_now(arg).bytes;
}
static double memidx_projects_fn(void *arg) {
  return (double)cb_memstore_stats_now(arg).projects;
}
static double memidx_evictions_fn(void *arg) {
  return (double)cb_memstore_stats_now(arg).evictions;
}

static srv_code memstore_metrics(srv_metrics *m, cb_memstore *mem, srv_err *err) {
  if (!m) return SRV_OK;
  srv_code rc = srv_metrics_gauge_fn(m, "memidx_bytes",
                                     "Bytes of the memory engine's indexes held by this process",
                                     memidx_bytes_fn, mem, err);
  if (rc == SRV_OK)
    rc =
        srv_metrics_gauge_fn(m, "memidx_projects", "Projects whose memory index this process holds",
                             memidx_projects_fn, mem, err);
  if (rc == SRV_OK)
    rc = srv_metrics_counter_fn(m, "memidx_evictions_total",
                                "Memory indexes dropped to stay within CODEBASE_MEMIDX_MAX_MB",
                                memidx_evictions_fn, mem, err);
  return rc;
}

static srv_code cb_init(srv_app *app, void **user, srv_err *err) {
  long threads, cap, max_jobs, mem_mb;
  srv_code erc = env_setting("CODEBASE_INDEX_THREADS", 2, 1, 32, "1-32", &threads, err);
  if (erc == SRV_OK)
    erc = env_setting("CODEBASE_MAX_FILE_BYTES", 1 << 20, 1, 1L << 30, "1-1073741824", &cap, err);
  if (erc == SRV_OK) erc = env_setting("INDEX_MAX_JOBS", 4, 1, 64, "1-64", &max_jobs, err);
  if (erc == SRV_OK)
    erc = env_setting("CODEBASE_MEMIDX_MAX_MB", CB_DEFAULT_MEMIDX_MAX_MB, 0, 1048576,
                      "0 (no limit) to 1048576", &mem_mb, err);
  if (erc != SRV_OK) return erc;
  cb_search_opts so;
  srv_code orc = search_opts_from_env(&so, err);
  if (orc != SRV_OK) return orc;
  /* The engine's schema (search.h): fails the start-up when the DDL fails; a database that
   * cannot be reached now is warned about, and the server serves on as before. */
  srv_err serr = {0};
  orc = srv_db_run(srv_app_pool(app), srv_mono_ms() + 5000, schema_step, &so.engine, 1, &serr);
  if (orc == SRV_EUNAVAIL || orc == SRV_EBUSY)
    srv_log_event(SRV_LOG_WARN, "search_schema_skipped",
                  "could not prepare the schema of search engine %s: %s",
                  cb_search_engine_name(so.engine), serr.msg);
  else if (orc != SRV_OK)
    return srv_err_set(err, orc, "search engine %s: %s", cb_search_engine_name(so.engine),
                       serr.msg);
  else
    srv_log_event(SRV_LOG_INFO, "search_engine",
                  "search engine %s (prepared %d, rank cap %d, exact count %d)",
                  cb_search_engine_name(so.engine), so.prepared, so.rank_cap, so.exact_count);
  cb_server *s = calloc(1, sizeof *s);
  if (!s) return srv_err_set(err, SRV_EINTERNAL, "out of memory");
  s->search = so;
  s->pool = srv_app_pool(app);
  if (so.engine == CB_ENGINE_MEMORY) {
    if ((s->mem = cb_memstore_new((uint64_t)mem_mb << 20)) == NULL) {
      free(s);
      return srv_err_set(err, SRV_EINTERNAL, "out of memory");
    }
    srv_code mrc = memstore_metrics(srv_app_metrics(app), s->mem, err);
    if (mrc != SRV_OK) {
      cb_memstore_free(s->mem);
      free(s);
      return mrc;
    }
  }
  cb_indexer_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.pool = srv_app_pool(app);
  cfg.index_roots = srv_app_config(app)->index_roots;
  cfg.threads = (int)threads;
  cfg.max_file_bytes = cap;
  cfg.max_jobs = (int)max_jobs;
  if (s->mem) {
    cfg.on_completed = job_completed;
    cfg.on_completed_arg = s;
  }
  srv_code rc = cb_indexer_new(&cfg, &s->ix, err);
  if (rc != SRV_OK) {
    cb_memstore_free(s->mem);
    free(s);
    return rc;
  }
  srv_err rerr = {0};
  if (cb_indexer_recover(s->ix, srv_mono_ms() + 2000, &rerr) != SRV_OK)
    srv_log_event(SRV_LOG_WARN, "index_jobs_recover_skipped",
                  "could not mark interrupted indexing jobs as failed: %s", rerr.msg);
  *user = s;
  return SRV_OK;
}

static void cb_fini(void *user) {
  cb_server *s = user;
  if (!s) return;
  cb_indexer_free(s->ix); /* joins the jobs, which may still be building an index */
  cb_memstore_free(s->mem);
  free(s);
}

srv_app_def cb_app_definition(void) {
  srv_app_def d = {
      .name = "codebase-mcp",
      .version = "0.1.0",
      .description =
          "code search MCP server: indexes repositories with tree-sitter into "
          "PostgreSQL and answers ranked code search queries",
      .metric_prefix = "codebase_mcp",
      .default_port = 8020,
      .pool_min = 5,
      .pool_max = 20,
      .migrations = codebase_migrations,
      .n_migrations = 0, /* below: the count is not a constant expression */
      .tools = kTools,
      .n_tools = sizeof kTools / sizeof kTools[0],
      .routes = kRoutes,
      .n_routes = sizeof kRoutes / sizeof kRoutes[0],
      .init = cb_init,
      .fini = cb_fini,
      .instructions =
          "Index a repository with start_indexing_background, poll "
          "get_indexing_status, then search_code. Chunk ids are stable while the code "
          "is unchanged; get_chunks tells which ids still exist.",
  };
  d.n_migrations = codebase_migrations_count;
  return d;
}
