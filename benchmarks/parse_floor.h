/* parse_floor.h — the indexing job's parse floor (issue 13): the work an index run cannot do
 * without, timed on its own, so the benchmark can report index time over parse-only time
 * measured in the same run.
 *
 * A pass lists the repository with the server's own scanner (cb_scan: same ignore rules, same
 * size cap, so the same files), then on `threads` threads reads each file, checks it is text
 * (cb_text_check) and chunks it with the server's own chunker (tree-sitter for Python and
 * JavaScript, line windows otherwise): what an indexing worker does before tokenizing and
 * writing. Nothing is tokenized, hashed or written. The scan is timed apart (scan_s), the
 * read + check + chunk phase is what wall_s and cpu_s measure. */
#ifndef BENCH_PARSE_FLOOR_H
#define BENCH_PARSE_FLOOR_H

#include "benchmarks/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bench_parse_floor {
  double wall_s; /* read + text check + chunk of every listed file, all threads */
  double cpu_s;  /* this process's CPU seconds (user + system) over the same phase */
  double scan_s; /* the scan before it (wall) */
  long files;    /* text files chunked */
  long chunks;   /* chunks they gave */
  long bytes;    /* bytes read */
} bench_parse_floor;

/* One pass over repo (a directory) with `threads` threads (<= 0: 2; at most 32). Fills *out.
 * BENCH_ESETUP if the scan fails or a chunker cannot be made (grammar missing: run
 * ci/bootstrap.sh), BENCH_ENOMEM out of memory. Files that vanish or cannot be read are left out
 * (as the server leaves them out), not errors. */
int bench_parse_floor_run(const char *repo, int threads, bench_parse_floor *out, bench_err *err);

#ifdef __cplusplus
}
#endif

#endif /* BENCH_PARSE_FLOOR_H */
