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

/* The low-vocabulary corpus (repogen's low_vocab): the few common words its parameters, locals
 * and adjectives are drawn from (parameters and locals are disjoint, so a local never redeclares
 * a parameter), and its queries of common words. Every query word is in tst_vocab_common_doc,
 * the clause every definition's doc comment of that corpus carries. */
extern const char *const *const tst_vocab_low_params;     /* "request", ... */
extern const char *const *const tst_vocab_low_locals;     /* "value", ... */
extern const char *const *const tst_vocab_low_docw;       /* "default", ... */
extern const char *const *const tst_vocab_common_queries; /* "get value", ... */
extern const size_t tst_vocab_n_low_params, tst_vocab_n_low_locals, tst_vocab_n_low_docw,
    tst_vocab_n_common_queries;
extern const char *const tst_vocab_common_doc; /* "get the value of the request, or an error" */

#ifdef __cplusplus
}
#endif

#endif /* TST_VOCAB_H */
