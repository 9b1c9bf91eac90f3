/* tokens.c — tokenizer, tsvector builder and tsquery builder (see tokens.h).
 *
 * Hot path of indexing: every byte of every indexed file passes through cb_tokens_each once.
 * The builder is an open-addressing hash table of lexemes (text in an arena) reset per chunk by
 * clearing only the slots used. */
#include "servers/codebase_mcp/tokens.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- character classes ------------------------------------------------------------------ */

static inline int is_word(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
static inline int is_upper(unsigned char c) {
  return c >= 'A' && c <= 'Z';
}
static inline int is_lower(unsigned char c) {
  return c >= 'a' && c <= 'z';
}
static inline int is_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}
static inline char lower(unsigned char c) {
  if (is_upper(c)) return (char)(c + 32);
  return (char)c;
}

/* ---- stop words (sorted for bsearch) ------------------------------------------------------ */

static const char *const kStop[] = {
    "an",      "and",    "are",       "as",      "async", "at",   "await",   "be",
    "break",   "but",    "by",        "cls",     "const", "def",  "default", "do",
    "elif",    "else",   "export",    "exports", "false", "for",  "from",    "function",
    "if",      "import", "in",        "is",      "it",    "its",  "let",     "module",
    "new",     "none",   "not",       "null",    "of",    "on",   "or",      "pass",
    "require", "return", "self",      "so",      "that",  "the",  "then",    "this",
    "to",      "true",   "undefined", "var",     "was",   "were", "with",
};

static int stop_cmp(const void *key, const void *elem) {
  const char *k = key;
  return strcmp(k, *(const char *const *)elem);
}

int cb_tokens_is_stopword(const char *tok, size_t n) {
  if (n < 2 || n > 9) return 0;
  char k[16];
  memcpy(k, tok, n);
  k[n] = '\0';
  return bsearch(k, kStop, sizeof kStop / sizeof kStop[0], sizeof kStop[0], stop_cmp) != NULL;
}

static int keep(const char *t, size_t n) {
  if (n < 2 || n > CB_TOKEN_MAX) return 0;
  int digits = 1;
  for (size_t i = 0; i < n; i++)
    if (!is_digit((unsigned char)t[i])) {
      digits = 0;
      break;
    }
  if (digits) return 0;
  return !cb_tokens_is_stopword(t, n);
}

/* ---- stemming ------------------------------------------------------------------------------ */

static int ends(const char *t, size_t n, const char *suf) {
  size_t k = strlen(suf);
  return n >= k && memcmp(t + n - k, suf, k) == 0;
}

