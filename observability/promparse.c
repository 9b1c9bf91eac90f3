/* promparse.c — the strict Prometheus text 0.0.4 parser (see promparse.h).
 *
 * One pass over the lines: comments open or describe a family, samples are cut into name, labels,
 * value and timestamp and appended to the current family (a sample of another name closes it).
 * A family's cross-sample rules (duplicate series, histogram buckets) are checked when it closes.
 * Sizes: /metrics of our servers is a few hundred families' worth of lines at most, so duplicate
 * detection is a quadratic scan within one family. */
#include "observability/promparse.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static obs_code fail(obs_err *err, obs_code code, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static obs_code fail(obs_err *err, obs_code code, int line, const char *fmt, ...) {
  if (err != NULL) {
    va_list ap;
    err->code = code;
    err->line = line;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
  }
  return code;
}

const char *obs_prom_type_name(obs_prom_type t) {
  static const char *const k[] = {"untyped", "counter", "gauge", "histogram", "summary"};
  return (unsigned)t < sizeof k / sizeof k[0] ? k[t] : "?";
}

/* ---- lexical pieces ---------------------------------------------------------------------------
 */

static int is_name_start(char c, int colon) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
}
static int is_name_char(char c, int colon) {
  return is_name_start(c, colon) || (c >= '0' && c <= '9');
}

/* Length of the name at s (metric names allow ':'), 0 if none. */
static size_t name_len(const char *s, const char *end, int colon) {
  size_t n = 0;
  if (s >= end || !is_name_start(*s, colon)) return 0;
  while (s + n < end && is_name_char(s[n], colon)) n++;
  return n;
}

static char *dupn(const char *s, size_t n) {
  char *d = malloc(n + 1);
  if (d == NULL) return NULL;
  memcpy(d, s, n);
  d[n] = '\0';
  return d;
}

/* Unescapes [s, end) into a new string. quote: label value rules (\\ \" \n), else HELP rules
 * (\\ \n). Returns NULL with *bad set on an invalid escape, NULL without it on no memory. */
static char *unescape(const char *s, const char *end, int quote, int *bad) {
  char *d = malloc((size_t)(end - s) + 1), *o = d;
  *bad = 0;
  if (d == NULL) return NULL;
  for (; s < end; s++) {
    if (*s != '\\') {
      *o++ = *s;
      continue;
    }
    if (s + 1 >= end) goto invalid;
    s++;
    if (*s == '\\')
      *o++ = '\\';
    else if (*s == 'n')
      *o++ = '\n';
    else if (*s == '"' && quote)
      *o++ = '"';
    else
      goto invalid;
  }
  *o = '\0';
  return d;
invalid:
  free(d);
  *bad = 1;
  return NULL;
}

/* A value as Go's strconv.ParseFloat takes it, plus the names of the format. */
static int parse_value(const char *s, const char *end, double *out) {
  char buf[128];
  size_t n = (size_t)(end - s);
  char *stop;
  if (n == 0 || n >= sizeof buf) return -1;
  memcpy(buf, s, n);
  buf[n] = '\0';
  if (strcmp(buf, "NaN") == 0) {
    *out = NAN;
    return 0;
  }
  if (strcmp(buf, "+Inf") == 0 || strcmp(buf, "Inf") == 0) {
    *out = INFINITY;
    return 0;
  }
  if (strcmp(buf, "-Inf") == 0) {
    *out = -INFINITY;
    return 0;
  }
  /* strtod also takes "inf", "nan(...)" and hex; the format's own spellings are handled above. */
  for (size_t i = 0; i < n; i++) {
    char c = buf[i];
    if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-'))
      return -1;
  }
  errno = 0;
  *out = strtod(buf, &stop);
  return (*stop == '\0' && errno != ERANGE) ? 0 : -1;
}

