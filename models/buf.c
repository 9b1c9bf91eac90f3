/* buf.c — the growable byte buffer (see buf.h).
 *
 * Capacity starts at MIN_CAP and doubles, so n appends cost O(n) copies in total. Every size is
 * checked against SIZE_MAX (and the limit) before it is computed; a failure leaves the content
 * as it was. */
#include "models/buf.h"

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_CAP 256

void mdl_buf_init(mdl_buf *b, size_t max) {
  assert(b != NULL);
  memset(b, 0, sizeof *b);
  b->max = max;
}

static mdl_code fail(mdl_buf *b, mdl_code code) {
  b->failed = code;
  return code;
}

mdl_code mdl_buf_reserve(mdl_buf *b, size_t extra) {
  assert(b != NULL);
  if (b->failed != MDL_OK) return b->failed;
  if (extra > SIZE_MAX - 1 - b->len) return fail(b, MDL_ENOMEM);
  size_t need = b->len + extra + 1; /* with the NUL */
  if (b->max != 0 && need - 1 > b->max) return fail(b, MDL_ERANGE);
  if (need <= b->cap) return MDL_OK;
  size_t cap = b->cap ? b->cap : MIN_CAP;
  while (cap < need) {
    if (cap > SIZE_MAX / 2) {
      cap = need;
      break;
    }
    cap *= 2;
  }
  char *p = realloc(b->data, cap);
  if (p == NULL) return fail(b, MDL_ENOMEM);
  if (b->data == NULL) p[0] = '\0';
  b->data = p;
  b->cap = cap;
  return MDL_OK;
}

mdl_code mdl_buf_add(mdl_buf *b, const void *p, size_t n) {
  assert(p != NULL || n == 0);
  mdl_code rc = mdl_buf_reserve(b, n);
  if (rc != MDL_OK) return rc;
  assert(b->data != NULL); /* a successful reserve leaves room for len + n + 1 */
  if (n) memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
  return MDL_OK;
}

mdl_code mdl_buf_puts(mdl_buf *b, const char *s) {
  assert(s != NULL);
  return mdl_buf_add(b, s, strlen(s));
}

mdl_code mdl_buf_putc(mdl_buf *b, char c) {
  return mdl_buf_add(b, &c, 1);
}

mdl_code mdl_buf_vprintf(mdl_buf *b, const char *fmt, va_list ap) {
  assert(b != NULL && fmt != NULL);
  if (b->failed != MDL_OK) return b->failed;
  char small[256];
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(small, sizeof small, fmt, ap2);
  va_end(ap2);
  if (n < 0) return fail(b, MDL_ENOMEM);
  if ((size_t)n < sizeof small) return mdl_buf_add(b, small, (size_t)n);
  mdl_code rc = mdl_buf_reserve(b, (size_t)n);
  if (rc != MDL_OK) return rc;
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
  return MDL_OK;
}

mdl_code mdl_buf_printf(mdl_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  mdl_code rc = mdl_buf_vprintf(b, fmt, ap);
  va_end(ap);
  return rc;
}

mdl_code mdl_buf_add_file(mdl_buf *b, FILE *f) {
  assert(b != NULL && f != NULL);
  if (b->failed != MDL_OK) return b->failed;
  const size_t start = b->len;
  char chunk[8192];
  size_t got;
  mdl_code rc = MDL_OK;
  while (rc == MDL_OK && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
    rc = mdl_buf_add(b, chunk, got);
  if (rc == MDL_OK && ferror(f)) {
    int saved = errno;
    rc = fail(b, MDL_EIO);
    errno = saved;
  }
  if (rc != MDL_OK && b->data != NULL) { /* nothing of f stays appended */
    b->len = start;
    b->data[start] = '\0';
  }
  return rc;
}

void mdl_buf_reset(mdl_buf *b) {
  assert(b != NULL);
  b->len = 0;
  b->failed = MDL_OK;
  if (b->data != NULL) b->data[0] = '\0';
}

char *mdl_buf_take(mdl_buf *b) {
  assert(b != NULL);
  if (b->failed == MDL_OK && b->data == NULL) mdl_buf_add(b, "", 0);
  if (b->failed != MDL_OK) return NULL;
  char *out = b->data;
  size_t max = b->max;
  mdl_buf_init(b, max);
  return out;
}

void mdl_buf_free(mdl_buf *b) {
  if (b == NULL) return;
  size_t max = b->max;
  free(b->data);
  mdl_buf_init(b, max);
}
