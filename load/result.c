/* result.c — JSON form, merge and thresholds of a load result (see result.h).
 *
 * The LoadTestResult part is built with //models (mdl_load_result) and validated before it is
 * written, so a file that leaves this module always passes `validate_record --type load_result`. */
#include "load/result.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/calibration.h"
#include "models/load_result.h"
#include "models/uuid.h"

static const char *k_types[LD_ERR_N] = {"timeout",  "connection_refused", "http_503", "http_5xx",
                                        "http_4xx", "missing_value",      "other"};

const char *ld_error_type_name(int t) {
  return t >= 0 && t < LD_ERR_N ? k_types[t] : "other";
}

double ld_result_error_rate(const ld_result *r) {
  return r->requests ? (double)r->errors / (double)r->requests : 0;
}

double ld_result_rps(const ld_result *r) {
  return r->duration_s > 0 ? (double)r->requests / r->duration_s : 0;
}

static double r2(double v) {
  return round(v * 100.0) / 100.0;
}

/* ---- thresholds --------------------------------------------------------------------------- */

enum { M_PCT, M_AVG, M_MAX, M_MIN, M_ERR, M_RPS };

int ld_threshold_parse(const char *text, ld_threshold *out, ld_err *err) {
  memset(out, 0, sizeof *out);
  char buf[64];
  if (text == NULL || strlen(text) >= sizeof buf) goto bad;
  snprintf(buf, sizeof buf, "%s", text);
  snprintf(out->expr, sizeof out->expr, "%s", text);
  char *comma = strchr(buf, ',');
  if (comma != NULL) {
    if (strcmp(comma + 1, "abortOnFail") != 0 && strcmp(comma + 1, "abort") != 0) goto bad;
    out->abort_on_fail = 1;
    *comma = '\0';
    out->expr[comma - buf] = '\0';
  }
  char *op = strpbrk(buf, "<>");
  if (op == NULL || op == buf) goto bad;
  out->op = op[0] == '<' ? (op[1] == '=' ? 'l' : '<') : (op[1] == '=' ? 'g' : '>');
  char *num = op + (op[1] == '=' ? 2 : 1);
  char *end;
  out->limit = strtod(num, &end);
  if (end == num || *end != '\0' || !isfinite(out->limit)) goto bad;
  *op = '\0';
  const char *m = buf;
  if (strcmp(m, "avg") == 0)
    out->metric = M_AVG;
  else if (strcmp(m, "max") == 0)
    out->metric = M_MAX;
  else if (strcmp(m, "min") == 0)
    out->metric = M_MIN;
  else if (strcmp(m, "error_rate") == 0 || strcmp(m, "http_req_failed") == 0)
    out->metric = M_ERR;
  else if (strcmp(m, "rps") == 0)
    out->metric = M_RPS;
  else {
    double p;
    int paren = strncmp(m, "p(", 2) == 0;
    if (m[0] != 'p') goto bad;
    p = strtod(m + 1 + paren, &end);
    if (end == m + 1 + paren || strcmp(end, paren ? ")" : "") != 0) goto bad;
    if (!(p >= 0 && p <= 100)) goto bad;
    out->metric = M_PCT;
    out->pct = p;
  }
  return LD_OK;
bad:
  return ld_err_set(err, LD_EINVAL,
                    "malformed threshold \"%s\": expected METRIC<LIMIT or METRIC>LIMIT, METRIC one "
                    "of p95 / p(99) / avg / min / max (ms), error_rate (0-1), rps; optionally "
                    "followed by \",abortOnFail\" (e.g. --threshold 'p95<2000' --threshold "
                    "'error_rate<0.01,abortOnFail')",
                    text != NULL ? text : "");
}

