/* memidx_search.c — top-k retrieval over a cb_memidx that stops early, the exact match count,
 * and the exhaustive reference ranking (see memidx.h for the scoring and the strategy).
 *
 * Cursors walk one term's postings forward only: a cursor knows its current block without
 * decoding it (seek_block: enough for a block-max bound), and decodes a block (at most
 * CB_MEMIDX_BLOCK postings into its own arrays) only when a doc in it must be looked at. The
 * k best so far sit in a min-heap whose root is the k-th best; "can win" compares a bound with
 * it, ties going to the lower doc number. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "servers/codebase_mcp/memidx_int.h"

/* ---- cursors ----------------------------------------------------------------------------- */

typedef struct cur {
  const cb_memidx *m;
  const mi_term *t; /* NULL: the term is not in the index */
  int q;            /* the term's index in the query */
  uint32_t b, nb;   /* current block, blocks */
  uint32_t cnt, i;  /* postings decoded from block b, position */
  int decoded;      /* block b is in docs / imps (or the cursor is at its end) */
  uint32_t doc;     /* current doc when decoded; MI_END past the end */
  uint32_t docs[CB_MEMIDX_BLOCK];
  uint8_t imps[CB_MEMIDX_BLOCK];
} cur;

static const mi_block *blk(const cur *c, uint32_t b) {
  return &c->m->blocks[c->t->blk + b];
}

static void cur_init(cur *c, const cb_memidx *m, int64_t tid, int q) {
  c->m = m;
  c->t = tid >= 0 ? &m->terms[tid] : NULL;
  c->q = q;
  c->b = 0;
  c->nb = c->t ? (c->t->n + CB_MEMIDX_BLOCK - 1) / CB_MEMIDX_BLOCK : 0;
  c->cnt = c->i = 0;
  c->decoded = c->nb == 0;
  c->doc = c->nb == 0 ? MI_END : 0;
}

static void cur_end(cur *c) {
  c->b = c->nb;
  c->decoded = 1;
  c->doc = MI_END;
}

static void decode(cur *c) {
  assert(c->b < c->nb);
  const mi_block *k = blk(c, c->b);
  uint32_t prev = c->b == 0 ? 0 : blk(c, c->b - 1)->last;
  uint32_t cnt = c->b + 1 == c->nb ? c->t->n - c->b * CB_MEMIDX_BLOCK : CB_MEMIDX_BLOCK;
  const uint8_t *p = c->m->data + k->off;
  for (uint32_t j = 0; j < cnt; j++) {
    uint32_t delta = 0;
    int shift = 0;
    while (*p & 0x80) {
      delta |= (uint32_t)(*p++ & 0x7F) << shift;
      shift += 7;
    }
    delta |= (uint32_t)*p++ << shift;
    prev += delta;
    c->docs[j] = prev;
    c->imps[j] = *p++;
  }
  c->cnt = cnt;
  c->i = 0;
  c->decoded = 1;
  c->doc = c->docs[0];
}

/* Moves to the first block whose last doc is >= d (without decoding it). */
static void seek_block(cur *c, uint32_t d) {
  if (c->b >= c->nb) return;
  if (blk(c, c->b)->last >= d) return;
  uint32_t lo = c->b + 1, hi = c->nb; /* first block in [lo, hi) with last >= d */
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (blk(c, mid)->last >= d)
      hi = mid;
    else
      lo = mid + 1;
  }
  if (lo == c->nb) {
    cur_end(c);
    return;
  }
  c->b = lo;
  c->decoded = 0;
}

/* The largest impact the term can have at any doc >= d of the current block (0 at the end). */
static uint8_t blockmax_at(cur *c, uint32_t d) {
  seek_block(c, d);
  return c->b < c->nb ? blk(c, c->b)->max : 0;
}

/* Positions the cursor at its first doc >= d and returns it (MI_END past the end). */
static uint32_t next_geq(cur *c, uint32_t d) {
  if (c->decoded && c->doc >= d) return c->doc;
  seek_block(c, d);
  if (c->b >= c->nb) return MI_END;
  if (!c->decoded) decode(c);
  while (c->docs[c->i] < d) c->i++; /* the block's last doc is >= d */
  c->doc = c->docs[c->i];
  return c->doc;
}

