/* memidx.h — one project's immutable in-memory inverted index, and top-k search over it that
 * stops early (issue 13).
 *
 * What it holds, per project (built once, never changed; a new generation is a new index):
 *   - terms: every lexeme of the chunks' tsvectors except the '#'-marked symbol twins (the
 *     impact already says "in the symbol name"), each with its postings (doc, impact) in doc
 *     order, cut into blocks of CB_MEMIDX_BLOCK postings. A block is stored as (varint doc delta,
 *     impact byte) pairs; per block the last doc, the byte offset and the largest impact; per
 *     term the largest impact. About 2-3 bytes per posting.
 *   - docs: the chunk id (16 bytes), the language, the file (an id in byte order of the path, so
 *     a path prefix is a range of file ids), the symbol and its enclosing class as ids of their
 *     normalised names (lowercase, '_' dropped: how search.c compares names), and for each name
 *     id the docs that have it as symbol / as parent (for the name lifts).
 *
 * Scoring (the same relevance as search.c's SQL): a term's impact in a chunk is ts_rank's
 * per-lexeme share with weights {D,C,B,A} = {0.05,0.2,0.4,1.0}: the heaviest position counts
 * whole, every other one w / (j + 1)^2, divided by pi^2 / 6 (PostgreSQL's calc_rank_or),
 * quantised to 1..255. A chunk's text score is the sum of the impacts of the query's distinct
 * terms it holds over 255 x their number: exactly ts_rank for a one-word or any-word query; for
 * an all-words query ts_rank weighs the words' proximity instead, which no index can bound per
 * term, so the sum is used there too. Above the text score (< 1) come the name lifts: + 3 when the
 * chunk's symbol is the whole query's name, else + 1 when it is one of the query's names and + 1
 * when its parent is. Ranking is by the integer key lift x 255 n + sum (n = distinct terms),
 * ties by doc number (the order docs were added in), so results are deterministic.
 *
 * Retrieval: the chunks a query names (found through the name lists, few) are scored first;
 * then the text query runs document-at-a-time without them. All words (AND): candidates come
 * from the rarest word's postings only; a candidate whose block-max upper bound cannot beat the
 * k-th best is skipped without decoding the other terms, and a whole block of the driving list
 * is skipped when its block max plus the other terms' maxima cannot. Any word (OR): MaxScore,
 * the terms whose summed maxima cannot beat the k-th best never drive, and are looked up only
 * while a candidate can still win. The filters (language, path prefix) are doc predicates
 * checked before any posting is read. total_count is exact: a separate pass that only checks
 * matches (no scores, no heap) over the same candidates; a single-term query without filters
 * answers it from the term's posting count.
 *
 * Thread-safety: a built index is read-only; any number of threads may search it at once. It is
 * reference counted (cb_memidx_retain / cb_memidx_release) so a newer one can replace it while
 * searches still run on it. The builder is single-threaded. */
#ifndef CB_MEMIDX_H
#define CB_MEMIDX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CB_MEMIDX_BLOCK 128
#define CB_MEMIDX_QTERMS 64 /* distinct terms per query; more are ignored */
#define CB_MEMIDX_QWORDS 32 /* words per query; more are ignored */
#define CB_MEMIDX_QPARTS 16 /* pieces per word; more are ignored */
#define CB_MEMIDX_QNAMES 16 /* names per query (as search.c's query_names) */
#define CB_MEMIDX_NAME_MAX 256

typedef struct cb_memidx cb_memidx;
typedef struct cb_memidx_builder cb_memidx_builder;

/* One chunk as the builder takes it. Strings are NUL-terminated and copied. */
typedef struct cb_memidx_doc {
  unsigned char id[16];      /* the chunk id */
  const char *language;      /* e.g. "python" */
  const char *file_path;     /* repository-relative */
  const char *symbol;        /* "" when none */
  const char *parent_symbol; /* "" when none */
  const char *tsv;           /* tsvector text as PostgreSQL prints it: 'lex':1A,7 'other':2 */
} cb_memidx_doc;

/* A new empty builder, or NULL when memory runs out. */
cb_memidx_builder *cb_memidx_builder_new(void);

/* Frees a builder that was not built. NULL is a no-op. */
void cb_memidx_builder_free(cb_memidx_builder *b);

