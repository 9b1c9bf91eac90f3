/* fuzz_copy.c — libFuzzer target for the COPY text-format escaping of indexed content
 * (srv_pg_copy_field, servers/common/pgtext.h): for any bytes, the field must hold no raw tab, newline or carriage return
 * (they would split the row) and must decode, by PostgreSQL's COPY text rules, back to exactly
 * the input without its NUL bytes (which a PostgreSQL text value cannot hold; they are dropped). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "models/buf.h"
#include "servers/common/pgtext.h"

/* Decodes a COPY text field (backslash escapes \\b \\f \\n \\r \\t \\v \\\\, octal \\NNN, hex
 * \\xHH, other \\c = c) into out; returns its length. */
static size_t decode(const char *s, size_t n, char *out) {
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] != '\\' || i + 1 == n) {
      out[o++] = s[i];
      continue;
    }
    char c = s[++i];
    switch (c) {
      case 'b':
        out[o++] = '\b';
        break;
      case 'f':
        out[o++] = '\f';
        break;
      case 'n':
        out[o++] = '\n';
        break;
      case 'r':
        out[o++] = '\r';
        break;
      case 't':
        out[o++] = '\t';
        break;
      case 'v':
        out[o++] = '\v';
        break;
      default:
        if (c >= '0' && c <= '7') {
          int v = c - '0', k = 1;
          while (k < 3 && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '7')
            v = v * 8 + (s[++i] - '0'), k++;
          out[o++] = (char)v;
        } else {
          out[o++] = c;
        }
    }
  }
  return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mdl_buf b = {0};
  srv_pg_copy_field(&b, (const char *)data, size);
  if (b.failed) {
    mdl_buf_free(&b);
    return 0;
  }
  for (size_t i = 0; i < b.len; i++)
    if (b.data[i] == '\t' || b.data[i] == '\n' || b.data[i] == '\r') abort();
  char *back = malloc(b.len + 1), *want = malloc(size + 1);
  if (back != NULL && want != NULL) {
    size_t n = decode(b.data, b.len, back), w = 0;
    for (size_t i = 0; i < size; i++)
      if (data[i] != '\0') want[w++] = (char)data[i];
    if (n != w || memcmp(back, want, w) != 0) abort();
  }
  free(back);
  free(want);
  mdl_buf_free(&b);
  return 0;
}