/* Steps past the current doc (the cursor must be decoded). */
static void advance(cur *c) {
  assert(c->decoded && c->doc != MI_END);
  if (++c->i < c->cnt) {
    c->doc = c->docs[c->i];
    return;
  }
  if (++c->b >= c->nb) {
    cur_end(c);
    return;
  }
  decode(c);
}

/* Skips the rest of the current block and decodes the next one. */
static void skip_block(cur *c) {
  if (++c->b >= c->nb) {
    cur_end(c);
    return;
  }
  decode(c);
}

/* The term's impact at doc d by binary search (0: absent), for random access. */
static uint8_t probe(const cb_memidx *m, const mi_term *t, uint32_t d) {
  if (!t || t->n == 0) return 0;
  uint32_t nb = (t->n + CB_MEMIDX_BLOCK - 1) / CB_MEMIDX_BLOCK;
  const mi_block *bs = &m->blocks[t->blk];
  uint32_t lo = 0, hi = nb;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (bs[mid].last >= d)
      hi = mid;
    else
      lo = mid + 1;
  }
  if (lo == nb) return 0;
  uint32_t prev = lo == 0 ? 0 : bs[lo - 1].last;
  uint32_t cnt = lo + 1 == nb ? t->n - lo * CB_MEMIDX_BLOCK : CB_MEMIDX_BLOCK;
  const uint8_t *p = m->data + bs[lo].off;
  for (uint32_t j = 0; j < cnt; j++) {
    uint32_t delta = 0;
    int shift = 0;
    while (*p & 0x80) {
      delta |= (uint32_t)(*p++ & 0x7F) << shift;
      shift += 7;
    }
    delta |= (uint32_t)*p++ << shift;
    prev += delta;
    uint8_t imp = *p++;
    if (prev == d) return imp;
    if (prev > d) return 0;
  }
  return 0;
}

/* ---- the k best ------------------------------------------------------------------------- */

typedef struct heap {
  cb_memidx_hit *h;
  int n, k;
} heap;

static int worse(const cb_memidx_hit *a, const cb_memidx_hit *b) {
  return a->key < b->key || (a->key == b->key && a->doc > b->doc);
}

static int can_win(const heap *h, int64_t key, uint32_t doc) {
  if (h->n < h->k) return 1;
  const cb_memidx_hit *r = &h->h[0];
  return key > r->key || (key == r->key && doc < r->doc);
}

/* Adds (doc, key) if it beats the k-th best; returns 1 when the heap's root changed. */
static int push(heap *h, uint32_t doc, int64_t key) {
  cb_memidx_hit x = {doc, key, 0};
  if (h->n < h->k) {
    int i = h->n++;
    while (i > 0 && worse(&x, &h->h[(i - 1) / 2])) {
      h->h[i] = h->h[(i - 1) / 2];
      i = (i - 1) / 2;
    }
    h->h[i] = x;
    return h->n == h->k;
  }
  if (!worse(&h->h[0], &x)) return 0;
  int i = 0;
  for (;;) {
    int l = 2 * i + 1, r = l + 1, w = i;
    const cb_memidx_hit *cand = &x;
    if (l < h->n && worse(&h->h[l], cand)) {
      w = l;
      cand = &h->h[l];
    }
    if (r < h->n && worse(&h->h[r], cand)) w = r;
    if (w == i) break;
    h->h[i] = h->h[w];
    i = w;
  }
  h->h[i] = x;
  return 1;
}

static int better_first(const void *a, const void *b) {
  const cb_memidx_hit *x = a, *y = b;
  if (x->key != y->key) return x->key > y->key ? -1 : 1;
  return x->doc < y->doc ? -1 : x->doc > y->doc;
}

/* ---- the query against one index --------------------------------------------------------- */

typedef struct qctx {
  const cb_memidx *m;
  const cb_memidx_query *q;
  int64_t tid[CB_MEMIDX_QTERMS]; /* -1: not in the index */
  int nt, nw;
  uint64_t whole_bit[CB_MEMIDX_QWORDS], part_mask[CB_MEMIDX_QWORDS];
  int64_t K; /* 255 x distinct terms: one lift unit */
  int lang;  /* -1 any, -2 an unknown language (nothing matches) */
  int prefix;
  uint32_t flo, fhi; /* files under the prefix */
  uint32_t whole_id;
  uint32_t name_id[CB_MEMIDX_QNAMES];
  int nnames;
} qctx;

