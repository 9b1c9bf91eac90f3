/* memstore.h — the memory engine's indexes of one server process: one cb_memidx per project,
 * loaded from PostgreSQL (the system of record) on the project's first search, rebuilt at the
 * end of each indexing job, and reloaded when another instance's job moved the project's
 * generation (code_index_generations, bumped by every job's final transaction).
 *
 * Concurrency: searches take a reference to the current index under a mutex held for a pointer
 * copy; a load runs under the project's own load mutex (one load per project at a time, the
 * others wait for it rather than load twice) and swaps the pointer when done; the old index is
 * freed when its last search releases it.
 *
 * Memory budget: when the indexes held exceed the store's budget (CODEBASE_MEMIDX_MAX_MB), the
 * least recently used projects' indexes are dropped (INFO "memidx_evicted") until they fit or
 * only the one just installed is left: one project larger than the budget is still served. An
 * evicted project is loaded again by its next search, as after a restart. */
#ifndef CB_MEMSTORE_H
#define CB_MEMSTORE_H

#include <libpq-fe.h>
#include <stdint.h>

#include "servers/codebase_mcp/memidx.h"
#include "servers/common/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cb_memstore cb_memstore;

/* A new empty store holding at most budget_bytes of indexes (0: no limit), or NULL when memory
 * runs out. */
cb_memstore *cb_memstore_new(uint64_t budget_bytes);

/* What the store holds now: bytes of its indexes, projects loaded, evictions since it started
 * (for /metrics; each read takes the store's mutex). */
typedef struct cb_memstore_stats {
  uint64_t bytes;
  unsigned projects;
  uint64_t evictions;
} cb_memstore_stats;
cb_memstore_stats cb_memstore_stats_now(cb_memstore *s);

/* Frees the store and drops its references (searches still holding one keep theirs). */
void cb_memstore_free(cb_memstore *s);

/* *out = a reference to the project's index (cb_memidx_release it), loading it on c (in one
 * repeatable-read transaction: the rows and their generation agree) when this process has none.
 * Errors: database codes; SRV_EINTERNAL out of memory or a malformed tsvector. */
srv_code cb_memstore_get(cb_memstore *s, PGconn *c, const char *project, cb_memidx **out,
                         srv_err *err);

/* Makes the project's index current: when the one held is older than generation (< 0: the
 * database's current one, read first) it is reloaded on c. A no-op when another thread already
 * reloaded it that far. */
srv_code cb_memstore_refresh(cb_memstore *s, PGconn *c, const char *project, int64_t generation,
                             srv_err *err);

/* Loads one project's index from the database on c (what get and refresh do), logging INFO
 * "memidx_loaded" {project_id, generation, docs, terms, postings, bytes, load_ms}. */
srv_code cb_memstore_load(PGconn *c, const char *project, cb_memidx **out, srv_err *err);

#ifdef __cplusplus
}
#endif

#endif /* CB_MEMSTORE_H */
