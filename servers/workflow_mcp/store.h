/* store.h — the SQL helpers the workflow tools share: JSON-returning queries, the active project,
 * transactions, and the JSON shapes of rows.
 *
 * Convention: every query that returns records builds the JSON in PostgreSQL (jsonb_build_object)
 * and returns it as one text column, parsed here with cJSON; timestamps are ISO 8601 UTC with
 * milliseconds. Functions take a connection lent by srv_call_db for the duration of one database
 * operation and never keep it. Stateless; thread-safe. */
#ifndef WF_STORE_H
#define WF_STORE_H

#include <cjson/cJSON.h>
#include <libpq-fe.h>

#include "servers/common/db.h"
#include "servers/common/error.h"
#include "servers/common/tool.h"
#include "servers/workflow_mcp/sqlbuf.h"

#ifdef __cplusplus
extern "C" {
#endif

/* SQL expression: a timestamptz column as "2026-11-28T15:10:31.123Z". */
#define WF_SQL_TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

/* JSON object of a projects row aliased p. */
#define WF_SQL_PROJECT_JSON                                                       \
  "jsonb_build_object('id', p.id, 'name', p.name, 'description', p.description, " \
  "'created_at', " WF_SQL_TS("p.created_at") ")"

/* JSON object of an entities row aliased e. */
#define WF_SQL_ENTITY_JSON                                                                    \
  "jsonb_build_object('id', e.id, 'project_id', e.project_id, 'entity_type', e.entity_type, " \
  "'data', e.data, 'tags', to_jsonb(e.tags), 'version', e.version, 'created_at', " WF_SQL_TS( \
      "e.created_at") ", 'updated_at', " WF_SQL_TS("e.updated_at") ")"

/* JSON object of a work_items row aliased w. */
#define WF_SQL_WORK_ITEM_JSON                                                                \
  "jsonb_build_object('id', w.id, 'project_id', w.project_id, 'parent_id', w.parent_id, "    \
  "'title', w.title, 'item_type', w.item_type, 'status', w.status, 'metadata', w.metadata, " \
  "'entity_references', to_jsonb(w.entity_references), 'version', w.version, 'depth', "      \
  "w.depth, 'created_at', " WF_SQL_TS("w.created_at") ", 'updated_at', " WF_SQL_TS(          \
      "w.updated_at") ")"

/* SQL expression: the codebase-mcp project that holds the code of the workflow project whose name
 * is `name` — the name in codebase-mcp's project id form: lower case, every character outside
 * [a-z0-9_-] replaced by '-', at most 64 characters (so "default" <-> "default", "Billing API" ->
 * "billing-api"). get_work_item checks references only in that project (tenant isolation). */
#define WF_SQL_CODE_PROJECT(name) \
  "left(regexp_replace(lower(" name "), '[^a-z0-9_-]', '-', 'g'), 64)"

/* SQL expression: the id of the project an operation works on, given the optional project id
 * as parameter $1 (NULL => the active project); NULL when that project does not exist or none is
 * active (then call wf_resolve_project for the precise error). Saves a round trip on hot reads. */
#define WF_SQL_PROJECT_OF_P1                                         \
  "(SELECT p0.id FROM projects p0 WHERE p0.id = COALESCE($1::uuid, " \
  "(SELECT project_id FROM active_project WHERE singleton)))"

/* Runs sql (params as in srv_db_exec) expecting zero or one row whose first column is JSON text.
 * On SRV_OK *out is the parsed value (caller owns) or NULL when there was no row (or the column
 * was NULL). Database errors map as in srv_db_exec. */
srv_code wf_query_json(PGconn *c, const char *sql, int nparams, const char *const *params,
                       cJSON **out, srv_err *err);

/* The project an operation works on: `given` (a project id from the arguments; may be NULL) or
 * else the active project. Writes its id to out_id. Failures: SRV_EINVAL if given is not a UUID
 * or no project is given and none is active ("no active project: ..."), SRV_ENOTFOUND if the
 * given project does not exist; database errors as in srv_db_exec. */
srv_code wf_resolve_project(PGconn *c, const char *given, char out_id[37], srv_err *err);

#define WF_DEFAULT_PROJECT "default" /* name of the project created on first use */

/* Like wf_resolve_project, for writes (create_work_item, create_entity, register_entity_type):
 * when no project is given and none is active, the project named WF_DEFAULT_PROJECT is created if
 * it does not exist yet and made active first (a fresh server accepts the seed's payloads with no
 * setup, as codebase-mcp's "default" project does). Concurrent first writes agree on one project
 * (ON CONFLICT on the unique name and on the active-project row). Same failures otherwise. */
srv_code wf_resolve_project_for_write(PGconn *c, const char *given, char out_id[37], srv_err *err);

/* A page of query_entities / query_work_items holds at most this many bytes of rows (their JSON
 * text; the first row always comes): a page of 1,000 one-megabyte entities would otherwise cost
 * gigabytes per request. A page cut short says has_more and size_limited; ask again with
 * offset + count. */
#define WF_PAGE_BYTES_MAX 8388608
#define WF_STR_(x) #x
#define WF_STR(x) WF_STR_(x)

/* The two halves of a page query around its row query "(SELECT <json> AS j, x.created_at, x.id
 * FROM ... WHERE ... ORDER BY ... LIMIT ... OFFSET ...)": after "WITH pr AS (...), " comes
 * WF_SQL_PAGE_HEAD, then the row query without its parentheses, then WF_SQL_PAGE_TAIL, which
 * builds {"project_id", "rows", "size_cut"} as text with the rows that fit WF_PAGE_BYTES_MAX. */
#define WF_SQL_PAGE_HEAD                                                                  \
  "page AS (SELECT q.j, q.created_at, q.id, sum(octet_length(q.j::text)) OVER (ORDER BY " \
  "q.created_at, q.id) - octet_length(q.j::text) AS before FROM ("
#define WF_SQL_PAGE_TAIL \
  ") q) SELECT jsonb_build_object('project_id', (SELECT id FROM pr), 'rows', "                \
  "COALESCE((SELECT jsonb_agg(p.j ORDER BY p.created_at, p.id) FROM page p WHERE p.before < " \
  WF_STR(WF_PAGE_BYTES_MAX) "), '[]'::jsonb), 'size_cut', EXISTS (SELECT 1 FROM page p "      \
  "WHERE p.before >= " WF_STR(WF_PAGE_BYTES_MAX) "))::text"

/* Turns a page query's {"project_id", "rows": [at most limit + 1 rows], "size_cut"} into the
 * tools' answer {project_id, <key>: rows[0..limit), count, has_more, limit, offset[,
 * size_limited: true]} (a new object in *out the caller owns). SRV_EINTERNAL if res lacks those
 * fields or memory runs out. */
srv_code wf_finish_page(const cJSON *res, const char *key, long limit, long offset, cJSON **out,
                        srv_err *err);

/* The one paged query of query_entities and query_work_items, in two calls around the
 * caller's conditions. wf_page_begin starts sql with $1 = given (the project id argument; NULL =>
 * the active project), WF_SQL_PAGE_HEAD and "SELECT <row_json> AS j, <alias>.created_at,
 * <alias>.id FROM <table> <alias> WHERE <alias>.project_id = <that project>"; the caller then
 * appends " AND ..." conditions with their parameters. wf_page_run ends it (ORDER BY created_at,
 * id; LIMIT args.limit (default 100) + 1; OFFSET args.offset (default 0); WF_SQL_PAGE_TAIL),
 * runs it on c and builds the answer under key as wf_finish_page does (*out, caller owns).
 * Failures: those of wf_sql_append / wf_sql_param; database errors as in srv_db_exec; the error
 * of wf_resolve_project when the project does not exist or none is active; SRV_EUNAVAIL (retry)
 * when the project vanished during the query. */
srv_code wf_page_begin(wf_sql *sql, const char *given, const char *row_json, const char *table,
                       const char *alias, srv_err *err);
srv_code wf_page_run(PGconn *c, wf_sql *sql, const char *alias, const char *given,
                     const cJSON *args, const char *key, cJSON **out, srv_err *err);

/* After an UPDATE of row id of project in table guarded by "version = sent" changed nothing:
 * SRV_ENOTFOUND ("<noun> <id> does not exist in project <project>") when the row is gone, else
 * the stale-version error naming the current version and what to do (reread). table is one of
 * the schema's tables, never user input. */
srv_code wf_version_error(PGconn *c, const char *table, const char *noun, const char *id,
                          const char *project, const char *sent, const char *reread, srv_err *err);

/* The end of every tool that answers what its database step built: srv_call_db(call, fn, op,
 * retry_safe) and, on success, *result (filled by fn) moved into *out. */
srv_code wf_call_db_out(srv_call *call, srv_db_fn fn, void *op, int retry_safe, cJSON **result,
                        cJSON **out, srv_err *err);

/* The end of every create tool: gives id a fresh UUID v4, runs fn(op) through srv_call_db as safe
 * to retry (fn inserts with that id and ON CONFLICT DO NOTHING, so a retried attempt cannot add a
 * second row) and, on success, answers 201 and moves *result (what fn built) into *out. what
 * names the row in the error when no id can be made ("an entity"). */
srv_code wf_create_with_id(srv_call *call, char id[37], const char *what, srv_db_fn fn, void *op,
                           cJSON **result, cJSON **out, srv_err *err);

/* BEGIN / COMMIT / ROLLBACK. wf_rollback never fails (a lost connection is reported by the
 * caller's own error). */
srv_code wf_begin(PGconn *c, srv_err *err);
srv_code wf_commit(PGconn *c, srv_err *err);
void wf_rollback(PGconn *c);

/* The string argument `key` of args, or NULL when absent or JSON null. */
const char *wf_arg_str(const cJSON *args, const char *key);

/* The integer argument `key` (the registry has checked its type and range), or dflt. */
long wf_arg_int(const cJSON *args, const char *key, long dflt);

/* The argument `key` printed as compact JSON text (caller frees), or NULL when absent. */
char *wf_arg_json(const cJSON *args, const char *key);

/* A text[] literal of the string array argument `key` (caller frees), or NULL when absent.
 * Every element is checked with check(what, s, err) when check is non-NULL ("what" is
 * "<key>[i]"); *rc gets SRV_OK or the failure (then NULL is returned). max caps the length. */
char *wf_arg_text_array(const cJSON *args, const char *key, int max,
                        srv_code (*check)(const char *what, const char *s, srv_err *err),
                        srv_code *rc, srv_err *err);

#ifdef __cplusplus
}
#endif

#endif /* WF_STORE_H */
