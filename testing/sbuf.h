/* sbuf.h — a growable text buffer that counts its lines; used by the fixture generators.
 *
 * Allocation failure is sticky: the buffer sets `failed`, ignores further appends, and the caller
 * checks `failed` once at the end. */
#ifndef TST_SBUF_H
#define TST_SBUF_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tst_sbuf {
  char *data; /* NUL-terminated when len > 0 */
  size_t len, cap;
  int lines;  /* number of '\n' in data */
  int failed; /* 1 after an allocation failure */
} tst_sbuf;

void tst_sb_put(tst_sbuf *b, const char *s);
void tst_sb_putn(tst_sbuf *b, const char *s, size_t n);
void tst_sb_printf(tst_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tst_sb_reset(tst_sbuf *b); /* len = lines = 0, keeps the memory */
void tst_sb_free(tst_sbuf *b);

#ifdef __cplusplus
}
#endif

#endif /* TST_SBUF_H */
