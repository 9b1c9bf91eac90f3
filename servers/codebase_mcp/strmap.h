/* strmap.h — a string-keyed open-addressing hash map with a small fixed value, for the indexer's
 * "previous content hash of each path" table and its "vocabulary terms already sent" set.
 * Keys are copied. Not thread-safe (one owner, or read-only sharing after filling). */
#ifndef CB_STRMAP_H
#define CB_STRMAP_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cb_strmap_entry {
  char *key;    /* NULL = empty slot */
  char val[33]; /* e.g. a content hash in hex */
  int flag;
} cb_strmap_entry;

typedef struct cb_strmap {
  cb_strmap_entry *slots;
  size_t cap, n;
} cb_strmap;

/* The entry for key, or NULL. */
const cb_strmap_entry *cb_strmap_find(const cb_strmap *m, const char *key);

/* The entry for key (key_len bytes), inserted empty if absent (*added = 1 then, else 0).
 * NULL when memory runs out. */
cb_strmap_entry *cb_strmap_put(cb_strmap *m, const char *key, size_t key_len, int *added);

/* Frees everything and zeroes m. */
void cb_strmap_free(cb_strmap *m);

#ifdef __cplusplus
}
#endif

#endif /* CB_STRMAP_H */