/* Adds one chunk; its doc number is the count of chunks added before it. Returns 0, or -1 when
 * memory runs out or the tsv text is malformed (the builder is then unusable: free it). */
int cb_memidx_builder_add(cb_memidx_builder *b, const cb_memidx_doc *d);

/* Turns the builder into an index (reference count 1) tagged with generation and frees the
 * builder in every case. Returns 0, or -1 when memory runs out (*out = NULL). */
int cb_memidx_build(cb_memidx_builder *b, int64_t generation, cb_memidx **out);

void cb_memidx_retain(cb_memidx *m);
/* Drops one reference; the last one frees the index. NULL is a no-op. */
void cb_memidx_release(cb_memidx *m);

/* The generation the index was built for (code_index_generations), and its size. */
int64_t cb_memidx_generation(const cb_memidx *m);
uint32_t cb_memidx_docs(const cb_memidx *m);
uint32_t cb_memidx_terms(const cb_memidx *m);
uint64_t cb_memidx_postings(const cb_memidx *m);
size_t cb_memidx_bytes(const cb_memidx *m); /* heap bytes held */

/* The chunk id of doc (16 bytes). doc < cb_memidx_docs(m). */
const unsigned char *cb_memidx_doc_id(const cb_memidx *m, uint32_t doc);

/* A query: distinct terms, and words over them (a word matches a chunk holding its whole form,
 * or all of its pieces: the tsquery ('whole' | ('p1' & 'p2')) of tokens.h). */
typedef struct cb_memidx_word {
  int whole;                   /* index into terms, or -1 */
  int parts[CB_MEMIDX_QPARTS]; /* indices into terms */
  int nparts;
} cb_memidx_word;

typedef struct cb_memidx_query {
  char terms[CB_MEMIDX_QTERMS][65]; /* lowercase lexemes (tokens.h) */
  int nterms;
  cb_memidx_word words[CB_MEMIDX_QWORDS];
  int nwords;
  int and_mode;                        /* 1: every word; 0: any word */
  char whole_name[CB_MEMIDX_NAME_MAX]; /* the names joined ("" none): the + 3 lift */
  char names[CB_MEMIDX_QNAMES][65];    /* each name: the + 1 lifts */
  int nnames;
  const char *language;    /* NULL: any */
  const char *path_prefix; /* NULL or "": any */
} cb_memidx_query;

/* Fills q (language / path_prefix left NULL) from a user query as search.c reads it: words and
 * pieces as cb_tsquery_build makes them, names as query_names makes them. Returns the number of
 * words kept (0: nothing searchable). */
int cb_memidx_query_parse(const char *text, int and_mode, cb_memidx_query *q);

/* Adds one word made of one whole term (a corrected leaf token); 0, or -1 when q is full. */
int cb_memidx_query_add_term(cb_memidx_query *q, const char *term);

typedef struct cb_memidx_hit {
  uint32_t doc;
  int64_t key;  /* the ranking key (see the file comment) */
  double score; /* lift + text score, as search.c reports it */
} cb_memidx_hit;

typedef struct cb_memidx_stats {
  uint64_t candidates; /* docs the top-k pass looked at */
  uint64_t scored;     /* docs it fully evaluated */
  uint64_t blocks_skipped;
} cb_memidx_stats;

/* The best k (1..CB_MEMIDX_K_MAX) matches of q, best first, in out[0..*nout); *total (may be
 * NULL: not counted) the exact number of matches. stats may be NULL. Returns 0, or -1 when
 * memory runs out. */
#define CB_MEMIDX_K_MAX 1000
int cb_memidx_search(const cb_memidx *m, const cb_memidx_query *q, int k, cb_memidx_hit *out,
                     int *nout, long *total, cb_memidx_stats *stats);

/* The same answer by scoring every posting of every query term (no pruning): the reference the
 * unit tests hold cb_memidx_search to. */
int cb_memidx_search_exhaustive(const cb_memidx *m, const cb_memidx_query *q, int k,
                                cb_memidx_hit *out, int *nout, long *total);

/* The impact byte PostgreSQL's ts_rank share gives a lexeme with these positions' weights
 * (0 = D .. 3 = A, in position order), as the builder stores it. */
uint8_t cb_memidx_impact(const uint8_t *weights, int n);

#ifdef __cplusplus
}
#endif

#endif /* CB_MEMIDX_H */
