/* memidx_query.c — a user query as a cb_memidx_query: the words and pieces tokens.h makes of it
 * (the same groups cb_tsquery_build writes as a tsquery) and the names search.c lifts. */
#include <assert.h>
#include <string.h>

#include "servers/codebase_mcp/memidx.h"
#include "servers/codebase_mcp/tokens.h"

static int term_index(cb_memidx_query *q, const char *tok, size_t n) {
  if (n == 0 || n >= sizeof q->terms[0]) return -1;
  for (int i = 0; i < q->nterms; i++)
    if (strlen(q->terms[i]) == n && memcmp(q->terms[i], tok, n) == 0) return i;
  if (q->nterms == CB_MEMIDX_QTERMS) return -1;
  memcpy(q->terms[q->nterms], tok, n);
  q->terms[q->nterms][n] = '\0';
  return q->nterms++;
}

typedef struct pstate {
  cb_memidx_query *q;
  int cur_word; /* token word index of the open word, -1 none */
} pstate;

static void on_token(const char *tok, size_t n, int is_part, unsigned idx, void *arg) {
  pstate *s = arg;
  cb_memidx_query *q = s->q;
  if ((int)idx != s->cur_word) {
    if (q->nwords == CB_MEMIDX_QWORDS) return;
    s->cur_word = (int)idx;
    cb_memidx_word *w = &q->words[q->nwords++];
    w->whole = -1;
    w->nparts = 0;
  }
  cb_memidx_word *w = &q->words[q->nwords - 1];
  int t = term_index(q, tok, n);
  if (t < 0) return;
  if (!is_part)
    w->whole = t;
  else if (w->nparts < CB_MEMIDX_QPARTS)
    w->parts[w->nparts++] = t;
}

/* search.c's query_names: identifier runs, lowercase, '_' dropped, at most 16. */
static void parse_names(const char *text, cb_memidx_query *q) {
  char w[CB_TOKEN_MAX + 1];
  size_t len = 0, wl = 0;
  int too_long = 0;
  for (const char *p = text; q->nnames < CB_MEMIDX_QNAMES; p++) {
    unsigned char ch = (unsigned char)*p;
    int ident = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                ch == '_';
    if (ident) {
      if (ch != '_' && len < CB_TOKEN_MAX) w[len++] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
      continue;
    }
    if (len > 0) {
      w[len] = '\0';
      memcpy(q->names[q->nnames++], w, len + 1);
      if (wl + len < sizeof q->whole_name)
        memcpy(q->whole_name + wl, w, len + 1);
      else
        too_long = 1;
      wl += len;
      len = 0;
    }
    if (ch == '\0') break;
  }
  if (too_long) q->whole_name[0] = '\0'; /* no indexed name is that long (memidx.c) */
}

int cb_memidx_query_parse(const char *text, int and_mode, cb_memidx_query *q) {
  assert(text && q);
  memset(q, 0, sizeof *q);
  q->and_mode = and_mode;
  pstate s = {q, -1};
  cb_tokens_each(text, strlen(text), on_token, &s);
  /* a word whose tokens were all dropped for lack of room matches nothing: drop it */
  int kept = 0;
  for (int i = 0; i < q->nwords; i++)
    if (q->words[i].whole >= 0 || q->words[i].nparts > 0) q->words[kept++] = q->words[i];
  q->nwords = kept;
  parse_names(text, q);
  return q->nwords;
}

int cb_memidx_query_add_term(cb_memidx_query *q, const char *term) {
  if (q->nwords == CB_MEMIDX_QWORDS) return -1;
  int t = term_index(q, term, strlen(term));
  if (t < 0) return -1;
  cb_memidx_word *w = &q->words[q->nwords++];
  w->whole = t;
  w->nparts = 0;
  return 0;
}
