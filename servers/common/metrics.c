/* metrics.c — the metrics registry (see metrics.h).
 *
 * Layout: a registry holds a list of families (one name, one type, one help text, at most one
 * label name); a family holds a list of series (one per label value). Lists only grow, under the
 * registry mutex, and series are allocated one by one, so the handle pointers given out stay valid
 * until srv_metrics_destroy. Values are C11 atomics updated with relaxed ordering: a render may see
 * a histogram mid-update, so _count is rendered as the sum of the bucket counts it read (the +Inf
 * bucket and _count always agree); _sum may lag by the in-flight observations. */
#include "servers/common/metrics.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/buf.h"
#include "models/metrics_response.h"
#include "servers/common/procstat.h"
#include "servers/common/timeutil.h"

const double srv_hist_bounds[SRV_HIST_NBUCKETS] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                   0.1,    0.25,  0.5,    1,     2.5,  5,     10};

/* le="..." texts of the buckets, the same numbers as srv_hist_bounds, then +Inf. */
static const char *const k_le[SRV_HIST_NBUCKETS + 1] = {
    "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
    "0.25",   "0.5",   "1",      "2.5",   "5",    "10",    "+Inf"};

typedef enum kind { K_COUNTER = 0, K_GAUGE = 1, K_HIST = 2 } kind;
static const char *const k_type_names[] = {"counter", "gauge", "histogram"};

struct srv_counter {
  atomic_uint_least64_t v;
};
struct srv_gauge {
  _Atomic uint64_t bits; /* a double's bit pattern */
};
struct srv_histogram {
  atomic_uint_least64_t bucket[SRV_HIST_NBUCKETS + 1]; /* non-cumulative; last is +Inf */
  _Atomic uint64_t sum_bits;                           /* a double's bit pattern */
};

typedef struct series {
  char *label_value; /* NULL when the family has no label */
  srv_counter c;
  srv_gauge g;
  srv_histogram h;
  srv_gauge_fn fn; /* sampled counter / gauge when non-NULL */
  void *arg;
  struct series *next;
} series;

typedef struct family {
  char *name; /* prefix included */
  char *help;
  kind type;
  char *label_name; /* NULL for none */
  series *head, *tail;
  struct family *next;
} family;

struct srv_metrics {
  pthread_mutex_t mu;
  char *prefix;
  int64_t start_mono_ms;
  family *head, *tail;
};

static uint64_t dbl_bits(double d) {
  uint64_t u;
  memcpy(&u, &d, sizeof u);
  return u;
}
static double bits_dbl(uint64_t u) {
  double d;
  memcpy(&d, &u, sizeof d);
  return d;
}

/* [a-zA-Z_][a-zA-Z0-9_]* */
static int ident_ok(const char *s) {
  if (s == NULL || s[0] == '\0') return 0;
  for (const char *p = s; *p; p++) {
    int alpha = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_';
    if (!alpha && !(p != s && *p >= '0' && *p <= '9')) return 0;
  }
  return 1;
}

static int ends_with(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && strcmp(s + a - b, suffix) == 0;
}

srv_code srv_metrics_create(const char *prefix, srv_metrics **out, srv_err *err) {
  *out = NULL;
  if (prefix == NULL || (prefix[0] != '\0' && !ident_ok(prefix))) {
    return srv_err_set(err, SRV_EINVAL, "metrics prefix '%s' must match [a-zA-Z_][a-zA-Z0-9_]*",
                       prefix ? prefix : "(null)");
  }
  srv_metrics *m = calloc(1, sizeof *m);
  if (m == NULL || (m->prefix = strdup(prefix)) == NULL) {
    free(m);
    return srv_err_set(err, SRV_EINTERNAL, "out of memory creating the metrics registry");
  }
  pthread_mutex_init(&m->mu, NULL);
  m->start_mono_ms = srv_mono_ms();
  *out = m;
  return SRV_OK;
}

void srv_metrics_destroy(srv_metrics *m) {
  if (m == NULL) return;
  family *f = m->head;
  while (f != NULL) {
    family *fn = f->next;
    series *s = f->head;
    while (s != NULL) {
      series *sn = s->next;
      free(s->label_value);
      free(s);
      s = sn;
    }
    free(f->name);
    free(f->help);
    free(f->label_name);
    free(f);
    f = fn;
  }
  pthread_mutex_destroy(&m->mu);
  free(m->prefix);
  free(m);
}

