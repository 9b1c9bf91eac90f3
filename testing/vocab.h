/* vocab.h — word lists for generated code: verbs (with their agent nouns: parse -> Parser),
 * domain nouns, qualifiers and doc-comment adjectives. See vocab.c for the guarantees. */
#ifndef TST_VOCAB_H
#define TST_VOCAB_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

extern const char *const *const tst_vocab_verbs; /* "parse", ... */
extern const char *const *const tst_vocab_roles; /* "Parser", ... (same index as the verb) */
extern const char *const *const tst_vocab_nouns; /* "invoice", ... */
extern const char *const *const tst_vocab_quals; /* "header", ... */
extern const char *const *const tst_vocab_docw;  /* "normalized", ... */
extern const size_t tst_vocab_n_verbs, tst_vocab_n_nouns, tst_vocab_n_quals, tst_vocab_n_docw;

#ifdef __cplusplus
}
#endif

#endif /* TST_VOCAB_H */
