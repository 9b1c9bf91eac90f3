/* histogram.c — fixed log-spaced latency histogram: add, merge, percentile estimate, JSON.
 *
 * Bucket bounds are computed, never stored: upper(i) = 0.001 ms * 2^(i/8). bucket_of() corrects the
 * logarithm's rounding against upper() so a value always lands in the bucket whose bounds contain
 * it, on every machine (the same libm gives the same answer, and the correction makes it exact). */
#include "models/histogram.h"

#include <assert.h>
#include <math.h>
#include <string.h>

#include "models/json_field.h"

#define BASE_MS 0.001
#define PER_DOUBLING 8.0
#define LAST (MDL_HIST_BUCKETS - 1)

void mdl_histogram_init(mdl_histogram *h) {
  assert(h != NULL);
  memset(h, 0, sizeof *h);
}

double mdl_histogram_bucket_upper(int i) {
  assert(i >= 0 && i < MDL_HIST_BUCKETS);
  if (i == LAST) return HUGE_VAL;
  return BASE_MS * exp2((double)i / PER_DOUBLING);
}

/* Lower bound of bucket i (exclusive), 0 for bucket 0. */
static double bucket_lower(int i) {
  return i == 0 ? 0.0 : mdl_histogram_bucket_upper(i - 1);
}

int mdl_histogram_bucket_of(double v) {
  assert(isfinite(v) && v >= 0.0);
  if (v <= BASE_MS) return 0;
  double guess = ceil(PER_DOUBLING * log2(v / BASE_MS));
  int i = guess > (double)LAST ? LAST : (guess < 1.0 ? 1 : (int)guess);
  while (i > 1 && v <= mdl_histogram_bucket_upper(i - 1)) i--;
  while (i < LAST && v > mdl_histogram_bucket_upper(i)) i++;
  return i;
}

mdl_code mdl_histogram_add(mdl_histogram *h, double value_ms, mdl_err *err) {
  assert(h != NULL);
  if (!isfinite(value_ms) || value_ms < 0.0)
    return mdl_err_set(err, MDL_ERANGE, "value_ms",
                       "value_ms must be a finite number >= 0 (got %g)", value_ms);
  int b = mdl_histogram_bucket_of(value_ms);
  if (h->count == 0 || value_ms < h->min_ms) h->min_ms = value_ms;
  if (h->count == 0 || value_ms > h->max_ms) h->max_ms = value_ms;
  h->buckets[b]++;
  h->count++;
  h->sum_ms += value_ms;
  return MDL_OK;
}

mdl_code mdl_histogram_merge(mdl_histogram *dst, const mdl_histogram *src, mdl_err *err) {
  assert(dst != NULL && src != NULL);
  if (src->count == 0) return MDL_OK;
  if (dst->count > UINT64_MAX - src->count)
    return mdl_err_set(err, MDL_ERANGE, "count", "count would overflow when merging");
  if (dst->count == 0 || src->min_ms < dst->min_ms) dst->min_ms = src->min_ms;
  if (dst->count == 0 || src->max_ms > dst->max_ms) dst->max_ms = src->max_ms;
  for (int i = 0; i < MDL_HIST_BUCKETS; i++) dst->buckets[i] += src->buckets[i];
  dst->count += src->count;
  dst->sum_ms += src->sum_ms;
  return MDL_OK;
}

double mdl_histogram_percentile(const mdl_histogram *h, double p) {
  assert(h != NULL);
  assert(p >= 0.0 && p <= 100.0);
  if (h->count == 0) return 0.0;
  double rank = (double)(h->count - 1) * p / 100.0;
  if (rank <= 0.0) return h->min_ms;
  if (rank >= (double)(h->count - 1)) return h->max_ms;
  uint64_t before = 0;
  for (int i = 0; i < MDL_HIST_BUCKETS; i++) {
    uint64_t n = h->buckets[i];
    if (n == 0) continue;
    if (rank < (double)(before + n) || i == LAST) {
      double lo = bucket_lower(i), hi = mdl_histogram_bucket_upper(i);
      if (lo < h->min_ms) lo = h->min_ms;
      if (hi > h->max_ms) hi = h->max_ms;
      if (hi < lo) hi = lo;
      double t = (rank - (double)before + 1.0) / (double)n;
      if (t > 1.0) t = 1.0;
      return lo + t * (hi - lo);
    }
    before += n;
  }
  return h->max_ms; /* defensive: counts did not add up to count */
}

double mdl_histogram_mean(const mdl_histogram *h) {
  assert(h != NULL);
  return h->count == 0 ? 0.0 : h->sum_ms / (double)h->count;
}