static const char *file_path(const cb_memidx *m, uint32_t f) {
  return m->paths + m->file_off[f];
}

static void setup(qctx *x, const cb_memidx *m, const cb_memidx_query *q) {
  memset(x, 0, sizeof *x);
  x->m = m;
  x->q = q;
  x->nt = q->nterms < CB_MEMIDX_QTERMS ? q->nterms : CB_MEMIDX_QTERMS;
  x->nw = q->nwords < CB_MEMIDX_QWORDS ? q->nwords : CB_MEMIDX_QWORDS;
  for (int i = 0; i < x->nt; i++) x->tid[i] = cb_mi_term_find(m, q->terms[i], strlen(q->terms[i]));
  for (int w = 0; w < x->nw; w++) {
    const cb_memidx_word *wd = &q->words[w];
    if (wd->whole >= 0 && wd->whole < x->nt) x->whole_bit[w] = 1ull << wd->whole;
    for (int p = 0; p < wd->nparts && p < CB_MEMIDX_QPARTS; p++)
      if (wd->parts[p] >= 0 && wd->parts[p] < x->nt) x->part_mask[w] |= 1ull << wd->parts[p];
  }
  x->K = 255 * (int64_t)(x->nt > 0 ? x->nt : 1);
  x->lang = -1;
  if (q->language) {
    x->lang = -2;
    for (int i = 0; i < m->nlangs; i++)
      if (strcmp(m->langs[i], q->language) == 0) x->lang = i;
  }
  if (q->path_prefix && *q->path_prefix) {
    const char *p = q->path_prefix;
    size_t pl = strlen(p);
    uint32_t lo = 0, hi = m->nfiles;
    while (lo < hi) { /* first path >= prefix */
      uint32_t mid = lo + (hi - lo) / 2;
      if (strcmp(file_path(m, mid), p) >= 0)
        hi = mid;
      else
        lo = mid + 1;
    }
    x->flo = lo;
    hi = m->nfiles;
    while (lo < hi) { /* first path past the ones starting with the prefix */
      uint32_t mid = lo + (hi - lo) / 2;
      if (strncmp(file_path(m, mid), p, pl) > 0)
        hi = mid;
      else
        lo = mid + 1;
    }
    x->fhi = lo;
    x->prefix = 1;
  }
  if (q->whole_name[0]) x->whole_id = cb_mi_name_find(m, q->whole_name);
  for (int i = 0; i < q->nnames && i < CB_MEMIDX_QNAMES; i++) {
    uint32_t id = cb_mi_name_find(m, q->names[i]);
    if (id) x->name_id[x->nnames++] = id;
  }
}

static int doc_ok(const qctx *x, uint32_t d) {
  if (x->lang == -2) return 0;
  if (x->lang >= 0 && x->m->doc_lang[d] != x->lang) return 0;
  if (x->prefix && (x->m->doc_file[d] < x->flo || x->m->doc_file[d] >= x->fhi)) return 0;
  return 1;
}

static int named(const qctx *x, uint32_t id) {
  for (int i = 0; i < x->nnames; i++)
    if (x->name_id[i] == id) return 1;
  return 0;
}

/* search.c's lift: + 3 for the whole query's name, else + 1 (symbol named) + 1 (parent named). */
static int lift(const qctx *x, uint32_t d) {
  uint32_t s = x->m->doc_sym[d], p = x->m->doc_parent[d];
  if (s == 0) return 0;
  if (x->whole_id && s == x->whole_id) return 3;
  return named(x, s) + (p != 0 && named(x, p));
}

static int matches(const qctx *x, uint64_t pres) {
  for (int w = 0; w < x->nw; w++) {
    int ok = (pres & x->whole_bit[w]) != 0 ||
             (x->part_mask[w] != 0 && (pres & x->part_mask[w]) == x->part_mask[w]);
    if (ok && !x->q->and_mode) return 1;
    if (!ok && x->q->and_mode) return 0;
  }
  return x->q->and_mode && x->nw > 0;
}

