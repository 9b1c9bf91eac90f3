/* verdict.c — judges the criteria file against collected artifacts (verdict.h): field, junit,
 * cases, verdict and exists checks, rows and the overall verdict. */
#include "validation/verdict.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "models/buf.h"
#include "models/error.h"
#include "models/integration_case.h"
#include "models/record_kind.h"

const char *vld_status_name(vld_status s) {
  static const char *names[] = {"pass", "review", "block", "skipped"};
  return (s >= VLD_PASS && s <= VLD_SKIPPED) ? names[s] : "?";
}

const char *vld_verdict_word(vld_status v) {
  return v == VLD_BLOCK ? "block" : v == VLD_REVIEW ? "review" : "go";
}

int vld_exit_code(const vld_report *r) {
  if (!r->any_evidence) return 3;
  return r->verdict == VLD_BLOCK ? 2 : r->verdict == VLD_REVIEW ? 1 : 0;
}

static void append(char *dst, size_t n, const char *fmt, ...) {
  size_t len = strlen(dst);
  if (len + 1 >= n) return;
  if (len > 0 && len + 3 < n) {
    memcpy(dst + len, "; ", 3);
    len += 2;
  }
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(dst + len, n - len, fmt, ap);
  va_end(ap);
}

/* The whole file as a new NUL-terminated string (caller frees; *len_out its length), or NULL
 * with errno set. */
static char *read_text(const char *path, size_t *len_out) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  mdl_buf b = MDL_BUF_INIT;
  mdl_code rc = mdl_buf_add_file(&b, f);
  int read_errno = errno;
  fclose(f);
  size_t len = b.len;
  char *text = rc == MDL_OK ? mdl_buf_take(&b) : NULL;
  if (text == NULL) {
    mdl_buf_free(&b);
    errno = rc == MDL_EIO ? read_errno : ENOMEM;
    return NULL;
  }
  if (len_out != NULL) *len_out = len;
  return text;
}

cJSON *vld_criteria_load(const char *path, vld_err *err) {
  char *text = read_text(path, NULL);
  if (text == NULL) {
    snprintf(err->msg, sizeof err->msg, "criteria file %s: %s (give --criteria PATH)", path,
             strerror(errno));
    return NULL;
  }
  cJSON *j = cJSON_Parse(text);
  free(text);
  if (j == NULL || !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "criteria"))) {
    snprintf(err->msg, sizeof err->msg,
             "criteria file %s: not JSON with a \"criteria\" array (see validation/verdict.h)",
             path);
    cJSON_Delete(j);
    return NULL;
  }
  return j;
}

/* Result of one check. */
typedef struct check_res {
  vld_status status;
  int found; /* the artifact existed */
} check_res;

