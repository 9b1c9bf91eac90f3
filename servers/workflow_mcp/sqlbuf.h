/* sqlbuf.h — a growing SQL text plus its positional parameters ($1, $2, ...).
 *
 * Owns the SQL text and copies of every parameter value. Values never enter the SQL text: each
 * one becomes a "$n" placeholder, so compiled filters cannot inject SQL. text[] parameters are
 * quoted by servers/common/pgtext.h. Not thread-safe per object; no global state. */
#ifndef WF_SQLBUF_H
#define WF_SQLBUF_H

#include <stddef.h>

#include "models/buf.h"
#include "servers/common/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* At most this many parameters in one statement (far below PostgreSQL's 65535). */
#define WF_SQL_MAX_PARAMS 128

typedef struct wf_sql {
  mdl_buf text; /* the SQL (text.data NUL-terminated; NULL until the first append) */
  char *params[WF_SQL_MAX_PARAMS]; /* owned copies; NULL entries are SQL NULLs */
  int nparams;                     /* parameters added so far; the next one is $(nparams + 1) */
} wf_sql;

/* Initialises an empty buffer (no allocation). */
void wf_sql_init(wf_sql *sql);

/* Frees the text and every parameter and leaves sql empty (re-usable). NULL-safe. */
void wf_sql_free(wf_sql *sql);

/* Appends printf-formatted text. Callers format only SQL syntax and "$n" numbers here, never
 * values. SRV_EINTERNAL (out of memory) on failure; the buffer keeps its previous content. */
srv_code wf_sql_append(wf_sql *sql, srv_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Adds a copy of value (NULL => SQL NULL) as the next parameter and writes its number to *num.
 * SRV_EINVAL when the statement already has WF_SQL_MAX_PARAMS parameters (the message says the
 * filter is too large), SRV_EINTERNAL when out of memory. */
srv_code wf_sql_param(wf_sql *sql, const char *value, int *num, srv_err *err);

/* Adds a parameter whose value is a PostgreSQL text[] literal of items[0..n) (each quoted and
 * backslash-escaped, so any string is safe). Same failures as wf_sql_param. */
srv_code wf_sql_param_text_array(wf_sql *sql, const char *const *items, int n, int *num,
                                 srv_err *err);

/* Writes the text[] literal of items[0..n) into a new string the caller frees, or NULL when out
 * of memory. */
char *wf_sql_text_array_literal(const char *const *items, int n);

#ifdef __cplusplus
}
#endif

#endif /* WF_SQLBUF_H */