static int by_doc(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

/* Phase 1: the chunks the query names (a lift > 0), scored by random access. */
static int search_named(const qctx *x, heap *h) {
  const cb_memidx *m = x->m;
  uint32_t ids[CB_MEMIDX_QNAMES + 1];
  int nid = 0;
  if (x->whole_id) ids[nid++] = x->whole_id;
  for (int i = 0; i < x->nnames; i++) ids[nid++] = x->name_id[i];
  size_t total = 0, n = 0;
  for (int pass = 0; pass < 2; pass++) {
    const uint32_t *start = pass ? m->par_start : m->sym_start;
    for (int i = 0; i < nid; i++) total += start[ids[i] + 1] - start[ids[i]];
  }
  uint32_t *c = malloc((total ? total : 1) * sizeof *c);
  if (!c) return -1;
  for (int pass = 0; pass < 2; pass++) {
    const uint32_t *start = pass ? m->par_start : m->sym_start;
    const uint32_t *docs = pass ? m->par_docs : m->sym_docs;
    for (int i = 0; i < nid; i++)
      for (uint32_t j = start[ids[i]]; j < start[ids[i] + 1]; j++) c[n++] = docs[j];
  }
  if (n > 1 && c != NULL) qsort(c, n, sizeof *c, by_doc);
  for (size_t i = 0; i < n; i++) {
    uint32_t d = c[i];
    if ((i > 0 && c[i - 1] == d) || !doc_ok(x, d)) continue;
    int l = lift(x, d);
    if (l == 0) continue;
    uint64_t pres = 0;
    int64_t sum = 0;
    for (int t = 0; t < x->nt; t++) {
      uint8_t imp = x->tid[t] >= 0 ? probe(m, &m->terms[x->tid[t]], d) : 0;
      if (imp) {
        pres |= 1ull << t;
        sum += imp;
      }
    }
    if (matches(x, pres)) push(h, d, l * x->K + sum);
  }
  free(c);
  return 0;
}

/* The word that drives an AND query: the fewest candidate postings (its whole form's plus its
 * rarest piece's). -1 when some word cannot match at all. Fills the driving terms. */
static int pick_driver(const qctx *x, int drv[2], int *ndrv) {
  int best = -1;
  uint64_t best_cost = UINT64_MAX;
  for (int w = 0; w < x->nw; w++) {
    const cb_memidx_word *wd = &x->q->words[w];
    uint64_t cost = 0;
    int live = 0, rare = -1;
    if (wd->whole >= 0 && x->tid[wd->whole] >= 0) {
      cost += x->m->terms[x->tid[wd->whole]].n;
      live = 1;
    }
    if (wd->nparts > 0) {
      int dead = 0;
      for (int p = 0; p < wd->nparts && p < CB_MEMIDX_QPARTS; p++) {
        int t = wd->parts[p];
        if (x->tid[t] < 0) {
          dead = 1;
        } else if (rare < 0 || x->m->terms[x->tid[t]].n < x->m->terms[x->tid[rare]].n) {
          rare = t;
        }
      }
      if (!dead && rare >= 0) {
        cost += x->m->terms[x->tid[rare]].n;
        live = 1;
      } else {
        rare = -1;
      }
    }
    if (!live) return -1;
    if (cost < best_cost) {
      best_cost = cost;
      best = w;
      *ndrv = 0;
      if (wd->whole >= 0 && x->tid[wd->whole] >= 0) drv[(*ndrv)++] = wd->whole;
      if (rare >= 0 && rare != wd->whole) drv[(*ndrv)++] = rare;
    }
  }
  return best;
}

/* Phase 2 of an AND query: the rarest word drives, block-max bounds skip (see the file top). */
static void search_and(const qctx *x, cur *cs, heap *h, int count_only, long *count,
                       cb_memidx_stats *st) {
  int drv[2] = {-1, -1}, ndrv = 0;
  if (pick_driver(x, drv, &ndrv) < 0) return;
  cur *d[2] = {NULL, NULL}, *o[CB_MEMIDX_QTERMS];
  int no = 0;
  int64_t total_max = 0;
  for (int t = 0; t < x->nt; t++) {
    cur_init(&cs[t], x->m, x->tid[t], t);
    if (x->tid[t] < 0) continue;
    total_max += x->m->terms[x->tid[t]].max;
    if (t != drv[0] && (ndrv < 2 || t != drv[1])) o[no++] = &cs[t];
  }
  for (int i = 0; i < ndrv; i++) {
    d[i] = &cs[drv[i]];
    next_geq(d[i], 0);
  }
  for (;;) {
    uint32_t doc = MI_END;
    for (int i = 0; i < ndrv; i++)
      if (d[i]->doc < doc) doc = d[i]->doc;
    if (doc == MI_END) break;
    if (!count_only && h->n == h->k) {
      int skipped = 0;
      for (int i = 0; i < ndrv; i++) {
        cur *c = d[i];
        if (c->doc != doc) continue;
        if (!can_win(h, blk(c, c->b)->max + total_max - c->t->max, doc)) {
          skip_block(c);
          skipped = 1;
          if (st) st->blocks_skipped++;
        }
      }
      if (skipped) continue;
    }
    uint64_t pres = 0;
    int64_t sum = 0;
    int look = doc_ok(x, doc) && (count_only || lift(x, doc) == 0);
    if (look && !count_only) {
      if (st) st->candidates++;
      int64_t ub = 0;
      for (int i = 0; i < ndrv; i++)
        if (d[i]->doc == doc) ub += d[i]->imps[d[i]->i];
      for (int i = 0; i < no; i++) ub += blockmax_at(o[i], doc);
      look = can_win(h, ub, doc);
    }
    if (look) {
      for (int i = 0; i < ndrv; i++)
        if (d[i]->doc == doc) {
          pres |= 1ull << d[i]->q;
          sum += d[i]->imps[d[i]->i];
        }
      for (int i = 0; i < no; i++)
        if (next_geq(o[i], doc) == doc) {
          pres |= 1ull << o[i]->q;
          sum += o[i]->imps[o[i]->i];
        }
      if (matches(x, pres)) {
        if (count_only)
          (*count)++;
        else
          push(h, doc, sum);
      }
      if (st && !count_only) st->scored++;
    }
    for (int i = 0; i < ndrv; i++)
      if (d[i]->doc == doc) advance(d[i]);
  }
}

/* Orders query terms by their largest impact, ascending (MaxScore). */
static int by_max(const void *a, const void *b) {
  const cur *const *p = a, *const *q = b;
  int ma = (*p)->t->max, mb = (*q)->t->max;
  if (ma != mb) return ma < mb ? -1 : 1;
  return (*p)->q - (*q)->q;
}

/* Phase 2 of an OR query: MaxScore over the terms (see the file top). */
static void search_or(const qctx *x, cur *cs, heap *h, int count_only, long *count,
                      cb_memidx_stats *st) {
  cur *s[CB_MEMIDX_QTERMS];
  int n = 0;
  for (int t = 0; t < x->nt; t++) {
    cur_init(&cs[t], x->m, x->tid[t], t);
    if (x->tid[t] >= 0) {
      s[n++] = &cs[t];
      next_geq(&cs[t], 0);
    }
  }
  /* cppcheck-suppress uninitvar ; s[0..n) were all set above: it sorts the pointers */
  qsort(s, (size_t)n, sizeof(cur *),
        by_max);                     // NOLINT(bugprone-sizeof-expression): an array of pointers
  int64_t pre[CB_MEMIDX_QTERMS + 1]; /* pre[j]: summed maxima of s[0..j) */
  pre[0] = 0;
  for (int j = 0; j < n; j++) pre[j + 1] = pre[j] + s[j]->t->max;
  int ness = 0; /* s[0..ness) never drive */
  uint32_t doc = 0;
  for (;;) {
    if (!count_only && h->n == h->k)
      while (ness < n && !can_win(h, pre[ness + 1], doc)) ness++;
    if (ness == n) break;
    doc = MI_END;
    for (int j = ness; j < n; j++)
      if (s[j]->doc < doc) doc = s[j]->doc;
    if (doc == MI_END) break;
    int look = doc_ok(x, doc) && (count_only || lift(x, doc) == 0);
    uint64_t pres = 0;
    int64_t sum = 0;
    if (look) {
      if (st && !count_only) st->candidates++;
      for (int j = ness; j < n; j++)
        if (s[j]->doc == doc) {
          pres |= 1ull << s[j]->q;
          sum += s[j]->imps[s[j]->i];
        }
      if (!count_only) {
        int64_t ub = sum;
        for (int j = 0; j < ness; j++) ub += blockmax_at(s[j], doc);
        if (!can_win(h, ub, doc)) look = 0;
      }
      for (int j = ness - 1; j >= 0 && look; j--) {
        if (!count_only && !can_win(h, sum + pre[j + 1], doc)) {
          look = 0;
          break;
        }
        if (next_geq(s[j], doc) == doc) {
          pres |= 1ull << s[j]->q;
          sum += s[j]->imps[s[j]->i];
        }
      }
      if (look && matches(x, pres)) {
        if (count_only)
          (*count)++;
        else
          push(h, doc, sum);
        if (st && !count_only) st->scored++;
      }
    }
    for (int j = ness; j < n; j++)
      if (s[j]->doc == doc) advance(s[j]);
  }
}

static int finish(const qctx *x, heap *h, cb_memidx_hit *out, int *nout) {
  qsort(h->h, (size_t)h->n, sizeof *h->h, better_first);
  for (int i = 0; i < h->n; i++) {
    out[i] = h->h[i];
    out[i].score = (double)out[i].key / (double)x->K; /* lift + sum / (255 n) */
  }
  *nout = h->n;
  return 0;
}

/* An exact count without ranking; a lone term without filters is its posting count. */
static void count_matches(const qctx *x, cur *cs, long *total) {
  *total = 0;
  if (x->nt == 1 && x->lang == -1 && !x->prefix) {
    *total = x->tid[0] >= 0 && matches(x, 1) ? (long)x->m->terms[x->tid[0]].n : 0;
    return;
  }
  if (x->q->and_mode)
    search_and(x, cs, NULL, 1, total, NULL);
  else
    search_or(x, cs, NULL, 1, total, NULL);
}

int cb_memidx_search(const cb_memidx *m, const cb_memidx_query *q, int k, cb_memidx_hit *out,
                     int *nout, long *total, cb_memidx_stats *stats) {
  assert(m && q && out && nout && k >= 1);
  *nout = 0;
  if (total) *total = 0;
  if (stats) memset(stats, 0, sizeof *stats);
  if (k > CB_MEMIDX_K_MAX) k = CB_MEMIDX_K_MAX;
  qctx x;
  setup(&x, m, q);
  if (x.nt == 0 || x.nw == 0) return 0;
  heap h = {malloc((size_t)k * sizeof(cb_memidx_hit)), 0, k};
  cur *cs = malloc((size_t)x.nt * sizeof *cs);
  int rc = -1;
  if (!h.h || !cs) goto cleanup;
  if (search_named(&x, &h) != 0) goto cleanup;
  if (q->and_mode)
    search_and(&x, cs, &h, 0, NULL, stats);
  else
    search_or(&x, cs, &h, 0, NULL, stats);
  if (total) count_matches(&x, cs, total);
  rc = finish(&x, &h, out, nout);

cleanup:
  free(h.h);
  free(cs);
  return rc;
}

int cb_memidx_search_exhaustive(const cb_memidx *m, const cb_memidx_query *q, int k,
                                cb_memidx_hit *out, int *nout, long *total) {
  assert(m && q && out && nout && k >= 1);
  *nout = 0;
  if (total) *total = 0;
  if (k > CB_MEMIDX_K_MAX) k = CB_MEMIDX_K_MAX;
  qctx x;
  setup(&x, m, q);
  if (x.nt == 0 || x.nw == 0) return 0;
  uint64_t *pres = calloc(m->ndocs ? m->ndocs : 1, sizeof *pres);
  int64_t *sum = calloc(m->ndocs ? m->ndocs : 1, sizeof *sum);
  heap h = {malloc((size_t)k * sizeof(cb_memidx_hit)), 0, k};
  cur c;
  int rc = -1;
  if (!pres || !sum || !h.h) goto cleanup;
  for (int t = 0; t < x.nt; t++) {
    cur_init(&c, m, x.tid[t], t);
    for (next_geq(&c, 0); c.doc != MI_END; advance(&c)) {
      pres[c.doc] |= 1ull << t;
      sum[c.doc] += c.imps[c.i];
    }
  }
  long n = 0;
  for (uint32_t d = 0; d < m->ndocs; d++) {
    if (!pres[d] || !doc_ok(&x, d) || !matches(&x, pres[d])) continue;
    n++;
    push(&h, d, lift(&x, d) * x.K + sum[d]);
  }
  if (total) *total = n;
  rc = finish(&x, &h, out, nout);

cleanup:
  free(pres);
  free(sum);
  free(h.h);
  return rc;
}