static int parse_int64(const char *s, const char *end, int64_t *out) {
  char buf[32], *stop;
  size_t n = (size_t)(end - s);
  if (n == 0 || n >= sizeof buf) return -1;
  memcpy(buf, s, n);
  buf[n] = '\0';
  if (!((buf[0] >= '0' && buf[0] <= '9') || (buf[0] == '-' && n > 1))) return -1;
  errno = 0;
  long long v = strtoll(buf, &stop, 10);
  if (*stop != '\0' || errno != 0) return -1;
  *out = (int64_t)v;
  return 0;
}

/* ---- the document -----------------------------------------------------------------------------
 */

static void free_sample(obs_prom_sample *s) {
  free(s->name);
  for (size_t i = 0; i < s->n_labels; i++) {
    free(s->labels[i].name);
    free(s->labels[i].value);
  }
  free(s->labels);
}

static void free_family(obs_prom_family *f) {
  free(f->name);
  free(f->help);
  for (size_t i = 0; i < f->n_samples; i++) free_sample(&f->samples[i]);
  free(f->samples);
}

void obs_prom_free(obs_prom_doc *doc) {
  if (doc == NULL) return;
  for (size_t i = 0; i < doc->n_families; i++) free_family(&doc->families[i]);
  free(doc->families);
  memset(doc, 0, sizeof *doc);
}

static obs_prom_family *new_family(obs_prom_doc *d, const char *name, size_t n) {
  obs_prom_family *f = realloc(d->families, (d->n_families + 1) * sizeof *f);
  if (f == NULL) return NULL;
  d->families = f;
  f = &d->families[d->n_families];
  memset(f, 0, sizeof *f);
  if ((f->name = dupn(name, n)) == NULL) return NULL;
  d->n_families++;
  return f;
}

static const obs_prom_family *find_family_n(const obs_prom_doc *d, const char *name, size_t n) {
  for (size_t i = 0; i < d->n_families; i++)
    if (strlen(d->families[i].name) == n && memcmp(d->families[i].name, name, n) == 0)
      return &d->families[i];
  return NULL;
}

const obs_prom_family *obs_prom_family_find(const obs_prom_doc *doc, const char *name) {
  return find_family_n(doc, name, strlen(name));
}

const char *obs_prom_label_value(const obs_prom_sample *s, const char *name) {
  for (size_t i = 0; i < s->n_labels; i++)
    if (strcmp(s->labels[i].name, name) == 0) return s->labels[i].value;
  return NULL;
}

const obs_prom_sample *obs_prom_sample_find(const obs_prom_doc *doc, const char *sample_name,
                                            const char *const *kv) {
  for (size_t i = 0; i < doc->n_families; i++) {
    const obs_prom_family *f = &doc->families[i];
    for (size_t j = 0; j < f->n_samples; j++) {
      const obs_prom_sample *s = &f->samples[j];
      int ok = strcmp(s->name, sample_name) == 0;
      for (size_t k = 0; ok && kv != NULL && kv[k] != NULL && kv[k + 1] != NULL; k += 2) {
        const char *v = obs_prom_label_value(s, kv[k]);
        ok = v != NULL && strcmp(v, kv[k + 1]) == 0;
      }
      if (ok) return s;
    }
  }
  return NULL;
}

/* Does sample name `s` (length n) belong to family f? */
static int belongs(const obs_prom_family *f, const char *s, size_t n) {
  size_t fl = strlen(f->name);
  if (n == fl && memcmp(s, f->name, n) == 0)
    return f->type != OBS_PROM_HISTOGRAM; /* a histogram has no bare sample */
  if (f->type != OBS_PROM_HISTOGRAM && f->type != OBS_PROM_SUMMARY) return 0;
  if (n <= fl || memcmp(s, f->name, fl) != 0) return 0;
  const char *suf = s + fl;
  size_t sl = n - fl;
  if (sl == 4 && memcmp(suf, "_sum", 4) == 0) return 1;
  if (sl == 6 && memcmp(suf, "_count", 6) == 0) return 1;
  return f->type == OBS_PROM_HISTOGRAM && sl == 7 && memcmp(suf, "_bucket", 7) == 0;
}