int ld_result_check_thresholds(ld_result *r) {
  int failed = 0;
  for (int i = 0; i < r->nthresholds; i++) {
    ld_threshold_result *t = &r->thresholds[i];
    double v = 0;
    switch (t->th.metric) {
      case M_PCT:
        v = mdl_histogram_percentile(&r->lat, t->th.pct);
        break;
      case M_AVG:
        v = mdl_histogram_mean(&r->lat);
        break;
      case M_MAX:
        v = r->lat.count ? r->lat.max_ms : 0;
        break;
      case M_MIN:
        v = r->lat.count ? r->lat.min_ms : 0;
        break;
      case M_ERR:
        v = ld_result_error_rate(r);
        break;
      case M_RPS:
        v = ld_result_rps(r);
        break;
    }
    t->value = v;
    switch (t->th.op) {
      case '<':
        t->ok = v < t->th.limit;
        break;
      case 'l':
        t->ok = v <= t->th.limit;
        break;
      case '>':
        t->ok = v > t->th.limit;
        break;
      default:
        t->ok = v >= t->th.limit;
        break;
    }
    if (!t->ok) failed++;
  }
  return failed;
}

/* ---- JSON ------------------------------------------------------------------------------- */

static cJSON *hist_pcts(const mdl_histogram *h) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "p50", r2(mdl_histogram_percentile(h, 50)));
  cJSON_AddNumberToObject(o, "p90", r2(mdl_histogram_percentile(h, 90)));
  cJSON_AddNumberToObject(o, "p95", r2(mdl_histogram_percentile(h, 95)));
  cJSON_AddNumberToObject(o, "p99", r2(mdl_histogram_percentile(h, 99)));
  cJSON_AddNumberToObject(o, "mean", r2(mdl_histogram_mean(h)));
  cJSON_AddNumberToObject(o, "max", r2(h->count ? h->max_ms : 0));
  return o;
}

static int fill_model(const ld_result *r, mdl_load_result *m, ld_err *err) {
  mdl_err me;
  memset(m, 0, sizeof *m);
  if (mdl_uuid_v4(m->test_id, &me) != MDL_OK)
    return ld_err_set(err, LD_EINTERNAL, "uuid: %s", me.msg);
  m->server_id = r->server;
  m->test_scenario = strdup(r->scenario);
  if (m->test_scenario == NULL) return ld_err_set(err, LD_ENOMEM, "out of memory");
  m->concurrent_clients = r->peak_vus > 0 ? r->peak_vus : 1;
  m->test_duration_seconds = r->duration_s < 1 ? 1 : r2(r->duration_s);
  snprintf(m->timestamp, sizeof m->timestamp, "%s", r->timestamp);
  m->total_requests = (int64_t)r->requests;
  m->failed_requests = (int64_t)r->errors;
  m->successful_requests = (int64_t)(r->requests - r->errors);
  m->latency_avg_ms = r2(mdl_histogram_mean(&r->lat));
  m->latency_max_ms = r2(r->lat.count ? r->lat.max_ms : 0);
  m->latency_p95_ms = r2(mdl_histogram_percentile(&r->lat, 95));
  if (m->latency_p95_ms > m->latency_max_ms) m->latency_p95_ms = m->latency_max_ms;
  if (m->latency_avg_ms > m->latency_max_ms) m->latency_avg_ms = m->latency_max_ms;
  for (int t = 0; t < LD_ERR_N; t++) {
    if (r->errors_by_type[t] == 0) continue;
    double pct = r2(100.0 * (double)r->errors_by_type[t] / (double)r->requests);
    if (mdl_load_result_add_error(m, k_types[t], (int64_t)r->errors_by_type[t], pct, &me) != MDL_OK)
      return ld_err_set(err, LD_ENOMEM, "out of memory");
  }
  const ld_resources *s = &r->res;
  mdl_resource_usage *u = &m->resource_usage;
  if (s->samples) {
    u->cpu_percent_avg = r2(s->cpu_sum / (double)s->samples);
    u->cpu_percent_max = r2(s->cpu_max);
    u->memory_mb_avg = r2(s->rss_sum / (double)s->samples);
    u->memory_mb_max = r2(s->rss_max);
  }
  if (s->pool_samples) {
    u->connection_pool_utilization_avg = r2(s->pool_sum / (double)s->pool_samples);
    u->connection_pool_utilization_max = r2(s->pool_max);
  }
  if (u->cpu_percent_avg > u->cpu_percent_max) u->cpu_percent_avg = u->cpu_percent_max;
  if (u->memory_mb_avg > u->memory_mb_max) u->memory_mb_avg = u->memory_mb_max;
  if (u->connection_pool_utilization_avg > u->connection_pool_utilization_max)
    u->connection_pool_utilization_avg = u->connection_pool_utilization_max;
  int rc = ld_result_host_calibration(r, &m->host_calibration, err);
  if (rc != LD_OK) return rc;
  if (mdl_load_result_validate(m, &me) != MDL_OK)
    return ld_err_set(err, LD_EINVAL, "the result breaks a LoadTestResult rule: %s: %s", me.field,
                      me.msg);
  return LD_OK;
}

