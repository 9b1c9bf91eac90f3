/* parse_probe.h — a calibration workload of the indexer's own kind: one tree-sitter parse and
 * chunking of a fixed Python source, timed beside an indexing run (//models calibration).
 *
 * Why not the integer loop of //models:calibration alone: on this suite's shared 2-core VM the
 * host's slow phases slow pointer-chasing, allocating code (tree-sitter, malloc) by up to 30%
 * while a cache-resident integer loop moves by ~1% (docs/performance/README.md, "The indexing
 * CV"). A probe doing the same kind of work as the job is slowed alike, so the job's CPU seconds
 * divided by the probe's time measure the code, not the host's mood.
 *
 * The source is generated once from constants (no file, no randomness): every probe parses the
 * same bytes and yields BENCH_PARSE_PROBE_CHUNKS chunks (pinned by parse_probe_test). */
#ifndef BENCH_PARSE_PROBE_H
#define BENCH_PARSE_PROBE_H

#include <stddef.h>

#include "benchmarks/error.h"
#include "models/calibration.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Classes in the generated source; each gives 1 class + 2 methods + 1 function chunk. */
#define BENCH_PARSE_PROBE_CLASSES 12
#define BENCH_PARSE_PROBE_CHUNKS (BENCH_PARSE_PROBE_CLASSES * 4)

typedef struct bench_parse_probe bench_parse_probe;

/* A probe with its own parser and source. BENCH_ENOMEM, or BENCH_ESETUP when the grammar does not
 * load. *out is NULL on failure. */
int bench_parse_probe_new(bench_parse_probe **out, bench_err *err);
void bench_parse_probe_free(bench_parse_probe *p);

/* Parses and chunks the source once (an mdl_calib_workload: ctx is the bench_parse_probe). */
void bench_parse_probe_work(void *ctx);

/* Chunks the last bench_parse_probe_work produced (-1 if it ran out of memory). */
long bench_parse_probe_last_chunks(const bench_parse_probe *p);

/* Bytes of the generated source. */
size_t bench_parse_probe_source_bytes(const bench_parse_probe *p);

/* Times one parse into probe (thread CPU clock) and returns its ms. */
double bench_parse_probe_take(bench_parse_probe *p, mdl_calib_probe *probe);

#ifdef __cplusplus
}
#endif

#endif /* BENCH_PARSE_PROBE_H */