/* Same label set, ignoring label `skip` (may be NULL)? */
static int same_labels(const obs_prom_sample *a, const obs_prom_sample *b, const char *skip) {
  size_t na = 0, nb = 0;
  for (size_t i = 0; i < a->n_labels; i++) {
    if (skip && strcmp(a->labels[i].name, skip) == 0) continue;
    na++;
    const char *v = obs_prom_label_value(b, a->labels[i].name);
    if (v == NULL || strcmp(v, a->labels[i].value) != 0) return 0;
  }
  for (size_t i = 0; i < b->n_labels; i++)
    if (!(skip && strcmp(b->labels[i].name, skip) == 0)) nb++;
  return na == nb;
}

static obs_code check_histogram(const obs_prom_family *f, obs_err *err) {
  /* Each series is the set of samples with one label set apart from le. */
  for (size_t i = 0; i < f->n_samples; i++) {
    const obs_prom_sample *first = &f->samples[i];
    int seen_before = 0;
    for (size_t j = 0; j < i && !seen_before; j++)
      seen_before = same_labels(&f->samples[j], first, "le");
    if (seen_before) continue;
    double prev_le = -INFINITY, prev_count = -1, inf_count = -1, count = -1;
    int has_sum = 0, n_buckets = 0;
    int line = first->line;
    for (size_t j = i; j < f->n_samples; j++) {
      const obs_prom_sample *s = &f->samples[j];
      if (!same_labels(s, first, "le")) continue;
      const char *suffix = s->name + strlen(f->name);
      if (strcmp(suffix, "_bucket") == 0) {
        const char *le = obs_prom_label_value(s, "le");
        double v;
        if (le == NULL) return fail(err, OBS_EPARSE, s->line, "%s has no le label", s->name);
        if (parse_value(le, le + strlen(le), &v) != 0 || isnan(v))
          return fail(err, OBS_EPARSE, s->line, "%s le=\"%s\" is not a number", s->name, le);
        if (!(v > prev_le))
          return fail(err, OBS_EPARSE, s->line, "%s le=\"%s\" is not above the previous bucket",
                      s->name, le);
        if (inf_count >= 0)
          return fail(err, OBS_EPARSE, s->line, "%s has a bucket after le=\"+Inf\"", s->name);
        if (s->value < prev_count || s->value < 0 || !isfinite(s->value))
          return fail(err, OBS_EPARSE, s->line,
                      "%s le=\"%s\" count %g is below the previous bucket's %g (buckets are "
                      "cumulative)",
                      s->name, le, s->value, prev_count);
        prev_le = v;
        prev_count = s->value;
        n_buckets++;
        if (isinf(v)) inf_count = s->value;
      } else if (strcmp(suffix, "_sum") == 0) {
        if (has_sum) return fail(err, OBS_EPARSE, s->line, "%s appears twice", s->name);
        has_sum = 1;
      } else if (strcmp(suffix, "_count") == 0) {
        if (count >= 0) return fail(err, OBS_EPARSE, s->line, "%s appears twice", s->name);
        count = s->value;
      }
    }
    if (n_buckets == 0 || inf_count < 0)
      return fail(err, OBS_EPARSE, line, "histogram %s has a series without a le=\"+Inf\" bucket",
                  f->name);
    if (!has_sum)
      return fail(err, OBS_EPARSE, line, "histogram %s has a series without %s_sum", f->name,
                  f->name);
    if (count < 0)
      return fail(err, OBS_EPARSE, line, "histogram %s has a series without %s_count", f->name,
                  f->name);
    if (count != inf_count)
      return fail(err, OBS_EPARSE, line,
                  "histogram %s: _count %g differs from its le=\"+Inf\" bucket %g", f->name, count,
                  inf_count);
  }
  return OBS_OK;
}

