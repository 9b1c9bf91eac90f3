/* store.c — shared SQL helpers of the workflow tools (see store.h). */
#include "servers/workflow_mcp/store.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/uuid.h"
#include "servers/common/db.h"
#include "servers/workflow_mcp/names.h"
#include "servers/workflow_mcp/sqlbuf.h"

srv_code wf_query_json(PGconn *c, const char *sql, int nparams, const char *const *params,
                       cJSON **out, srv_err *err) {
  assert(c != NULL && sql != NULL && out != NULL);
  PGresult *res = NULL;
  *out = NULL;
  srv_code rc = srv_db_exec(c, sql, nparams, params, &res, err);
  if (rc != SRV_OK) return rc;
  if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0)) {
    *out = cJSON_Parse(PQgetvalue(res, 0, 0));
    if (*out == NULL)
      rc = srv_err_set(err, SRV_EINTERNAL, "cannot parse the JSON the database returned");
  }
  PQclear(res);
  return rc;
}

srv_code wf_resolve_project(PGconn *c, const char *given, char out_id[37], srv_err *err) {
  PGresult *res = NULL;
  srv_code rc;
  if (given != NULL && (rc = wf_check_uuid("project_id", given, err)) != SRV_OK) return rc;
  const char *params[1] = {given};
  rc = srv_db_exec(c,
                   given ? "SELECT id FROM projects WHERE id = $1::uuid"
                         : "SELECT project_id FROM active_project WHERE singleton",
                   given ? 1 : 0, given ? params : NULL, &res, err);
  if (rc != SRV_OK) return rc;
  if (PQntuples(res) == 0) {
    rc = given
             ? srv_err_set(err, SRV_ENOTFOUND,
                           "project %s does not exist: list_projects shows the existing ids", given)
             : srv_err_set(err, SRV_EINVAL,
                           "no active project: create one with create_project and select it with "
                           "switch_project, or pass project_id");
  } else {
    snprintf(out_id, 37, "%s", PQgetvalue(res, 0, 0));
  }
  PQclear(res);
  return rc;
}

srv_code wf_resolve_project_for_write(PGconn *c, const char *given, char out_id[37], srv_err *err) {
  srv_code rc = wf_resolve_project(c, given, out_id, err);
  if (rc != SRV_EINVAL || given != NULL) return rc;
  /* No active project: create "default" on first use (or reuse it) and make it active, unless a
   * concurrent call made another project active meanwhile (then that one is used). */
  srv_err_clear(err);
  rc = srv_db_exec(
      c,
      "WITH ins AS (INSERT INTO projects (name, description) VALUES ('" WF_DEFAULT_PROJECT
      "', 'created on first use by a write without project_id') "
      "ON CONFLICT (name) DO NOTHING RETURNING id), "
      "p AS (SELECT id FROM ins UNION ALL SELECT id FROM projects WHERE name = '" WF_DEFAULT_PROJECT
      "') "
      "INSERT INTO active_project (singleton, project_id) SELECT true, id FROM p "
      "LIMIT 1 ON CONFLICT (singleton) DO NOTHING",
      0, NULL, NULL, err);
  if (rc != SRV_OK) return rc;
  return wf_resolve_project(c, NULL, out_id, err);
}

srv_code wf_finish_page(const cJSON *res, const char *key, long limit, long offset, cJSON **out,
                        srv_err *err) {
  const cJSON *pid = cJSON_GetObjectItemCaseSensitive(res, "project_id");
  const cJSON *rows = cJSON_GetObjectItemCaseSensitive(res, "rows");
  *out = NULL;
  if (!cJSON_IsString(pid) || !cJSON_IsArray(rows))
    return srv_err_set(err, SRV_EINTERNAL, "page query returned no project_id/rows");
  cJSON *o = cJSON_CreateObject();
  cJSON *page = cJSON_Duplicate(rows, 1);
  if (o == NULL || page == NULL) {
    cJSON_Delete(o);
    cJSON_Delete(page);
    return srv_err_set(err, SRV_EINTERNAL, "out of memory");
  }
  int has_more = cJSON_GetArraySize(page) > limit;
  int cut = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "size_cut"));
  if (has_more) cJSON_DeleteItemFromArray(page, (int)limit);
  has_more |= cut;
  cJSON_AddStringToObject(o, "project_id", pid->valuestring);
  cJSON_AddNumberToObject(o, "count", cJSON_GetArraySize(page));
  cJSON_AddItemToObject(o, key, page);
  cJSON_AddBoolToObject(o, "has_more", has_more);
  cJSON_AddNumberToObject(o, "limit", (double)limit);
  cJSON_AddNumberToObject(o, "offset", (double)offset);
  if (cut) cJSON_AddBoolToObject(o, "size_limited", 1);
  *out = o;
  return SRV_OK;
}

