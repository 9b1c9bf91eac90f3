/* engine.c — the event loops of a load run (see engine.h).
 *
 * Each worker thread owns a libcurl multi handle and a slice of the VUs; a VU is a small state
 * machine (idle until wake_ms -> request in flight -> next step or think). Completed requests go
 * into the thread's own histograms and counters; once an interval of the timeline has passed the
 * thread folds its interval figures into the shared timeline under one mutex, so the calling
 * thread can print progress, sample resources and evaluate abortOnFail thresholds once a second
 * without touching the hot path; the same thread times one unit of the fixed calibration workload
 * (models/calibration.h) each second, so the result records the host's speed. At the end the per-thread totals are merged into the result. */
#include "load/engine.h"

#include <assert.h>
#include <curl/curl.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "models/buf.h"
#include "models/calibration.h"
#include "models/timestamp.h"
#include "servers/common/procstat.h"

#define MAX_THREADS 16
#define BODY_CAP (1 << 20) /* bytes of an answer kept for extraction */

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static uint64_t rng_next(uint64_t *s) { /* xorshift64* */
  uint64_t x = *s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *s = x;
  return x * 0x2545F4914F6CDD1DULL;
}

static double rng_unit(uint64_t *s) {
  return (double)(rng_next(s) >> 11) / 9007199254740992.0;
}

/* ---- parsing of durations and stages ------------------------------------------------------ */

int ld_duration_parse(const char *text, double *seconds, ld_err *err) {
  const char *p = text;
  double total = 0;
  int parts = 0;
  if (text == NULL || *text == '\0') goto bad;
  while (*p) {
    char *end;
    double v = strtod(p, &end);
    if (end == p || v < 0 || !isfinite(v)) goto bad;
    p = end;
    if (strncmp(p, "ms", 2) == 0) {
      total += v / 1000;
      p += 2;
    } else if (*p == 'h') {
      total += v * 3600;
      p++;
    } else if (*p == 'm') {
      total += v * 60;
      p++;
    } else if (*p == 's') {
      total += v;
      p++;
    } else if (*p == '\0' && parts == 0) {
      total += v;
    } else {
      goto bad;
    }
    parts++;
  }
  *seconds = total;
  return LD_OK;
bad:
  return ld_err_set(err, LD_EINVAL,
                    "malformed duration \"%s\": expected e.g. 30s, 5m, 1h, 1m30s, 250ms or a "
                    "number of seconds",
                    text != NULL ? text : "");
}

int ld_stage_parse(const char *text, ld_stage *out, ld_err *err) {
  const char *colon = text != NULL ? strchr(text, ':') : NULL;
  char dur[64];
  ld_err e2;
  if (colon == NULL || (size_t)(colon - text) >= sizeof dur || colon == text) goto bad;
  memcpy(dur, text, (size_t)(colon - text));
  dur[colon - text] = '\0';
  if (ld_duration_parse(dur, &out->duration_s, &e2) != LD_OK) goto bad;
  char *end;
  long t = strtol(colon + 1, &end, 10);
  if (end == colon + 1 || *end != '\0' || t < 0 || t > 100000) goto bad;
  out->target = (int)t;
  return LD_OK;
bad:
  return ld_err_set(err, LD_EINVAL,
                    "malformed stage \"%s\": expected DURATION:TARGET, e.g. --stage 30s:50 "
                    "(ramp to 50 VUs over 30 s) or --stage 5m:0",
                    text != NULL ? text : "");
}

void ld_config_defaults(ld_config *c) {
  memset(c, 0, sizeof *c);
  c->think_ms = 1000;
  c->think_jitter = 0.5;
  c->timeout_ms = 30000;
  c->shard_count = 1;
  c->interval_s = 1;
  c->max_vus = 100;
  c->server = MDL_SERVER_CODEBASE_MCP;
}

static double load1(void) {
  double v = -1;
  FILE *f = fopen("/proc/loadavg", "r");
  if (f != NULL) {
    if (fscanf(f, "%lf", &v) != 1) v = -1;
    fclose(f);
  }
  return v;
}

/* ---- probe ------------------------------------------------------------------------------ */

static size_t discard(char *p, size_t s, size_t n, void *u) {
  (void)p;
  (void)u;
  return s * n;
}

