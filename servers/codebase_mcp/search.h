/* search.h — ranked code search over one project's chunks, in PostgreSQL.
 *
 * The query is tokenized exactly like the index (tokens.h) and becomes a tsquery: first all words
 * required (AND); only if that finds nothing, any word (OR). Candidates come from the GIN index on
 * (project_id, tsv) and are ranked with ts_rank and weights {D,C,B,A} = {0.05,0.2,0.4,1.0}, so a
 * match in a symbol name outranks one in a comment, which outranks one in the body. Names the
 * query states lift that, in tiers above ts_rank's [0, 1] (issue 13; compared lowercase without
 * '_'): the symbol the whole query spells ("parse_config", "parse config", "parseConfig") + 3, so
 * an exact symbol match comes first; else + 1 for a symbol that is one of the query's identifiers
 * and + 1 for a method whose enclosing class is, so "HttpClient send" puts HttpClient's own send
 * before other classes' send. Scores therefore range over [0, 4]. When the words
 * find nothing, each word unknown to the project's vocabulary of identifier pieces (code_terms)
 * is replaced by its most similar known term (pg_trgm) and the search runs again (typos,
 * misspelt identifiers); a correction to one term first ranks the chunks with it in their symbol
 * name, as a one-word query does. A one-word query also matches file paths by trigram word
 * similarity (the best paths picked through the trigram index first), blended in at 0.3 weight. Filters: language, file_path_prefix. Each result carries a snippet:
 * the lines around the first line of the chunk that contains a query word.
 *
 * Engines (issue 13; CODEBASE_SEARCH_ENGINE, read by tools.c): the design above is the "gin"
 * engine (the default until the memory engine was measured the fastest, issue 13). "rum"
 * answers the same modes with the same scores, but takes its candidates from PostgreSQL's RUM
 * index (extension rum, Debian postgresql-15-rum) in rank order
 * (ORDER BY tsv <=> query LIMIT CB_SEARCH_RUM_CANDIDATES), so at most that many chunks per arm are
 * read and scored instead of every match: the candidates of the words, and those of the symbol
 * tier (all words in the symbol name), then ts_rank with the weights above plus the name lifts,
 * over those only. What differs from gin: a chunk outside both candidate lists is never scored,
 * so a lift (+1 for a method of a class the query names) cannot pull one up from beyond
 * the RUM order's first CB_SEARCH_RUM_CANDIDATES (RUM orders by its own ts_rank-like score with
 * the default weights {0.1,0.2,0.4,1.0}). "memory" is the in-memory inverted index (its own
 * module). Each engine has its schema step (cb_search_schema_apply). gin also takes two knobs:
 * prepared statements (cb_search_opts.prepared) and a cap on the chunks ranked (rank_cap).
 *
 * The memory engine (search_mem.c), the default, ranks from a per-project in-memory inverted
 * index (memidx.h) with the same weights and name lifts, built from code_chunks at the end of each
 * indexing job and on a project's first search after a start, kept coherent across instances by
 * code_index_generations (memstore.h); SQL then only fetches the k rows by chunk id (plus the
 * fuzzy path arm and the typo correction). Its cost is bounded by k and the rarest word's
 * postings, not by how many chunks the words match: top-k with block-max bounds (memidx.h).
 * PostgreSQL stays the system of record; the price is one copy of the postings per process
 * (about 2-3 bytes per posting plus ~37 bytes per chunk, memidx.h). Measured once with
 * //benchmarks:search_engines (BENCH_ENGINES=gin-prepared,memory) on a shared host at load 8-14,
 * so only the ratios mean much: the 10,000-file fixture p50 / p95 3.9 / 18.7 ms at 1 client and
 * 22 / 67 ms at 10 (gin 5.2 / 16.2 and 32 / 96); the low-vocabulary corpus 15.8 / 38.5 ms and
 * 120 / 273 ms (gin 408 / 842 and 2611 / 3233); server RSS 83 MB after indexing both (gin 24);
 * manifest top-3 98.8% of 1360 (gin 99.9%: an all-words query sums its terms' shares instead of
 * weighing their proximity).
 */
#ifndef CB_SEARCH_H
#define CB_SEARCH_H

#include <cjson/cJSON.h>
#include <libpq-fe.h>

#include "servers/common/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CB_SEARCH_LIMIT_MAX 50
#define CB_SEARCH_QUERY_MAX 1000
/* rum: chunks taken from the index's rank order per arm (words, symbol tier) and scored. */
#define CB_SEARCH_RUM_CANDIDATES 100

/* The search engines (CODEBASE_SEARCH_ENGINE=memory|gin|rum; default memory). */
typedef enum cb_search_engine {
  CB_ENGINE_GIN = 0,
  CB_ENGINE_RUM = 1,
  CB_ENGINE_MEMORY = 2
} cb_search_engine;

/* "gin", "rum", "memory" ("?" for a value outside the enum). */
const char *cb_search_engine_name(cb_search_engine e);

/* 0 and *out set for "gin", "rum" or "memory" (exactly, lowercase); -1 otherwise (s may be
 * NULL). */
