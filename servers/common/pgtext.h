/* pgtext.h — PostgreSQL's text encodings that values are sent in: text[] array literals and COPY
 * text-format fields.
 *
 * The one place that quotes an array element ("{\"a\",\"b\"}", for `$n::text[]` parameters) and
 * escapes a COPY field (backslash, tab, newline, carriage return). Both append to an mdl_buf
 * (models/buf.h), so any string is safe and failures are the buffer's sticky ones (MDL_ENOMEM,
 * MDL_ERANGE at the buffer's limit). Pure functions, no state. */
#ifndef SRV_PGTEXT_H
#define SRV_PGTEXT_H

#include <stddef.h>

#include "models/buf.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Appends s as one element of an array literal's body: a comma first when body is not empty,
 * then s double-quoted with '"' and '\' backslash-escaped. */
mdl_code srv_pg_array_elem(mdl_buf *body, const char *s);

/* Replaces out's content with the literal "{" body "}" (body as srv_pg_array_elem builds it;
 * empty => "{}"). */
mdl_code srv_pg_array_literal(mdl_buf *out, const mdl_buf *body);

/* Appends the text[] literal of items[0..n) to out. */
mdl_code srv_pg_text_array(mdl_buf *out, const char *const *items, size_t n);

/* Appends n bytes escaped for a COPY text-format field (backslash, tab, newline and carriage
 * return escaped; NUL bytes dropped). */
mdl_code srv_pg_copy_field(mdl_buf *b, const char *p, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* SRV_PGTEXT_H */