int ld_result_to_json(const ld_result *r, cJSON **out, ld_err *err) {
  mdl_load_result m;
  *out = NULL;
  int rc = fill_model(r, &m, err);
  if (rc != LD_OK) {
    mdl_load_result_free(&m);
    return rc;
  }
  cJSON *j = mdl_load_result_to_json(&m);
  mdl_load_result_free(&m);
  cJSON *x = cJSON_CreateObject();
  if (j == NULL || x == NULL) {
    cJSON_Delete(j);
    cJSON_Delete(x);
    return ld_err_set(err, LD_ENOMEM, "out of memory");
  }
  cJSON_AddItemToObject(j, "loadgen", x);
  cJSON_AddNumberToObject(x, "version", 1);
  cJSON_AddStringToObject(x, "mode", r->open_model ? "open" : "closed");
  cJSON_AddNumberToObject(x, "rate_per_s", r->rate_per_s);
  cJSON_AddNumberToObject(x, "think_ms", r->think_ms);
  cJSON *tr = cJSON_AddArrayToObject(x, "think_range_ms");
  cJSON_AddItemToArray(tr, cJSON_CreateNumber(r->think_min_ms));
  cJSON_AddItemToArray(tr, cJSON_CreateNumber(r->think_max_ms));
  cJSON_AddNumberToObject(x, "timeout_ms", (double)r->timeout_ms);
  cJSON *sh = cJSON_AddObjectToObject(x, "shard");
  cJSON_AddNumberToObject(sh, "index", r->shard_index);
  cJSON_AddNumberToObject(sh, "count", r->shard_count);
  cJSON_AddNumberToObject(x, "duration_s", r->duration_s);
  cJSON_AddNumberToObject(x, "interval_s", r->interval_s);
  cJSON_AddNumberToObject(x, "peak_vus", r->peak_vus);
  cJSON_AddNumberToObject(x, "max_vus", r->max_vus);
  cJSON_AddNumberToObject(x, "requests", (double)r->requests);
  cJSON_AddNumberToObject(x, "errors", (double)r->errors);
  cJSON_AddNumberToObject(x, "iterations", (double)r->iterations);
  cJSON_AddNumberToObject(x, "dropped_iterations", (double)r->dropped);
  cJSON_AddBoolToObject(x, "aborted", r->aborted);
  cJSON *la = cJSON_AddArrayToObject(x, "load_avg");
  cJSON_AddItemToArray(la, cJSON_CreateNumber(r->load1_start));
  cJSON_AddItemToArray(la, cJSON_CreateNumber(r->load1_end));
  cJSON *ths = cJSON_AddArrayToObject(x, "thresholds");
  for (int i = 0; i < r->nthresholds; i++) {
    cJSON *t = cJSON_CreateObject();
    cJSON_AddStringToObject(t, "expr", r->thresholds[i].th.expr);
    cJSON_AddNumberToObject(t, "value", r->thresholds[i].value);
    cJSON_AddBoolToObject(t, "ok", r->thresholds[i].ok);
    cJSON_AddBoolToObject(t, "abort_on_fail", r->thresholds[i].th.abort_on_fail);
    cJSON_AddItemToArray(ths, t);
  }
  cJSON_AddItemToObject(x, "percentiles", hist_pcts(&r->lat));
  cJSON_AddItemToObject(x, "histogram", mdl_histogram_to_json(&r->lat));
  cJSON *e = cJSON_AddObjectToObject(x, "errors_by_type");
  for (int t = 0; t < LD_ERR_N; t++)
    cJSON_AddNumberToObject(e, k_types[t], (double)r->errors_by_type[t]);
  cJSON *el = cJSON_AddObjectToObject(x, "error_latency");
  for (int t = 0; t < LD_ERR_N; t++)
    if (r->err_lat[t].count > 0)
      cJSON_AddItemToObject(el, k_types[t], mdl_histogram_to_json(&r->err_lat[t]));
  cJSON *rq = cJSON_AddArrayToObject(x, "requests_by_name");
  for (int i = 0; i < r->nreq; i++) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", r->req[i].name);
    cJSON_AddNumberToObject(o, "count", (double)r->req[i].count);
    cJSON_AddNumberToObject(o, "errors", (double)r->req[i].errors);
    cJSON_AddItemToObject(o, "percentiles", hist_pcts(&r->req[i].lat));
    cJSON_AddItemToObject(o, "histogram", mdl_histogram_to_json(&r->req[i].lat));
    cJSON_AddItemToArray(rq, o);
  }
  cJSON *rs = cJSON_AddObjectToObject(x, "resources");
  cJSON_AddNumberToObject(rs, "samples", (double)r->res.samples);
  cJSON_AddNumberToObject(rs, "cpu_sum", r->res.cpu_sum);
  cJSON_AddNumberToObject(rs, "cpu_max", r->res.cpu_max);
  cJSON_AddNumberToObject(rs, "rss_sum", r->res.rss_sum);
  cJSON_AddNumberToObject(rs, "rss_max", r->res.rss_max);
  cJSON_AddNumberToObject(rs, "pool_samples", (double)r->res.pool_samples);
  cJSON_AddNumberToObject(rs, "pool_sum", r->res.pool_sum);
  cJSON_AddNumberToObject(rs, "pool_max", r->res.pool_max);
  cJSON *tl = cJSON_AddArrayToObject(x, "timeline");
  for (size_t i = 0; i < r->npoints; i++) {
    const ld_point *p = &r->points[i];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "t", p->t_s);
    cJSON_AddNumberToObject(o, "requests", (double)p->requests);
    cJSON_AddNumberToObject(o, "errors", (double)p->errors);
    cJSON_AddNumberToObject(o, "iterations", (double)p->iterations);
    cJSON_AddNumberToObject(o, "dropped", (double)p->dropped);
    cJSON_AddNumberToObject(o, "vus", p->vus);
    cJSON_AddNumberToObject(o, "cpu", r2(p->cpu_percent));
    cJSON_AddNumberToObject(o, "rss_mb", r2(p->rss_mb));
    cJSON_AddNumberToObject(o, "pool", r2(p->pool_pct));
    cJSON_AddNumberToObject(o, "p50", r2(mdl_histogram_percentile(&p->lat, 50)));
    cJSON_AddNumberToObject(o, "p95", r2(mdl_histogram_percentile(&p->lat, 95)));
    cJSON_AddItemToObject(o, "histogram", mdl_histogram_to_json(&p->lat));
    cJSON_AddItemToArray(tl, o);
  }
  cJSON *ca = cJSON_AddObjectToObject(x, "calibration");
  cJSON_AddNumberToObject(ca, "unit_iterations", MDL_CALIB_UNIT_ITERATIONS);
  cJSON *cp = cJSON_AddArrayToObject(ca, "probes_ms");
  for (size_t i = 0; i < r->ncalib; i++)
    cJSON_AddItemToArray(cp, cJSON_CreateNumber(round(r->calib_ms[i] * 1e4) / 1e4));
  *out = j;
  return LD_OK;
}

