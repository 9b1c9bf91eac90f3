/* memidx.c — building a cb_memidx from chunks (tsvector text in, compressed postings out), its
 * dictionaries and its lifetime (see memidx.h; the layout is memidx_int.h, search is
 * memidx_search.c).
 *
 * The builder streams: each chunk's lexemes are appended at once to their term's growing posting
 * buffer (varint delta + impact byte, a block closed every CB_MEMIDX_BLOCK postings), so its
 * memory is the final index plus the buffers' slack, never a second copy of the postings. At
 * build time the buffers are concatenated into one array, files are renumbered in byte order of
 * their paths and the per-name doc lists are laid out. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "servers/codebase_mcp/memidx_int.h"

/* ---- strings interned in one arena ------------------------------------------------------- */

/* ids 0..n-1; slots hold id + 1 (0 = empty); strings NUL-terminated in arena. */
typedef struct strtab {
  uint32_t *slots;
  uint32_t cap; /* power of two */
  uint32_t n;
  uint32_t *off; /* [id] */
  uint32_t offcap;
  char *arena;
  size_t alen, acap;
} strtab;

uint32_t cb_mi_hash(const char *s, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h ? h : 1;
}

static int st_same(const char *arena, uint32_t off, const char *s, size_t n) {
  return memcmp(arena + off, s, n) == 0 && arena[off + n] == '\0';
}

static int64_t st_lookup(const uint32_t *slots, uint32_t cap, const uint32_t *off,
                         const char *arena, const char *s, size_t n) {
  if (cap == 0) return -1;
  uint32_t j = cb_mi_hash(s, n) & (cap - 1);
  while (slots[j]) {
    uint32_t id = slots[j] - 1;
    if (st_same(arena, off[id], s, n)) return id;
    j = (j + 1) & (cap - 1);
  }
  return -1;
}

static int st_grow(strtab *t) {
  uint32_t ncap = t->cap ? t->cap * 2 : 1024;
  uint32_t *ns = calloc(ncap, sizeof *ns);
  if (!ns) return -1;
  for (uint32_t id = 0; id < t->n; id++) {
    const char *s = t->arena + t->off[id];
    uint32_t j = cb_mi_hash(s, strlen(s)) & (ncap - 1);
    while (ns[j]) j = (j + 1) & (ncap - 1);
    ns[j] = id + 1;
  }
  free(t->slots);
  t->slots = ns;
  t->cap = ncap;
  return 0;
}

/* The id of s (added when absent, *added = 1), or -1 when memory runs out. */
static int64_t st_intern(strtab *t, const char *s, size_t n, int *added) {
  *added = 0;
  int64_t id = st_lookup(t->slots, t->cap, t->off, t->arena, s, n);
  if (id >= 0) return id;
  if ((uint64_t)(t->n + 1) * 2 > t->cap && st_grow(t) != 0) return -1;
  if (t->n == t->offcap) {
    uint32_t nc = t->offcap ? t->offcap * 2 : 1024;
    uint32_t *no = realloc(t->off, nc * sizeof *no);
    if (!no) return -1;
    t->off = no;
    t->offcap = nc;
  }
  if (t->alen + n + 1 > t->acap) {
    size_t nc = t->acap ? t->acap * 2 : 8192;
    while (nc < t->alen + n + 1) nc *= 2;
    if (nc > UINT32_MAX) return -1;
    char *na = realloc(t->arena, nc);
    if (!na) return -1;
    t->arena = na;
    t->acap = nc;
  }
  memcpy(t->arena + t->alen, s, n);
  t->arena[t->alen + n] = '\0';
  t->off[t->n] = (uint32_t)t->alen;
  t->alen += n + 1;
  uint32_t j = cb_mi_hash(s, n) & (t->cap - 1);
  while (t->slots[j]) j = (j + 1) & (t->cap - 1);
  t->slots[j] = t->n + 1;
  *added = 1;
  return t->n++;
}

