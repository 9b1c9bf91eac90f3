/* sbuf.c — line counting over the one growable buffer (see sbuf.h). */
#include "testing/sbuf.h"

#include <stdarg.h>
#include <string.h>

static int count_lines(const char *s, size_t n) {
  int lines = 0;
  for (size_t i = 0; i < n; i++) lines += s[i] == '\n';
  return lines;
}

void tst_sb_putn(tst_sbuf *b, const char *s, size_t n) {
  if (mdl_buf_add(&b->b, s, n) == MDL_OK) b->lines += count_lines(s, n);
}

void tst_sb_put(tst_sbuf *b, const char *s) {
  tst_sb_putn(b, s, strlen(s));
}

void tst_sb_printf(tst_sbuf *b, const char *fmt, ...) {
  size_t before = b->b.len;
  va_list ap;
  va_start(ap, fmt);
  mdl_code rc = mdl_buf_vprintf(&b->b, fmt, ap);
  va_end(ap);
  if (rc == MDL_OK) b->lines += count_lines(b->b.data + before, b->b.len - before);
}

void tst_sb_reset(tst_sbuf *b) {
  mdl_code failed = b->b.failed;
  mdl_buf_reset(&b->b);
  b->b.failed = failed;
  b->lines = 0;
}

void tst_sb_free(tst_sbuf *b) {
  mdl_buf_free(&b->b);
  b->lines = 0;
}
