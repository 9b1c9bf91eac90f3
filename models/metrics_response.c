/* metrics_response.c — MetricsResponse parse / validate / serialise and the builders servers use.
 *
 * Lists are small (tens of metrics), so uniqueness of (name, labels) is checked pairwise. */
#include "models/metrics_response.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/json_field.h"

#define MAX_METRICS 4096 /* per list */
#define MAX_BUCKETS 1024 /* per histogram */

bool mdl_metric_name_valid(const char *name) {
  if (name == NULL || name[0] == '\0' || strlen(name) > MDL_METRIC_NAME_MAX) return false;
  for (size_t i = 0; name[i] != '\0'; i++) {
    char c = name[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

static bool label_name_valid(const char *name) {
  if (name == NULL || name[0] == '\0') return false;
  for (size_t i = 0; name[i] != '\0'; i++) {
    char c = name[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

/* Name and labels of one metric at base ("counters[2]"). */
static mdl_code ident_validate(const char *name, const mdl_strmap *labels, const char *base,
                               mdl_err *err) {
  char path[MDL_FIELD_MAX];
  mdl_jf_path(path, base, "name");
  if (!mdl_metric_name_valid(name))
    return mdl_err_set(err, MDL_ERANGE, path,
                       "name must match [a-zA-Z_:][a-zA-Z0-9_:]* and be 1-%d bytes (got \"%.40s\")",
                       MDL_METRIC_NAME_MAX, name != NULL ? name : "");
  for (size_t i = 0; i < labels->count; i++) {
    if (!label_name_valid(labels->items[i].key)) {
      mdl_jf_path(path, base, "labels");
      return mdl_err_set(err, MDL_ERANGE, path,
                         "label names must match [a-zA-Z_][a-zA-Z0-9_]* (got \"%.40s\")",
                         labels->items[i].key);
    }
  }
  return MDL_OK;
}

static bool same_ident(const char *a, const mdl_strmap *la, const char *b, const mdl_strmap *lb) {
  return a != NULL && b != NULL && strcmp(a, b) == 0 && mdl_strmap_equal(la, lb);
}

static mdl_code counters_validate(const mdl_metric_counter *c, size_t n, const char *list,
                                  bool nonneg, mdl_err *err) {
  mdl_code rc = MDL_OK;
  char base[MDL_FIELD_MAX], path[MDL_FIELD_MAX];
  if (n > MAX_METRICS)
    return mdl_err_set(err, MDL_ERANGE, list, "%s must have at most %d entries", list, MAX_METRICS);
  for (size_t i = 0; i < n; i++) {
    mdl_jf_index(base, "", list, i);
    MDL_TRY(ident_validate(c[i].name, &c[i].labels, base, err));
    mdl_jf_path(path, base, "value");
    if (nonneg)
      MDL_TRY(mdl_jf_check_ge(c[i].value, 0, path, err));
    else
      MDL_TRY(mdl_jf_check_finite(c[i].value, path, err));
    for (size_t j = 0; j < i; j++) {
      if (same_ident(c[j].name, &c[j].labels, c[i].name, &c[i].labels)) {
        mdl_jf_path(path, base, "name");
        return mdl_err_set(err, MDL_ERULE, path,
                           "name and labels must be unique in %s (\"%.40s\" repeats entry %zu)",
                           list, c[i].name, j);
      }
    }
  }
cleanup:
  return rc;
}

static mdl_code histogram_validate(const mdl_metric_histogram *h, const char *base, mdl_err *err) {
  mdl_code rc = MDL_OK;
  char path[MDL_FIELD_MAX], bpath[MDL_FIELD_MAX];
  MDL_TRY(ident_validate(h->name, &h->labels, base, err));
  mdl_jf_path(path, base, "buckets");
  if (h->bucket_count < 1)
    return mdl_err_set(err, MDL_ERANGE, path, "buckets must have at least one bucket");
  if (h->bucket_count > MAX_BUCKETS)
    return mdl_err_set(err, MDL_ERANGE, path, "buckets must have at most %d entries", MAX_BUCKETS);
  for (size_t i = 0; i < h->bucket_count; i++) {
    const mdl_histogram_bucket *b = &h->buckets[i];
    char bbase[MDL_FIELD_MAX];
    mdl_jf_index(bbase, base, "buckets", i);
    mdl_jf_path(bpath, bbase, "bucket_le");
    if (isnan(b->bucket_le) || b->bucket_le == -INFINITY)
      return mdl_err_set(err, MDL_ERANGE, bpath, "bucket_le must be a number or \"+Inf\"");
    if (isinf(b->bucket_le) && i + 1 != h->bucket_count)
      return mdl_err_set(err, MDL_ERULE, bpath,
                         "bucket_le \"+Inf\" is allowed only on the last bucket");
    if (i > 0 && !(b->bucket_le > h->buckets[i - 1].bucket_le))
      return mdl_err_set(err, MDL_ERULE, bpath,
                         "buckets must be sorted by bucket_le, strictly ascending (%g after %g)",
                         b->bucket_le, h->buckets[i - 1].bucket_le);
    mdl_jf_path(bpath, bbase, "count");
    if (b->count < 0)
      return mdl_err_set(err, MDL_ERANGE, bpath, "count must be >= 0 (got %lld)",
                         (long long)b->count);
    if (i > 0 && b->count < h->buckets[i - 1].count)
      return mdl_err_set(
          err, MDL_ERULE, bpath,
          "bucket counts are cumulative and must be non-decreasing (%lld after %lld)",
          (long long)b->count, (long long)h->buckets[i - 1].count);
  }
  mdl_jf_path(path, base, "count");
  if (h->buckets[h->bucket_count - 1].count != h->count)
    return mdl_err_set(err, MDL_ERULE, path,
                       "count must equal the last bucket's count (%lld != %lld)",
                       (long long)h->count, (long long)h->buckets[h->bucket_count - 1].count);
  mdl_jf_path(path, base, "sum");
  MDL_TRY(mdl_jf_check_ge(h->sum, 0, path, err));
cleanup:
  return rc;
}

mdl_code mdl_metrics_validate(const mdl_metrics *m, mdl_err *err) {
  assert(m != NULL);
  mdl_code rc = MDL_OK;
  char base[MDL_FIELD_MAX], path[MDL_FIELD_MAX];
  MDL_TRY(counters_validate(m->counters, m->counter_count, "counters", true, err));
  MDL_TRY(counters_validate(m->gauges, m->gauge_count, "gauges", false, err));
  if (m->histogram_count > MAX_METRICS)
    return mdl_err_set(err, MDL_ERANGE, "histograms", "histograms must have at most %d entries",
                       MAX_METRICS);
  for (size_t i = 0; i < m->histogram_count; i++) {
    const mdl_metric_histogram *h = &m->histograms[i];
    mdl_jf_index(base, "", "histograms", i);
    MDL_TRY(histogram_validate(h, base, err));
    for (size_t j = 0; j < i; j++) {
      if (same_ident(m->histograms[j].name, &m->histograms[j].labels, h->name, &h->labels)) {
        mdl_jf_path(path, base, "name");
        return mdl_err_set(
            err, MDL_ERULE, path,
            "name and labels must be unique in histograms (\"%.40s\" repeats entry %zu)", h->name,
            j);
      }
    }
  }
cleanup:
  return rc;
}

/* ---- parsing ----------------------------------------------------------------------------------
 */

static mdl_code ident_from_json(const cJSON *e, const char *base, char **name, char **help,
                                mdl_strmap *labels, mdl_err *err) {
  mdl_code rc = MDL_OK;
  MDL_TRY(mdl_jf_expect_object(e, base, err));
  MDL_TRY(mdl_jf_strdup(e, base, "name", true, name, err));
  MDL_TRY(mdl_jf_strdup(e, base, "help_text", true, help, err));
  MDL_TRY(mdl_jf_strmap(e, base, "labels", labels, err));
cleanup:
  return rc;
}

static mdl_code list_size(const cJSON *arr, const char *list, int max, mdl_err *err) {
  if (cJSON_GetArraySize(arr) <= max) return MDL_OK;
  return mdl_err_set(err, MDL_ERANGE, list, "%s must have at most %d entries", list, max);
}

static mdl_code counters_from_json(const cJSON *arr, const char *list, mdl_metric_counter **out,
                                   size_t *count, mdl_err *err) {
  mdl_code rc = list_size(arr, list, MAX_METRICS, err);
  int n = cJSON_GetArraySize(arr);
  if (rc != MDL_OK || n == 0) return rc;
  *out = calloc((size_t)n, sizeof **out);
  if (*out == NULL) return mdl_err_set(err, MDL_ENOMEM, list, "out of memory");
  size_t i = 0;
  char base[MDL_FIELD_MAX];
  for (const cJSON *e = arr->child; e != NULL; e = e->next, i++) {
    mdl_metric_counter *c = &(*out)[i];
    *count = i + 1;
    mdl_jf_index(base, "", list, i);
    MDL_TRY(ident_from_json(e, base, &c->name, &c->help_text, &c->labels, err));
    MDL_TRY(mdl_jf_number(e, base, "value", true, &c->value, NULL, err));
  }
cleanup:
  return rc;
}

static mdl_code buckets_from_json(const cJSON *arr, const char *base, mdl_metric_histogram *h,
                                  mdl_err *err) {
  char path[MDL_FIELD_MAX], bbase[MDL_FIELD_MAX];
  mdl_jf_path(path, base, "buckets");
  mdl_code rc = list_size(arr, path, MAX_BUCKETS, err);
  int n = cJSON_GetArraySize(arr);
  if (rc != MDL_OK || n == 0) return rc;
  h->buckets = calloc((size_t)n, sizeof *h->buckets);
  if (h->buckets == NULL) return mdl_err_set(err, MDL_ENOMEM, path, "out of memory");
  size_t i = 0;
  for (const cJSON *b = arr->child; b != NULL; b = b->next, i++) {
    mdl_histogram_bucket *hb = &h->buckets[i];
    h->bucket_count = i + 1;
    mdl_jf_index(bbase, base, "buckets", i);
    MDL_TRY(mdl_jf_expect_object(b, bbase, err));
    const cJSON *le = mdl_jf_item(b, "bucket_le");
    mdl_jf_path(path, bbase, "bucket_le");
    if (le == NULL) {
      rc = mdl_err_set(err, MDL_EMISSING, path, "bucket_le is required");
      goto cleanup;
    }
    if (cJSON_IsString(le) && le->valuestring != NULL && strcmp(le->valuestring, "+Inf") == 0) {
      hb->bucket_le = INFINITY;
    } else if (cJSON_IsNumber(le)) {
      MDL_TRY(mdl_jf_number(b, bbase, "bucket_le", true, &hb->bucket_le, NULL, err));
    } else {
      rc = mdl_err_set(err, MDL_ETYPE, path, "bucket_le must be a number or \"+Inf\" (got %s)",
                       mdl_jf_type_name(le));
      goto cleanup;
    }
    MDL_TRY(mdl_jf_int(b, bbase, "count", true, &hb->count, NULL, err));
  }
cleanup:
  return rc;
}

static mdl_code histograms_from_json(const cJSON *arr, mdl_metrics *m, mdl_err *err) {
  mdl_code rc = list_size(arr, "histograms", MAX_METRICS, err);
  int n = cJSON_GetArraySize(arr);
  if (rc != MDL_OK || n == 0) return rc;
  m->histograms = calloc((size_t)n, sizeof *m->histograms);
  if (m->histograms == NULL) return mdl_err_set(err, MDL_ENOMEM, "histograms", "out of memory");
  size_t i = 0;
  char base[MDL_FIELD_MAX];
  for (const cJSON *e = arr->child; e != NULL; e = e->next, i++) {
    mdl_metric_histogram *h = &m->histograms[i];
    const cJSON *buckets = NULL;
    m->histogram_count = i + 1;
    mdl_jf_index(base, "", "histograms", i);
    MDL_TRY(ident_from_json(e, base, &h->name, &h->help_text, &h->labels, err));
    MDL_TRY(mdl_jf_array(e, base, "buckets", true, &buckets, NULL, err));
    MDL_TRY(buckets_from_json(buckets, base, h, err));
    MDL_TRY(mdl_jf_int(e, base, "count", true, &h->count, NULL, err));
    MDL_TRY(mdl_jf_number(e, base, "sum", true, &h->sum, NULL, err));
  }
cleanup:
  return rc;
}

mdl_code mdl_metrics_from_json(const cJSON *json, mdl_metrics *out, mdl_err *err) {
  assert(out != NULL);
  mdl_code rc = MDL_OK;
  const cJSON *counters = NULL, *gauges = NULL, *histograms = NULL;
  bool have_gauges = false;
  memset(out, 0, sizeof *out);
  MDL_TRY(mdl_jf_expect_object(json, "", err));
  MDL_TRY(mdl_jf_array(json, "", "counters", true, &counters, NULL, err));
  MDL_TRY(counters_from_json(counters, "counters", &out->counters, &out->counter_count, err));
  MDL_TRY(mdl_jf_array(json, "", "gauges", false, &gauges, &have_gauges, err));
  if (have_gauges)
    MDL_TRY(counters_from_json(gauges, "gauges", &out->gauges, &out->gauge_count, err));
  MDL_TRY(mdl_jf_array(json, "", "histograms", true, &histograms, NULL, err));
  MDL_TRY(histograms_from_json(histograms, out, err));
  MDL_TRY(mdl_metrics_validate(out, err));
cleanup:
  if (rc != MDL_OK) mdl_metrics_free(out);
  return rc;
}

/* ---- serialising ------------------------------------------------------------------------------
 */

static cJSON *ident_to_json(const char *name, const char *help, const mdl_strmap *labels) {
  cJSON *o = cJSON_CreateObject();
  bool ok = o != NULL;
  ok = ok && mdl_jf_add_string(o, "name", name);
  ok = ok && mdl_jf_add_string(o, "help_text", help);
  if (labels->count > 0) ok = ok && mdl_jf_add_item(o, "labels", mdl_jf_strmap_to_json(labels));
  if (!ok) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

static bool add_counters(cJSON *root, const char *list, const mdl_metric_counter *c, size_t n) {
  cJSON *arr = cJSON_CreateArray();
  if (!mdl_jf_add_item(root, list, arr)) return false;
  for (size_t i = 0; i < n; i++) {
    cJSON *o = ident_to_json(c[i].name, c[i].help_text, &c[i].labels);
    if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
      cJSON_Delete(o);
      return false;
    }
    if (!mdl_jf_add_number(o, "value", c[i].value)) return false;
  }
  return true;
}

static bool add_histogram(cJSON *arr, const mdl_metric_histogram *h) {
  cJSON *o = ident_to_json(h->name, h->help_text, &h->labels);
  if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
    cJSON_Delete(o);
    return false;
  }
  cJSON *buckets = cJSON_CreateArray();
  if (!mdl_jf_add_item(o, "buckets", buckets)) return false;
  for (size_t i = 0; i < h->bucket_count; i++) {
    cJSON *b = cJSON_CreateObject();
    if (b == NULL || !cJSON_AddItemToArray(buckets, b)) {
      cJSON_Delete(b);
      return false;
    }
    bool ok = isinf(h->buckets[i].bucket_le)
                  ? mdl_jf_add_string(b, "bucket_le", "+Inf")
                  : mdl_jf_add_number(b, "bucket_le", h->buckets[i].bucket_le);
    if (!ok || !mdl_jf_add_int(b, "count", h->buckets[i].count)) return false;
  }
  return mdl_jf_add_int(o, "count", h->count) && mdl_jf_add_number(o, "sum", h->sum);
}

cJSON *mdl_metrics_to_json(const mdl_metrics *m) {
  assert(m != NULL);
  cJSON *root = cJSON_CreateObject();
  bool ok = root != NULL;
  ok = ok && add_counters(root, "counters", m->counters, m->counter_count);
  ok = ok && add_counters(root, "gauges", m->gauges, m->gauge_count);
  cJSON *hs = ok ? cJSON_CreateArray() : NULL;
  ok = ok && mdl_jf_add_item(root, "histograms", hs);
  for (size_t i = 0; ok && i < m->histogram_count; i++) ok = add_histogram(hs, &m->histograms[i]);
  if (!ok) {
    cJSON_Delete(root);
    return NULL;
  }
  return root;
}

/* ---- builders ----------------------------------------------------------------------------------
 */

static mdl_code copy_ident(const char *name, const char *help, const mdl_strmap *labels,
                           char **oname, char **ohelp, mdl_strmap *olabels, mdl_err *err) {
  mdl_code rc = MDL_OK;
  *oname = strdup(name != NULL ? name : "");
  *ohelp = strdup(help != NULL ? help : "");
  if (*oname == NULL || *ohelp == NULL) {
    rc = mdl_err_set(err, MDL_ENOMEM, "name", "out of memory copying metric %s", name);
    goto cleanup;
  }
  for (size_t i = 0; labels != NULL && i < labels->count; i++)
    MDL_TRY(mdl_strmap_set(olabels, labels->items[i].key, labels->items[i].value, err));
cleanup:
  if (rc != MDL_OK) {
    free(*oname);
    free(*ohelp);
    *oname = *ohelp = NULL;
    mdl_strmap_free(olabels);
  }
  return rc;
}

static mdl_code add_counter_to(mdl_metric_counter **list, size_t *n, const char *name,
                               const char *help, const mdl_strmap *labels, double value,
                               mdl_err *err) {
  mdl_metric_counter c = {0};
  mdl_code rc = copy_ident(name, help, labels, &c.name, &c.help_text, &c.labels, err);
  if (rc != MDL_OK) return rc;
  c.value = value;
  mdl_metric_counter *grown = realloc(*list, (*n + 1) * sizeof *grown);
  if (grown == NULL) {
    free(c.name);
    free(c.help_text);
    mdl_strmap_free(&c.labels);
    return mdl_err_set(err, MDL_ENOMEM, "name", "out of memory adding metric %s", name);
  }
  *list = grown;
  (*list)[(*n)++] = c;
  return MDL_OK;
}

mdl_code mdl_metrics_add_counter(mdl_metrics *m, const char *name, const char *help_text,
                                 const mdl_strmap *labels, double value, mdl_err *err) {
  assert(m != NULL);
  return add_counter_to(&m->counters, &m->counter_count, name, help_text, labels, value, err);
}

mdl_code mdl_metrics_add_gauge(mdl_metrics *m, const char *name, const char *help_text,
                               const mdl_strmap *labels, double value, mdl_err *err) {
  assert(m != NULL);
  return add_counter_to(&m->gauges, &m->gauge_count, name, help_text, labels, value, err);
}

mdl_code mdl_metrics_add_histogram(mdl_metrics *m, const char *name, const char *help_text,
                                   const mdl_strmap *labels, const mdl_histogram_bucket *buckets,
                                   size_t bucket_count, int64_t count, double sum, mdl_err *err) {
  assert(m != NULL && (buckets != NULL || bucket_count == 0));
  mdl_metric_histogram h = {0};
  mdl_code rc = copy_ident(name, help_text, labels, &h.name, &h.help_text, &h.labels, err);
  if (rc != MDL_OK) return rc;
  if (bucket_count > 0) {
    h.buckets = malloc(bucket_count * sizeof *h.buckets);
    if (h.buckets == NULL) {
      rc = mdl_err_set(err, MDL_ENOMEM, "buckets", "out of memory copying buckets of %s", name);
      goto cleanup;
    }
    memcpy(h.buckets, buckets, bucket_count * sizeof *h.buckets);
  }
  h.bucket_count = bucket_count;
  h.count = count;
  h.sum = sum;
  mdl_metric_histogram *grown = realloc(m->histograms, (m->histogram_count + 1) * sizeof *grown);
  if (grown == NULL) {
    rc = mdl_err_set(err, MDL_ENOMEM, "histograms", "out of memory adding histogram %s", name);
    goto cleanup;
  }
  m->histograms = grown;
  m->histograms[m->histogram_count++] = h;
  return MDL_OK;
cleanup:
  free(h.name);
  free(h.help_text);
  free(h.buckets);
  mdl_strmap_free(&h.labels);
  return rc;
}

static void counters_free(mdl_metric_counter *c, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(c[i].name);
    free(c[i].help_text);
    mdl_strmap_free(&c[i].labels);
  }
  free(c);
}

void mdl_metrics_free(mdl_metrics *m) {
  if (m == NULL) return;
  counters_free(m->counters, m->counter_count);
  counters_free(m->gauges, m->gauge_count);
  for (size_t i = 0; i < m->histogram_count; i++) {
    free(m->histograms[i].name);
    free(m->histograms[i].help_text);
    free(m->histograms[i].buckets);
    mdl_strmap_free(&m->histograms[i].labels);
  }
  free(m->histograms);
  memset(m, 0, sizeof *m);
}