/* Finds or creates the series; caller holds m->mu. Returns NULL with err filled. */
static series *get_series(srv_metrics *m, kind type, const char *name, const char *help,
                          const char *label_name, const char *label_value, srv_err *err) {
  char full[256];
  if (!ident_ok(name)) {
    srv_err_set(err, SRV_EINVAL, "metric name '%s' must match [a-zA-Z_][a-zA-Z0-9_]*",
                name ? name : "(null)");
    return NULL;
  }
  if (type == K_COUNTER && !ends_with(name, "_total")) {
    srv_err_set(err, SRV_EINVAL, "counter name '%s' must end in _total", name);
    return NULL;
  }
  if (type == K_HIST && !ends_with(name, "_seconds")) {
    srv_err_set(err, SRV_EINVAL, "histogram name '%s' must end in _seconds (observe seconds)",
                name);
    return NULL;
  }
  if ((label_name == NULL) != (label_value == NULL) ||
      (label_name != NULL && (!ident_ok(label_name) || strcmp(label_name, "le") == 0 ||
                              strncmp(label_name, "__", 2) == 0))) {
    srv_err_set(err, SRV_EINVAL, "metric '%s': label name '%s' is invalid or has no value", name,
                label_name ? label_name : "(null)");
    return NULL;
  }
  int n = snprintf(full, sizeof full, "%s%s", m->prefix, name);
  if (n < 0 || (size_t)n >= sizeof full) {
    srv_err_set(err, SRV_EINVAL, "metric name '%s%s' is longer than 255 bytes", m->prefix, name);
    return NULL;
  }
  family *f = m->head;
  while (f != NULL && strcmp(f->name, full) != 0) f = f->next;
  if (f != NULL) {
    int same_label =
        (f->label_name == NULL && label_name == NULL) ||
        (f->label_name != NULL && label_name != NULL && strcmp(f->label_name, label_name) == 0);
    if (f->type != type || !same_label) {
      srv_err_set(err, SRV_EINVAL,
                  "metric '%s' is already registered as a %s with label '%s'; use one type and "
                  "label name per metric",
                  full, k_type_names[f->type], f->label_name ? f->label_name : "");
      return NULL;
    }
    for (series *s = f->head; s != NULL; s = s->next) {
      if ((s->label_value == NULL && label_value == NULL) ||
          (s->label_value != NULL && label_value != NULL &&
           strcmp(s->label_value, label_value) == 0)) {
        return s;
      }
    }
  } else {
    f = calloc(1, sizeof *f);
    if (f == NULL) goto oom;
    f->type = type;
    f->name = strdup(full);
    f->help = strdup(help ? help : "");
    f->label_name = label_name ? strdup(label_name) : NULL;
    if (f->name == NULL || f->help == NULL || (label_name != NULL && f->label_name == NULL)) {
      free(f->name);
      free(f->help);
      free(f->label_name);
      free(f);
      goto oom;
    }
    if (m->tail)
      m->tail->next = f;
    else
      m->head = f;
    m->tail = f;
  }
  series *s = calloc(1, sizeof *s);
  if (s == NULL) goto oom;
  if (label_value != NULL && (s->label_value = strdup(label_value)) == NULL) {
    free(s);
    goto oom;
  }
  atomic_init(&s->c.v, 0);
  atomic_init(&s->g.bits, dbl_bits(0.0));
  for (int i = 0; i <= SRV_HIST_NBUCKETS; i++) atomic_init(&s->h.bucket[i], 0);
  atomic_init(&s->h.sum_bits, dbl_bits(0.0));
  if (f->tail)
    f->tail->next = s;
  else
    f->head = s;
  f->tail = s;
  return s;
oom:
  srv_err_set(err, SRV_EINTERNAL, "out of memory registering metric '%s'", full);
  return NULL;
}

srv_counter *srv_metrics_counter(srv_metrics *m, const char *name, const char *help,
                                 const char *label_name, const char *label_value, srv_err *err) {
  pthread_mutex_lock(&m->mu);
  series *s = get_series(m, K_COUNTER, name, help, label_name, label_value, err);
  pthread_mutex_unlock(&m->mu);
  return s ? &s->c : NULL;
}

