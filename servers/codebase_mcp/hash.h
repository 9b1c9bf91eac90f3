/* hash.h — the 128-bit non-cryptographic hash behind file content hashes and chunk ids.
 *
 * Our own two-lane multiply/rotate hash over 16-byte blocks with a final avalanche; fast (about
 * one byte per cycle) and stable across runs, machines and versions: chunk ids are stored in
 * PostgreSQL and referenced by workflow-mcp, so THE FUNCTION MUST NEVER CHANGE. Not for security.
 * Thread-safe: no state. */
#ifndef CB_HASH_H
#define CB_HASH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cb_hash128 {
  uint64_t hi, lo;
} cb_hash128;

/* Hashes n bytes of p, continuing from seed (use a zero seed to start). Chaining
 * h = cb_hash(b, nb, cb_hash(a, na, 0)) hashes the sequence (a, b) with lengths included, so
 * ("ab","c") and ("a","bc") differ. */
cb_hash128 cb_hash(const void *p, size_t n, cb_hash128 seed);

/* 32 lowercase hex digits + NUL. */
#define CB_HASH_HEX_LEN 33
void cb_hash_hex(cb_hash128 h, char out[CB_HASH_HEX_LEN]);

/* Chunk ids: a UUID-shaped string (version 8 "custom", RFC 9562 variant bits) derived from
 * project, path, symbol, content and a disambiguating ordinal (0 for the first chunk with these
 * fields in a file; 1, 2... for exact duplicates in the same file). Unchanged code in an unchanged
 * place keeps its id across re-indexing. symbol may be NULL or "". */
#define CB_CHUNK_ID_LEN 37
void cb_chunk_id(const char *project_id, const char *path, const char *symbol, const char *content,
                 size_t content_len, unsigned ordinal, char out[CB_CHUNK_ID_LEN]);

#ifdef __cplusplus
}
#endif

#endif /* CB_HASH_H */