srv_code wf_page_begin(wf_sql *sql, const char *given, const char *row_json, const char *table,
                       const char *alias, srv_err *err) {
  int n = 0;
  srv_code rc = wf_sql_param(sql, given, &n, err);
  if (rc != SRV_OK) return rc;
  /* One round trip: the project is resolved inside the statement ($1). */
  return wf_sql_append(sql, err,
                       "WITH pr AS (SELECT " WF_SQL_PROJECT_OF_P1 " AS id), " WF_SQL_PAGE_HEAD
                       "SELECT %s AS j, %s.created_at, %s.id FROM %s %s "
                       "WHERE %s.project_id = (SELECT id FROM pr)",
                       row_json, alias, alias, table, alias, alias);
}

srv_code wf_page_run(PGconn *c, wf_sql *sql, const char *alias, const char *given,
                     const cJSON *args, const char *key, cJSON **out, srv_err *err) {
  char lim[24], off[24];
  long limit = wf_arg_int(args, "limit", 100), offset = wf_arg_int(args, "offset", 0);
  cJSON *res = NULL;
  int nl = 0, no = 0;
  snprintf(lim, sizeof(lim), "%ld", limit + 1); /* one more row tells whether there are more */
  snprintf(off, sizeof(off), "%ld", offset);
  srv_code rc = wf_sql_param(sql, lim, &nl, err);
  if (rc == SRV_OK) rc = wf_sql_param(sql, off, &no, err);
  if (rc == SRV_OK)
    rc = wf_sql_append(
        sql, err, " ORDER BY %s.created_at, %s.id LIMIT $%d::int OFFSET $%d::int" WF_SQL_PAGE_TAIL,
        alias, alias, nl, no);
  if (rc == SRV_OK)
    rc =
        wf_query_json(c, sql->text.data, sql->nparams, (const char *const *)sql->params, &res, err);
  if (rc != SRV_OK) goto cleanup;
  if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(res, "project_id"))) {
    char project[37];
    rc = wf_resolve_project(c, given, project, err); /* says why there is no project */
    if (rc == SRV_OK)
      rc = srv_err_set(err, SRV_EUNAVAIL, "the project changed during the query; retry");
    goto cleanup;
  }
  rc = wf_finish_page(res, key, limit, offset, out, err);
cleanup:
  cJSON_Delete(res);
  return rc;
}

srv_code wf_begin(PGconn *c, srv_err *err) {
  return srv_db_exec(c, "BEGIN", 0, NULL, NULL, err);
}

srv_code wf_commit(PGconn *c, srv_err *err) {
  return srv_db_exec(c, "COMMIT", 0, NULL, NULL, err);
}

void wf_rollback(PGconn *c) {
  PGresult *res = PQexec(c, "ROLLBACK");
  PQclear(res);
}

const char *wf_arg_str(const cJSON *args, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, key);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

long wf_arg_int(const cJSON *args, const char *key, long dflt) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, key);
  /* The schema admits integers up to 2^53 only; the range check keeps the conversion defined
   * whatever reaches here. */
  if (!cJSON_IsNumber(v) || !(v->valuedouble > -9007199254740992.0) ||
      !(v->valuedouble < 9007199254740992.0))
    return dflt;
  return (long)v->valuedouble;
}

