/* sqlbuf.c — growing SQL text with positional parameters (see sqlbuf.h).
 *
 * The text grows in the one buffer (models/buf.h); every parameter is a private copy so callers
 * may free theirs. */
#include "servers/workflow_mcp/sqlbuf.h"

#include <assert.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "servers/common/pgtext.h"

void wf_sql_init(wf_sql *sql) {
  assert(sql != NULL);
  memset(sql, 0, sizeof(*sql));
}

void wf_sql_free(wf_sql *sql) {
  if (sql == NULL) return;
  mdl_buf_free(&sql->text);
  for (int i = 0; i < sql->nparams; i++) free(sql->params[i]);
  wf_sql_init(sql);
}

srv_code wf_sql_append(wf_sql *sql, srv_err *err, const char *fmt, ...) {
  assert(sql != NULL && fmt != NULL);
  va_list ap;
  va_start(ap, fmt);
  mdl_code rc = mdl_buf_vprintf(&sql->text, fmt, ap);
  va_end(ap);
  if (rc != MDL_OK) return srv_err_set(err, SRV_EINTERNAL, "out of memory building SQL");
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
  mdl_buf b = MDL_BUF_INIT;
  srv_pg_text_array(&b, items, (size_t)n);
  char *out = mdl_buf_take(&b);
  mdl_buf_free(&b);
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
