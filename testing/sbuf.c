/* sbuf.c — growable, line-counting text buffer (see sbuf.h). */
#include "testing/sbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reserve(tst_sbuf *b, size_t extra) {
  size_t cap;
  char *d;
  if (b->failed) return -1;
  if (b->len + extra + 1 <= b->cap) return 0;
  cap = b->cap ? b->cap : 4096;
  while (cap < b->len + extra + 1) cap *= 2;
  d = realloc(b->data, cap);
  if (d == NULL) {
    b->failed = 1;
    return -1;
  }
  b->data = d;
  b->cap = cap;
  return 0;
}

void tst_sb_putn(tst_sbuf *b, const char *s, size_t n) {
  if (reserve(b, n) != 0) return;
  memcpy(b->data + b->len, s, n);
  for (size_t i = 0; i < n; i++) b->lines += s[i] == '\n';
  b->len += n;
  b->data[b->len] = '\0';
}

void tst_sb_put(tst_sbuf *b, const char *s) {
  tst_sb_putn(b, s, strlen(s));
}

void tst_sb_printf(tst_sbuf *b, const char *fmt, ...) {
  va_list ap;
  int n;
  char small[512];
  va_start(ap, fmt);
  n = vsnprintf(small, sizeof(small), fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n < sizeof(small)) {
    tst_sb_putn(b, small, (size_t)n);
    return;
  }
  if (reserve(b, (size_t)n) != 0) return;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  for (int i = 0; i < n; i++) b->lines += b->data[b->len + (size_t)i] == '\n';
  b->len += (size_t)n;
}

void tst_sb_reset(tst_sbuf *b) {
  b->len = 0;
  b->lines = 0;
  if (b->data != NULL) b->data[0] = '\0';
}

void tst_sb_free(tst_sbuf *b) {
  free(b->data);
  memset(b, 0, sizeof(*b));
}
