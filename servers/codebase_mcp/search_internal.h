/* search_internal.h — what search.c shares with the other search engines' files (search_mem.c):
 * the result columns and their JSON with score and snippet, the path-prefix pattern, the
 * one-word path match, the one-word test and the typo correction against
 * the project's vocabulary. Not an API: search.h is. */
#ifndef CB_SEARCH_INTERNAL_H
#define CB_SEARCH_INTERNAL_H

#include <cjson/cJSON.h>
#include <libpq-fe.h>

#include "models/buf.h"
#include "servers/codebase_mcp/search.h"
#include "servers/codebase_mcp/tokens.h"

/* The columns chunk_json reads, in this order, from a code_chunks row aliased c. */
#define CB_SEARCH_RESULT_COLUMNS                                                                 \
  "c.chunk_id, c.file_path, c.start_line, c.end_line, c.language, c.symbol, c.kind, c.content, " \
  "c.context_before, c.context_after, c.project_id"
#define CB_SEARCH_RESULT_NCOLS 11

/* The query's tokens, for snippets. */
typedef struct cb_search_terms {
  char t[32][CB_TOKEN_MAX + 1];
  int n;
} cb_search_terms;

void cb_search_collect_terms(const char *query, cb_search_terms *t);

/* Row i of res as a whole result: cb_search_chunk_json plus "score" (column
 * CB_SEARCH_RESULT_NCOLS, rounded to 4 decimals) and the snippet; NULL when memory runs out. */
cJSON *cb_search_result_json(const PGresult *res, int i, const cb_search_terms *t);

/* prefix ("" or NULL: none) as a LIKE pattern matching the paths under it ('%', '_' and '\'
 * escaped, '%' appended), built in out; NULL when there is no prefix or memory ran out (then
 * out->failed). */
const char *cb_search_prefix_like(const char *prefix, mdl_buf *out);

/* Appends the CTEs "fpf" (the project's best paths for $fz_p by trigram word similarity, at most
 * limit, under the filters $lang_p / $prefix_p when non-zero; $1 is the project) and "fp" (each
 * such path's first chunk: chunk_id, score = 0.3 x similarity as float8, then extra_cols, e.g.
 * ", NULL::bigint AS ord"), each followed by ", ". The one-word path match of both engines. */
void cb_search_fuzzy_arm(mdl_buf *s, int fz_p, int lang_p, int prefix_p, int limit,
                         const char *extra_cols);

/* True if the query is one word of 3-128 characters (it also matches file paths). */
int cb_search_single_word(const char *q);

/* The query's leaf tokens, each one unknown to the project's vocabulary (code_terms) replaced
 * by its most similar known term (pg_trgm); at most 16 (more: none, n = 0). */
typedef struct cb_search_corrected {
  char t[16][CB_TOKEN_MAX + 1];
  int n;
  int changed; /* 1 when a token was replaced */
} cb_search_corrected;

srv_code cb_search_correct_terms(PGconn *c, const char *project, const char *query,
                                 cb_search_corrected *out, srv_err *err);

/* The memory engine's search (search_mem.c), called by cb_search_run. */
srv_code cb_search_mem_run(PGconn *c, cb_search_req *r, srv_err *err);

#endif /* CB_SEARCH_INTERNAL_H */
