/* report.c — the SC table (terminal, markdown) and the JSON report of a judged run (report.h). */
#include "validation/report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchmarks/machine.h"

void vld_context_stamp(vld_context *c) {
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(c->date, sizeof c->date, "%Y-%m-%dT%H:%M:%SZ", &tm);
  bench_machine m;
  bench_machine_describe(&m);
  snprintf(c->cpu, sizeof c->cpu, "%s", m.cpu_model);
  c->cores = m.cores;
}

void vld_print_table(const vld_report *r, FILE *f) {
  fprintf(f, "%-7s %-7s %-44s %-28s %s\n", "SC", "status", "measured", "target", "artifact");
  for (size_t i = 0; i < r->n; i++) {
    const vld_row *w = &r->rows[i];
    fprintf(f, "%-7s %-7s %-44s %-28s %s\n", w->id, vld_status_name(w->status), w->figure,
            w->target, w->artifacts[0] ? w->artifacts : "-");
    if (w->status != VLD_PASS && w->note[0]) fprintf(f, "        %s\n", w->note);
  }
  fprintf(f, "\nverdict: %s (%zu pass, %zu review, %zu block, %zu skipped)\n",
          vld_verdict_word(r->verdict), r->counts[VLD_PASS], r->counts[VLD_REVIEW],
          r->counts[VLD_BLOCK], r->counts[VLD_SKIPPED]);
  if (!r->any_evidence)
    fprintf(f, "no artifact of any criterion was found: the validation did not run\n");
}

/* Markdown cell: '|' and newlines would break the table. */
static void cell(FILE *f, const char *s) {
  for (; *s; s++) {
    if (*s == '|')
      fputs("\\|", f);
    else if (*s == '\n')
      fputc(' ', f);
    else
      fputc(*s, f);
  }
}

static int write_md(const vld_report *r, const vld_context *c, const char *path, vld_err *err) {
  FILE *f = fopen(path, "w");
  if (f == NULL) {
    snprintf(err->msg, sizeof err->msg, "%s: %s", path, strerror(errno));
    return -1;
  }
  fprintf(f, "# Validation report\n\n");
  fprintf(f, "**Verdict: %s** (%zu pass, %zu review, %zu block, %zu skipped)\n\n",
          vld_verdict_word(r->verdict), r->counts[VLD_PASS], r->counts[VLD_REVIEW],
          r->counts[VLD_BLOCK], r->counts[VLD_SKIPPED]);
  fprintf(f, "| | |\n|---|---|\n");
  fprintf(f, "| commit | %s |\n| date | %s |\n| machine | %s, %d cores |\n| profile | %s |\n",
          c->commit ? c->commit : "unknown", c->date, c->cpu, c->cores,
          c->profile ? c->profile : "quick");
  if (c->load) {
    fputs("| host load | ", f);
    cell(f, c->load);
    fputs(" |\n", f);
  }
  if (c->codebase_url || c->workflow_url)
    fprintf(f, "| targets | external: codebase-mcp %s, workflow-mcp %s |\n",
            c->codebase_url ? c->codebase_url : "-", c->workflow_url ? c->workflow_url : "-");
  else
    fprintf(f, "| targets | servers and PostgreSQL started by each test target |\n");
  fprintf(f, "| artifacts | %s |\n\n", c->artifacts ? c->artifacts : "-");
  fprintf(f,
          "Rule: block if any target is violated or its evidence is missing; review if a metric "
          "is more than 10%% over its baseline but within target; else go.\n\n");
  fprintf(f, "| SC | criterion | measured | target | artifact | status | note |\n");
  fprintf(f, "|---|---|---|---|---|---|---|\n");
  for (size_t i = 0; i < r->n; i++) {
    const vld_row *w = &r->rows[i];
    fprintf(f, "| %s | ", w->id);
    cell(f, w->description);
    fputs(" | ", f);
    cell(f, w->figure);
    fputs(" | ", f);
    cell(f, w->target);
    fputs(" | ", f);
    cell(f, w->artifacts[0] ? w->artifacts : "-");
    fprintf(f, " | %s | ", vld_status_name(w->status));
    cell(f, w->status == VLD_PASS ? "" : w->note);
    fputs(" |\n", f);
  }
  if (c->n_pictures > 0) {
    fprintf(f, "\n## Pictures\n\n");
    for (size_t i = 0; i < c->n_pictures; i++)
      fprintf(f, "![%s](%s)\n\n", c->pictures[i], c->pictures[i]);
  } else {
    fprintf(f, "\n## Pictures\n\nNone were produced by this run.\n");
  }
  int bad = ferror(f);
  if (fclose(f) != 0 || bad) {
    snprintf(err->msg, sizeof err->msg, "%s: write failed", path);
    return -1;
  }
  return 0;
}

