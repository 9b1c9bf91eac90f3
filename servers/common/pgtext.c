/* pgtext.c — text[] literals and COPY fields (see pgtext.h). */
#include "servers/common/pgtext.h"

#include <assert.h>

/* Appends s double-quoted, with '"' and '\' escaped. */
static mdl_code quoted(mdl_buf *out, const char *s) {
  assert(s != NULL);
  mdl_buf_putc(out, '"');
  for (const char *p = s; *p; p++) {
    if (*p == '"' || *p == '\\') mdl_buf_putc(out, '\\');
    mdl_buf_putc(out, *p);
  }
  return mdl_buf_putc(out, '"');
}

mdl_code srv_pg_array_elem(mdl_buf *body, const char *s) {
  if (body->len) mdl_buf_putc(body, ',');
  return quoted(body, s);
}

mdl_code srv_pg_array_literal(mdl_buf *out, const mdl_buf *body) {
  mdl_buf_reset(out);
  mdl_buf_putc(out, '{');
  if (body->len) mdl_buf_add(out, body->data, body->len);
  return mdl_buf_putc(out, '}');
}

mdl_code srv_pg_text_array(mdl_buf *out, const char *const *items, size_t n) {
  assert(n == 0 || items != NULL);
  mdl_buf_putc(out, '{');
  for (size_t i = 0; i < n; i++) {
    if (i > 0) mdl_buf_putc(out, ',');
    quoted(out, items[i]);
  }
  return mdl_buf_putc(out, '}');
}

mdl_code srv_pg_copy_field(mdl_buf *b, const char *p, size_t n) {
  /* Worst case doubles the size; reserve once, then write without checks. */
  if (n > ((size_t)-1) / 2) return mdl_buf_reserve(b, (size_t)-1); /* fails: too large */
  mdl_code rc = mdl_buf_reserve(b, 2 * n);
  if (rc != MDL_OK) return rc;
  char *o = b->data + b->len;
  for (size_t i = 0; i < n; i++) {
    char c = p[i];
    switch (c) {
      case '\\':
        *o++ = '\\';
        *o++ = '\\';
        break;
      case '\t':
        *o++ = '\\';
        *o++ = 't';
        break;
      case '\n':
        *o++ = '\\';
        *o++ = 'n';
        break;
      case '\r':
        *o++ = '\\';
        *o++ = 'r';
        break;
      case '\0':
        break;
      default:
        *o++ = c;
    }
  }
  b->len = (size_t)(o - b->data);
  b->data[b->len] = '\0';
  return MDL_OK;
}