srv_histogram *srv_metrics_histogram(srv_metrics *m, const char *name, const char *help,
                                     const char *label_name, const char *label_value,
                                     srv_err *err) {
  pthread_mutex_lock(&m->mu);
  series *s = get_series(m, K_HIST, name, help, label_name, label_value, err);
  pthread_mutex_unlock(&m->mu);
  return s ? &s->h : NULL;
}

srv_gauge *srv_metrics_gauge(srv_metrics *m, const char *name, const char *help,
                             const char *label_name, const char *label_value, srv_err *err) {
  pthread_mutex_lock(&m->mu);
  series *s = get_series(m, K_GAUGE, name, help, label_name, label_value, err);
  pthread_mutex_unlock(&m->mu);
  return s ? &s->g : NULL;
}

static srv_code register_fn(srv_metrics *m, kind type, const char *name, const char *help,
                            srv_gauge_fn fn, void *arg, srv_err *err) {
  srv_err local;
  if (err == NULL) err = &local; /* the code is read back from it */
  pthread_mutex_lock(&m->mu);
  series *s = get_series(m, type, name, help, NULL, NULL, err);
  if (s != NULL) {
    s->fn = fn;
    s->arg = arg;
  }
  pthread_mutex_unlock(&m->mu);
  return s ? SRV_OK : err->code;
}

srv_code srv_metrics_gauge_fn(srv_metrics *m, const char *name, const char *help, srv_gauge_fn fn,
                              void *arg, srv_err *err) {
  return register_fn(m, K_GAUGE, name, help, fn, arg, err);
}

srv_code srv_metrics_counter_fn(srv_metrics *m, const char *name, const char *help, srv_gauge_fn fn,
                                void *arg, srv_err *err) {
  return register_fn(m, K_COUNTER, name, help, fn, arg, err);
}

static double rss_fn(void *arg) {
  return (double)srv_proc_rss_bytes();
}
static double cpu_fn(void *arg) {
  return srv_proc_cpu_seconds();
}
static double uptime_fn(void *arg) {
  const int64_t *start = arg;
  return (double)(srv_mono_ms() - *start) / 1000.0;
}

srv_code srv_metrics_add_process(srv_metrics *m, int64_t start_mono_ms, srv_err *err) {
  srv_code rc;
  m->start_mono_ms = start_mono_ms;
  rc = srv_metrics_gauge_fn(m, "process_resident_memory_bytes",
                            "Resident memory of the process in bytes", rss_fn, NULL, err);
  if (rc != SRV_OK) return rc;
  rc = srv_metrics_counter_fn(m, "process_cpu_seconds_total",
                              "User and system CPU time of the process in seconds", cpu_fn, NULL,
                              err);
  if (rc != SRV_OK) return rc;
  return srv_metrics_gauge_fn(m, "uptime_seconds", "Seconds since the server started", uptime_fn,
                              &m->start_mono_ms, err);
}

/* ---- hot path ---- */

void srv_counter_inc(srv_counter *c) {
  if (c) atomic_fetch_add_explicit(&c->v, 1, memory_order_relaxed);
}
void srv_counter_add(srv_counter *c, uint64_t n) {
  if (c) atomic_fetch_add_explicit(&c->v, n, memory_order_relaxed);
}
uint64_t srv_counter_value(const srv_counter *c) {
  return c ? atomic_load_explicit(&((srv_counter *)c)->v, memory_order_relaxed) : 0;
}
void srv_gauge_set(srv_gauge *g, double v) {
  if (g) atomic_store_explicit(&g->bits, dbl_bits(v), memory_order_relaxed);
}

static void atomic_add_double(_Atomic uint64_t *bits, double delta) {
  uint64_t old = atomic_load_explicit(bits, memory_order_relaxed);
  while (!atomic_compare_exchange_weak_explicit(bits, &old, dbl_bits(bits_dbl(old) + delta),
                                                memory_order_relaxed, memory_order_relaxed)) {
  }
}

void srv_gauge_add(srv_gauge *g, double delta) {
  if (g) atomic_add_double(&g->bits, delta);
}
double srv_gauge_value(const srv_gauge *g) {
  return g ? bits_dbl(atomic_load_explicit(&((srv_gauge *)g)->bits, memory_order_relaxed)) : 0.0;
}

void srv_histogram_observe(srv_histogram *h, double seconds) {
  if (h == NULL) return;
  if (!(seconds > 0)) seconds = 0; /* also maps NaN to 0 */
  int i = 0;
  while (i < SRV_HIST_NBUCKETS && seconds > srv_hist_bounds[i]) i++;
  atomic_fetch_add_explicit(&h->bucket[i], 1, memory_order_relaxed);
  atomic_add_double(&h->sum_bits, seconds);
}

