/* histogram.h — a mergeable latency histogram with fixed log-spaced buckets.
 *
 * For load results measured by several shards (processes or machines): each shard adds its samples,
 * the histograms are merged (bucket counts add), and percentiles are estimated from the merged one.
 * Because every histogram has the same fixed buckets, merge(a, b) equals the histogram of the union
 * of the samples (counts exactly; sum up to floating-point addition order).
 *
 * Buckets (scheme "log2x8-1us"): bucket 0 holds values <= 0.001 ms; bucket i >= 1 holds values in
 * (0.001 * 2^((i-1)/8), 0.001 * 2^(i/8)] ms, i.e. 8 buckets per doubling (each bucket spans ~9%,
 * so an estimate is within ~9% of the true sample value); the last bucket (272, upper bound
 * 2^34 us, about 4.8 hours) also holds every larger value. Samples are milliseconds, finite, >= 0.
 * Exact count, sum, min and max are kept besides the buckets.
 * Percentile estimate: rank h = (count - 1) * p / 100 (the method of stats.h); h = 0 gives min,
 * h = count - 1 gives max; otherwise the bucket holding rank h, interpolated linearly inside it
 * (Prometheus-style: lower + (upper - lower) * (h - ranks_before + 1) / bucket_count), with the
 * bucket bounds clamped to [min, max].
 * JSON: {"scheme":"log2x8-1us","count":N,"sum_ms":S,"min_ms":m,"max_ms":M,
 *        "buckets":[[index,count],...]} with only non-empty buckets, ascending index (min_ms and
 * max_ms are null when count is 0). The struct is plain (no owned memory). */
#ifndef MDL_HISTOGRAM_H
#define MDL_HISTOGRAM_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "models/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MDL_HIST_BUCKETS 273 /* bucket 0 + 8 per doubling for 34 doublings above 1 microsecond */
#define MDL_HIST_SCHEME "log2x8-1us"

typedef struct mdl_histogram {
  uint64_t buckets[MDL_HIST_BUCKETS];
  uint64_t count;
  double sum_ms;
  double min_ms; /* meaningful only when count > 0 */
  double max_ms;
} mdl_histogram;

/* Empties h. A zeroed struct is also an empty histogram. */
void mdl_histogram_init(mdl_histogram *h);

/* Bucket index for value_ms (>= 0, finite; asserted), and the upper bound of bucket i in ms
 * (HUGE_VAL for the last). */
int mdl_histogram_bucket_of(double value_ms);
double mdl_histogram_bucket_upper(int i);

/* Adds one sample. MDL_ERANGE (field "value_ms") for a negative or non-finite value (h unchanged).
 */
mdl_code mdl_histogram_add(mdl_histogram *h, double value_ms, mdl_err *err);

/* dst += src (bucket counts, count, sum, min, max). MDL_ERANGE if a count would overflow. */
mdl_code mdl_histogram_merge(mdl_histogram *dst, const mdl_histogram *src, mdl_err *err);

/* Estimated percentile p (0..100) in ms; 0 for an empty histogram. */
double mdl_histogram_percentile(const mdl_histogram *h, double p);

/* Mean in ms (sum / count); 0 for an empty histogram. */
double mdl_histogram_mean(const mdl_histogram *h);

/* JSON form described above; caller owns the result (cJSON_Delete). NULL only on out of memory. */
cJSON *mdl_histogram_to_json(const mdl_histogram *h);

/* Parses and validates the JSON form: scheme must match, indexes in range and strictly ascending,
 * counts >= 1 and summing to count, min <= max, sum >= 0. Errors name the field
 * ("buckets[3]", "count", ...). On failure *out is emptied. */
mdl_code mdl_histogram_from_json(const cJSON *json, mdl_histogram *out, mdl_err *err);

#ifdef __cplusplus
}
#endif

#endif /* MDL_HISTOGRAM_H */