/* The rules across one family's samples, checked when it closes. */
static obs_code close_family(const obs_prom_family *f, obs_err *err) {
  if (f == NULL) return OBS_OK;
  for (size_t i = 0; i < f->n_samples; i++)
    for (size_t j = 0; j < i; j++)
      if (strcmp(f->samples[i].name, f->samples[j].name) == 0 &&
          same_labels(&f->samples[i], &f->samples[j], NULL))
        return fail(err, OBS_EPARSE, f->samples[i].line,
                    "series %s with the same labels appears twice (first on line %d)",
                    f->samples[i].name, f->samples[j].line);
  if (f->type == OBS_PROM_HISTOGRAM) return check_histogram(f, err);
  return OBS_OK;
}

/* ---- lines ------------------------------------------------------------------------------------
 */

typedef struct parser {
  obs_prom_doc *doc;
  obs_prom_family *cur; /* the family samples are being added to (last one of doc) */
  int line;
  obs_err *err;
} parser;

static obs_prom_family *family_for_comment(parser *p, const char *name, size_t n) {
  obs_prom_family *f = (obs_prom_family *)find_family_n(p->doc, name, n);
  if (f != NULL) return f;
  return new_family(p->doc, name, n);
}

static obs_code comment_line(parser *p, const char *s, const char *end) {
  const char *q = s + 1;
  while (q < end && *q == ' ') q++;
  int help = (size_t)(end - q) >= 5 && memcmp(q, "HELP ", 5) == 0;
  int type = (size_t)(end - q) >= 5 && memcmp(q, "TYPE ", 5) == 0;
  if (!help && !type) return OBS_OK; /* a plain comment */
  q += 5;
  while (q < end && *q == ' ') q++;
  size_t n = name_len(q, end, 1);
  if (n == 0 || (q + n < end && q[n] != ' '))
    return fail(p->err, OBS_EPARSE, p->line, "# %s names no valid metric", help ? "HELP" : "TYPE");
  const obs_prom_family *existing = find_family_n(p->doc, q, n);
  if (existing != NULL && existing->n_samples > 0)
    return fail(p->err, OBS_EPARSE, p->line, "# %s %.*s comes after that family's samples",
                help ? "HELP" : "TYPE", (int)n, q);
  if (existing == NULL || existing != p->cur) {
    obs_code rc = close_family(p->cur, p->err);
    if (rc != OBS_OK) return rc;
  }
  obs_prom_family *f = family_for_comment(p, q, n);
  if (f == NULL) return fail(p->err, OBS_ENOMEM, p->line, "out of memory");
  p->cur = f;
  const char *rest = q + n;
  if (rest < end) rest++; /* the one separating blank */
  if (help) {
    int bad;
    if (f->help != NULL) return fail(p->err, OBS_EPARSE, p->line, "second # HELP for %s", f->name);
    f->help = unescape(rest, end, 0, &bad);
    if (f->help == NULL)
      return bad ? fail(p->err, OBS_EPARSE, p->line, "# HELP %s has an invalid escape", f->name)
                 : fail(p->err, OBS_ENOMEM, p->line, "out of memory");
    return OBS_OK;
  }
  static const char *const types[] = {"untyped", "counter", "gauge", "histogram", "summary"};
  for (int t = 0; t < 5; t++) {
    if ((size_t)(end - rest) == strlen(types[t]) && memcmp(rest, types[t], strlen(types[t])) == 0) {
      if (f->has_type) return fail(p->err, OBS_EPARSE, p->line, "second # TYPE for %s", f->name);
      f->type = (obs_prom_type)t;
      f->has_type = 1;
      return OBS_OK;
    }
  }
  return fail(p->err, OBS_EPARSE, p->line, "# TYPE %s has unknown type \"%.*s\"", f->name,
              (int)(end - rest), rest);
}

