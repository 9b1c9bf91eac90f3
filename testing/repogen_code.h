/* repogen_code.h — writes one generated Python or JavaScript source file (internal to repogen).
 *
 * Symbol ids map one-to-one onto (verb, noun, qualifier) triples through an affine permutation
 * modulo the size of the triple space, so distinct ids give distinct function and class names
 * across the whole repository. */
#ifndef TST_REPOGEN_CODE_H
#define TST_REPOGEN_CODE_H

#include <stddef.h>
#include <stdint.h>

#include "testing/rng.h"
#include "testing/sbuf.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tst_namer {
  uint64_t space; /* verbs * nouns * quals */
  uint64_t mul;   /* coprime with space */
  uint64_t add;
} tst_namer;

/* Sets up the permutation for a seed. */
void tst_namer_init(tst_namer *nm, uint64_t seed);

/* Word indexes of symbol id (id < space). */
void tst_namer_words(const tst_namer *nm, uint64_t id, int *verb, int *noun, int *qual);

/* "parse_invoice_header" / "parseInvoiceHeader" / "InvoiceHeaderParser" into out[n]. */
void tst_name_snake(const tst_namer *nm, uint64_t id, char *out, size_t n);
void tst_name_camel(const tst_namer *nm, uint64_t id, char *out, size_t n);
void tst_name_class(const tst_namer *nm, uint64_t id, char *out, size_t n);

typedef enum tst_lang { TST_LANG_PY = 0, TST_LANG_JS = 1 } tst_lang;

typedef struct tst_code_file {
  tst_lang lang;
  const char *path;  /* repo-relative path (manifest) */
  uint64_t first_id; /* this file's symbols use ids first_id .. first_id + max_units - 1 */
  int max_units;
  int first_is_class;     /* unit 0 is a class (else a function) */
  size_t target;          /* exact size of the file in bytes (exceeded only below ~100 B) */
  int unparseable;        /* 1: deliberately broken Python */
  const char *imports[2]; /* "module|symbol" pairs from other generated files; NULL: none */
  int low_vocab;          /* 1: low-vocabulary corpus (see repogen.h) */
} tst_code_file;

/* The doc words the low-vocabulary corpus adds to every definition (its queries' words). */
#define TST_CODE_COMMON_DOC_WORDS "get value request error"

/* Writes the file into out (reset first) and appends one manifest line per function, class and
 * method to manifest; *symbols is incremented per line. */
void tst_code_generate(const tst_code_file *f, const tst_namer *nm, tst_rng *rng, tst_sbuf *out,
                       tst_sbuf *manifest, long long *symbols);

/* Exactly n bytes of comment text ("# ..." or "// ..." lines) appended to out. */
void tst_code_pad(tst_lang lang, size_t n, tst_rng *rng, tst_sbuf *out);

#ifdef __cplusplus
}
#endif

#endif /* TST_REPOGEN_CODE_H */