static void st_free(strtab *t) {
  free(t->slots);
  free(t->off);
  free(t->arena);
  memset(t, 0, sizeof *t);
}

/* ---- the builder ------------------------------------------------------------------------- */

typedef struct bterm {
  uint8_t *data;
  uint32_t len, cap;
  mi_block *blks; /* closed blocks */
  uint32_t nb, bcap;
  uint32_t n, last, cur_off;
  uint8_t max, cur_max;
} bterm;

struct cb_memidx_builder {
  strtab terms, files, names;
  bterm *bt;
  uint32_t btcap;
  uint32_t ndocs, dcap;
  unsigned char *doc_id;
  uint32_t *doc_file, *doc_sym, *doc_parent;
  uint8_t *doc_lang;
  char langs[MI_LANGS_MAX][24];
  int nlangs;
  uint64_t postings;
  uint64_t data_bytes;
  int failed;
};

cb_memidx_builder *cb_memidx_builder_new(void) {
  return calloc(1, sizeof(cb_memidx_builder));
}

static void free_bterms(cb_memidx_builder *b) {
  for (uint32_t i = 0; i < b->terms.n && i < b->btcap && b->bt; i++) {
    free(b->bt[i].data);
    free(b->bt[i].blks);
  }
  free(b->bt);
  b->bt = NULL;
}

void cb_memidx_builder_free(cb_memidx_builder *b) {
  if (!b) return;
  free_bterms(b);
  st_free(&b->terms);
  st_free(&b->files);
  st_free(&b->names);
  free(b->doc_id);
  free(b->doc_file);
  free(b->doc_sym);
  free(b->doc_parent);
  free(b->doc_lang);
  free(b);
}

uint8_t cb_memidx_impact(const uint8_t *weights, int n) {
  static const double kW[4] = {0.05, 0.2, 0.4, 1.0}; /* D, C, B, A as search.c ranks */
  if (n <= 0) return (uint8_t)(kW[0] / 1.64493406685 * 255.0 + 0.5); /* no positions: D */
  double res = 0, wjm = -1;
  int jm = 0;
  for (int j = 0; j < n; j++) {
    double w = kW[weights[j] & 3];
    res += w / ((double)(j + 1) * (j + 1));
    if (w > wjm) {
      wjm = w;
      jm = j;
    }
  }
  double imp = (wjm + res - wjm / ((double)(jm + 1) * (jm + 1))) / 1.64493406685;
  long q = (long)(imp * 255.0 + 0.5);
  if (q < 1) q = 1;
  if (q > 255) q = 255;
  return (uint8_t)q;
}

static int put_byte(bterm *t, uint8_t v) {
  if (t->len == t->cap) {
    uint32_t nc = t->cap ? t->cap * 2 : 8;
    uint8_t *nd = realloc(t->data, nc);
    if (!nd) return -1;
    t->data = nd;
    t->cap = nc;
  }
  t->data[t->len++] = v;
  return 0;
}

static int add_posting(cb_memidx_builder *b, bterm *t, uint32_t doc, uint8_t imp) {
  if (t->n > 0 && t->last == doc) return 0; /* the same lexeme twice in one chunk */
  if (t->n > 0 && t->n % CB_MEMIDX_BLOCK == 0) {
    if (t->nb == t->bcap) {
      uint32_t nc = t->bcap ? t->bcap * 2 : 4;
      mi_block *nbk = realloc(t->blks, nc * sizeof *nbk);
      if (!nbk) return -1;
      t->blks = nbk;
      t->bcap = nc;
    }
    t->blks[t->nb++] = (mi_block){t->last, t->cur_off, t->cur_max};
    t->cur_off = t->len;
    t->cur_max = 0;
  }
  uint32_t delta = t->n == 0 ? doc : doc - t->last;
  uint32_t before = t->len;
  while (delta >= 0x80) {
    if (put_byte(t, (uint8_t)(delta | 0x80)) != 0) return -1;
    delta >>= 7;
  }
  if (put_byte(t, (uint8_t)delta) != 0 || put_byte(t, imp) != 0) return -1;
  b->data_bytes += t->len - before;
  t->last = doc;
  t->n++;
  if (imp > t->cur_max) t->cur_max = imp;
  if (imp > t->max) t->max = imp;
  b->postings++;
  return 0;
}