char *wf_arg_json(const cJSON *args, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, key);
  if (v == NULL) return NULL;
  return cJSON_PrintUnformatted(v);
}

char *wf_arg_text_array(const cJSON *args, const char *key, int max,
                        srv_code (*check)(const char *what, const char *s, srv_err *err),
                        srv_code *rc, srv_err *err) {
  const cJSON *arr = cJSON_GetObjectItemCaseSensitive(args, key);
  const char **items = NULL;
  char *lit = NULL;
  *rc = SRV_OK;
  if (arr == NULL || cJSON_IsNull(arr)) return NULL;
  if (!cJSON_IsArray(arr)) {
    *rc = srv_err_set(err, SRV_EINVAL, "%s must be an array of strings", key);
    return NULL;
  }
  int n = cJSON_GetArraySize(arr);
  if (n > max) {
    *rc = srv_err_set(err, SRV_EINVAL, "%s has %d elements, at most %d are allowed", key, n, max);
    return NULL;
  }
  items = calloc((size_t)n + 1, sizeof(*items));
  if (items == NULL) {
    *rc = srv_err_set(err, SRV_EINTERNAL, "out of memory");
    return NULL;
  }
  int i = 0;
  const cJSON *e;
  cJSON_ArrayForEach(e, arr) {
    char what[96];
    snprintf(what, sizeof(what), "%s[%d]", key, i);
    if (!cJSON_IsString(e)) {
      *rc = srv_err_set(err, SRV_EINVAL, "%s must be a string", what);
      goto cleanup;
    }
    if (check != NULL && (*rc = check(what, e->valuestring, err)) != SRV_OK) goto cleanup;
    items[i++] = e->valuestring;
  }
  lit = wf_sql_text_array_literal(items, i);
  if (lit == NULL) *rc = srv_err_set(err, SRV_EINTERNAL, "out of memory");
cleanup:
  free(items);
  return lit;
}

srv_code wf_create_with_id(srv_call *call, char id[37], const char *what, srv_db_fn fn, void *op,
                           cJSON **result, cJSON **out, srv_err *err) {
  assert(call != NULL && id != NULL && fn != NULL && result != NULL && out != NULL);
  mdl_err me;
  if (mdl_uuid_v4(id, &me) != MDL_OK)
    return srv_err_set(err, SRV_EINTERNAL, "cannot generate an id for %s", what);
  srv_code rc = wf_call_db_out(call, fn, op, 1, result, out, err);
  if (rc == SRV_OK) call->http_status = 201;
  return rc;
}

srv_code wf_call_db_out(srv_call *call, srv_db_fn fn, void *op, int retry_safe, cJSON **result,
                        cJSON **out, srv_err *err) {
  assert(call != NULL && fn != NULL && result != NULL && out != NULL);
  srv_code rc = srv_call_db(call, fn, op, retry_safe, err);
  if (rc != SRV_OK) return rc;
  *out = *result;
  *result = NULL;
  return SRV_OK;
}

srv_code wf_version_error(PGconn *c, const char *table, const char *noun, const char *id,
                          const char *project, const char *sent, const char *reread, srv_err *err) {
  char sql[128];
  PGresult *res = NULL;
  const char *p[2] = {id, project};
  assert(table != NULL && noun != NULL && reread != NULL);
  snprintf(sql, sizeof sql, "SELECT version FROM %s WHERE id = $1::uuid AND project_id = $2::uuid",
           table);
  srv_code rc = srv_db_exec(c, sql, 2, p, &res, err);
  if (rc != SRV_OK) return rc;
  if (PQntuples(res) == 0)
    rc = srv_err_set(err, SRV_ENOTFOUND, "%s %s does not exist in project %s", noun, id, project);
  else
    rc =
        srv_err_stale_version(err, strtol(PQgetvalue(res, 0, 0), NULL, 10),
                              "version conflict: %s %s is at version %s, not %s (another update "
                              "came first); current_version=%s: %s",
                              noun, id, PQgetvalue(res, 0, 0), sent, PQgetvalue(res, 0, 0), reread);
  PQclear(res);
  return rc;
}
