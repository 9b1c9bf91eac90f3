/* buf.c — growable NUL-terminated byte buffer (see buf.h). Grows geometrically. */
#include "servers/codebase_mcp/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cb_buf_reserve(cb_buf *b, size_t extra) {
  if (b->failed) return -1;
  if (b->len + extra + 1 <= b->cap) return 0;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra + 1) cap *= 2;
  char *p = realloc(b->data, cap);
  if (!p) {
    b->failed = 1;
    return -1;
  }
  b->data = p;
  b->cap = cap;
  return 0;
}

void cb_buf_append(cb_buf *b, const void *p, size_t n) {
  if (cb_buf_reserve(b, n) != 0) return;
  if (n) memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void cb_buf_puts(cb_buf *b, const char *s) { cb_buf_append(b, s, strlen(s)); }

void cb_buf_putc(cb_buf *b, char c) {
  if (cb_buf_reserve(b, 1) != 0) return;
  b->data[b->len++] = c;
  b->data[b->len] = '\0';
}

void cb_buf_printf(cb_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char small[256];
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n < sizeof small) {
    cb_buf_append(b, small, (size_t)n);
    return;
  }
  if (cb_buf_reserve(b, (size_t)n) != 0) return;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void cb_buf_copy_field(cb_buf *b, const char *p, size_t n) {
  /* Worst case doubles the size; reserve once, then write without checks. */
  if (cb_buf_reserve(b, 2 * n) != 0) return;
  char *o = b->data + b->len;
  for (size_t i = 0; i < n; i++) {
    char c = p[i];
    switch (c) {
      case '\\': *o++ = '\\'; *o++ = '\\'; break;
      case '\t': *o++ = '\\'; *o++ = 't'; break;
      case '\n': *o++ = '\\'; *o++ = 'n'; break;
      case '\r': *o++ = '\\'; *o++ = 'r'; break;
      case '\0': break;
      default: *o++ = c;
    }
  }
  b->len = (size_t)(o - b->data);
  b->data[b->len] = '\0';
}

void cb_buf_reset(cb_buf *b) {
  b->len = 0;
  b->failed = 0;
  if (b->data) b->data[0] = '\0';
}

void cb_buf_free(cb_buf *b) {
  free(b->data);
  memset(b, 0, sizeof *b);
}