int ld_probe(const char *base_url, ld_err *err) {
  char url[1024];
  snprintf(url, sizeof url, "%s/health", base_url);
  CURL *c = curl_easy_init();
  if (c == NULL) return ld_err_set(err, LD_EINTERNAL, "libcurl could not start");
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 3000L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
  CURLcode rc = curl_easy_perform(c);
  curl_easy_cleanup(c);
  if (rc != CURLE_OK)
    return ld_err_set(err, LD_EUNREACH,
                      "target %s is unreachable: GET %s failed: %s. Start the server or fix "
                      "--url (scheme, host and port).",
                      base_url, url, curl_easy_strerror(rc));
  return LD_OK;
}

/* ---- shared state of a run ------------------------------------------------------------ */

typedef struct run run;

typedef struct vu {
  int gid;      /* global VU number */
  int active;   /* closed model: within the target; open: always */
  int busy;     /* in an iteration (request in flight or between steps) */
  int inflight; /* a request is in the multi handle */
  double wake_ms;
  int flow, step;
  uint64_t iter;
  char *vals[LD_MAX_VARS];
  CURL *easy;
  mdl_buf body;  /* the response of a step that extracts values */
  int keep_body; /* the current step extracts values */
  char errbuf[CURL_ERROR_SIZE];
} vu;

typedef struct worker {
  run *r;
  int index;
  pthread_t th;
  vu *vus;
  int nvus;
  CURLM *multi;
  uint64_t rng;
  /* totals */
  mdl_histogram lat;
  ld_request_stats req[LD_MAX_FLOWS * LD_MAX_STEPS];
  uint64_t requests, errors, iterations, dropped;
  uint64_t errors_by_type[LD_ERR_N];
  mdl_histogram err_lat[LD_ERR_N];
  int peak;
  /* the current interval, folded into the timeline when it ends */
  long cur;
  ld_point pt;
  uint64_t next_arrival; /* open model: global arrival number */
} worker;

struct run {
  const ld_config *cfg;
  const ld_scenario *sc;
  double t0, end_ms;
  int nworkers;
  worker w[MAX_THREADS];
  pthread_mutex_t mu;
  ld_point *points; /* under mu */
  size_t npoints, cap;
  volatile int stop;
  int busy_vus[MAX_THREADS]; /* per worker, read racily for progress */
  struct curl_slist *hdr_json, *hdr_plain;
};

static ld_point *point_at(run *r, long idx) { /* under mu */
  if ((size_t)idx >= r->cap) {
    size_t cap = (size_t)idx * 2 + 16;
    ld_point *np = realloc(r->points, cap * sizeof *np);
    if (np == NULL) return NULL;
    memset(np + r->cap, 0, (cap - r->cap) * sizeof *np);
    r->points = np;
    r->cap = cap;
  }
  while (r->npoints <= (size_t)idx) {
    ld_point *p = &r->points[r->npoints];
    memset(p, 0, sizeof *p);
    p->t_s = (double)r->npoints * r->cfg->interval_s;
    p->cpu_percent = p->rss_mb = p->pool_pct = -1;
    r->npoints++;
  }
  return &r->points[idx];
}

static long interval_of(const run *r, double t_ms) {
  double s = (t_ms - r->t0) / 1000.0 / r->cfg->interval_s;
  return s < 0 ? 0 : (long)s;
}

static void flush_point(worker *w) {
  run *r = w->r;
  pthread_mutex_lock(&r->mu);
  ld_point *p = point_at(r, w->cur);
  if (p != NULL) {
    p->requests += w->pt.requests;
    p->errors += w->pt.errors;
    p->iterations += w->pt.iterations;
    p->dropped += w->pt.dropped;
    p->vus += w->pt.vus;
    mdl_histogram_merge(&p->lat, &w->pt.lat, NULL);
  }
  pthread_mutex_unlock(&r->mu);
  memset(&w->pt, 0, sizeof w->pt);
}

/* Moves the thread's interval forward to the one holding t_ms. */
static void roll(worker *w, double t_ms) {
  long idx = interval_of(w->r, t_ms);
  if (idx != w->cur) {
    int busy = 0;
    for (int i = 0; i < w->nvus; i++)
      busy += w->vus[i].busy || (w->vus[i].active && !w->r->cfg->rate_per_s);
    w->pt.vus = busy;
    flush_point(w);
    w->cur = idx;
  }
}

