/* sbuf.h — a text buffer that counts its lines; used by the fixture generators.
 *
 * A line counter on top of the project's one growable buffer (models/buf.h): the text, its
 * growth and its sticky failure are mdl_buf's (b.data, b.len, b.failed); this adds only `lines`,
 * kept up to date on every append so generators can number symbols without rescanning. */
#ifndef TST_SBUF_H
#define TST_SBUF_H

#include <stddef.h>

#include "models/buf.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tst_sbuf {
  mdl_buf b; /* the text; b.failed set after an allocation failure (sticky) */
  int lines; /* number of '\n' in b.data */
} tst_sbuf;

void tst_sb_put(tst_sbuf *b, const char *s);
void tst_sb_putn(tst_sbuf *b, const char *s, size_t n);
void tst_sb_printf(tst_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tst_sb_reset(tst_sbuf *b); /* b.len = lines = 0, keeps the memory and any failure */
void tst_sb_free(tst_sbuf *b);

#ifdef __cplusplus
}
#endif

#endif /* TST_SBUF_H */
