/* filter.c — JSON filter to parameterised SQL (see filter.h for the syntax).
 *
 * One walk over the filter: plain fields are copied into a containment document (one `@>`
 * condition at the end), operator objects become one condition per operator on a text[] path
 * parameter. Messages name the path as "filter.a.b.$op". */
#include "servers/workflow_mcp/filter.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct walk {
  wf_sql *sql;
  const char *col;
  srv_err *err;
  int nconds;
  const char *path[WF_FILTER_MAX_DEPTH]; /* keys from the root to the current object */
  int depth;
} walk;

/* "filter.a.b" (+ ".suffix" when suffix is non-NULL) into buf. */
static const char *path_label(const walk *w, const char *last, const char *suffix, char *buf,
                              size_t n) {
  size_t k = (size_t)snprintf(buf, n, "filter");
  for (int i = 0; i < w->depth && k < n; i++)
    k += (size_t)snprintf(buf + k, n - k, ".%s", w->path[i]);
  if (last != NULL && k < n) k += (size_t)snprintf(buf + k, n - k, ".%s", last);
  if (suffix != NULL && k < n) snprintf(buf + k, n - k, ".%s", suffix);
  return buf;
}

/* Short rendering of a JSON value for messages (at most ~60 chars). */
static void value_text(const cJSON *v, char *buf, size_t n) {
  char *s = cJSON_PrintUnformatted(v);
  if (s == NULL) {
    snprintf(buf, n, "?");
    return;
  }
  if (strlen(s) > 60)
    snprintf(buf, n, "%.57s...", s);
  else
    snprintf(buf, n, "%s", s);
  free(s);
}

static int is_operator_object(const cJSON *o) {
  if (!cJSON_IsObject(o) || o->child == NULL) return 0;
  for (const cJSON *c = o->child; c; c = c->next)
    if (c->string == NULL || c->string[0] != '$') return 0;
  return 1;
}

/* Adds the path (w->path + key) as a text[] parameter. */
static srv_code path_param(walk *w, const char *key, int *num) {
  const char *items[WF_FILTER_MAX_DEPTH + 1];
  int n = 0;
  for (int i = 0; i < w->depth; i++) items[n++] = w->path[i];
  items[n++] = key;
  return wf_sql_param_text_array(w->sql, items, n, num, w->err);
}

static srv_code json_param(walk *w, const cJSON *v, int *num) {
  char *s = cJSON_PrintUnformatted(v);
  if (s == NULL) return srv_err_set(w->err, SRV_EINTERNAL, "out of memory printing a filter value");
  srv_code rc = wf_sql_param(w->sql, s, num, w->err);
  free(s);
  return rc;
}

static const struct {
  const char *op;
  const char *sql;
} ORDER_OPS[] = {{"$gt", ">"}, {"$gte", ">="}, {"$lt", "<"}, {"$lte", "<="}};

/* One operator on the path w->path + key. Scalar $eq goes into contain instead. */
static srv_code compile_op(walk *w, const char *key, const cJSON *op, cJSON *contain) {
  char label[256], vt[80];
  const char *name = op->string;
  const char *col = w->col;
  int p = 0, v = 0;
  srv_code rc = SRV_OK;
  if (++w->nconds > WF_FILTER_MAX_CONDS)
    return srv_err_set(w->err, SRV_EINVAL,
                       "filter has more than %d comparisons: split the query or use containment",
                       WF_FILTER_MAX_CONDS);
  if (strcmp(name, "$eq") == 0 && !cJSON_IsObject(op) && !cJSON_IsArray(op)) {
    cJSON *dup = cJSON_Duplicate(op, 1);
    if (dup == NULL || !cJSON_AddItemToObject(contain, key, dup)) {
      cJSON_Delete(dup);
      return srv_err_set(w->err, SRV_EINTERNAL, "out of memory compiling the filter");
    }
    return SRV_OK;
  }
  if (strcmp(name, "$eq") == 0 || strcmp(name, "$ne") == 0) {
    if ((rc = path_param(w, key, &p)) != SRV_OK) return rc;
    if ((rc = json_param(w, op, &v)) != SRV_OK) return rc;
    return wf_sql_append(w->sql, w->err, " AND ((%s #> $%d::text[]) %s $%d::jsonb)", col, p,
                         name[1] == 'e' ? "=" : "IS DISTINCT FROM", v);
  }
  for (size_t i = 0; i < sizeof(ORDER_OPS) / sizeof(ORDER_OPS[0]); i++) {
    if (strcmp(name, ORDER_OPS[i].op) != 0) continue;
    if (cJSON_IsNumber(op)) {
      if ((rc = path_param(w, key, &p)) != SRV_OK) return rc;
      if ((rc = json_param(w, op, &v)) != SRV_OK) return rc;
      return wf_sql_append(w->sql, w->err,
                           " AND (CASE WHEN jsonb_typeof(%s #> $%d::text[]) = 'number' THEN (%s #> "
                           "$%d::text[])::numeric %s $%d::numeric ELSE false END)",
                           col, p, col, p, ORDER_OPS[i].sql, v);
    }
    if (cJSON_IsString(op)) {
      if ((rc = path_param(w, key, &p)) != SRV_OK) return rc;
      if ((rc = wf_sql_param(w->sql, op->valuestring, &v, w->err)) != SRV_OK) return rc;
      return wf_sql_append(
          w->sql, w->err,
          " AND (CASE WHEN jsonb_typeof(%s #> $%d::text[]) = 'string' THEN (%s #>> "
          "$%d::text[]) %s $%d::text ELSE false END)",
          col, p, col, p, ORDER_OPS[i].sql, v);
    }
    value_text(op, vt, sizeof(vt));
    return srv_err_set(w->err, SRV_EINVAL, "%s must be a number or a string (got %s)",
                       path_label(w, key, name, label, sizeof(label)), vt);
  }
  if (strcmp(name, "$in") == 0) {
    if (!cJSON_IsArray(op)) {
      value_text(op, vt, sizeof(vt));
      return srv_err_set(w->err, SRV_EINVAL, "%s must be an array of candidate values (got %s)",
                         path_label(w, key, name, label, sizeof(label)), vt);
    }
    if ((rc = path_param(w, key, &p)) != SRV_OK) return rc;
    if ((rc = json_param(w, op, &v)) != SRV_OK) return rc;
    return wf_sql_append(w->sql, w->err,
                         " AND ((%s #> $%d::text[]) IN (SELECT jsonb_array_elements($%d::jsonb)))",
                         col, p, v);
  }
  if (strcmp(name, "$exists") == 0) {
    if (!cJSON_IsBool(op)) {
      value_text(op, vt, sizeof(vt));
      return srv_err_set(w->err, SRV_EINVAL, "%s must be true or false (got %s)",
                         path_label(w, key, name, label, sizeof(label)), vt);
    }
    if ((rc = path_param(w, key, &p)) != SRV_OK) return rc;
    return wf_sql_append(w->sql, w->err, " AND ((%s #> $%d::text[]) IS %sNULL)", col, p,
                         cJSON_IsTrue(op) ? "NOT " : "");
  }
  return srv_err_set(w->err, SRV_EINVAL,
                     "%s: unknown operator \"%s\"; use one of $eq, $ne, $gt, $gte, $lt, $lte, $in, "
                     "$exists",
                     path_label(w, key, NULL, label, sizeof(label)), name);
}