/* Target VUs at t seconds into a closed-model run. */
static int target_vus(const ld_config *c, double t) {
  double prev = 0, start = 0;
  for (int i = 0; i < c->nstages; i++) {
    double d = c->stages[i].duration_s;
    if (t < start + d) return (int)floor(prev + (c->stages[i].target - prev) * (t - start) / d);
    prev = c->stages[i].target;
    start += d;
  }
  return (int)prev;
}

static double total_duration(const ld_config *c) {
  if (c->rate_per_s > 0) return c->duration_s;
  double s = 0;
  for (int i = 0; i < c->nstages; i++) s += c->stages[i].duration_s;
  return s;
}

static void clear_vals(vu *v) {
  for (int i = 0; i < LD_MAX_VARS; i++) {
    free(v->vals[i]);
    v->vals[i] = NULL;
  }
}

static size_t on_body(char *p, size_t s, size_t n, void *u) {
  vu *v = u;
  size_t len = s * n;
  if (!v->keep_body) return len;
  if (v->body.len + len > BODY_CAP) return len; /* truncated: extraction will fail */
  return mdl_buf_add(&v->body, p, len) == MDL_OK ? len : 0;
}

static void record(worker *w, int req_id, double ms, int etype) {
  mdl_histogram_add(&w->lat, ms, NULL);
  mdl_histogram_add(&w->pt.lat, ms, NULL);
  mdl_histogram_add(&w->req[req_id].lat, ms, NULL);
  w->requests++;
  w->pt.requests++;
  w->req[req_id].count++;
  if (etype >= 0) {
    w->errors++;
    w->pt.errors++;
    w->errors_by_type[etype]++;
    mdl_histogram_add(&w->err_lat[etype], ms, NULL);
    w->req[req_id].errors++;
  }
}

/* Starts the VU's current step. Returns 0, or -1 when the iteration cannot go on (missing value,
 * out of memory: counted as an error of that step). */
static int start_step(worker *w, vu *v) {
  const ld_scenario *sc = w->r->sc;
  const ld_step *st = &sc->flows[v->flow].steps[v->step];
  int missing;
  char *path = ld_template_expand(sc, st->path, v->vals, 0, &missing);
  char *body = NULL;
  if (path != NULL && st->body != NULL)
    body = ld_template_expand(sc, st->body, v->vals, 1, &missing);
  if (path == NULL || (st->body != NULL && body == NULL)) {
    free(path);
    free(body);
    record(w, st->id, 0, LD_ERR_MISSING);
    return -1;
  }
  char url[2048];
  snprintf(url, sizeof url, "%s%s", w->r->cfg->base_url, path);
  free(path);
  CURL *e = v->easy;
  curl_easy_setopt(e, CURLOPT_URL, url);
  if (strcmp(st->method, "GET") == 0) {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, NULL);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, w->r->hdr_plain);
  } else {
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)(body != NULL ? strlen(body) : 0));
    curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, body != NULL ? body : "");
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, strcmp(st->method, "POST") == 0 ? NULL : st->method);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, w->r->hdr_json);
  }
  free(body);
  v->keep_body = st->nextract > 0;
  mdl_buf_reset(&v->body);
  v->errbuf[0] = '\0';
  if (curl_multi_add_handle(w->multi, e) != CURLM_OK) {
    record(w, st->id, 0, LD_ERR_OTHER);
    return -1;
  }
  v->inflight = 1;
  return 0;
}

static void think(worker *w, vu *v, double now) {
  const ld_config *c = w->r->cfg;
  v->busy = 0;
  clear_vals(v);
  double t = c->rate_per_s > 0 ? 0 : c->think_ms * (1 + c->think_jitter * rng_unit(&w->rng));
  v->wake_ms = now + (t > 0 ? t : 0);
}

/* Begins a new iteration on v; the steps then follow one another until one fails or all ran. */
static void begin_iteration(worker *w, vu *v, double now) {
  const ld_scenario *sc = w->r->sc;
  v->busy = 1;
  v->flow = ld_scenario_pick(sc, rng_unit(&w->rng));
  v->step = 0;
  v->iter++;
  w->iterations++;
  w->pt.iterations++;
  clear_vals(v);
  char tmp[32];
  for (int i = 0; i < sc->nvars; i++) {
    const ld_var *var = &sc->vars[i];
    if (var->builtin == 1)
      snprintf(tmp, sizeof tmp, "%d", v->gid);
    else if (var->builtin == 2)
      snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v->iter);
    else if (var->builtin == 3)
      snprintf(tmp, sizeof tmp, "%u", (unsigned)rng_next(&w->rng));
    if (var->builtin)
      v->vals[i] = strdup(tmp);
    else if (var->nvalues > 0)
      v->vals[i] = strdup(var->values[rng_next(&w->rng) % (uint64_t)var->nvalues]);
  }
  while (start_step(w, v) != 0) { /* a failed step ends the iteration */
    think(w, v, now);
    return;
  }
}

