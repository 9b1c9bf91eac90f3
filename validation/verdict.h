/* verdict.h — the SC-by-SC validation verdict: reads the committed criteria file (SC id ->
 * description, target, the artifacts and fields that give the figure) and the artifacts a
 * validation run collected, and judges every criterion pass / review / block / skipped.
 *
 * Criteria file (validation/criteria.json): {"criteria": [{id, description, target,
 * checks: [CHECK...], external: [CHECK...] | {"skip": "why"}}]}. `checks` apply to a run that
 * started its own servers (local mode); `external` to a run against servers someone else started
 * (absent: the same checks), with "external_target" (optional) as the target shown then. A CHECK
 * is one of
 *   {"kind":"field", "artifact":P, "record":KIND?, "field":"a.b.0.c", "op":"<", "limit":N,
 *    "unit":"ms"?, "label":"p95"?}   a number in a JSON artifact (KIND: a //models record kind
 *                                    the file must validate as first) compared with the limit;
 *   {"kind":"junit", "artifact":P, "cases":"SC011", "min_cases":N?}   every JUnit test case whose
 *                                    name contains `cases` passed, and there were at least N;
 *   {"kind":"cases", "artifact":DIR, "cases":"SC011", "min_cases":N?}   IntegrationTestCase
 *                                    records of DIR (*.json without ".responses"), by
 *                                    last_run_status; skipped ones are counted, not failed;
 *   {"kind":"verdict", "artifact":P, "field":"verdict", "summary":"summary"}   a pass / review /
 *                                    block verdict an artifact states (the regression rule);
 *   {"kind":"exists", "artifact":P}  the artifact exists and is not empty (a report).
 * Any check may carry "profiles": ["full"] to apply only under those profiles. Artifact paths
 * are relative to the artifacts directory. A missing or unreadable artifact is "no evidence":
 * the row blocks. Overall: block if any row blocks, review if any row is review, else go. */
#ifndef VLD_VERDICT_H
#define VLD_VERDICT_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum vld_status { VLD_PASS = 0, VLD_REVIEW = 1, VLD_BLOCK = 2, VLD_SKIPPED = 3 } vld_status;

/* "pass" | "review" | "block" | "skipped". */
const char *vld_status_name(vld_status s);

#define VLD_MAX_ROWS 32
#define VLD_TEXT 1024

typedef struct vld_row {
  char id[16];
  char description[256];
  char target[256];
  char figure[VLD_TEXT];    /* what was measured, "; " between checks */
  char artifacts[VLD_TEXT]; /* the artifact paths the figures came from */
  char note[VLD_TEXT];      /* why it is not a pass (or why skipped) */
  vld_status status;
  int evidence; /* 1: at least one artifact of the row was found */
} vld_row;

typedef struct vld_report {
  vld_row rows[VLD_MAX_ROWS];
  size_t n;
  vld_status verdict; /* VLD_PASS (go), VLD_REVIEW, VLD_BLOCK */
  size_t counts[4];   /* rows per status */
  int any_evidence;   /* 0: no artifact of any judged row was found */
} vld_report;

typedef struct vld_opts {
  const char *artifacts; /* directory the artifacts were collected into */
  int external;          /* 1: servers someone else started (the criteria's "external") */
  const char *profile;   /* "quick" | "full" */
} vld_opts;

typedef struct vld_err {
  char msg[8192];
} vld_err;

/* Loads a criteria file; NULL with err->msg on a read or JSON error. Caller frees (cJSON). */
cJSON *vld_criteria_load(const char *path, vld_err *err);

/* Judges every criterion. -1 with err->msg when the criteria file is malformed (names the entry
 * and field); 0 otherwise (missing artifacts are rows, not errors). */
int vld_evaluate(const cJSON *criteria, const vld_opts *o, vld_report *out, vld_err *err);

/* "go" | "review" | "block". */
const char *vld_verdict_word(vld_status v);

/* Exit code of a report: 0 go, 1 review, 2 block, 3 no evidence at all (nothing ran). */
int vld_exit_code(const vld_report *r);

#ifdef __cplusplus
}
#endif

#endif /* VLD_VERDICT_H */
