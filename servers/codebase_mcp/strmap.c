/* strmap.c — linear-probing hash map, grown at half load (see strmap.h). */
#include "servers/codebase_mcp/strmap.h"

#include <stdlib.h>
#include <string.h>

#include "servers/codebase_mcp/hash.h"

static size_t slot_of(const char *key, size_t len, size_t cap) {
  return (size_t)cb_hash(key, len, (cb_hash128){0, 0}).lo & (cap - 1);
}

const cb_strmap_entry *cb_strmap_find(const cb_strmap *m, const char *key) {
  if (!m->cap) return NULL;
  size_t i = slot_of(key, strlen(key), m->cap);
  while (m->slots[i].key) {
    if (strcmp(m->slots[i].key, key) == 0) return &m->slots[i];
    i = (i + 1) & (m->cap - 1);
  }
  return NULL;
}

static int grow(cb_strmap *m) {
  size_t ncap = m->cap ? m->cap * 2 : 256;
  cb_strmap_entry *ns = calloc(ncap, sizeof *ns);
  if (!ns) return -1;
  for (size_t i = 0; i < m->cap; i++) {
    if (!m->slots[i].key) continue;
    size_t j = slot_of(m->slots[i].key, strlen(m->slots[i].key), ncap);
    while (ns[j].key) j = (j + 1) & (ncap - 1);
    ns[j] = m->slots[i];
  }
  free(m->slots);
  m->slots = ns;
  m->cap = ncap;
  return 0;
}

cb_strmap_entry *cb_strmap_put(cb_strmap *m, const char *key, size_t len, int *added) {
  *added = 0;
  if ((m->n + 1) * 2 > m->cap && grow(m) != 0) return NULL;
  size_t i = slot_of(key, len, m->cap);
  while (m->slots[i].key) {
    if (strncmp(m->slots[i].key, key, len) == 0 && m->slots[i].key[len] == '\0')
      return &m->slots[i];
    i = (i + 1) & (m->cap - 1);
  }
  char *k = malloc(len + 1);
  if (!k) return NULL;
  memcpy(k, key, len);
  k[len] = '\0';
  m->slots[i].key = k;
  m->slots[i].val[0] = '\0';
  m->slots[i].flag = 0;
  m->n++;
  *added = 1;
  return &m->slots[i];
}

void cb_strmap_free(cb_strmap *m) {
  for (size_t i = 0; i < m->cap; i++) free(m->slots[i].key);
  free(m->slots);
  memset(m, 0, sizeof *m);
}
