/* report.h — the validation report of a judged run: the SC table on a terminal, and
 * validation-report.md / validation-report.json with the run's context (commit, machine, date,
 * profile, mode, targets) and links to the pictures. */
#ifndef VLD_REPORT_H
#define VLD_REPORT_H

#include <stdio.h>

#include "validation/verdict.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vld_context {
  const char *commit;       /* git commit of the build ("unknown" when not given) */
  const char *load;         /* the host's load while the figures were measured (--load), or NULL */
  const char *profile;      /* quick | full */
  const char *codebase_url; /* external mode targets (NULL: servers started by the run) */
  const char *workflow_url;
  const char *artifacts;       /* where the figures came from (as shown in the report) */
  const char *const *pictures; /* SVG paths relative to the report's directory */
  size_t n_pictures;
  char date[32]; /* ISO 8601 UTC, filled by vld_context_stamp */
  char cpu[128]; /* CPU model */
  int cores;
} vld_context;

/* Fills date and machine (//benchmarks machine). */
void vld_context_stamp(vld_context *c);

/* The table and the verdict line, for a terminal. */
void vld_print_table(const vld_report *r, FILE *f);

/* Writes <dir>/validation-report.md and <dir>/validation-report.json; -1 with err on I/O. */
int vld_write_report(const vld_report *r, const vld_context *c, const char *dir, vld_err *err);

#ifdef __cplusplus
}
#endif

#endif /* VLD_REPORT_H */