static obs_code add_label(parser *p, obs_prom_sample *s, const char *n, size_t nl, const char *v,
                          const char *vend) {
  int bad;
  for (size_t i = 0; i < s->n_labels; i++)
    if (strlen(s->labels[i].name) == nl && memcmp(s->labels[i].name, n, nl) == 0)
      return fail(p->err, OBS_EPARSE, p->line, "label %.*s appears twice", (int)nl, n);
  if (nl >= 2 && n[0] == '_' && n[1] == '_')
    return fail(p->err, OBS_EPARSE, p->line, "label name %.*s is reserved (starts with __)",
                (int)nl, n);
  obs_prom_label *l = realloc(s->labels, (s->n_labels + 1) * sizeof *l);
  if (l == NULL) return fail(p->err, OBS_ENOMEM, p->line, "out of memory");
  s->labels = l;
  l = &s->labels[s->n_labels];
  l->name = dupn(n, nl);
  l->value = unescape(v, vend, 1, &bad);
  if (l->name == NULL || l->value == NULL) {
    free(l->name);
    free(l->value);
    return bad ? fail(p->err, OBS_EPARSE, p->line, "label %.*s has an invalid escape", (int)nl, n)
               : fail(p->err, OBS_ENOMEM, p->line, "out of memory");
  }
  s->n_labels++;
  return OBS_OK;
}

/* Cuts the {...} at *q into s's labels; *q moves past the '}'. */
static obs_code labels(parser *p, const char **q, const char *end, obs_prom_sample *s) {
  const char *c = *q + 1;
  for (;;) {
    if (c < end && *c == '}') break;
    size_t nl = name_len(c, end, 0);
    if (nl == 0)
      return fail(p->err, OBS_EPARSE, p->line, "bad label name at column %d", (int)(c - *q));
    const char *n = c;
    c += nl;
    if (c + 1 >= end || c[0] != '=' || c[1] != '"')
      return fail(p->err, OBS_EPARSE, p->line, "label %.*s needs =\"value\"", (int)nl, n);
    c += 2;
    const char *v = c;
    while (c < end && *c != '"') {
      if (*c == '\\') c++;
      c++;
    }
    if (c >= end)
      return fail(p->err, OBS_EPARSE, p->line, "label %.*s value is not closed", (int)nl, n);
    obs_code rc = add_label(p, s, n, nl, v, c);
    if (rc != OBS_OK) return rc;
    c++;
    if (c < end && *c == ',') {
      c++;
      continue;
    }
    if (c < end && *c == '}') break;
    return fail(p->err, OBS_EPARSE, p->line, "expected , or } after label %.*s", (int)nl, n);
  }
  *q = c + 1;
  return OBS_OK;
}