static int add_lexeme(cb_memidx_builder *b, const char *lex, size_t n, const uint8_t *w, int nw) {
  if (n == 0 || lex[0] == '#') return 0; /* '#' twins: the impact already has the A weight */
  int added;
  int64_t id = st_intern(&b->terms, lex, n, &added);
  if (id < 0) return -1;
  if (added) {
    if ((uint32_t)id >= b->btcap) {
      uint32_t nc = b->btcap ? b->btcap * 2 : 1024;
      bterm *nb = realloc(b->bt, nc * sizeof *nb);
      if (!nb) return -1;
      b->bt = nb;
      b->btcap = nc;
    }
    memset(&b->bt[id], 0, sizeof b->bt[id]);
  }
  return add_posting(b, &b->bt[id], b->ndocs, cb_memidx_impact(w, nw));
}

/* Parses PostgreSQL's tsvector output ('lex':1A,2 'x' ...) adding each lexeme. */
static int parse_tsv(cb_memidx_builder *b, const char *s) {
  char lex[256];
  uint8_t w[256];
  while (*s) {
    while (*s == ' ') s++;
    if (!*s) break;
    if (*s != '\'') return -1;
    s++;
    size_t n = 0;
    for (;;) {
      if (*s == '\0') return -1;
      if (*s == '\'') {
        if (s[1] == '\'') {
          s++;
        } else {
          s++;
          break;
        }
      } else if (*s == '\\' && s[1]) {
        s++;
      }
      if (n < sizeof lex - 1) lex[n++] = *s;
      s++;
    }
    int nw = 0;
    if (*s == ':') {
      s++;
      for (;;) {
        if (*s < '0' || *s > '9') return -1;
        while (*s >= '0' && *s <= '9') s++;
        uint8_t code = 0; /* D */
        if (*s == 'A') code = 3;
        if (*s == 'B') code = 2;
        if (*s == 'C') code = 1;
        if (*s == 'A' || *s == 'B' || *s == 'C' || *s == 'D') s++;
        if (nw < (int)sizeof w) w[nw++] = code;
        if (*s != ',') break;
        s++;
      }
    }
    if (add_lexeme(b, lex, n, w, nw) != 0) return -1;
  }
  return 0;
}

size_t cb_mi_name_norm(const char *s, char *out, size_t cap) {
  size_t n = 0;
  for (; *s && n + 1 < cap; s++) {
    if (*s == '_') continue;
    unsigned char ch = (unsigned char)*s;
    if (ch >= 'A' && ch <= 'Z') ch = (unsigned char)(ch + 32);
    out[n++] = (char)ch;
  }
  out[n] = '\0';
  return n;
}

/* The name id (1-based) of a symbol, 0 for none (empty, or too long to be a query's name). */
static int name_id(cb_memidx_builder *b, const char *sym, uint32_t *out) {
  char norm[CB_MEMIDX_NAME_MAX + 1];
  *out = 0;
  if (!sym || !*sym || strlen(sym) > (size_t)4 * CB_MEMIDX_NAME_MAX) return 0;
  size_t n = cb_mi_name_norm(sym, norm, sizeof norm);
  if (n == 0 || n >= CB_MEMIDX_NAME_MAX) return 0;
  int added;
  int64_t id = st_intern(&b->names, norm, n, &added);
  if (id < 0) return -1;
  *out = (uint32_t)id + 1;
  return 0;
}

