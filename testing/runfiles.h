/* runfiles.h — find files a test declared as Bazel `data` (server binaries, fixtures).
 *
 * Resolution order for a workspace-relative path `rel` (e.g. "servers/codebase_mcp/codebase-mcp"):
 * $TEST_SRCDIR/$TEST_WORKSPACE/rel, $RUNFILES_DIR/mcp_suite/rel, <argv0>.runfiles/mcp_suite/rel
 * (argv0 from /proc/self/exe), then rel relative to the working directory. */
#ifndef TST_RUNFILES_H
#define TST_RUNFILES_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Writes the absolute path of the existing runfile `rel` into out[n]. Returns 0, or -1 when no
 * candidate exists (out then holds the first candidate tried, for the error message). */
int tst_runfile(const char *rel, char *out, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* TST_RUNFILES_H */
