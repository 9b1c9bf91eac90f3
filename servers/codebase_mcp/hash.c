/* hash.c — cb_hash: two 64-bit lanes, 16-byte blocks, rotate/multiply rounds and a final
 * avalanche (see hash.h; never change the function: ids depend on it). Byte order independent:
 * input words are read little-endian on every host, so a big-endian build persists the same ids. */
#include "servers/codebase_mcp/hash.h"

#include <stdio.h>
#include <string.h>

#define P1 0x9E3779B185EBCA87ULL
#define P2 0xC2B2AE3D27D4EB4FULL
#define P3 0x165667B19E3779F9ULL

static inline uint64_t rotl(uint64_t x, int r) {
  return (x << r) | (x >> (64 - r));
}

/* Reads 8 bytes as a little-endian integer on every host: the persisted values were first computed
 * on little-endian machines, so this byte order is part of the function. */
static inline uint64_t load64(const unsigned char *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

static inline uint64_t avalanche(uint64_t x) {
  x ^= x >> 33;
  x *= 0xFF51AFD7ED558CCDULL;
  x ^= x >> 33;
  x *= 0xC4CEB9FE1A85EC53ULL;
  x ^= x >> 33;
  return x;
}

cb_hash128 cb_hash(const void *data, size_t n, cb_hash128 seed) {
  const unsigned char *p = data;
  uint64_t a = seed.lo ^ P1, b = seed.hi ^ P2;
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    a ^= load64(p + i) * P2;
    a = rotl(a, 31) * P1;
    b ^= load64(p + i + 8) * P1;
    b = rotl(b, 29) * P2;
    a += b;
    b += rotl(a, 17);
  }
  unsigned char tail[16] = {0};
  if (n > i) memcpy(tail, p + i, n - i);
  a ^= load64(tail) * P3;
  b ^= load64(tail + 8) * P3;
  a ^= (uint64_t)n;
  b ^= (uint64_t)n * P1;
  a += b;
  b += a;
  a = avalanche(a);
  b = avalanche(b);
  a += b;
  b += a;
  cb_hash128 h = {b, a};
  return h;
}

void cb_hash_hex(cb_hash128 h, char out[CB_HASH_HEX_LEN]) {
  snprintf(out, CB_HASH_HEX_LEN, "%016llx%016llx", (unsigned long long)h.hi,
           (unsigned long long)h.lo);
}

void cb_chunk_id(const char *project_id, const char *path, const char *symbol, const char *content,
                 size_t content_len, unsigned ordinal, char out[CB_CHUNK_ID_LEN]) {
  cb_hash128 h = {0, 0};
  if (!symbol) symbol = "";
  h = cb_hash(project_id, strlen(project_id), h);
  h = cb_hash(path, strlen(path), h);
  h = cb_hash(symbol, strlen(symbol), h);
  h = cb_hash(content, content_len, h);
  if (ordinal) {
    /* The ordinal's 4 bytes, least significant first (what a little-endian host stored). */
    unsigned char le[4] = {(unsigned char)ordinal, (unsigned char)(ordinal >> 8),
                           (unsigned char)(ordinal >> 16), (unsigned char)(ordinal >> 24)};
    h = cb_hash(le, sizeof le, h);
  }
  /* Version 8 (custom) and the RFC variant, so the id is a valid UUID. */
  uint64_t hi = (h.hi & ~0xF000ULL) | 0x8000ULL;
  uint64_t lo = (h.lo & ~(0xC000000000000000ULL)) | 0x8000000000000000ULL;
  snprintf(out, CB_CHUNK_ID_LEN, "%08llx-%04llx-%04llx-%04llx-%012llx",
           (unsigned long long)(hi >> 32), (unsigned long long)((hi >> 16) & 0xFFFF),
           (unsigned long long)(hi & 0xFFFF), (unsigned long long)(lo >> 48),
           (unsigned long long)(lo & 0xFFFFFFFFFFFFULL));
}