int cb_search_engine_parse(const char *s, cb_search_engine *out);

/* How the SQL engines run (one copy per server, read-only while it serves). */
typedef struct cb_search_opts {
  cb_search_engine engine; /* CB_ENGINE_GIN or CB_ENGINE_RUM for cb_search_run */
  int prepared;            /* 1: statements prepared per connection (srv_db_exec_prepared) */
  int rank_cap;            /* gin: > 0 ranks at most this many chunks per candidate arm (the
                              words' matches as found, and the symbol tier's: all words in the
                              symbol name), so a query's ranking stops growing with its matches
                              (the count of matches beyond the cap is a bitmap scan, without
                              ranking); 0: every match ranked */
  int exact_count;         /* rum, gin with a rank cap: 1 counts every match for total_count
                              (a bitmap scan of the index when there are more than the bound);
                              0 counts only the first arm's candidates: total_count is then at
                              most the bound and count_capped says it was reached */
} cb_search_opts;

/* The per-engine schema step, run once at start-up after the migrations (tools.c, cb_init),
 * idempotent, in one transaction without a statement timeout (building an index over existing
 * chunks takes as long as it takes):
 *   gin     the GIN index code_chunks_tsv on (project_id, tsv) exists (recreated if missing);
 *           the RUM index is dropped;
 *   rum     CREATE EXTENSION rum and the RUM index code_chunks_tsv_rum on
 *           (project_id rum_text_ops, tsv rum_tsvector_ops) exist; the GIN index is dropped
 *           (RUM answers @@ too, and one full-text index is maintained while indexing, not two);
 *   memory  neither index exists: ranking left PostgreSQL, so COPY maintains no full-text index
 *           (issue 13 item 3); tsv is kept as the system of record's copy of the tokens.
 * Every instance serving one database must run the same engine (each start-up makes the schema
 * its own). Errors: database codes (SRV_EUNAVAIL when unreachable: the caller may serve on and
 * warn); SRV_EINTERNAL when the DDL fails (e.g. the rum extension is not installed: the message
 * names the Debian package). */
srv_code cb_search_schema_apply(PGconn *c, cb_search_engine engine, srv_err *err);

struct cb_memstore; /* memstore.h */

typedef struct cb_search_req {
  const char *project_id;     /* validated by the caller */
  const char *query;          /* non-empty */
  int limit;                  /* 1..CB_SEARCH_LIMIT_MAX */
  const char *language;       /* NULL => any */
  const char *path_prefix;    /* NULL => any */
  const cb_search_opts *opts; /* NULL => gin, unprepared, every match ranked */
  struct cb_memstore *mem;    /* the memory engine's indexes (required for CB_ENGINE_MEMORY) */
  cJSON *results;             /* out: array of result objects (caller owns) */
  long total_count;           /* out: chunks matching (before the limit) in the tier that answered:
                              for a one-word query answered from symbol names
                              (mode "symbol_names"), only those chunks are counted */
  const char *mode;           /* out: "symbol_names", "all_words", "corrected", "any_word",
                              "fuzzy", "none" */
  int count_capped;           /* out: 1 when total_count stopped at the bound (opts->exact_count
                              0): there are at least that many matches */
} cb_search_req;

/* Runs the search on c (a srv_db_fn: arg is a cb_search_req*). Safe to retry. Fills
 * req->results ([{chunk_id, file_path, start_line, end_line, language, symbol, kind, content,
 * score, snippet, snippet_start_line, context_before, context_after}], best first) and
 * req->total_count. Errors: database codes; SRV_EINTERNAL out of memory. */
srv_code cb_search_run(PGconn *c, void *req, srv_err *err);

/* Chunks by id for get_chunks, inside ONE project: fills *found (array of chunk objects, as in
 * search results without score/snippet) and *missing (array of the ids not present in that
 * project, in request order). A chunk of another project is missing exactly like an id that never
 * existed (no answer tells a tenant whether another tenant has an id). ids that are not UUIDs are
 * reported missing without a query. *missing_details has one object per missing id, in the same
 * order: {chunk_id, reason, file_path, symbol, kind, removed_at, likely_successor} where reason is
 * "changed" (its file changed and was re-indexed), "file_deleted" (its file was deleted and the
 * project re-indexed) or "unknown" (never indexed in this project, or removed over 30 days ago;
 * the other fields are then null), and likely_successor is the current chunk with the same symbol,
 * kind and parent symbol ({chunk_id, file_path, start_line, end_line, symbol, kind}; the same file
 * first, any file of the project after a file deletion) or null. arg: a cb_chunks_req*. Safe to
 * retry. */
typedef struct cb_chunks_req {
  const char *project_id; /* validated by the caller */
  const cJSON *ids;       /* array of strings */
  cJSON *found;           /* out */
  cJSON *missing;         /* out */
  cJSON *missing_details; /* out */
} cb_chunks_req;
srv_code cb_chunks_get(PGconn *c, void *req, srv_err *err);

#ifdef __cplusplus
}
#endif

#endif /* CB_SEARCH_H */