static int classify(CURLcode cc, long status) {
  if (cc == CURLE_OPERATION_TIMEDOUT) return LD_ERR_TIMEOUT;
  if (cc == CURLE_COULDNT_CONNECT) return LD_ERR_REFUSED;
  if (cc != CURLE_OK) return LD_ERR_OTHER;
  if (status == 503) return LD_ERR_HTTP503;
  if (status >= 500) return LD_ERR_HTTP5XX;
  if (status >= 400) return LD_ERR_HTTP4XX;
  if (status < 200) return LD_ERR_OTHER;
  return -1;
}

static void complete(worker *w, vu *v, CURLcode cc, double now) {
  const ld_scenario *sc = w->r->sc;
  const ld_step *st = &sc->flows[v->flow].steps[v->step];
  long status = 0;
  curl_off_t total_us = 0;
  curl_easy_getinfo(v->easy, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(v->easy, CURLINFO_TOTAL_TIME_T, &total_us);
  curl_multi_remove_handle(w->multi, v->easy);
  v->inflight = 0;
  int et = classify(cc, status);
  if (et < 0 && st->nextract > 0) {
    cJSON *j = v->body.data != NULL ? cJSON_Parse(v->body.data) : NULL;
    for (int i = 0; i < st->nextract && et < 0; i++) {
      char *val = j != NULL ? ld_json_path_string(j, st->extract[i].path) : NULL;
      if (val == NULL) et = LD_ERR_MISSING;
      free(v->vals[st->extract[i].var]);
      v->vals[st->extract[i].var] = val;
    }
    cJSON_Delete(j);
  }
  roll(w, now);
  record(w, st->id, (double)total_us / 1000.0, et);
  if (et >= 0 || ++v->step >= sc->flows[v->flow].nsteps || w->r->stop || now >= w->r->end_ms) {
    think(w, v, now);
    /* no think time: the next iteration starts now rather than on the next pass of the loop */
    if (w->r->cfg->rate_per_s <= 0 && v->active && v->wake_ms <= now && !w->r->stop &&
        now < w->r->end_ms)
      begin_iteration(w, v, now);
    return;
  }
  if (start_step(w, v) != 0) think(w, v, now);
}

static void *worker_main(void *arg) {
  worker *w = arg;
  run *r = w->r;
  const ld_config *c = r->cfg;
  int open = c->rate_per_s > 0;
  uint64_t stride = (uint64_t)c->shard_count * (uint64_t)r->nworkers;
  double period_ms = open ? 1000.0 / c->rate_per_s : 0;
  for (;;) {
    double now = now_ms();
    roll(w, now);
    int ending = r->stop || now >= r->end_ms;
    int inflight = 0, busy = 0, active = 0;
    if (!open) {
      int target = ending ? 0 : target_vus(c, (now - r->t0) / 1000.0);
      for (int i = 0; i < w->nvus; i++) {
        vu *v = &w->vus[i];
        v->active = v->gid < target;
        if (v->active) active++;
        if (!v->busy && v->active && now >= v->wake_ms) begin_iteration(w, v, now);
      }
      if (active > w->peak) w->peak = active;
    } else if (!ending) {
      /* arrivals of this shard and thread: number k with k mod (n*T) == shard + n*thread */
      while ((double)w->next_arrival * period_ms <= now - r->t0 &&
             (double)w->next_arrival * period_ms < c->duration_s * 1000.0) {
        vu *idle = NULL;
        for (int i = 0; i < w->nvus && idle == NULL; i++)
          if (!w->vus[i].busy) idle = &w->vus[i];
        if (idle != NULL)
          begin_iteration(w, idle, now);
        else {
          w->dropped++;
          w->pt.dropped++;
        }
        w->next_arrival += stride;
      }
    }
    for (int i = 0; i < w->nvus; i++) {
      inflight += w->vus[i].inflight;
      busy += w->vus[i].busy;
    }
    if (open && busy > w->peak) w->peak = busy;
    r->busy_vus[w->index] = open ? busy : active;
    if (ending && inflight == 0) break;
    int running = 0;
    curl_multi_perform(w->multi, &running);
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(w->multi, &left)) != NULL) {
      if (m->msg != CURLMSG_DONE) continue;
      vu *v = NULL;
      curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&v);
      CURLcode cc = m->data.result;
      complete(w, v, cc, now_ms());
    }
    /* Sleep until a socket is ready or the next VU / arrival is due (at most 10 ms). */
    double next = now + 10;
    if (!open) {
      for (int i = 0; i < w->nvus; i++)
        if (!w->vus[i].busy && w->vus[i].active && w->vus[i].wake_ms < next)
          next = w->vus[i].wake_ms;
    } else {
      double a = r->t0 + (double)w->next_arrival * period_ms;
      if (a < next) next = a;
    }
    int wait = (int)(next - now_ms());
    if (wait > 0) curl_multi_poll(w->multi, NULL, 0, wait, NULL);
  }
  flush_point(w);
  return NULL;
}