static int write_json(const vld_report *r, const vld_context *c, const char *path, vld_err *err) {
  cJSON *j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "verdict", vld_verdict_word(r->verdict));
  cJSON_AddNumberToObject(j, "exit_code", vld_exit_code(r));
  cJSON_AddStringToObject(j, "commit", c->commit ? c->commit : "unknown");
  cJSON_AddStringToObject(j, "date", c->date);
  cJSON *m = cJSON_AddObjectToObject(j, "machine");
  cJSON_AddStringToObject(m, "cpu_model", c->cpu);
  cJSON_AddNumberToObject(m, "cores", c->cores);
  if (c->load) cJSON_AddStringToObject(m, "load", c->load);
  cJSON_AddStringToObject(j, "profile", c->profile ? c->profile : "quick");
  cJSON_AddStringToObject(j, "mode", (c->codebase_url || c->workflow_url) ? "external" : "local");
  if (c->codebase_url) cJSON_AddStringToObject(j, "codebase_url", c->codebase_url);
  if (c->workflow_url) cJSON_AddStringToObject(j, "workflow_url", c->workflow_url);
  cJSON *counts = cJSON_AddObjectToObject(j, "counts");
  for (int s = VLD_PASS; s <= VLD_SKIPPED; s++)
    cJSON_AddNumberToObject(counts, vld_status_name((vld_status)s), (double)r->counts[s]);
  cJSON *rows = cJSON_AddArrayToObject(j, "criteria");
  for (size_t i = 0; i < r->n; i++) {
    const vld_row *w = &r->rows[i];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", w->id);
    cJSON_AddStringToObject(o, "description", w->description);
    cJSON_AddStringToObject(o, "measured", w->figure);
    cJSON_AddStringToObject(o, "target", w->target);
    cJSON_AddStringToObject(o, "artifacts", w->artifacts);
    cJSON_AddStringToObject(o, "status", vld_status_name(w->status));
    cJSON_AddStringToObject(o, "note", w->note);
    cJSON_AddItemToArray(rows, o);
  }
  cJSON *pics = cJSON_AddArrayToObject(j, "pictures");
  for (size_t i = 0; i < c->n_pictures; i++)
    cJSON_AddItemToArray(pics, cJSON_CreateString(c->pictures[i]));
  char *text = cJSON_Print(j);
  cJSON_Delete(j);
  FILE *f = text ? fopen(path, "w") : NULL;
  int rc = 0;
  if (f == NULL || fputs(text, f) < 0 || fputc('\n', f) == EOF) rc = -1;
  if (f != NULL && fclose(f) != 0) rc = -1;
  free(text);
  if (rc != 0) snprintf(err->msg, sizeof err->msg, "%s: write failed: %s", path, strerror(errno));
  return rc;
}

int vld_write_report(const vld_report *r, const vld_context *c, const char *dir, vld_err *err) {
  char path[4096];
  snprintf(path, sizeof path, "%s/validation-report.md", dir);
  if (write_md(r, c, path, err) != 0) return -1;
  snprintf(path, sizeof path, "%s/validation-report.json", dir);
  return write_json(r, c, path, err);
}