/* Walks obj (at w->path), copying plain fields into contain. */
static srv_code walk_object(walk *w, const cJSON *obj, cJSON *contain) {
  char label[256];
  for (const cJSON *c = obj->child; c; c = c->next) {
    const char *key = c->string;
    if (key[0] == '$')
      return srv_err_set(
          w->err, SRV_EINVAL,
          "%s: operator \"%s\" must sit in an object of operators under a field, e.g. "
          "{\"amount\": {\"$gte\": 100}}; do not mix operators and field names",
          path_label(w, NULL, NULL, label, sizeof(label)), key);
    if (is_operator_object(c)) {
      if (w->depth + 1 >= WF_FILTER_MAX_DEPTH)
        return srv_err_set(w->err, SRV_EINVAL, "%s is nested deeper than %d levels",
                           path_label(w, key, NULL, label, sizeof(label)), WF_FILTER_MAX_DEPTH);
      for (const cJSON *op = c->child; op; op = op->next) {
        srv_code rc = compile_op(w, key, op, contain);
        if (rc != SRV_OK) return rc;
      }
      continue;
    }
    if (cJSON_IsObject(c) && c->child != NULL) {
      if (w->depth + 1 >= WF_FILTER_MAX_DEPTH)
        return srv_err_set(w->err, SRV_EINVAL, "%s is nested deeper than %d levels",
                           path_label(w, key, NULL, label, sizeof(label)), WF_FILTER_MAX_DEPTH);
      cJSON *sub = cJSON_CreateObject();
      if (sub == NULL)
        return srv_err_set(w->err, SRV_EINTERNAL, "out of memory compiling the filter");
      w->path[w->depth++] = key;
      srv_code rc = walk_object(w, c, sub);
      w->depth--;
      if (rc != SRV_OK || sub->child == NULL) {
        cJSON_Delete(sub);
        if (rc != SRV_OK) return rc;
        continue;
      }
      /* A scalar $eq may already have put this key into contain; merge is not needed because
       * keys in one JSON object are unique (cJSON keeps duplicates, PostgreSQL takes the last). */
      cJSON_AddItemToObject(contain, key, sub);
      continue;
    }
    cJSON *dup = cJSON_Duplicate(c, 1);
    if (dup == NULL || !cJSON_AddItemToObject(contain, key, dup)) {
      cJSON_Delete(dup);
      return srv_err_set(w->err, SRV_EINTERNAL, "out of memory compiling the filter");
    }
  }
  return SRV_OK;
}

srv_code wf_filter_compile(const cJSON *filter, const char *column, wf_sql *sql, srv_err *err) {
  assert(column != NULL && sql != NULL);
  srv_code rc = SRV_OK;
  cJSON *contain = NULL;
  walk w;
  memset(&w, 0, sizeof(w));
  w.sql = sql;
  w.col = column;
  w.err = err;
  if (filter == NULL || cJSON_IsNull(filter)) return SRV_OK;
  if (!cJSON_IsObject(filter)) {
    char vt[80];
    value_text(filter, vt, sizeof(vt));
    return srv_err_set(err, SRV_EINVAL,
                       "filter must be a JSON object such as {\"status\": \"open\"} (got %s)", vt);
  }
  contain = cJSON_CreateObject();
  if (contain == NULL) return srv_err_set(err, SRV_EINTERNAL, "out of memory compiling the filter");
  if ((rc = walk_object(&w, filter, contain)) != SRV_OK) goto cleanup;
  if (contain->child != NULL) {
    int v = 0;
    if ((rc = json_param(&w, contain, &v)) != SRV_OK) goto cleanup;
    rc = wf_sql_append(sql, err, " AND (%s @> $%d::jsonb)", column, v);
  }
cleanup:
  cJSON_Delete(contain);
  return rc;
}