static const char *str_of(const cJSON *o, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* "a.b.0.c" in j. */
static const cJSON *json_path(const cJSON *j, const char *path) {
  char buf[256];
  snprintf(buf, sizeof buf, "%s", path);
  const cJSON *cur = j;
  for (char *save = NULL, *tok = strtok_r(buf, ".", &save); tok && cur;
       tok = strtok_r(NULL, ".", &save)) {
    char *end;
    long idx = strtol(tok, &end, 10);
    if (*end == '\0' && cJSON_IsArray(cur))
      cur = cJSON_GetArrayItem(cur, (int)idx);
    else
      cur = cJSON_GetObjectItemCaseSensitive(cur, tok);
  }
  return cur;
}

static int compare(double v, const char *op, double limit, int *ok) {
  if (strcmp(op, "<") == 0)
    *ok = v < limit;
  else if (strcmp(op, "<=") == 0)
    *ok = v <= limit;
  else if (strcmp(op, ">") == 0)
    *ok = v > limit;
  else if (strcmp(op, ">=") == 0)
    *ok = v >= limit;
  else if (strcmp(op, "==") == 0)
    *ok = v == limit;
  else
    return -1;
  return 0;
}

static void note_missing(vld_row *row, const char *rel, const char *why) {
  append(row->figure, sizeof row->figure, "no evidence");
  if (strstr(row->note, rel) == NULL) append(row->note, sizeof row->note, "%s: %s", rel, why);
}

static cJSON *load_json(const char *path, vld_row *row, const char *rel, int *found) {
  size_t len = 0;
  char *text = read_text(path, &len);
  *found = text != NULL;
  if (text == NULL) {
    note_missing(row, rel, "missing (its target did not run or wrote nothing)");
    return NULL;
  }
  cJSON *j = cJSON_ParseWithLength(text, len);
  free(text);
  if (j == NULL) {
    append(row->figure, sizeof row->figure, "unreadable");
    append(row->note, sizeof row->note, "%s: not JSON", rel);
  }
  return j;
}

static check_res check_field(const cJSON *c, const char *path, const char *rel, vld_row *row,
                             vld_err *err) {
  check_res r = {VLD_BLOCK, 0};
  const char *field = str_of(c, "field"), *op = str_of(c, "op"), *kind = str_of(c, "record");
  const char *unit = str_of(c, "unit"), *label = str_of(c, "label");
  const cJSON *limit = cJSON_GetObjectItemCaseSensitive(c, "limit");
  if (field == NULL || op == NULL || !cJSON_IsNumber(limit)) {
    snprintf(err->msg, sizeof err->msg, "%s: a field check needs field, op and limit", row->id);
    r.status = (vld_status)-1;
    return r;
  }
  cJSON *j = load_json(path, row, rel, &r.found);
  if (j == NULL) return r;
  if (kind != NULL) {
    mdl_record_kind k;
    mdl_err me;
    mdl_err_clear(&me);
    if (!mdl_record_kind_parse(kind, &k)) {
      snprintf(err->msg, sizeof err->msg, "%s: unknown record kind \"%s\"", row->id, kind);
      r.status = (vld_status)-1;
      cJSON_Delete(j);
      return r;
    }
    if (mdl_record_check(k, j, &me) != MDL_OK) {
      append(row->figure, sizeof row->figure, "invalid record");
      append(row->note, sizeof row->note, "%s is not a valid %s: %s: %s", rel, kind, me.field,
             me.msg);
      cJSON_Delete(j);
      return r;
    }
  }
  const cJSON *v = json_path(j, field);
  if (!cJSON_IsNumber(v)) {
    append(row->figure, sizeof row->figure, "no evidence");
    append(row->note, sizeof row->note, "%s has no number at %s", rel, field);
    cJSON_Delete(j);
    return r;
  }
  int ok = 0;
  if (compare(v->valuedouble, op, limit->valuedouble, &ok) != 0) {
    snprintf(err->msg, sizeof err->msg, "%s: unknown op \"%s\" (< <= > >= ==)", row->id, op);
    r.status = (vld_status)-1;
    cJSON_Delete(j);
    return r;
  }
  append(row->figure, sizeof row->figure, "%s %.6g%s", label ? label : field, v->valuedouble,
         unit ? unit : "");
  if (!ok)
    append(row->note, sizeof row->note, "%s %.6g%s violates %s %.6g%s (%s)", label ? label : field,
           v->valuedouble, unit ? unit : "", op, limit->valuedouble, unit ? unit : "", rel);
  r.status = ok ? VLD_PASS : VLD_BLOCK;
  cJSON_Delete(j);
  return r;
}

/* The value of attribute `name` in the tag text [tag, end). */
static int attr(const char *tag, const char *end, const char *name, char *out, size_t n) {
  char key[64];
  snprintf(key, sizeof key, " %s=\"", name);
  const char *p = strstr(tag, key);
  if (p == NULL || p >= end) return 0;
  p += strlen(key);
  const char *q = strchr(p, '"');
  if (q == NULL || q > end) return 0;
  snprintf(out, n, "%.*s", (int)(q - p), p);
  return 1;
}

static check_res check_junit(const cJSON *c, const char *path, const char *rel, vld_row *row) {
  check_res r = {VLD_BLOCK, 0};
  const char *want = str_of(c, "cases");
  const cJSON *minj = cJSON_GetObjectItemCaseSensitive(c, "min_cases");
  int min = cJSON_IsNumber(minj) ? minj->valueint : 1;
  char *xml = read_text(path, NULL);
  if (xml == NULL) {
    note_missing(row, rel, "missing (its target did not run)");
    return r;
  }
  r.found = 1;
  int total = 0, failed = 0, skipped = 0;
  char failures[512] = "";
  for (const char *p = strstr(xml, "<testcase "); p != NULL; p = strstr(p + 1, "<testcase ")) {
    const char *tag_end = strchr(p, '>');
    if (tag_end == NULL) break;
    const char *next = strstr(p + 1, "<testcase ");
    const char *suite_end = strstr(p, "</testsuite");
    const char *body_end = next && (!suite_end || next < suite_end) ? next : suite_end;
    char name[256] = "", result[32] = "";
    attr(p, tag_end, "name", name, sizeof name);
    if (want != NULL && strstr(name, want) == NULL) continue;
    attr(p, tag_end, "result", result, sizeof result);
    total++;
    const char *f = strstr(tag_end, "<failure");
    const char *e = strstr(tag_end, "<error");
    int bad = (f && (!body_end || f < body_end)) || (e && (!body_end || e < body_end));
    if (bad) {
      failed++;
      append(failures, sizeof failures, "%s", name);
    } else if (strcmp(result, "skipped") == 0) {
      skipped++;
    }
  }
  free(xml);
  append(row->figure, sizeof row->figure, "%d/%d %s cases passed%s", total - failed - skipped,
         total, want ? want : "test", skipped ? " (some skipped)" : "");
  if (failed > 0) {
    append(row->note, sizeof row->note, "failed in %s: %s", rel, failures);
  } else if (total < min) {
    append(row->note, sizeof row->note, "%s: %d %s cases, at least %d expected", rel, total,
           want ? want : "test", min);
  } else if (skipped > 0) {
    append(row->note, sizeof row->note, "%d skipped in %s", skipped, rel);
  }
  r.status = (failed == 0 && total >= min) ? VLD_PASS : VLD_BLOCK;
  return r;
}

static check_res check_cases(const cJSON *c, const char *path, const char *rel, vld_row *row) {
  check_res r = {VLD_BLOCK, 0};
  const char *want = str_of(c, "cases");
  const cJSON *minj = cJSON_GetObjectItemCaseSensitive(c, "min_cases");
  int min = cJSON_IsNumber(minj) ? minj->valueint : 1;
  DIR *d = opendir(path);
  if (d == NULL) {
    note_missing(row, rel, "missing (the integration runner did not run)");
    return r;
  }
  r.found = 1;
  int total = 0, passed = 0, failed = 0, skipped = 0, invalid = 0;
  char failures[512] = "";
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    size_t L = strlen(de->d_name);
    if (L < 6 || strcmp(de->d_name + L - 5, ".json") != 0 || strstr(de->d_name, ".responses"))
      continue;
    if (want != NULL && strstr(de->d_name, want) == NULL) continue;
    char file[4096 + 512];
    snprintf(file, sizeof file, "%s/%s", path, de->d_name);
    char *text = read_text(file, NULL);
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    free(text);
    mdl_integration_case ic;
    mdl_err me;
    mdl_err_clear(&me);
    total++;
    if (j == NULL || mdl_integration_case_from_json(j, &ic, &me) != MDL_OK) {
      invalid++;
      append(failures, sizeof failures, "%s (invalid record)", de->d_name);
    } else {
      if (ic.last_run_status == MDL_RUN_PASS)
        passed++;
      else if (ic.last_run_status == MDL_RUN_SKIPPED)
        skipped++;
      else {
        failed++;
        append(failures, sizeof failures, "%s (%s)", de->d_name,
               mdl_run_status_name(ic.last_run_status));
      }
      mdl_integration_case_free(&ic);
    }
    cJSON_Delete(j);
  }
  closedir(d);
  append(row->figure, sizeof row->figure, "%d/%d %s scenarios passed, %d skipped", passed,
         total - skipped, want ? want : "", skipped);
  if (failed + invalid > 0)
    append(row->note, sizeof row->note, "failed in %s: %s", rel, failures);
  else if (passed < min && skipped > 0 && passed == 0)
    append(row->note, sizeof row->note,
           "skipped: the %s scenarios need control of the processes (stop, restart, slow)",
           want ? want : "");
  else if (passed < min)
    append(row->note, sizeof row->note, "%s: %d passed, at least %d expected", rel, passed, min);
  if (failed + invalid > 0)
    r.status = VLD_BLOCK;
  else if (passed == 0 && skipped > 0)
    r.status = VLD_SKIPPED;
  else
    r.status = passed >= min ? VLD_PASS : VLD_BLOCK;
  return r;
}