int ld_result_write(const ld_result *r, const char *path, ld_err *err) {
  cJSON *j;
  int rc = ld_result_to_json(r, &j, err);
  if (rc != LD_OK) return rc;
  char *txt = cJSON_PrintUnformatted(j);
  cJSON_Delete(j);
  if (txt == NULL) return ld_err_set(err, LD_ENOMEM, "out of memory");
  FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
  if (f == NULL) {
    free(txt);
    return ld_err_set(err, LD_EIO, "cannot write %s: %m (check --out)", path);
  }
  int ok = fputs(txt, f) >= 0 && fputc('\n', f) != EOF;
  if (f != stdout)
    ok = (fclose(f) == 0) && ok;
  else
    fflush(f);
  free(txt);
  return ok ? LD_OK : ld_err_set(err, LD_EIO, "cannot write %s: %m", path);
}

static double num(const cJSON *o, const char *k, int *bad) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  if (!cJSON_IsNumber(v)) {
    *bad = 1;
    return 0;
  }
  return v->valuedouble;
}

static int read_hist(const cJSON *o, mdl_histogram *h, const char *where, ld_err *err) {
  mdl_err me;
  if (mdl_histogram_from_json(cJSON_GetObjectItemCaseSensitive(o, "histogram"), h, &me) != MDL_OK)
    return ld_err_set(err, LD_EINVAL, "%s.histogram: %s: %s", where, me.field, me.msg);
  return LD_OK;
}