static int grow_docs(cb_memidx_builder *b) {
  uint32_t nc = b->dcap ? b->dcap * 2 : 4096;
  unsigned char *i = realloc(b->doc_id, (size_t)nc * 16);
  if (i) b->doc_id = i;
  uint32_t *f = realloc(b->doc_file, nc * sizeof *f);
  if (f) b->doc_file = f;
  uint32_t *s = realloc(b->doc_sym, nc * sizeof *s);
  if (s) b->doc_sym = s;
  uint32_t *p = realloc(b->doc_parent, nc * sizeof *p);
  if (p) b->doc_parent = p;
  uint8_t *l = realloc(b->doc_lang, nc);
  if (l) b->doc_lang = l;
  if (!i || !f || !s || !p || !l) return -1;
  b->dcap = nc;
  return 0;
}

int cb_memidx_builder_add(cb_memidx_builder *b, const cb_memidx_doc *d) {
  assert(b && d && d->language && d->file_path && d->tsv);
  if (b->failed) return -1;
  if (b->ndocs == MI_END - 1 || (b->ndocs == b->dcap && grow_docs(b) != 0)) goto fail;
  uint32_t doc = b->ndocs;
  memcpy(b->doc_id + (size_t)doc * 16, d->id, 16);
  int lang = -1;
  for (int i = 0; i < b->nlangs && lang < 0; i++)
    if (strcmp(b->langs[i], d->language) == 0) lang = i;
  if (lang < 0) {
    if (b->nlangs == MI_LANGS_MAX || strlen(d->language) >= sizeof b->langs[0]) goto fail;
    lang = b->nlangs++;
    snprintf(b->langs[lang], sizeof b->langs[lang], "%s", d->language);
  }
  b->doc_lang[doc] = (uint8_t)lang;
  int added;
  int64_t f = st_intern(&b->files, d->file_path, strlen(d->file_path), &added);
  if (f < 0) goto fail;
  b->doc_file[doc] = (uint32_t)f;
  if (name_id(b, d->symbol, &b->doc_sym[doc]) != 0) goto fail;
  if (name_id(b, d->parent_symbol, &b->doc_parent[doc]) != 0) goto fail;
  if (parse_tsv(b, d->tsv) != 0) goto fail;
  if (b->data_bytes >= (uint64_t)UINT32_MAX - 64) goto fail;
  b->ndocs++;
  return 0;

fail:
  b->failed = 1;
  return -1;
}

/* ---- build --------------------------------------------------------------------------------- */

/* Orders file ids by their paths (arg: the builder's file table). */
static int cmp_file(const void *a, const void *b, void *arg) {
  const strtab *t = arg;
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return strcmp(t->arena + t->off[x], t->arena + t->off[y]);
}

/* Files in byte order of their paths: m->file_off / m->paths, and doc_file renumbered. */
static int sort_files(cb_memidx_builder *b, cb_memidx *m) {
  uint32_t n = b->files.n;
  uint32_t *order = malloc((n ? n : 1) * sizeof *order);
  uint32_t *rank = malloc((n ? n : 1) * sizeof *rank);
  m->file_off = malloc((n ? n : 1) * sizeof *m->file_off);
  m->paths = malloc(b->files.alen ? b->files.alen : 1);
  int rc = -1;
  if (!order || !rank || !m->file_off || !m->paths) goto cleanup;
  for (uint32_t i = 0; i < n; i++) order[i] = i;
  qsort_r(order, n, sizeof *order, cmp_file, &b->files);
  size_t at = 0;
  for (uint32_t r = 0; r < n; r++) {
    const char *p = b->files.arena + b->files.off[order[r]];
    size_t len = strlen(p) + 1;
    memcpy(m->paths + at, p, len);
    m->file_off[r] = (uint32_t)at;
    at += len;
    rank[order[r]] = r;
  }
  for (uint32_t d = 0; d < b->ndocs; d++) b->doc_file[d] = rank[b->doc_file[d]];
  m->nfiles = n;
  m->bytes += (size_t)n * sizeof *m->file_off + b->files.alen;
  rc = 0;

cleanup:
  free(order);
  free(rank);
  return rc;
}