static check_res check_verdict(const cJSON *c, const char *path, const char *rel, vld_row *row) {
  check_res r = {VLD_BLOCK, 0};
  const char *field = str_of(c, "field"), *summary = str_of(c, "summary");
  cJSON *j = load_json(path, row, rel, &r.found);
  if (j == NULL) return r;
  const char *v = str_of(j, field ? field : "verdict");
  const char *s = summary ? str_of(j, summary) : NULL;
  if (v == NULL) {
    append(row->figure, sizeof row->figure, "no evidence");
    append(row->note, sizeof row->note, "%s states no %s", rel, field ? field : "verdict");
  } else {
    append(row->figure, sizeof row->figure, "regression verdict %s", v);
    if (strcmp(v, "pass") == 0)
      r.status = VLD_PASS;
    else if (strcmp(v, "review") == 0)
      r.status = VLD_REVIEW;
    if (r.status != VLD_PASS) append(row->note, sizeof row->note, "%s (%s)", s ? s : v, rel);
  }
  cJSON_Delete(j);
  return r;
}

static check_res check_exists(const char *path, const char *rel, vld_row *row) {
  check_res r = {VLD_BLOCK, 0};
  struct stat sb;
  if (stat(path, &sb) != 0 || sb.st_size == 0) {
    note_missing(row, rel, "missing or empty");
    return r;
  }
  r.found = 1;
  r.status = VLD_PASS;
  append(row->figure, sizeof row->figure, "%s (%lld bytes)",
         strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel, (long long)sb.st_size);
  return r;
}