/* Reads the non-cumulative bucket counts into b and returns their total. */
static uint64_t hist_read(const srv_histogram *h, uint64_t b[SRV_HIST_NBUCKETS + 1], double *sum) {
  uint64_t total = 0;
  srv_histogram *hh = (srv_histogram *)h;
  for (int i = 0; i <= SRV_HIST_NBUCKETS; i++) {
    b[i] = atomic_load_explicit(&hh->bucket[i], memory_order_relaxed);
    total += b[i];
  }
  *sum = bits_dbl(atomic_load_explicit(&hh->sum_bits, memory_order_relaxed));
  return total;
}

void srv_histogram_snapshot(const srv_histogram *h, uint64_t *count, double *sum) {
  uint64_t b[SRV_HIST_NBUCKETS + 1];
  double s = 0;
  uint64_t c = h ? hist_read(h, b, &s) : 0;
  if (count) *count = c;
  if (sum) *sum = s;
}

/* ---- Prometheus text ---- */

/* Appends s escaped for HELP text (label_value = 0) or a label value (label_value = 1). */
static void bescape(mdl_buf *b, const char *s, int label_value) {
  const char *run = s;
  for (const char *p = s; *p; p++) {
    const char *rep = NULL;
    if (*p == '\\')
      rep = "\\\\";
    else if (*p == '\n')
      rep = "\\n";
    else if (*p == '"' && label_value)
      rep = "\\\"";
    if (rep == NULL) continue;
    mdl_buf_add(b, run, (size_t)(p - run));
    mdl_buf_add(b, rep, 2);
    run = p + 1;
  }
  mdl_buf_add(b, run, strlen(run));
}

static void bnum(mdl_buf *b, double v) {
  if (isnan(v))
    mdl_buf_printf(b, "NaN");
  else if (isinf(v))
    mdl_buf_printf(b, v > 0 ? "+Inf" : "-Inf");
  else if (v == floor(v) && fabs(v) < 1e15)
    mdl_buf_printf(b, "%.0f", v);
  else
    mdl_buf_printf(b, "%.17g", v);
}

/* name{label="value"[,le="x"]} */
static void blabels(mdl_buf *b, const family *f, const series *s, const char *le) {
  if (f->label_name == NULL && le == NULL) return;
  mdl_buf_printf(b, "{");
  if (f->label_name != NULL) {
    mdl_buf_printf(b, "%s=\"", f->label_name);
    bescape(b, s->label_value, 1);
    mdl_buf_printf(b, "\"%s", le ? "," : "");
  }
  if (le != NULL) mdl_buf_printf(b, "le=\"%s\"", le);
  mdl_buf_printf(b, "}");
}

static double series_scalar(const family *f, const series *s) {
  if (s->fn != NULL) return s->fn(s->arg);
  if (f->type == K_COUNTER) return (double)srv_counter_value(&s->c);
  return srv_gauge_value(&s->g);
}

