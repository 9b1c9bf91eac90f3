/* buf.h — the project's one growable byte buffer (curl's dynbuf and Redis's sds are the models).
 *
 * Every package that builds text of unknown length (COPY rows, SQL, Prometheus text, HTTP
 * bodies, generated fixtures, whole files read in) uses this instead of its own realloc loop. The
 * buffer owns its memory and keeps it NUL-terminated once anything was added, so `data` is a C
 * string. Sizes are checked for overflow before they are computed, and an optional limit (`max`)
 * refuses to grow past a given length, as curl's dynbuf does.
 *
 * Failure is sticky: the first failed addition records its code in `failed` (MDL_ENOMEM: out of
 * memory or a size that would overflow; MDL_ERANGE: `max` would be passed; MDL_EIO: the stream
 * mdl_buf_add_file read failed), the content stays as it was, and every later addition is
 * refused with the same code until mdl_buf_reset. So a caller may add many pieces and check
 * `failed` (or the last return value) once at the end. A zero-initialised struct ({0} or
 * MDL_BUF_INIT) is an empty buffer without a limit. Not thread-safe (one buffer per thread); no
 * global state. */
#ifndef MDL_BUF_H
#define MDL_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "models/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mdl_buf {
  char *data;      /* NUL-terminated; NULL until the first addition (even of 0 bytes) */
  size_t len;      /* bytes used, excluding the NUL */
  size_t cap;      /* bytes allocated (len + 1 <= cap once data != NULL) */
  size_t max;      /* most bytes len may reach; 0 => no limit but the address space */
  mdl_code failed; /* MDL_OK, or the code of the first failed addition (sticky) */
} mdl_buf;

#define MDL_BUF_INIT \
  { NULL, 0, 0, 0, MDL_OK }

/* Empties b (no allocation) and sets its limit: max bytes (0 => none). */
void mdl_buf_init(mdl_buf *b, size_t max);

/* Makes room for `extra` more bytes plus the NUL. MDL_OK, or the sticky failure code (MDL_ERANGE
 * when len + extra would pass max, MDL_ENOMEM when out of memory or the size overflows). */
mdl_code mdl_buf_reserve(mdl_buf *b, size_t extra);

/* Appends n bytes of p (p may be NULL when n == 0) / a C string / one byte. Same failures as
 * mdl_buf_reserve; on failure nothing is appended. */
mdl_code mdl_buf_add(mdl_buf *b, const void *p, size_t n);
mdl_code mdl_buf_puts(mdl_buf *b, const char *s);
mdl_code mdl_buf_putc(mdl_buf *b, char c);

/* Appends printf-formatted text. Same failures as mdl_buf_reserve, and MDL_ENOMEM when the format
 * itself fails (vsnprintf < 0); on failure nothing is appended. */
mdl_code mdl_buf_printf(mdl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
mdl_code mdl_buf_vprintf(mdl_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Appends everything f gives until its end (a whole file or stream; f stays open). Same failures
 * as mdl_buf_reserve (MDL_ERANGE: the stream is longer than max allows), and MDL_EIO when reading
 * fails (errno as the read left it). On failure nothing of f is appended and the code is sticky,
 * as for any addition. An empty stream appends nothing (data stays NULL if it was). */
mdl_code mdl_buf_add_file(mdl_buf *b, FILE *f);

/* Empties the buffer, keeping its memory and limit, and clears `failed`. */
void mdl_buf_reset(mdl_buf *b);

/* Hands the content to the caller (who frees it) and leaves b empty (limit kept). Returns a
 * NUL-terminated string ("" for an empty buffer), or NULL when b has failed or memory ran out
 * (then b is left as it was: free it with mdl_buf_free). */
char *mdl_buf_take(mdl_buf *b);

/* Frees the memory and leaves b empty (limit kept, failure cleared). NULL-safe. */
void mdl_buf_free(mdl_buf *b);

#ifdef __cplusplus
}
#endif

#endif /* MDL_BUF_H */
