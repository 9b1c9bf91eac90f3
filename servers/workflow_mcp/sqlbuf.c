/* sqlbuf.c — growing SQL text with positional parameters (see sqlbuf.h).
 *
 * Growth doubles the capacity; every parameter is a private copy so callers may free theirs. */
#include "servers/workflow_mcp/sqlbuf.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void wf_sql_init(wf_sql *sql) {
  assert(sql != NULL);
  memset(sql, 0, sizeof(*sql));
}

void wf_sql_free(wf_sql *sql) {
  if (sql == NULL) return;
  free(sql->text);
  for (int i = 0; i < sql->nparams; i++) free(sql->params[i]);
  wf_sql_init(sql);
}

static int reserve(wf_sql *sql, size_t need) {
  if (sql->len + need + 1 <= sql->cap) return 1;
  size_t cap = sql->cap ? sql->cap : 256;
  while (cap < sql->len + need + 1) cap *= 2;
  char *p = realloc(sql->text, cap);
  if (p == NULL) return 0;
  sql->text = p;
  sql->cap = cap;
  return 1;
}

srv_code wf_sql_append(wf_sql *sql, srv_err *err, const char *fmt, ...) {
  assert(sql != NULL && fmt != NULL);
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return srv_err_set(err, SRV_EINTERNAL, "cannot format SQL text");
  if (!reserve(sql, (size_t)n))
    return srv_err_set(err, SRV_EINTERNAL, "out of memory building SQL");
  va_start(ap, fmt);
  vsnprintf(sql->text + sql->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  sql->len += (size_t)n;
  return SRV_OK;
}

srv_code wf_sql_param(wf_sql *sql, const char *value, int *num, srv_err *err) {
  assert(sql != NULL && num != NULL);
  if (sql->nparams >= WF_SQL_MAX_PARAMS)
    return srv_err_set(
        err, SRV_EINVAL,
        "the query needs more than %d parameters: use fewer filter conditions or tags",
        WF_SQL_MAX_PARAMS);
  char *copy = NULL;
  if (value != NULL) {
    copy = strdup(value);
    if (copy == NULL) return srv_err_set(err, SRV_EINTERNAL, "out of memory building SQL");
  }
  sql->params[sql->nparams++] = copy;
  *num = sql->nparams;
  return SRV_OK;
}

char *wf_sql_text_array_literal(const char *const *items, int n) {
  assert(n >= 0 && (n == 0 || items != NULL));
  size_t need = 3; /* braces + NUL */
  for (int i = 0; i < n; i++) {
    need += 3; /* quotes + comma */
    for (const char *s = items[i]; *s; s++) need += (*s == '"' || *s == '\\') ? 2 : 1;
  }
  char *out = malloc(need);
  if (out == NULL) return NULL;
  size_t k = 0;
  out[k++] = '{';
  for (int i = 0; i < n; i++) {
    if (i > 0) out[k++] = ',';
    out[k++] = '"';
    for (const char *s = items[i]; *s; s++) {
      if (*s == '"' || *s == '\\') out[k++] = '\\';
      out[k++] = *s;
    }
    out[k++] = '"';
  }
  out[k++] = '}';
  out[k] = '\0';
  return out;
}

srv_code wf_sql_param_text_array(wf_sql *sql, const char *const *items, int n, int *num,
                                 srv_err *err) {
  char *lit = wf_sql_text_array_literal(items, n);
  if (lit == NULL) return srv_err_set(err, SRV_EINTERNAL, "out of memory building SQL");
  srv_code rc = wf_sql_param(sql, lit, num, err);
  free(lit);
  return rc;
}
