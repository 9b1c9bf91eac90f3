/* buf.h — a growable byte buffer for building COPY rows, tsvector text and snippets.
 *
 * Owns its memory; the contents are always NUL-terminated so they can be used as C strings.
 * Allocation failure is sticky: once an append fails, `failed` is set, later appends do nothing,
 * and the caller checks `failed` once at the end instead of after every append. Not thread-safe
 * (one buffer per thread). */
#ifndef CB_BUF_H
#define CB_BUF_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cb_buf {
  char *data; /* NUL-terminated; NULL until the first append */
  size_t len; /* bytes used, excluding the NUL */
  size_t cap; /* bytes allocated */
  int failed; /* 1 once an allocation failed */
} cb_buf;

/* Makes room for at least `extra` more bytes (plus the NUL). Returns 0, or -1 (and sets failed). */
int cb_buf_reserve(cb_buf *b, size_t extra);

/* Appends n bytes / a C string / one byte. */
void cb_buf_append(cb_buf *b, const void *p, size_t n);
void cb_buf_puts(cb_buf *b, const char *s);
void cb_buf_putc(cb_buf *b, char c);

/* Appends printf-formatted text. */
void cb_buf_printf(cb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends n bytes escaped for a PostgreSQL COPY text-format field (backslash, tab, newline,
 * carriage return escaped; NUL bytes dropped). */
void cb_buf_copy_field(cb_buf *b, const char *p, size_t n);

/* Empties the buffer, keeping its memory (and clearing `failed`). */
void cb_buf_reset(cb_buf *b);

/* Frees the memory and zeroes the struct. */
void cb_buf_free(cb_buf *b);

#ifdef __cplusplus
}
#endif

#endif /* CB_BUF_H */