static int applies(const cJSON *c, const char *profile) {
  const cJSON *p = cJSON_GetObjectItemCaseSensitive(c, "profiles");
  if (!cJSON_IsArray(p)) return 1;
  const cJSON *it;
  cJSON_ArrayForEach(it, p) {
    if (cJSON_IsString(it) && strcmp(it->valuestring, profile) == 0) return 1;
  }
  return 0;
}

static vld_status worse(vld_status a, vld_status b) {
  /* block > review > pass > skipped */
  static const int rank[] = {1, 2, 3, 0};
  return rank[b] > rank[a] ? b : a;
}

static void copy(char *dst, size_t n, const char *s) {
  snprintf(dst, n, "%s", s ? s : "");
}

int vld_evaluate(const cJSON *criteria, const vld_opts *o, vld_report *out, vld_err *err) {
  memset(out, 0, sizeof *out);
  const char *profile = o->profile ? o->profile : "quick";
  const cJSON *list = cJSON_GetObjectItemCaseSensitive(criteria, "criteria");
  if (!cJSON_IsArray(list)) {
    snprintf(err->msg, sizeof err->msg, "criteria: no \"criteria\" array");
    return -1;
  }
  const cJSON *e;
  cJSON_ArrayForEach(e, list) {
    if (out->n >= VLD_MAX_ROWS) {
      snprintf(err->msg, sizeof err->msg, "criteria: more than %d entries", VLD_MAX_ROWS);
      return -1;
    }
    vld_row *row = &out->rows[out->n];
    const char *id = str_of(e, "id");
    if (id == NULL) {
      snprintf(err->msg, sizeof err->msg, "criteria entry %zu has no \"id\"", out->n + 1);
      return -1;
    }
    copy(row->id, sizeof row->id, id);
    copy(row->description, sizeof row->description, str_of(e, "description"));
    copy(row->target, sizeof row->target, str_of(e, "target"));
    const cJSON *checks = cJSON_GetObjectItemCaseSensitive(e, "checks");
    if (o->external && str_of(e, "external_target") != NULL)
      copy(row->target, sizeof row->target, str_of(e, "external_target"));
    if (o->external) {
      const cJSON *ext = cJSON_GetObjectItemCaseSensitive(e, "external");
      if (cJSON_IsObject(ext)) {
        row->status = VLD_SKIPPED;
        snprintf(row->figure, sizeof row->figure, "not measured");
        snprintf(
            row->note, sizeof row->note, "skipped: %s",
            str_of(ext, "skip") ? str_of(ext, "skip") : "not checkable against external servers");
        out->counts[VLD_SKIPPED]++;
        out->n++;
        continue;
      }
      if (cJSON_IsArray(ext)) checks = ext;
    }
    if (!cJSON_IsArray(checks) || cJSON_GetArraySize(checks) == 0) {
      snprintf(err->msg, sizeof err->msg, "%s: no \"checks\" array", id);
      return -1;
    }
    vld_status st = VLD_SKIPPED;
    int judged = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, checks) {
      if (!applies(c, profile)) continue;
      const char *kind = str_of(c, "kind"), *rel = str_of(c, "artifact");
      if (kind == NULL || rel == NULL) {
        snprintf(err->msg, sizeof err->msg, "%s: a check needs \"kind\" and \"artifact\"", id);
        return -1;
      }
      char path[4096];
      snprintf(path, sizeof path, "%s/%s", o->artifacts, rel);
      check_res r;
      if (strcmp(kind, "field") == 0)
        r = check_field(c, path, rel, row, err);
      else if (strcmp(kind, "junit") == 0)
        r = check_junit(c, path, rel, row);
      else if (strcmp(kind, "cases") == 0)
        r = check_cases(c, path, rel, row);
      else if (strcmp(kind, "verdict") == 0)
        r = check_verdict(c, path, rel, row);
      else if (strcmp(kind, "exists") == 0)
        r = check_exists(path, rel, row);
      else {
        snprintf(err->msg, sizeof err->msg, "%s: unknown check kind \"%s\"", id, kind);
        return -1;
      }
      if ((int)r.status < 0) return -1;
      judged++;
      if (r.found) {
        row->evidence = 1;
        if (strstr(row->artifacts, rel) == NULL)
          append(row->artifacts, sizeof row->artifacts, "%s", rel);
      }
      st = worse(st, r.status);
    }
    if (judged == 0) {
      snprintf(row->figure, sizeof row->figure, "not measured");
      snprintf(row->note, sizeof row->note,
               "skipped: no check of this criterion runs in the %s profile", profile);
    } else if (st == VLD_SKIPPED && row->note[0] == '\0') {
      snprintf(row->note, sizeof row->note, "skipped");
    }
    row->status = st;
    if (row->evidence) out->any_evidence = 1;
    out->counts[st]++;
    out->n++;
  }
  out->verdict = VLD_PASS;
  for (size_t i = 0; i < out->n; i++) {
    if (out->rows[i].status == VLD_BLOCK) out->verdict = VLD_BLOCK;
    if (out->rows[i].status == VLD_REVIEW && out->verdict != VLD_BLOCK) out->verdict = VLD_REVIEW;
  }
  return 0;
}