int ld_result_from_json(const cJSON *j, ld_result *out, ld_err *err) {
  int rc = LD_OK, bad = 0;
  mdl_load_result m;
  mdl_err me;
  memset(out, 0, sizeof *out);
  if (mdl_load_result_from_json(j, &m, &me) != MDL_OK)
    return ld_err_set(err, LD_EINVAL, "not a LoadTestResult: %s: %s", me.field, me.msg);
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, "loadgen");
  if (!cJSON_IsObject(x)) {
    mdl_load_result_free(&m);
    return ld_err_set(err, LD_EINVAL, "no \"loadgen\" detail: not written by loadgen");
  }
  snprintf(out->scenario, sizeof out->scenario, "%s", m.test_scenario);
  out->server = m.server_id;
  snprintf(out->timestamp, sizeof out->timestamp, "%s", m.timestamp);
  mdl_load_result_free(&m);
  const cJSON *mode = cJSON_GetObjectItemCaseSensitive(x, "mode");
  out->open_model = cJSON_IsString(mode) && strcmp(mode->valuestring, "open") == 0;
  out->rate_per_s = num(x, "rate_per_s", &bad);
  out->think_ms = num(x, "think_ms", &bad);
  /* optional: files written before it existed drew think times from [0.5, 1.5] x think_ms */
  const cJSON *tr = cJSON_GetObjectItemCaseSensitive(x, "think_range_ms");
  int has_tr =
      cJSON_IsNumber(cJSON_GetArrayItem(tr, 0)) && cJSON_IsNumber(cJSON_GetArrayItem(tr, 1));
  out->think_min_ms = has_tr ? cJSON_GetArrayItem(tr, 0)->valuedouble : out->think_ms * 0.5;
  out->think_max_ms = has_tr ? cJSON_GetArrayItem(tr, 1)->valuedouble : out->think_ms * 1.5;
  out->timeout_ms = (long)num(x, "timeout_ms", &bad);
  const cJSON *sh = cJSON_GetObjectItemCaseSensitive(x, "shard");
  out->shard_index = (int)num(sh, "index", &bad);
  out->shard_count = (int)num(sh, "count", &bad);
  out->duration_s = num(x, "duration_s", &bad);
  out->interval_s = num(x, "interval_s", &bad);
  out->peak_vus = (int)num(x, "peak_vus", &bad);
  out->max_vus = (int)num(x, "max_vus", &bad);
  out->requests = (uint64_t)num(x, "requests", &bad);
  out->errors = (uint64_t)num(x, "errors", &bad);
  out->iterations = (uint64_t)num(x, "iterations", &bad);
  out->dropped = (uint64_t)num(x, "dropped_iterations", &bad);
  out->aborted = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "aborted"));
  const cJSON *la = cJSON_GetObjectItemCaseSensitive(x, "load_avg"); /* optional */
  out->load1_start =
      cJSON_IsNumber(cJSON_GetArrayItem(la, 0)) ? cJSON_GetArrayItem(la, 0)->valuedouble : -1;
  out->load1_end =
      cJSON_IsNumber(cJSON_GetArrayItem(la, 1)) ? cJSON_GetArrayItem(la, 1)->valuedouble : -1;
  const cJSON *e = cJSON_GetObjectItemCaseSensitive(x, "errors_by_type");
  for (int t = 0; t < LD_ERR_N; t++) out->errors_by_type[t] = (uint64_t)num(e, k_types[t], &bad);
  const cJSON *el = cJSON_GetObjectItemCaseSensitive(x, "error_latency");
  for (int t = 0; t < LD_ERR_N; t++) {
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(el, k_types[t]);
    if (h != NULL && mdl_histogram_from_json(h, &out->err_lat[t], &me) != MDL_OK) {
      rc = ld_err_set(err, LD_EINVAL, "loadgen.error_latency.%s: %s: %s", k_types[t], me.field,
                      me.msg);
      goto cleanup;
    }
  }
  const cJSON *rs = cJSON_GetObjectItemCaseSensitive(x, "resources");
  out->res.samples = (uint64_t)num(rs, "samples", &bad);
  out->res.cpu_sum = num(rs, "cpu_sum", &bad);
  out->res.cpu_max = num(rs, "cpu_max", &bad);
  out->res.rss_sum = num(rs, "rss_sum", &bad);
  out->res.rss_max = num(rs, "rss_max", &bad);
  out->res.pool_samples = (uint64_t)num(rs, "pool_samples", &bad);
  out->res.pool_sum = num(rs, "pool_sum", &bad);
  out->res.pool_max = num(rs, "pool_max", &bad);
  if (bad) {
    rc =
        ld_err_set(err, LD_EINVAL, "loadgen: a number is missing (mode, shard, counts, resources)");
    goto cleanup;
  }
  if ((rc = read_hist(x, &out->lat, "loadgen", err))) goto cleanup;
  const cJSON *ths = cJSON_GetObjectItemCaseSensitive(x, "thresholds"), *t;
  cJSON_ArrayForEach(t, ths) {
    if (out->nthresholds >= LD_MAX_THRESHOLDS) break;
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(t, "expr");
    if (!cJSON_IsString(ex)) continue;
    ld_threshold_result *tr = &out->thresholds[out->nthresholds];
    if (ld_threshold_parse(ex->valuestring, &tr->th, NULL) != LD_OK) continue;
    tr->th.abort_on_fail = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "abort_on_fail"));
    out->nthresholds++;
  }
  const cJSON *rq = cJSON_GetObjectItemCaseSensitive(x, "requests_by_name"), *q;
  int nq = cJSON_GetArraySize(rq);
  out->req = calloc((size_t)(nq > 0 ? nq : 1), sizeof *out->req);
  if (out->req == NULL) {
    rc = ld_err_set(err, LD_ENOMEM, "out of memory");
    goto cleanup;
  }
  cJSON_ArrayForEach(q, rq) {
    ld_request_stats *s = &out->req[out->nreq];
    const cJSON *nm = cJSON_GetObjectItemCaseSensitive(q, "name");
    if (!cJSON_IsString(nm)) {
      rc = ld_err_set(err, LD_EINVAL, "loadgen.requests_by_name[%d].name: must be a string",
                      out->nreq);
      goto cleanup;
    }
    snprintf(s->name, sizeof s->name, "%s", nm->valuestring);
    s->count = (uint64_t)num(q, "count", &bad);
    s->errors = (uint64_t)num(q, "errors", &bad);
    if ((rc = read_hist(q, &s->lat, "loadgen.requests_by_name", err))) goto cleanup;
    out->nreq++;
  }
  const cJSON *tl = cJSON_GetObjectItemCaseSensitive(x, "timeline"), *p;
  int np = cJSON_GetArraySize(tl);
  out->points = calloc((size_t)(np > 0 ? np : 1), sizeof *out->points);
  if (out->points == NULL) {
    rc = ld_err_set(err, LD_ENOMEM, "out of memory");
    goto cleanup;
  }
  cJSON_ArrayForEach(p, tl) {
    ld_point *pt = &out->points[out->npoints];
    pt->t_s = num(p, "t", &bad);
    pt->requests = (uint64_t)num(p, "requests", &bad);
    pt->errors = (uint64_t)num(p, "errors", &bad);
    pt->iterations = (uint64_t)num(p, "iterations", &bad);
    pt->dropped = (uint64_t)num(p, "dropped", &bad);
    pt->vus = (int)num(p, "vus", &bad);
    pt->cpu_percent = num(p, "cpu", &bad);
    pt->rss_mb = num(p, "rss_mb", &bad);
    pt->pool_pct = num(p, "pool", &bad);
    if ((rc = read_hist(p, &pt->lat, "loadgen.timeline", err))) goto cleanup;
    out->npoints++;
  }
  /* optional: files written before the generator probed the host have none */
  const cJSON *cp = cJSON_GetObjectItemCaseSensitive(
                  cJSON_GetObjectItemCaseSensitive(x, "calibration"), "probes_ms"),
              *c;
  cJSON_ArrayForEach(c, cp) {
    if (!cJSON_IsNumber(c) || !(c->valuedouble > 0)) {
      rc = ld_err_set(err, LD_EINVAL,
                      "loadgen.calibration.probes_ms[%zu]: must be a number > 0 (ms)", out->ncalib);
      goto cleanup;
    }
    if ((rc = ld_result_add_calib(out, c->valuedouble, err))) goto cleanup;
  }
  if (bad)
    rc = ld_err_set(err, LD_EINVAL, "loadgen: a number is missing in requests_by_name or timeline");
  else
    ld_result_check_thresholds(out);
