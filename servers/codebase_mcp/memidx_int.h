/* memidx_int.h — the layout of a built cb_memidx, shared by memidx.c (which builds it) and
 * memidx_search.c (which reads it), and by nothing else (memidx.h is the API). */
#ifndef CB_MEMIDX_INT_H
#define CB_MEMIDX_INT_H

#include <stdatomic.h>
#include <stdint.h>

#include "servers/codebase_mcp/memidx.h"

#define MI_LANGS_MAX 32
#define MI_END UINT32_MAX

/* One term: its postings are blocks blk .. blk + ceil(n / CB_MEMIDX_BLOCK) - 1. */
typedef struct mi_term {
  uint32_t lex_off; /* in lex */
  uint32_t n;       /* postings (document frequency) */
  uint32_t blk;     /* first block */
  uint8_t lex_len;
  uint8_t max; /* largest impact */
} mi_term;

/* A block: its postings are (varint doc delta, impact) pairs from data + off; the first delta is
 * from the previous block's last doc (from 0 in a term's first block). */
typedef struct mi_block {
  uint32_t last; /* last doc */
  uint32_t off;  /* byte offset into data (data is < 4 GiB: the builder refuses more) */
  uint8_t max;   /* largest impact */
} mi_block;

struct cb_memidx {
  atomic_int refs;
  int64_t generation;
  /* terms: open addressing over term index + 1 (0 = empty), hcap a power of two */
  mi_term *terms;
  uint32_t nterms;
  uint32_t *hslots;
  uint32_t hcap;
  char *lex;
  mi_block *blocks;
  uint32_t nblocks;
  uint8_t *data;
  uint64_t postings;
  /* docs */
  uint32_t ndocs;
  unsigned char *doc_id; /* 16 x ndocs */
  uint32_t *doc_file;    /* file id: files are numbered in byte order of their paths */
  uint32_t *doc_sym;     /* name id, 0 = none */
  uint32_t *doc_parent;  /* name id, 0 = none */
  uint8_t *doc_lang;     /* index into langs */
  /* files, sorted */
  uint32_t nfiles;
  uint32_t *file_off; /* path offsets into paths */
  char *paths;
  /* languages */
  char langs[MI_LANGS_MAX][24];
  int nlangs;
  /* names: ids 1..nnames; hash slots over id (0 = empty) */
  uint32_t nnames;
  uint32_t *name_off; /* [id] offset into names (index 0 unused) */
  char *names;
  uint32_t *nslots;
  uint32_t ncap;
  /* docs by name: CSR over name ids, docs ascending */
  uint32_t *sym_start; /* nnames + 2 entries */
  uint32_t *sym_docs;
  uint32_t *par_start;
  uint32_t *par_docs;
  size_t bytes;
};

/* FNV-1a, never 0. */
uint32_t cb_mi_hash(const char *s, size_t n);

/* The term's index, or -1. */
int64_t cb_mi_term_find(const cb_memidx *m, const char *lex, size_t n);

/* The name's id, or 0. */
uint32_t cb_mi_name_find(const cb_memidx *m, const char *name);

/* Normalises a name as search.c compares them (ASCII lowercase, '_' dropped) into out (cap
 * bytes, truncated); returns its length. */
size_t cb_mi_name_norm(const char *s, char *out, size_t cap);

#endif /* CB_MEMIDX_INT_H */
