/* tokens.h — code-aware search tokens, the tsvector text we COPY, and the tsquery we search with.
 *
 * Tokens: every run of ASCII letters, digits and '_' is a word. A word is indexed whole
 * (lowercased, outer underscores stripped: "parseHTTPHeader" -> "parsehttpheader") and split on
 * '_', camelCase humps, acronym ends and letter/digit boundaries ("pars", "http", "head"),
 * all at one position. Pieces and plain words are lightly stemmed (cb_tokens_stem) so word forms
 * in docs and queries meet ("Evaluates" in a docstring matches the query word "evaluate"). Pure numbers, one-letter tokens, tokens over 64 bytes and a short list of
 * stop words (English glue words and keywords present in almost every chunk: def, self, return,
 * function, const...) are dropped, on both the index and the query side, so they never decide a
 * ranking and never bloat the GIN index.
 *
 * Weights (PostgreSQL tsvector weights, ranked with {D,C,B,A} = {0.1,0.2,0.4,1.0} by default):
 * A = the chunk's symbol name, B = doc comments, docstrings and comments, C = code and strings,
 * D = file name and enclosing class. Symbol-name tokens are also indexed marked with '#'
 * ('#ledg'), so a search can ask the GIN index for "in a symbol name" directly. Each lexeme keeps at most CB_TSV_MAX_POS positions,
 * preferring higher weights.
 *
 * Why here and not in SQL: to_tsvector in a generated column made COPY ~6x slower (issue 5's
 * figures); building the tsvector text in C costs a fraction of the parse time and lets PostgreSQL
 * just parse the tsvector input syntax. The builder is reusable and owned by one thread. */
#ifndef CB_TOKENS_H
#define CB_TOKENS_H

#include <stddef.h>

#include "models/buf.h"
#include "servers/codebase_mcp/lang.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cb_weight { CB_W_D = 0, CB_W_C = 1, CB_W_B = 2, CB_W_A = 3 } cb_weight;

#define CB_TSV_MAX_POS 8
#define CB_TOKEN_MAX 64

/* Called for each token: tok (lowercase, not NUL-terminated) of n bytes; is_part is 0 for the
 * whole word and 1 for a piece of it; word_index counts words from 0. */
typedef void (*cb_token_fn)(const char *tok, size_t n, int is_part, unsigned word_index, void *arg);

/* Tokenizes text (any bytes; non-ASCII bytes separate words) calling fn for every kept token.
 * Returns the number of words seen (kept or not). */
unsigned cb_tokens_each(const char *text, size_t n, cb_token_fn fn, void *arg);

/* Like cb_tokens_each but only the leaves: the pieces of compound words and plain words, not a
 * compound's whole form ("parse_invoice_header" -> "pars", "invoic", "head"; "ledger" ->
 * "ledg"). Used for the vocabulary of identifier pieces and its typo correction. */
unsigned cb_tokens_leaves(const char *text, size_t n, cb_token_fn fn, void *arg);

/* Light suffix stripping applied to word pieces and plain words (not to compound identifiers
 * kept whole): "evaluates"/"evaluated"/"evaluator" -> "evaluat", "setting" -> "set". Edits the
 * lowercase token t of n bytes in place and returns its new length (n when unchanged). */
size_t cb_tokens_stem(char *t, size_t n);

/* True if the lowercase token is a stop word. */
int cb_tokens_is_stopword(const char *tok, size_t n);

/* The per-thread tsvector builder. NULL when memory runs out; free with cb_tsv_free. */
typedef struct cb_tsv cb_tsv;
cb_tsv *cb_tsv_new(void);
void cb_tsv_free(cb_tsv *t);

/* Starts a new document (keeps memory). */
void cb_tsv_reset(cb_tsv *t);

/* Adds the tokens of text, all with weight w (CB_W_A: every token, plus its '#'-marked twin;
 * other weights: the leaves only, see cb_tokens_leaves). */
void cb_tsv_add_words(cb_tsv *t, const char *text, size_t n, cb_weight w);

/* Adds source code: comments and docstrings (Python '#' and triple-quoted strings; JavaScript
 * '//' and block comments) at weight B, everything else at C. CB_LANG_TEXT: all C. */
void cb_tsv_add_code(cb_tsv *t, cb_lang lang, const char *text, size_t n);

/* Number of distinct lexemes in the document so far. */
size_t cb_tsv_count(const cb_tsv *t);

/* Appends the document in tsvector input syntax ("'tok':1A,7 'other':2B") to out; safe inside a
 * COPY text field (only [a-z0-9_' :,A-C] appear). An empty document appends nothing, which
 * PostgreSQL reads as the empty tsvector. Returns 0, or -1 if out ran out of memory. */
int cb_tsv_render(const cb_tsv *t, mdl_buf *out);

/* Builds tsquery text for a user query: each kept word becomes 'whole' or
 * ('whole' | 'part1' & 'part2'...), joined with & (and_mode = 1) or | (and_mode = 0).
 * Returns the number of words kept (0 => nothing searchable: out is left empty). */
int cb_tsquery_build(const char *query, int and_mode, mdl_buf *out);

/* symbols = 1: the same over the '#'-marked lexemes that symbol-name tokens (weight A) also get
 * ('#ledg'), i.e. "the words are in the symbol's name" — answered by the GIN index alone. */
int cb_tsquery_build_w(const char *query, int and_mode, int symbols, mdl_buf *out);

#ifdef __cplusplus
}
#endif

#endif /* CB_TOKENS_H */