/* CSR lists of docs by name id (ids 1..nn) for one of doc_sym / doc_parent. */
static int by_name(const uint32_t *of, uint32_t ndocs, uint32_t nn, uint32_t **start,
                   uint32_t **docs) {
  *start = calloc((size_t)nn + 2, sizeof **start);
  *docs = malloc((ndocs ? ndocs : 1) * sizeof **docs);
  if (!*start || !*docs) return -1;
  for (uint32_t d = 0; d < ndocs; d++)
    if (of[d]) (*start)[of[d] + 1]++;
  for (uint32_t i = 1; i <= nn + 1; i++) (*start)[i] += (*start)[i - 1];
  uint32_t *fill = malloc(((size_t)nn + 1) * sizeof *fill);
  if (!fill) return -1;
  memcpy(fill, *start, ((size_t)nn + 1) * sizeof *fill);
  for (uint32_t d = 0; d < ndocs; d++)
    if (of[d]) (*docs)[fill[of[d]]++] = d;
  free(fill);
  return 0;
}

int cb_memidx_build(cb_memidx_builder *b, int64_t generation, cb_memidx **out) {
  assert(b && out);
  *out = NULL;
  cb_memidx *m = calloc(1, sizeof *m);
  if (!m || b->failed) goto fail;
  atomic_init(&m->refs, 1);
  m->generation = generation;
  m->ndocs = b->ndocs;
  m->postings = b->postings;
  /* postings: one data array and one block array */
  uint64_t nblocks = 0;
  for (uint32_t i = 0; i < b->terms.n; i++) nblocks += b->bt[i].nb + (b->bt[i].n > 0);
  m->nterms = b->terms.n;
  m->terms = malloc((m->nterms ? m->nterms : 1) * sizeof *m->terms);
  m->blocks = malloc((nblocks ? nblocks : 1) * sizeof *m->blocks);
  m->data = malloc(b->data_bytes ? b->data_bytes : 1);
  if (!m->terms || !m->blocks || !m->data || nblocks >= UINT32_MAX) goto fail;
  uint32_t at = 0, bk = 0;
  for (uint32_t i = 0; i < b->terms.n; i++) {
    bterm *t = &b->bt[i];
    mi_term *mt = &m->terms[i];
    mt->lex_off = b->terms.off[i];
    size_t ll = strlen(b->terms.arena + mt->lex_off);
    mt->lex_len = (uint8_t)(ll > 255 ? 255 : ll);
    mt->n = t->n;
    mt->max = t->max;
    mt->blk = bk;
    for (uint32_t k = 0; k < t->nb; k++)
      m->blocks[bk++] = (mi_block){t->blks[k].last, t->blks[k].off + at, t->blks[k].max};
    if (t->n > 0) m->blocks[bk++] = (mi_block){t->last, t->cur_off + at, t->cur_max};
    memcpy(m->data + at, t->data, t->len);
    at += t->len;
    free(t->data);
    free(t->blks);
    t->data = NULL;
    t->blks = NULL;
  }
  m->nblocks = bk;
  free(b->bt);
  b->bt = NULL;
  b->btcap = 0;
  m->hslots = b->terms.slots;
  m->hcap = b->terms.cap;
  m->lex = b->terms.arena;
  m->bytes += sizeof *m + (size_t)m->nterms * sizeof *m->terms + (size_t)bk * sizeof *m->blocks +
              at + (size_t)m->hcap * 4 + b->terms.acap;
  b->terms.slots = NULL;
  b->terms.arena = NULL;
  /* docs */
  if (sort_files(b, m) != 0) goto fail;
  m->doc_id = b->doc_id;
  m->doc_file = b->doc_file;
  m->doc_sym = b->doc_sym;
  m->doc_parent = b->doc_parent;
  m->doc_lang = b->doc_lang;
  b->doc_id = NULL;
  b->doc_file = b->doc_sym = b->doc_parent = NULL;
  b->doc_lang = NULL;
  m->bytes += (size_t)b->dcap * (16 + 4 * 3 + 1);
  memcpy(m->langs, b->langs, sizeof m->langs);
  m->nlangs = b->nlangs;
  /* names */
  m->nnames = b->names.n;
  m->name_off = malloc(((size_t)m->nnames + 1) * sizeof *m->name_off);
  if (!m->name_off) goto fail;
  m->name_off[0] = 0;
  for (uint32_t i = 0; i < m->nnames; i++) m->name_off[i + 1] = b->names.off[i];
  m->names = b->names.arena;
  m->nslots = b->names.slots;
  m->ncap = b->names.cap;
  b->names.arena = NULL;
  b->names.slots = NULL;
  if (by_name(m->doc_sym, m->ndocs, m->nnames, &m->sym_start, &m->sym_docs) != 0 ||
      by_name(m->doc_parent, m->ndocs, m->nnames, &m->par_start, &m->par_docs) != 0)
    goto fail;
  m->bytes += ((size_t)m->nnames + 1) * 4 * 3 + b->names.acap + (size_t)m->ncap * 4 +
              (size_t)m->ndocs * 4 * 2;
  cb_memidx_builder_free(b);
  *out = m;
  return 0;

fail:
  cb_memidx_builder_free(b);
  if (m) {
    atomic_init(&m->refs, 1);
    cb_memidx_release(m);
  }
  return -1;
}