/* ---- sampling of the target (calling thread, once a second) ---------------------------- */

typedef struct sampler {
  double last_cpu_s[LD_MAX_PIDS];
  double last_ms;
  int have;
  CURL *health;
  mdl_buf buf; /* the last /health answer */
} sampler;

static size_t on_health(char *p, size_t s, size_t n, void *u) {
  sampler *sp = u;
  size_t len = s * n;
  if (sp->buf.len + len > 65536) return len;
  return mdl_buf_add(&sp->buf, p, len) == MDL_OK ? len : 0;
}

static void sample(run *r, sampler *sp, ld_resources *res, const char *health_url) {
  const ld_config *c = r->cfg;
  double t = now_ms();
  double cpu = -1, rss = -1, pool = -1;
  if (c->npids > 0) {
    double cpu_s = 0, rss_b = 0, sum_cpu = 0;
    int ok = 0;
    for (int i = 0; i < c->npids; i++) {
      srv_procstat ps;
      if (srv_procstat_read(c->pids[i], &ps, NULL) != SRV_OK) continue;
      ok++;
      cpu_s = ps.cpu_user_s + ps.cpu_system_s;
      if (sp->have) sum_cpu += cpu_s - sp->last_cpu_s[i];
      sp->last_cpu_s[i] = cpu_s;
      rss_b += (double)ps.rss_bytes;
    }
    if (ok > 0) {
      long cores = sysconf(_SC_NPROCESSORS_ONLN);
      if (sp->have && t > sp->last_ms) {
        cpu = sum_cpu / ((t - sp->last_ms) / 1000.0) / (double)(cores > 0 ? cores : 1) * 100.0;
        if (cpu > 100) cpu = 100;
        if (cpu < 0) cpu = 0;
      }
      rss = rss_b / (1024.0 * 1024.0);
      sp->have = 1;
      sp->last_ms = t;
    }
  }
  if (health_url != NULL && health_url[0] != '\0' && sp->health != NULL) {
    mdl_buf_reset(&sp->buf);
    if (curl_easy_perform(sp->health) == CURLE_OK && sp->buf.data != NULL) {
      cJSON *j = cJSON_Parse(sp->buf.data);
      const cJSON *cp = cJSON_GetObjectItemCaseSensitive(j, "connection_pool");
      const cJSON *u = cJSON_GetObjectItemCaseSensitive(cp, "utilization_percent");
      if (cJSON_IsNumber(u))
        pool = u->valuedouble < 0 ? 0 : u->valuedouble > 100 ? 100 : u->valuedouble;
      cJSON_Delete(j);
    }
  }
  if (cpu >= 0) {
    res->samples++;
    res->cpu_sum += cpu;
    if (cpu > res->cpu_max) res->cpu_max = cpu;
    res->rss_sum += rss;
    if (rss > res->rss_max) res->rss_max = rss;
  }
  if (pool >= 0) {
    res->pool_samples++;
    res->pool_sum += pool;
    if (pool > res->pool_max) res->pool_max = pool;
  }
  pthread_mutex_lock(&r->mu);
  ld_point *p = point_at(r, interval_of(r, t));
  if (p != NULL) {
    if (cpu >= 0) p->cpu_percent = cpu;
    if (rss >= 0) p->rss_mb = rss;
    if (pool >= 0) p->pool_pct = pool;
  }
  pthread_mutex_unlock(&r->mu);
}