static int vowel(char c) {
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

/* A light English suffix stripper (plural, -ed, -ing, final -e, agent -er/-or, doubled final
 * consonant) so "evaluates", "evaluated", "evaluator" and "evaluate" meet. Only for plain
 * lowercase words of 4+ letters; returns the new length (t is edited in place). */
size_t cb_tokens_stem(char *t, size_t n) {
  if (n < 4) return n;
  for (size_t i = 0; i < n; i++)
    if (t[i] < 'a' || t[i] > 'z') return n;
  if (ends(t, n, "ies") && n > 4) {
    n -= 2;
    t[n - 1] = 'y';
  } else if (ends(t, n, "sses")) {
    n -= 2;
  } else if (t[n - 1] == 's' && !ends(t, n, "ss") && !ends(t, n, "us") && !ends(t, n, "is")) {
    n -= 1;
  }
  if (ends(t, n, "ing") && n >= 6)
    n -= 3;
  else if (ends(t, n, "ed") && n >= 5)
    n -= 2;
  if (n >= 4 && t[n - 1] == 'e') n -= 1;
  if (n >= 6 && (ends(t, n, "er") || ends(t, n, "or"))) n -= 2;
  if (n >= 4 && t[n - 1] == t[n - 2] && !vowel(t[n - 1]) && t[n - 1] != 'l' && t[n - 1] != 's' &&
      t[n - 1] != 'z')
    n -= 1;
  return n;
}

/* ---- tokenizer --------------------------------------------------------------------------- */

/* Emits the whole word and its pieces. w/n is the raw word. */
static void emit_word(const unsigned char *w, size_t n, unsigned idx, cb_token_fn fn, void *arg) {
  char low[CB_TOKEN_MAX + 1];
  /* whole: outer underscores stripped */
  size_t a = 0, b = n;
  while (a < b && w[a] == '_') a++;
  while (b > a && w[b - 1] == '_') b--;
  if (b == a) return;
  size_t wl = b - a;
  int whole_kept = 0;
  if (wl <= CB_TOKEN_MAX) {
    for (size_t i = 0; i < wl; i++) low[i] = lower(w[a + i]);
    if (keep(low, wl)) {
      /* a plain word (no '_' or humps inside) is stemmed; a compound identifier stays whole */
      int plain = 1;
      for (size_t i = a + 1; i < b && plain; i++)
        if (w[i] == '_' || is_digit(w[i]) || (is_upper(w[i]) && !is_upper(w[i - 1]))) plain = 0;
      size_t sl = plain ? cb_tokens_stem(low, wl) : wl;
      fn(low, sl, 0, idx, arg);
      whole_kept = 1;
    }
  }
  /* pieces */
  size_t start = a;
  int npieces = 0;
  size_t ps[64], pe[64];
  for (size_t i = a; i <= b && npieces < 64; i++) {
    int cut = 0;
    if (i == b || w[i] == '_') {
      cut = 1;
    } else if (i > start) {
      unsigned char p = w[i - 1], c = w[i];
      /* camelCase / digit boundary / the last capital of an acronym ("HTTPServer") */
      if ((is_upper(c) && (is_lower(p) || is_digit(p))) || is_digit(c) != is_digit(p) ||
          (is_upper(c) && is_upper(p) && i + 1 < b && is_lower(w[i + 1])))
        cut = 1;
    }
    if (!cut) continue;
    if (i > start) {
      ps[npieces] = start;
      pe[npieces] = i;
      npieces++;
    }
    start = (i < b && w[i] == '_') ? i + 1 : i;
  }
  if (npieces < 2 && whole_kept) return; /* the piece is the whole word */
  for (int k = 0; k < npieces; k++) {
    size_t pl = pe[k] - ps[k];
    if (pl > CB_TOKEN_MAX) continue;
    for (size_t i = 0; i < pl; i++) low[i] = lower(w[ps[k] + i]);
    if (keep(low, pl)) fn(low, cb_tokens_stem(low, pl), 1, idx, arg);
  }
}

unsigned cb_tokens_each(const char *text, size_t n, cb_token_fn fn, void *arg) {
  const unsigned char *s = (const unsigned char *)text;
  unsigned words = 0;
  size_t i = 0;
  while (i < n) {
    while (i < n && !is_word(s[i])) i++;
    size_t st = i;
    while (i < n && is_word(s[i])) i++;
    if (i > st) emit_word(s + st, i - st, words++, fn, arg);
  }
  return words;
}

/* Leaf tokens: pieces and plain words; a compound word's whole form is held back until its
 * pieces show it was compound, then dropped. */
typedef struct leaf_state {
  cb_token_fn fn;
  void *arg;
  char pending[CB_TOKEN_MAX + 1];
  size_t plen;
  unsigned pword;
  int has;
} leaf_state;

static void leaf_token(const char *tok, size_t n, int is_part, unsigned idx, void *arg) {
  leaf_state *l = arg;
  if (!is_part) {
    if (l->has) l->fn(l->pending, l->plen, 0, l->pword, l->arg);
    memcpy(l->pending, tok, n);
    l->plen = n;
    l->pword = idx;
    l->has = 1;
    return;
  }
  if (l->has && l->pword == idx) l->has = 0; /* compound: drop the whole form */
  l->fn(tok, n, 1, idx, l->arg);
}

unsigned cb_tokens_leaves(const char *text, size_t n, cb_token_fn fn, void *arg) {
  leaf_state l;
  memset(&l, 0, sizeof l);
  l.fn = fn;
  l.arg = arg;
  unsigned words = cb_tokens_each(text, n, leaf_token, &l);
  if (l.has) fn(l.pending, l.plen, 0, l.pword, arg);
  return words;
}

/* ---- tsvector builder -------------------------------------------------------------------- */

typedef struct entry {
  uint32_t hash; /* 0 = empty slot */
  uint32_t off;  /* lexeme text in the arena */
  uint8_t len;
  uint8_t npos;
  uint16_t pos[CB_TSV_MAX_POS]; /* bits 0-13 position, 14-15 weight (as PostgreSQL stores it) */
} entry;

struct cb_tsv {
  entry *slots;
  size_t cap;     /* power of two */
  uint32_t *used; /* indices of used slots, in insertion order */
  size_t nused, used_cap;
  char *arena;
  size_t alen, acap;
  unsigned pos_base; /* positions consumed by earlier add calls */
  cb_weight cur_w;
  int oom;
};

cb_tsv *cb_tsv_new(void) {
  cb_tsv *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  t->cap = 1024;
  t->slots = calloc(t->cap, sizeof *t->slots);
  t->used_cap = 512;
  t->used = malloc(t->used_cap * sizeof *t->used);
  t->acap = 8192;
  t->arena = malloc(t->acap);
  if (!t->slots || !t->used || !t->arena) {
    cb_tsv_free(t);
    return NULL;
  }
  return t;
}

void cb_tsv_free(cb_tsv *t) {
  if (!t) return;
  free(t->slots);
  free(t->used);
  free(t->arena);
  free(t);
}

void cb_tsv_reset(cb_tsv *t) {
  for (size_t i = 0; i < t->nused; i++) t->slots[t->used[i]].hash = 0;
  t->nused = 0;
  t->alen = 0;
  t->pos_base = 0;
  t->oom = 0;
}

size_t cb_tsv_count(const cb_tsv *t) {
  return t->nused;
}

static uint32_t lex_hash(const char *s, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h ? h : 1;
}

static int grow(cb_tsv *t) {
  size_t ncap = t->cap * 2;
  entry *ns = calloc(ncap, sizeof *ns);
  if (!ns) return -1;
  for (size_t i = 0; i < t->nused; i++) {
    entry *e = &t->slots[t->used[i]];
    size_t j = e->hash & (ncap - 1);
    while (ns[j].hash) j = (j + 1) & (ncap - 1);
    ns[j] = *e;
    t->used[i] = (uint32_t)j;
  }
  free(t->slots);
  t->slots = ns;
  t->cap = ncap;
  return 0;
}

static void add_token(const char *tok, size_t n, int is_part, unsigned idx, void *arg) {
  cb_tsv *t = arg;
  if (t->oom) return;
  unsigned p = t->pos_base + idx + 1;
  if (p > 16383) p = 16383;
  uint16_t pw = (uint16_t)(p | ((unsigned)t->cur_w << 14));
  uint32_t h = lex_hash(tok, n);
  size_t j = h & (t->cap - 1);
  while (t->slots[j].hash) {
    entry *e = &t->slots[j];
    if (e->hash == h && e->len == n && memcmp(t->arena + e->off, tok, n) == 0) {
      if ((e->pos[e->npos ? e->npos - 1 : 0] & 0x3FFF) == p && e->npos) return; /* same word */
      if (e->npos < CB_TSV_MAX_POS) {
        e->pos[e->npos++] = pw;
        return;
      }
      /* full: replace the lowest-weight position if this one weighs more */
      int lo = 0;
      for (int k = 1; k < CB_TSV_MAX_POS; k++)
        if ((e->pos[k] >> 14) < (e->pos[lo] >> 14)) lo = k;
      if ((e->pos[lo] >> 14) < (unsigned)t->cur_w) e->pos[lo] = pw;
      return;
    }
    j = (j + 1) & (t->cap - 1);
  }
  /* new lexeme */
  if (t->nused + 1 > t->cap / 2) {
    if (grow(t) != 0) {
      t->oom = 1;
      return;
    }
    add_token(tok, n, is_part, idx, arg);
    return;
  }
  if (t->nused == t->used_cap) {
    size_t ncap = t->used_cap > 0 ? t->used_cap * 2 : 512;
    uint32_t *nu = realloc(t->used, ncap * sizeof *nu);
    if (!nu) {
      t->oom = 1;
      return;
    }
    t->used = nu;
    t->used_cap = ncap;
  }
  if (t->alen + n > t->acap) {
    size_t nc = t->acap * 2;
    while (nc < t->alen + n) nc *= 2;
    char *na = realloc(t->arena, nc);
    if (!na) {
      t->oom = 1;
      return;
    }
    t->arena = na;
    t->acap = nc;
  }
  memcpy(t->arena + t->alen, tok, n);
  entry *e = &t->slots[j];
  e->hash = h;
  e->off = (uint32_t)t->alen;
  e->len = (uint8_t)n;
  e->npos = 1;
  e->pos[0] = pw;
  t->alen += n;
  t->used[t->nused++] = (uint32_t)j;
}

/* Symbol tokens are also indexed with a '#' mark, so "the word is in a symbol name" is a GIN
 * lookup ('#ledg') rather than a weight check on every tsvector holding the word. */
static void add_symbol_token(const char *tok, size_t n, int is_part, unsigned idx, void *arg) {
  add_token(tok, n, is_part, idx, arg);
  if (n >= CB_TOKEN_MAX) return;
  char marked[CB_TOKEN_MAX + 1];
  marked[0] = '#';
  memcpy(marked + 1, tok, n);
  add_token(marked, n + 1, is_part, idx, arg);
}

void cb_tsv_add_words(cb_tsv *t, const char *text, size_t n, cb_weight w) {
  t->cur_w = w;
  /* Outside symbol names only the leaves are indexed: whole compound identifiers in bodies are
   * nearly unique strings that would each add a GIN key (the costliest part of an insert), and
   * a query for one still matches through its pieces. */
  if (w == CB_W_A)
    t->pos_base += cb_tokens_each(text, n, add_symbol_token, t);
  else
    t->pos_base += cb_tokens_leaves(text, n, add_token, t);
}

/* ---- code lexer: comments / docstrings at B, the rest at C --------------------------------- */

void cb_tsv_add_code(cb_tsv *t, cb_lang lang, const char *s, size_t n) {
  if (lang == CB_LANG_TEXT) {
    cb_tsv_add_words(t, s, n, CB_W_C);
    return;
  }
  size_t seg = 0, i = 0; /* [seg, i) is pending code */
  while (i < n) {
    char c = s[i];
    size_t cs = i, ce = 0; /* comment span [cs, ce) */
    if ((lang == CB_LANG_PYTHON && c == '#') ||
        (lang == CB_LANG_JAVASCRIPT && c == '/' && i + 1 < n && s[i + 1] == '/')) {
      /* line comment */
      ce = i;
      while (ce < n && s[ce] != '\n') ce++;
    } else if (lang == CB_LANG_PYTHON && (c == '"' || c == '\'') && i + 2 < n && s[i + 1] == c &&
               s[i + 2] == c) {
      ce = i + 3;
      while (ce < n && !(s[ce] == c && ce + 2 < n && s[ce + 1] == c && s[ce + 2] == c)) {
        if (s[ce] == '\\') ce++;
        ce++;
      }
      ce = ce + 3 > n ? n : ce + 3;
    } else if (lang == CB_LANG_JAVASCRIPT && c == '/' && i + 1 < n && s[i + 1] == '*') {
      ce = i + 2;
      while (ce + 1 < n && !(s[ce] == '*' && s[ce + 1] == '/')) ce++;
      ce = ce + 2 > n ? n : ce + 2;
    } else if (c == '"' || c == '\'' || (lang == CB_LANG_JAVASCRIPT && c == '`')) {
      /* ordinary string: stays code; skip it so a '#' or '//' inside is not a comment */
      i++;
      while (i < n && s[i] != c && !(s[i] == '\n' && c != '`')) {
        if (s[i] == '\\') i++;
        i++;
      }
      if (i < n) i++;
      continue;
    } else {
      i++;
      continue;
    }
    if (cs > seg) cb_tsv_add_words(t, s + seg, cs - seg, CB_W_C);
    if (ce > n) ce = n;
    cb_tsv_add_words(t, s + cs, ce - cs, CB_W_B);
    i = seg = ce;
  }
  if (n > seg) cb_tsv_add_words(t, s + seg, n - seg, CB_W_C);
}

int cb_tsv_render(const cb_tsv *t, mdl_buf *out) {
  static const char wch[4] = {0, 'C', 'B', 'A'};
  if (t->oom) return -1;
  if (mdl_buf_reserve(out, t->nused * (CB_TOKEN_MAX + 4 + CB_TSV_MAX_POS * 7)) != 0) return -1;
  char *o = out->data + out->len;
  for (size_t i = 0; i < t->nused; i++) {
    const entry *e = &t->slots[t->used[i]];
    if (i) *o++ = ' ';
    *o++ = '\'';
    memcpy(o, t->arena + e->off, e->len);
    o += e->len;
    *o++ = '\'';
    for (int k = 0; k < e->npos; k++) {
      *o++ = k ? ',' : ':';
      unsigned p = e->pos[k] & 0x3FFF, w = e->pos[k] >> 14;
      char d[6];
      int nd = 0;
      do {
        d[nd++] = (char)('0' + p % 10);
        p /= 10;
      } while (p);
      while (nd) *o++ = d[--nd];
      if (w) *o++ = wch[w];
    }
  }
  out->len = (size_t)(o - out->data);
  out->data[out->len] = '\0';
  return 0;
}

/* ---- tsquery ------------------------------------------------------------------------------ */

typedef struct qstate {
  mdl_buf *out;
  int and_mode;
  int symbols;   /* 1: the '#'-marked symbol lexemes */
  int words;     /* words written */
  int cur_word;  /* word index of the open group, -1 if none */
  int cur_parts; /* parts written in the open group */
  int cur_has_whole;
} qstate;

static void q_close(qstate *q) {
  if (q->cur_word < 0) return;
  if (q->cur_parts > 0) mdl_buf_putc(q->out, ')');
  if (q->cur_has_whole || q->cur_parts) mdl_buf_putc(q->out, ')');
  q->cur_word = -1;
}

static void q_token(const char *tok, size_t n, int is_part, unsigned idx, void *arg) {
  qstate *q = arg;
  if ((int)idx != q->cur_word) {
    q_close(q);
    if (q->words) mdl_buf_puts(q->out, q->and_mode ? " & " : " | ");
    mdl_buf_putc(q->out, '(');
    q->cur_word = (int)idx;
    q->cur_parts = 0;
    q->cur_has_whole = 0;
    q->words++;
  }
  if (!is_part) {
    q->cur_has_whole = 1;
  } else {
    if (q->cur_parts == 0)
      mdl_buf_puts(q->out, q->cur_has_whole ? " | (" : "(");
    else
      mdl_buf_puts(q->out, " & ");
    q->cur_parts++;
  }
  mdl_buf_putc(q->out, '\'');
  if (q->symbols) mdl_buf_putc(q->out, '#');
  mdl_buf_add(q->out, tok, n);
  mdl_buf_putc(q->out, '\'');
}

int cb_tsquery_build_w(const char *query, int and_mode, int symbols, mdl_buf *out) {
  assert(query && out);
  qstate q = {out, and_mode, symbols, 0, -1, 0, 0};
  size_t start = out->len;
  cb_tokens_each(query, strlen(query), q_token, &q);
  q_close(&q);
  if (q.words == 0) {
    out->len = start;
    if (out->data) out->data[start] = '\0';
  }
  return q.words;
}

int cb_tsquery_build(const char *query, int and_mode, mdl_buf *out) {
  return cb_tsquery_build_w(query, and_mode, 0, out);
}