/* ---- lifetime and lookups ---------------------------------------------------------------- */

void cb_memidx_retain(cb_memidx *m) {
  atomic_fetch_add(&m->refs, 1);
}

void cb_memidx_release(cb_memidx *m) {
  if (!m || atomic_fetch_sub(&m->refs, 1) != 1) return;
  free(m->terms);
  free(m->hslots);
  free(m->lex);
  free(m->blocks);
  free(m->data);
  free(m->doc_id);
  free(m->doc_file);
  free(m->doc_sym);
  free(m->doc_parent);
  free(m->doc_lang);
  free(m->file_off);
  free(m->paths);
  free(m->name_off);
  free(m->names);
  free(m->nslots);
  free(m->sym_start);
  free(m->sym_docs);
  free(m->par_start);
  free(m->par_docs);
  free(m);
}

int64_t cb_memidx_generation(const cb_memidx *m) {
  return m->generation;
}
uint32_t cb_memidx_docs(const cb_memidx *m) {
  return m->ndocs;
}
uint32_t cb_memidx_terms(const cb_memidx *m) {
  return m->nterms;
}
uint64_t cb_memidx_postings(const cb_memidx *m) {
  return m->postings;
}
size_t cb_memidx_bytes(const cb_memidx *m) {
  return m->bytes;
}

const unsigned char *cb_memidx_doc_id(const cb_memidx *m, uint32_t doc) {
  assert(doc < m->ndocs);
  return m->doc_id + (size_t)doc * 16;
}

int64_t cb_mi_term_find(const cb_memidx *m, const char *lex, size_t n) {
  if (m->nterms == 0) return -1;
  uint32_t j = cb_mi_hash(lex, n) & (m->hcap - 1);
  while (m->hslots[j]) {
    uint32_t id = m->hslots[j] - 1;
    if (st_same(m->lex, m->terms[id].lex_off, lex, n)) return id;
    j = (j + 1) & (m->hcap - 1);
  }
  return -1;
}

uint32_t cb_mi_name_find(const cb_memidx *m, const char *name) {
  size_t n = strlen(name);
  if (m->nnames == 0 || n == 0) return 0;
  uint32_t j = cb_mi_hash(name, n) & (m->ncap - 1);
  while (m->nslots[j]) {
    uint32_t id = m->nslots[j];
    if (st_same(m->names, m->name_off[id], name, n)) return id;
    j = (j + 1) & (m->ncap - 1);
  }
  return 0;
}