cJSON *mdl_histogram_to_json(const mdl_histogram *h) {
  assert(h != NULL);
  cJSON *o = cJSON_CreateObject();
  cJSON *arr = NULL;
  bool ok = o != NULL;
  ok = ok && mdl_jf_add_string(o, "scheme", MDL_HIST_SCHEME);
  ok = ok && mdl_jf_add_number(o, "count", (double)h->count);
  ok = ok && mdl_jf_add_number(o, "sum_ms", h->sum_ms);
  if (h->count > 0) {
    ok = ok && mdl_jf_add_number(o, "min_ms", h->min_ms);
    ok = ok && mdl_jf_add_number(o, "max_ms", h->max_ms);
  } else {
    ok = ok && mdl_jf_add_null(o, "min_ms");
    ok = ok && mdl_jf_add_null(o, "max_ms");
  }
  arr = ok ? cJSON_CreateArray() : NULL;
  ok = ok && mdl_jf_add_item(o, "buckets", arr);
  for (int i = 0; ok && i < MDL_HIST_BUCKETS; i++) {
    if (h->buckets[i] == 0) continue;
    cJSON *pair = cJSON_CreateArray();
    cJSON *a = cJSON_CreateNumber(i), *b = cJSON_CreateNumber((double)h->buckets[i]);
    ok = pair != NULL && a != NULL && b != NULL;
    if (ok) {
      cJSON_AddItemToArray(pair, a);
      cJSON_AddItemToArray(pair, b);
      cJSON_AddItemToArray(arr, pair);
    } else {
      cJSON_Delete(pair);
      cJSON_Delete(a);
      cJSON_Delete(b);
    }
  }
  if (!ok) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

mdl_code mdl_histogram_from_json(const cJSON *json, mdl_histogram *out, mdl_err *err) {
  assert(out != NULL);
  mdl_code rc = MDL_OK;
  const char *scheme = NULL;
  int64_t count = 0;
  double sum = 0.0, mn = 0.0, mx = 0.0;
  bool have_min = false, have_max = false;
  const cJSON *buckets = NULL;
  char path[MDL_FIELD_MAX];
  mdl_histogram_init(out);
  MDL_TRY(mdl_jf_expect_object(json, "", err));
  MDL_TRY(mdl_jf_string(json, "", "scheme", true, &scheme, NULL, err));
  if (strcmp(scheme, MDL_HIST_SCHEME) != 0) {
    rc = mdl_err_set(err, MDL_EENUM, "scheme", "scheme must be \"%s\" (got \"%.40s\")",
                     MDL_HIST_SCHEME, scheme);
    goto cleanup;
  }
  MDL_TRY(mdl_jf_int(json, "", "count", true, &count, NULL, err));
  MDL_TRY(mdl_jf_check_ge((double)count, 0, "count", err));
  MDL_TRY(mdl_jf_number(json, "", "sum_ms", true, &sum, NULL, err));
  MDL_TRY(mdl_jf_check_ge(sum, 0, "sum_ms", err));
  MDL_TRY(mdl_jf_number(json, "", "min_ms", count > 0, &mn, &have_min, err));
  MDL_TRY(mdl_jf_number(json, "", "max_ms", count > 0, &mx, &have_max, err));
  if (count > 0) {
    MDL_TRY(mdl_jf_check_ge(mn, 0, "min_ms", err));
    if (mx < mn) {
      rc = mdl_err_set(err, MDL_ERULE, "max_ms", "max_ms must be >= min_ms (got %g < %g)", mx, mn);
      goto cleanup;
    }
  }
  MDL_TRY(mdl_jf_array(json, "", "buckets", true, &buckets, NULL, err));
  int prev = -1, first = -1;
  uint64_t total = 0;
  size_t idx = 0;
  for (const cJSON *pair = buckets->child; pair != NULL; pair = pair->next, idx++) {
    mdl_jf_index(path, "", "buckets", idx);
    if (!cJSON_IsArray(pair) || cJSON_GetArraySize(pair) != 2 || !cJSON_IsNumber(pair->child) ||
        !cJSON_IsNumber(pair->child->next)) {
      rc = mdl_err_set(err, MDL_ETYPE, path,
                       "buckets entries must be [index, count] pairs of integers");
      goto cleanup;
    }
    double di = pair->child->valuedouble, dc = pair->child->next->valuedouble;
    if (!(di >= 0 && di < MDL_HIST_BUCKETS && di == floor(di))) {
      rc = mdl_err_set(err, MDL_ERANGE, path, "bucket index must be an integer 0-%d (got %g)", LAST,
                       di);
      goto cleanup;
    }
    if (!(dc >= 1 && dc <= MDL_MAX_SAFE_INT && dc == floor(dc))) {
      rc = mdl_err_set(err, MDL_ERANGE, path, "bucket count must be an integer >= 1 (got %g)", dc);
      goto cleanup;
    }
    int bi = (int)di;
    if (bi <= prev) {
      rc = mdl_err_set(err, MDL_ERULE, path,
                       "bucket indexes must be strictly ascending (%d after %d)", bi, prev);
      goto cleanup;
    }
    if (first < 0) first = bi;
    prev = bi;
    out->buckets[bi] = (uint64_t)dc;
    total += (uint64_t)dc;
  }
  if (total != (uint64_t)count) {
    rc = mdl_err_set(err, MDL_ERULE, "count",
                     "count must equal the sum of bucket counts (%lld != %llu)", (long long)count,
                     (unsigned long long)total);
    goto cleanup;
  }
  if (count > 0 && (mdl_histogram_bucket_of(mn) != first || mdl_histogram_bucket_of(mx) != prev)) {
    rc = mdl_err_set(err, MDL_ERULE, "min_ms",
                     "min_ms and max_ms must lie in the first and last non-empty buckets");
    goto cleanup;
  }
  out->count = (uint64_t)count;
  out->sum_ms = sum;
  out->min_ms = count > 0 ? mn : 0.0;
  out->max_ms = count > 0 ? mx : 0.0;
cleanup:
  if (rc != MDL_OK) mdl_histogram_init(out);
  return rc;
}