cleanup:
  if (rc != LD_OK) ld_result_free(out);
  return rc;
}

int ld_result_read(const char *path, ld_result *out, ld_err *err) {
  memset(out, 0, sizeof *out);
  FILE *f = fopen(path, "rb");
  if (f == NULL) return ld_err_set(err, LD_EIO, "cannot read %s: %m", path);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)(n > 0 ? n : 0) + 1);
  if (buf == NULL) {
    fclose(f);
    return ld_err_set(err, LD_ENOMEM, "out of memory");
  }
  size_t got = fread(buf, 1, (size_t)(n > 0 ? n : 0), f);
  fclose(f);
  buf[got] = '\0';
  cJSON *j = cJSON_Parse(buf);
  free(buf);
  if (j == NULL) return ld_err_set(err, LD_EINVAL, "%s is not valid JSON", path);
  ld_err e2;
  int rc = ld_result_from_json(j, out, &e2);
  cJSON_Delete(j);
  if (rc != LD_OK) ld_err_set(err, (ld_code)rc, "%s: %s", path, e2.msg);
  return rc;
}

int ld_result_merge(ld_result *dst, const ld_result *src, ld_err *err) {
  if (strcmp(dst->scenario, src->scenario) != 0)
    return ld_err_set(err, LD_EINVAL, "cannot merge scenario \"%s\" with \"%s\"", dst->scenario,
                      src->scenario);
  if (dst->shard_count != src->shard_count || dst->shard_index == src->shard_index)
    return ld_err_set(err, LD_EINVAL,
                      "cannot merge shard %d/%d with shard %d/%d (one run's shards, each once)",
                      dst->shard_index, dst->shard_count, src->shard_index, src->shard_count);
  if (dst->interval_s != src->interval_s || dst->open_model != src->open_model)
    return ld_err_set(err, LD_EINVAL,
                      "cannot merge runs with different modes or timeline intervals");
  if (src->npoints > dst->npoints) {
    ld_point *np = realloc(dst->points, src->npoints * sizeof *np);
    if (np == NULL) return ld_err_set(err, LD_ENOMEM, "out of memory");
    for (size_t i = dst->npoints; i < src->npoints; i++) {
      memset(&np[i], 0, sizeof np[i]);
      np[i].t_s = src->points[i].t_s;
      np[i].cpu_percent = np[i].rss_mb = np[i].pool_pct = -1;
    }
    dst->points = np;
    dst->npoints = src->npoints;
  }
  for (size_t i = 0; i < src->npoints; i++) {
    ld_point *d = &dst->points[i];
    const ld_point *s = &src->points[i];
    d->requests += s->requests;
    d->errors += s->errors;
    d->iterations += s->iterations;
    d->dropped += s->dropped;
    d->vus += s->vus;
    if (s->cpu_percent > d->cpu_percent) d->cpu_percent = s->cpu_percent;
    if (s->rss_mb > d->rss_mb) d->rss_mb = s->rss_mb;
    if (s->pool_pct > d->pool_pct) d->pool_pct = s->pool_pct;
    mdl_histogram_merge(&d->lat, &s->lat, NULL);
  }
  for (int k = 0; k < src->nreq; k++) {
    int found = -1;
    for (int i = 0; i < dst->nreq; i++)
      if (strcmp(dst->req[i].name, src->req[k].name) == 0) found = i;
    if (found < 0) {
      ld_request_stats *nr = realloc(dst->req, (size_t)(dst->nreq + 1) * sizeof *nr);
      if (nr == NULL) return ld_err_set(err, LD_ENOMEM, "out of memory");
      dst->req = nr;
      memset(&nr[dst->nreq], 0, sizeof nr[0]);
      snprintf(nr[dst->nreq].name, sizeof nr[0].name, "%s", src->req[k].name);
      found = dst->nreq++;
    }
    dst->req[found].count += src->req[k].count;
    dst->req[found].errors += src->req[k].errors;
    mdl_histogram_merge(&dst->req[found].lat, &src->req[k].lat, NULL);
  }
  dst->requests += src->requests;
  dst->errors += src->errors;
  dst->iterations += src->iterations;
  dst->dropped += src->dropped;
  dst->peak_vus += src->peak_vus;
  dst->max_vus += src->max_vus;
  dst->rate_per_s += src->rate_per_s;
  for (int t = 0; t < LD_ERR_N; t++) {
    dst->errors_by_type[t] += src->errors_by_type[t];
    mdl_histogram_merge(&dst->err_lat[t], &src->err_lat[t], NULL);
  }
  mdl_histogram_merge(&dst->lat, &src->lat, NULL);
  dst->res.samples += src->res.samples;
  dst->res.cpu_sum += src->res.cpu_sum;
  dst->res.rss_sum += src->res.rss_sum;
  dst->res.pool_samples += src->res.pool_samples;
  dst->res.pool_sum += src->res.pool_sum;
  if (src->res.cpu_max > dst->res.cpu_max) dst->res.cpu_max = src->res.cpu_max;
  if (src->res.rss_max > dst->res.rss_max) dst->res.rss_max = src->res.rss_max;
  if (src->res.pool_max > dst->res.pool_max) dst->res.pool_max = src->res.pool_max;
  if (src->duration_s > dst->duration_s) dst->duration_s = src->duration_s;
  if (strcmp(src->timestamp, dst->timestamp) < 0)
    snprintf(dst->timestamp, sizeof dst->timestamp, "%s", src->timestamp);
  dst->aborted |= src->aborted;
  if (src->load1_start > dst->load1_start) dst->load1_start = src->load1_start;
  if (src->load1_end > dst->load1_end) dst->load1_end = src->load1_end;
  for (size_t i = 0; i < src->ncalib; i++) { /* the shards' probes: one host, one list */
    int rc = ld_result_add_calib(dst, src->calib_ms[i], err);
    if (rc != LD_OK) return rc;
  }
  ld_result_check_thresholds(dst);
  return LD_OK;
}

int ld_result_host_calibration(const ld_result *r, mdl_host_calibration *out, ld_err *err) {
  mdl_err me;
  if (mdl_host_calibration_from_probes(r->calib_ms, r->ncalib, out, &me) != MDL_OK)
    return ld_err_set(err, me.code == MDL_ENOMEM ? LD_ENOMEM : LD_EINVAL, "%s: %s", me.field,
                      me.msg);
  return LD_OK;
}

int ld_result_add_calib(ld_result *r, double ms, ld_err *err) {
  if (r->ncalib == r->calib_cap) {
    size_t cap = r->calib_cap ? r->calib_cap * 2 : 64;
    double *n = realloc(r->calib_ms, cap * sizeof *n);
    if (n == NULL) return ld_err_set(err, LD_ENOMEM, "out of memory");
    r->calib_ms = n;
    r->calib_cap = cap;
  }
  r->calib_ms[r->ncalib++] = ms;
  return LD_OK;
}

void ld_result_free(ld_result *r) {
  if (r == NULL) return;
  free(r->calib_ms);
  free(r->req);
  free(r->points);
  memset(r, 0, sizeof *r);
}