/* A snapshot of the figures so far (for progress and abortOnFail). */
static void snapshot(run *r, ld_result *s, mdl_histogram *last) {
  pthread_mutex_lock(&r->mu);
  mdl_histogram_init(&s->lat);
  s->requests = s->errors = 0;
  for (size_t i = 0; i < r->npoints; i++) {
    s->requests += r->points[i].requests;
    s->errors += r->points[i].errors;
    mdl_histogram_merge(&s->lat, &r->points[i].lat, NULL);
  }
  mdl_histogram_init(last);
  /* the last few seconds for the live p95 */
  size_t span = (size_t)ceil(5.0 / r->cfg->interval_s);
  for (size_t i = r->npoints > span ? r->npoints - span : 0; i < r->npoints; i++)
    mdl_histogram_merge(last, &r->points[i].lat, NULL);
  pthread_mutex_unlock(&r->mu);
}

int ld_run(const ld_config *cfg, ld_result *out, ld_err *err) {
  int rc = LD_OK;
  memset(out, 0, sizeof *out);
  if (cfg->base_url == NULL || cfg->scenario == NULL)
    return ld_err_set(err, LD_EINVAL, "a target URL and a scenario are required");
  int open = cfg->rate_per_s > 0;
  if (!open && cfg->nstages < 1)
    return ld_err_set(err, LD_EINVAL,
                      "give --stage DURATION:VUS (or --vus N --duration D) or --rate N/s");
  if (open && !(cfg->duration_s > 0))
    return ld_err_set(err, LD_EINVAL, "--rate needs --duration (e.g. --duration 30s)");
  if (cfg->shard_count < 1 || cfg->shard_index < 0 || cfg->shard_index >= cfg->shard_count)
    return ld_err_set(err, LD_EINVAL, "shard %d/%d: expected i/n with 0 <= i < n", cfg->shard_index,
                      cfg->shard_count);
  if (total_duration(cfg) < 1)
    return ld_err_set(err, LD_EINVAL, "the run must last at least 1 s (stages or --duration)");
  run *r = calloc(1, sizeof *r);
  if (r == NULL) return ld_err_set(err, LD_ENOMEM, "out of memory");
  r->cfg = cfg;
  r->sc = cfg->scenario;
  pthread_mutex_init(&r->mu, NULL);
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  int nt = cfg->threads > 0 ? cfg->threads : (int)(cores > 4 ? 4 : cores < 1 ? 1 : cores);
  if (nt > MAX_THREADS) nt = MAX_THREADS;
  /* VUs of this shard */
  int maxv = 0;
  if (open)
    maxv = cfg->max_vus > 0 ? cfg->max_vus : 100;
  else
    for (int i = 0; i < cfg->nstages; i++)
      if (cfg->stages[i].target > maxv) maxv = cfg->stages[i].target;
  /* closed: the VUs numbered shard_index mod shard_count; open: the shard's share of the pool */
  int mine = (maxv + cfg->shard_count - 1 - cfg->shard_index) / cfg->shard_count;
  if (nt > mine && mine > 0) nt = mine;
  r->nworkers = nt;
  r->hdr_json = curl_slist_append(NULL, "Content-Type: application/json");
  r->hdr_json = curl_slist_append(r->hdr_json, "Accept: application/json");
  r->hdr_plain = curl_slist_append(NULL, "Accept: application/json");
  unsigned long long seed = cfg->seed ? cfg->seed : (unsigned long long)time(NULL) * 2654435761ULL;
  for (int i = 0; i < nt; i++) {
    worker *w = &r->w[i];
    w->r = r;
    w->index = i;
    w->rng = seed + 0x9E3779B97F4A7C15ULL * (uint64_t)(i + 1 + cfg->shard_index * MAX_THREADS);
    w->multi = curl_multi_init();
    w->next_arrival = (uint64_t)cfg->shard_index + (uint64_t)cfg->shard_count * (uint64_t)i;
    for (int k = 0; k < r->sc->nrequests; k++)
      snprintf(w->req[k].name, sizeof w->req[k].name, "%s", r->sc->request_names[k]);
    if (w->multi == NULL) {
      rc = ld_err_set(err, LD_EINTERNAL, "libcurl could not create a multi handle");
      goto cleanup;
    }
  }
  /* Distribute this shard's VUs round-robin over the workers. */
  for (int i = 0; i < nt; i++) {
    r->w[i].vus = calloc((size_t)(mine / nt + 1), sizeof(vu));
    if (r->w[i].vus == NULL) {
      rc = ld_err_set(err, LD_ENOMEM, "out of memory");
      goto cleanup;
    }
  }
  for (int l = 0; l < mine; l++) {
    worker *w = &r->w[l % nt];
    vu *v = &w->vus[w->nvus++];
    v->gid = open ? l : cfg->shard_index + l * cfg->shard_count;
    v->easy = curl_easy_init();
    if (v->easy == NULL) {
      rc = ld_err_set(err, LD_EINTERNAL, "libcurl could not create a handle");
      goto cleanup;
    }
    curl_easy_setopt(v->easy, CURLOPT_PRIVATE, (char *)v);
    curl_easy_setopt(v->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(v->easy, CURLOPT_WRITEDATA, v);
    curl_easy_setopt(v->easy, CURLOPT_TIMEOUT_MS, cfg->timeout_ms);
    curl_easy_setopt(v->easy, CURLOPT_CONNECTTIMEOUT_MS,
                     cfg->timeout_ms < 10000 ? cfg->timeout_ms : 10000L);
    curl_easy_setopt(v->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(v->easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(v->easy, CURLOPT_ERRORBUFFER, v->errbuf);
  }
  for (int i = 0; i < nt; i++) {
    curl_multi_setopt(r->w[i].multi, CURLMOPT_MAXCONNECTS, (long)(r->w[i].nvus + 4));
    r->w[i].cur = 0;
  }
  out->res.cpu_max = out->res.rss_max = out->res.pool_max = 0;
  mdl_time_now(out->timestamp);
  out->load1_start = load1();
  r->t0 = now_ms();
  r->end_ms = r->t0 + total_duration(cfg) * 1000.0;
  int started = 0;
  for (int i = 0; i < nt; i++) {
    if (pthread_create(&r->w[i].th, NULL, worker_main, &r->w[i]) != 0) {
      r->stop = 1;
      rc = ld_err_set(err, LD_EINTERNAL, "cannot start a worker thread");
      break;
    }
    started++;
  }
  /* The calling thread: sampling, progress, abortOnFail, once a second. */
  char health_url[1024];
  const char *hu = cfg->health_url;
  if (hu == NULL) {
    snprintf(health_url, sizeof health_url, "%s/health", cfg->base_url);
    hu = health_url;
  }
  sampler sp;
  memset(&sp, 0, sizeof sp);
  if (hu[0] != '\0' && (sp.health = curl_easy_init()) != NULL) {
    curl_easy_setopt(sp.health, CURLOPT_URL, hu);
    curl_easy_setopt(sp.health, CURLOPT_TIMEOUT_MS, 1000L);
    curl_easy_setopt(sp.health, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(sp.health, CURLOPT_WRITEFUNCTION, on_health);
    curl_easy_setopt(sp.health, CURLOPT_WRITEDATA, &sp);
  }
  double next_tick = r->t0;
  mdl_calib_probe calib = {0};
  ld_result snap;
  memset(&snap, 0, sizeof snap);
  mdl_histogram *recent = malloc(sizeof *recent);
  for (;;) {
    double now = now_ms();
    int all_done;
    if (now >= r->end_ms + cfg->timeout_ms + 2000) r->stop = 1; /* safety: never hang */
    if (cfg->stop != NULL && *cfg->stop) r->stop = 1;
    if (now >= next_tick) {
      sample(r, &sp, &out->res, hu);
      /* one unit (~1 ms of this thread's CPU) a second: the host's speed during the run */
      ld_result_add_calib(out, mdl_calib_probe_take(&calib, 1), NULL); /* none kept if OOM */
      if (recent != NULL) {
        snapshot(r, &snap, recent);
        for (int i = 0; i < cfg->nthresholds; i++) {
          if (!cfg->thresholds[i].abort_on_fail || snap.requests < 10) continue;
          snap.nthresholds = 1;
          snap.thresholds[0].th = cfg->thresholds[i];
          snap.duration_s = (now - r->t0) / 1000.0;
          if (ld_result_check_thresholds(&snap) > 0) {
            r->stop = 1;
            out->aborted = 1;
          }
        }
        if (cfg->progress != NULL) {
          int vus = 0;
          for (int i = 0; i < nt; i++) vus += r->busy_vus[i];
          double el = (now - r->t0) / 1000.0;
          fprintf(cfg->progress,
                  "\r\033[K%02d:%02d/%02d:%02d  vus %d  req/s %.1f  p95 %.1f ms  errors %llu "
                  "(%.2f%%)",
                  (int)el / 60, (int)el % 60, (int)total_duration(cfg) / 60,
                  (int)total_duration(cfg) % 60, vus, el > 0 ? (double)snap.requests / el : 0,
                  mdl_histogram_percentile(recent, 95), (unsigned long long)snap.errors,
                  snap.requests ? 100.0 * (double)snap.errors / (double)snap.requests : 0);
          fflush(cfg->progress);
        }
      }
      next_tick += 1000;
    }
    /* done when every worker has passed its end */
    all_done = now >= r->end_ms || r->stop;
    if (all_done) break;
    double wait = next_tick - now_ms();
    if (wait > 0) {
      double step = r->end_ms - now_ms();
      if (step < wait) wait = step > 0 ? step : 0;
      usleep((useconds_t)(wait * 1000));
    }
  }
  for (int i = 0; i < started; i++) pthread_join(r->w[i].th, NULL);
  out->duration_s = (now_ms() - r->t0) / 1000.0;
  out->load1_end = load1();
  if (out->duration_s < total_duration(cfg) && !r->stop) out->duration_s = total_duration(cfg);
  if (cfg->progress != NULL) fprintf(cfg->progress, "\n");
  free(recent);
  if (sp.health != NULL) curl_easy_cleanup(sp.health);
  mdl_buf_free(&sp.buf);
  /* fill the result */
  snprintf(out->scenario, sizeof out->scenario, "%s", r->sc->name);
  out->server = cfg->server;
  out->open_model = open;
  out->rate_per_s = cfg->rate_per_s;
  out->think_ms = open ? 0 : cfg->think_ms;
  out->think_min_ms = out->think_ms;
  out->think_max_ms = out->think_ms * (1 + (open ? 0 : cfg->think_jitter));
  out->timeout_ms = cfg->timeout_ms;
  out->shard_index = cfg->shard_index;
  out->shard_count = cfg->shard_count;
  out->interval_s = cfg->interval_s;
  out->max_vus = mine;
  mdl_histogram_init(&out->lat);
  out->req = calloc((size_t)(r->sc->nrequests > 0 ? r->sc->nrequests : 1), sizeof *out->req);
  if (out->req == NULL) {
    rc = ld_err_set(err, LD_ENOMEM, "out of memory");
    goto cleanup;
  }
  out->nreq = r->sc->nrequests;
  for (int k = 0; k < out->nreq; k++)
    snprintf(out->req[k].name, sizeof out->req[k].name, "%s", r->sc->request_names[k]);
  for (int i = 0; i < nt; i++) {
    worker *w = &r->w[i];
    out->requests += w->requests;
    out->errors += w->errors;
    out->iterations += w->iterations;
    out->dropped += w->dropped;
    out->peak_vus += w->peak;
    for (int t = 0; t < LD_ERR_N; t++) {
      out->errors_by_type[t] += w->errors_by_type[t];
      mdl_histogram_merge(&out->err_lat[t], &w->err_lat[t], NULL);
    }
    mdl_histogram_merge(&out->lat, &w->lat, NULL);
    for (int k = 0; k < out->nreq; k++) {
      out->req[k].count += w->req[k].count;
      out->req[k].errors += w->req[k].errors;
      mdl_histogram_merge(&out->req[k].lat, &w->req[k].lat, NULL);
    }
  }
  out->points = r->points;
  out->npoints = r->npoints;
  r->points = NULL;
  out->nthresholds = cfg->nthresholds;
  for (int i = 0; i < cfg->nthresholds; i++) out->thresholds[i].th = cfg->thresholds[i];
  ld_result_check_thresholds(out);
cleanup:
  for (int i = 0; i < nt; i++) {
    worker *w = &r->w[i];
    for (int k = 0; k < w->nvus; k++) {
      vu *v = &w->vus[k];
      if (v->inflight) curl_multi_remove_handle(w->multi, v->easy);
      if (v->easy) curl_easy_cleanup(v->easy);
      clear_vals(v);
      mdl_buf_free(&v->body);
    }
    free(w->vus);
    if (w->multi) curl_multi_cleanup(w->multi);
  }
  curl_slist_free_all(r->hdr_json);
  curl_slist_free_all(r->hdr_plain);
  free(r->points);
  pthread_mutex_destroy(&r->mu);
  free(r);
  if (rc != LD_OK) ld_result_free(out);
  return rc;
}