static obs_code sample_line(parser *p, const char *s, const char *end) {
  obs_prom_sample smp;
  obs_code rc = OBS_OK;
  memset(&smp, 0, sizeof smp);
  smp.line = p->line;
  size_t n = name_len(s, end, 1);
  if (n == 0) return fail(p->err, OBS_EPARSE, p->line, "line starts with no metric name");
  const char *q = s + n;
  if (q < end && *q == '{' && (rc = labels(p, &q, end, &smp)) != OBS_OK) goto cleanup;
  if (q >= end || *q != ' ') {
    rc = fail(p->err, OBS_EPARSE, p->line, "%.*s: expected a blank and a value", (int)n, s);
    goto cleanup;
  }
  while (q < end && *q == ' ') q++;
  const char *v = q;
  while (q < end && *q != ' ') q++;
  if (parse_value(v, q, &smp.value) != 0) {
    rc = fail(p->err, OBS_EPARSE, p->line, "%.*s: \"%.*s\" is not a number", (int)n, s,
              (int)(q - v), v);
    goto cleanup;
  }
  while (q < end && *q == ' ') q++;
  if (q < end) {
    if (parse_int64(q, end, &smp.timestamp_ms) != 0) {
      rc = fail(p->err, OBS_EPARSE, p->line, "%.*s: \"%.*s\" is not a timestamp in ms", (int)n, s,
                (int)(end - q), q);
      goto cleanup;
    }
    smp.has_timestamp = 1;
  }
  /* Which family? The current one if the name belongs to it; else a new (or described) one. */
  obs_prom_family *f = p->cur;
  if (f == NULL || !belongs(f, s, n)) {
    if ((rc = close_family(p->cur, p->err)) != OBS_OK) goto cleanup;
    const obs_prom_family *old = find_family_n(p->doc, s, n);
    if (old != NULL) {
      rc = fail(p->err, OBS_EPARSE, p->line,
                old->type == OBS_PROM_HISTOGRAM
                    ? "%.*s: a histogram has only _bucket, _sum and _count samples"
                    : "samples of %.*s are not contiguous",
                (int)n, s);
      goto cleanup;
    }
    for (size_t i = 0; i < p->doc->n_families; i++)
      if (belongs(&p->doc->families[i], s, n)) {
        rc = fail(p->err, OBS_EPARSE, p->line, "samples of %s are not contiguous",
                  p->doc->families[i].name);
        goto cleanup;
      }
    if ((f = new_family(p->doc, s, n)) == NULL) {
      rc = fail(p->err, OBS_ENOMEM, p->line, "out of memory");
      goto cleanup;
    }
    p->cur = f;
  }
  if (f->type == OBS_PROM_COUNTER && (!(smp.value >= 0) || isinf(smp.value))) {
    rc = fail(p->err, OBS_EPARSE, p->line, "counter %.*s has value %g (must be finite, >= 0)",
              (int)n, s, smp.value);
    goto cleanup;
  }
  if ((smp.name = dupn(s, n)) == NULL) {
    rc = fail(p->err, OBS_ENOMEM, p->line, "out of memory");
    goto cleanup;
  }
  obs_prom_sample *arr = realloc(f->samples, (f->n_samples + 1) * sizeof *arr);
  if (arr == NULL) {
    rc = fail(p->err, OBS_ENOMEM, p->line, "out of memory");
    goto cleanup;
  }
  f->samples = arr;
  f->samples[f->n_samples++] = smp;
  return OBS_OK;
cleanup:
  free_sample(&smp);
  return rc;
}

obs_code obs_prom_parse(const char *text, size_t len, obs_prom_doc *out, obs_err *err) {
  parser p;
  obs_code rc = OBS_OK;
  const char *s = text, *end = text + len;
  assert(text != NULL && out != NULL);
  memset(out, 0, sizeof *out);
  memset(&p, 0, sizeof p);
  p.doc = out;
  p.err = err;
  if (err != NULL) memset(err, 0, sizeof *err);
  if (len > 0 && text[len - 1] != '\n') {
    int lines = 1;
    for (size_t i = 0; i < len; i++) lines += text[i] == '\n';
    rc = fail(err, OBS_EPARSE, lines, "the last line does not end with a newline");
    goto cleanup;
  }
  while (s < end) {
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    p.line++;
    if (memchr(s, '\0', (size_t)(nl - s)) != NULL) {
      rc = fail(err, OBS_EPARSE, p.line, "line contains a NUL byte");
      goto cleanup;
    }
    if (nl > s && nl[-1] == '\r') {
      rc = fail(err, OBS_EPARSE, p.line, "line ends with \\r\\n (the format wants \\n)");
      goto cleanup;
    }
    if (nl == s) {
      /* empty lines are ignored */
    } else if (*s == '#') {
      rc = comment_line(&p, s, nl);
    } else {
      rc = sample_line(&p, s, nl);
    }
    if (rc != OBS_OK) goto cleanup;
    s = nl + 1;
  }
  rc = close_family(p.cur, err);
cleanup:
  if (rc != OBS_OK) obs_prom_free(out);
  return rc;
}