srv_code srv_metrics_render_prometheus(srv_metrics *m, char **out, size_t *len, srv_err *err) {
  mdl_buf b = MDL_BUF_INIT;
  if (mdl_buf_reserve(&b, 8192) != MDL_OK)
    return srv_err_set(err, SRV_EINTERNAL, "out of memory rendering metrics");
  pthread_mutex_lock(&m->mu);
  for (const family *f = m->head; f != NULL; f = f->next) {
    mdl_buf_printf(&b, "# HELP %s ", f->name);
    bescape(&b, f->help, 0);
    mdl_buf_printf(&b, "\n# TYPE %s %s\n", f->name, k_type_names[f->type]);
    for (const series *s = f->head; s != NULL; s = s->next) {
      if (f->type != K_HIST) {
        mdl_buf_printf(&b, "%s", f->name);
        blabels(&b, f, s, NULL);
        mdl_buf_printf(&b, " ");
        bnum(&b, series_scalar(f, s));
        mdl_buf_printf(&b, "\n");
        continue;
      }
      uint64_t bk[SRV_HIST_NBUCKETS + 1];
      double sum = 0;
      uint64_t total = hist_read(&s->h, bk, &sum);
      uint64_t cum = 0;
      /* The label set once per series: {tool="x",  (or "{" without a label). */
      mdl_buf lb = MDL_BUF_INIT;
      mdl_buf_add(&lb, "{", 1);
      if (f->label_name != NULL) {
        mdl_buf_add(&lb, f->label_name, strlen(f->label_name));
        mdl_buf_add(&lb, "=\"", 2);
        bescape(&lb, s->label_value, 1);
        mdl_buf_add(&lb, "\",", 2);
      }
      if (lb.failed != MDL_OK) b.failed = lb.failed;
      for (int i = 0; i <= SRV_HIST_NBUCKETS && lb.failed == MDL_OK; i++) {
        cum += bk[i];
        mdl_buf_printf(&b, "%s_bucket%sle=\"%s\"} %llu\n", f->name, lb.data, k_le[i],
                       (unsigned long long)cum);
      }
      mdl_buf_free(&lb);
      mdl_buf_printf(&b, "%s_sum", f->name);
      blabels(&b, f, s, NULL);
      mdl_buf_printf(&b, " ");
      bnum(&b, sum);
      mdl_buf_printf(&b, "\n%s_count", f->name);
      blabels(&b, f, s, NULL);
      mdl_buf_printf(&b, " %llu\n", (unsigned long long)total);
    }
  }
  pthread_mutex_unlock(&m->mu);
  if (b.failed != MDL_OK) {
    mdl_buf_free(&b);
    return srv_err_set(err, SRV_EINTERNAL, "out of memory rendering metrics");
  }
  *len = b.len;
  *out = mdl_buf_take(&b);
  return SRV_OK;
}

/* ---- MetricsResponse JSON (through //models) ---- */

srv_code srv_metrics_render_json(srv_metrics *m, cJSON **out, srv_err *err) {
  mdl_metrics r;
  mdl_err me;
  srv_code rc = SRV_OK;
  memset(&r, 0, sizeof r);
  *out = NULL;
  pthread_mutex_lock(&m->mu);
  for (const family *f = m->head; f != NULL && rc == SRV_OK; f = f->next) {
    for (const series *s = f->head; s != NULL && rc == SRV_OK; s = s->next) {
      mdl_strmap labels;
      memset(&labels, 0, sizeof labels);
      mdl_code mc = MDL_OK;
      if (f->label_name != NULL) mc = mdl_strmap_set(&labels, f->label_name, s->label_value, &me);
      if (mc == MDL_OK && f->type == K_COUNTER) {
        mc = mdl_metrics_add_counter(&r, f->name, f->help, &labels, series_scalar(f, s), &me);
      } else if (mc == MDL_OK && f->type == K_GAUGE) {
        double v = series_scalar(f, s);
        mc = mdl_metrics_add_gauge(&r, f->name, f->help, &labels, isfinite(v) ? v : 0.0, &me);
      } else if (mc == MDL_OK) {
        uint64_t bk[SRV_HIST_NBUCKETS + 1];
        mdl_histogram_bucket mb[SRV_HIST_NBUCKETS + 1];
        double sum = 0;
        uint64_t total = hist_read(&s->h, bk, &sum);
        uint64_t cum = 0;
        for (int i = 0; i <= SRV_HIST_NBUCKETS; i++) {
          cum += bk[i];
          mb[i].bucket_le = i < SRV_HIST_NBUCKETS ? srv_hist_bounds[i] : INFINITY;
          mb[i].count = (int64_t)cum;
        }
        mc = mdl_metrics_add_histogram(&r, f->name, f->help, &labels, mb, SRV_HIST_NBUCKETS + 1,
                                       (int64_t)total, sum, &me);
      }
      mdl_strmap_free(&labels);
      if (mc != MDL_OK)
        rc = srv_err_set(err, SRV_EINTERNAL, "building MetricsResponse: %s", me.msg);
    }
  }
  pthread_mutex_unlock(&m->mu);
  if (rc != SRV_OK) goto cleanup;
  if (mdl_metrics_validate(&r, &me) != MDL_OK) {
    rc = srv_err_set(err, SRV_EINTERNAL, "MetricsResponse invalid at %s: %s", me.field, me.msg);
    goto cleanup;
  }
  *out = mdl_metrics_to_json(&r);
  if (*out == NULL) rc = srv_err_set(err, SRV_EINTERNAL, "out of memory rendering metrics JSON");
cleanup:
  mdl_metrics_free(&r);
  return rc;
}
