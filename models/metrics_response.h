/* metrics_response.h — MetricsResponse with MetricCounter, MetricGauge and MetricHistogram
 * (LatencyHistogram): the JSON form of GET /metrics (US5).
 *
 * JSON (keys in this order when serialised):
 *   {"counters":   [{name, help_text, labels?, value}],
 *    "gauges":     [{name, help_text, labels?, value}],          (optional on input, default [])
 *    "histograms": [{name, help_text, labels?, buckets: [{bucket_le, count}], count, sum}]}
 * name: a Prometheus metric name [a-zA-Z_:][a-zA-Z0-9_:]*, at most 255 bytes; help_text: string
 * (may be empty); labels: object of string -> string (optional; written only when non-empty; label
 * names follow [a-zA-Z_][a-zA-Z0-9_]*). A (name, labels) pair is unique within its list.
 * Counter value: number >= 0. Gauge value: any finite number.
 * Histogram rules: at least one bucket; bucket_le strictly ascending, a number, or the string
 * "+Inf" which is allowed only as the last bucket; bucket counts (cumulative, integers >= 0)
 *   non-decreasing; the last bucket's count == count; sum >= 0.
 * Unknown keys are ignored. Ownership: every array and string is owned by the response;
 * mdl_metrics_free releases it all. +Inf is stored as INFINITY in bucket_le. */
#ifndef MDL_METRICS_RESPONSE_H
#define MDL_METRICS_RESPONSE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/error.h"
#include "models/maps.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MDL_METRIC_NAME_MAX 255 /* bytes */

typedef struct mdl_metric_counter {
  char *name;        /* owned */
  char *help_text;   /* owned; NULL prints as "" */
  mdl_strmap labels; /* owned; may be empty */
  double value;      /* >= 0 */
} mdl_metric_counter;

typedef mdl_metric_counter mdl_metric_gauge; /* same shape; value may be negative */

typedef struct mdl_histogram_bucket {
  double bucket_le; /* upper bound; INFINITY for "+Inf" */
  int64_t count;    /* cumulative: samples <= bucket_le */
} mdl_histogram_bucket;

typedef struct mdl_metric_histogram {
  char *name;      /* owned */
  char *help_text; /* owned; NULL prints as "" */
  mdl_strmap labels;
  mdl_histogram_bucket *buckets; /* owned array */
  size_t bucket_count;           /* >= 1 */
  int64_t count;                 /* == last bucket's count */
  double sum;                    /* >= 0 */
} mdl_metric_histogram;

typedef mdl_metric_histogram
    mdl_latency_histogram; /* the latency histograms are MetricHistograms */

typedef struct mdl_metrics {
  mdl_metric_counter *counters; /* owned array */
  size_t counter_count;
  mdl_metric_gauge *gauges; /* owned array */
  size_t gauge_count;
  mdl_metric_histogram *histograms; /* owned array */
  size_t histogram_count;
} mdl_metrics;

/* True if name is a valid Prometheus metric name (see above). */
bool mdl_metric_name_valid(const char *name);

/* Parses and validates. On failure: code, err (field + rule, e.g.
 * "histograms[0].buckets[2].count"), *out zeroed. On success the caller owns *out
 * (mdl_metrics_free). */
mdl_code mdl_metrics_from_json(const cJSON *json, mdl_metrics *out, mdl_err *err);

/* Checks every rule above. */
mdl_code mdl_metrics_validate(const mdl_metrics *m, mdl_err *err);

/* Serialises m (does not validate). Caller owns the result; NULL only on out of memory. */
cJSON *mdl_metrics_to_json(const mdl_metrics *m);

/* Builders for servers: append a copy (name, help, labels copied; buckets copied).
 * MDL_ENOMEM on allocation failure (m unchanged). labels may be NULL. */
mdl_code mdl_metrics_add_counter(mdl_metrics *m, const char *name, const char *help_text,
                                 const mdl_strmap *labels, double value, mdl_err *err);
mdl_code mdl_metrics_add_gauge(mdl_metrics *m, const char *name, const char *help_text,
                               const mdl_strmap *labels, double value, mdl_err *err);
mdl_code mdl_metrics_add_histogram(mdl_metrics *m, const char *name, const char *help_text,
                                   const mdl_strmap *labels, const mdl_histogram_bucket *buckets,
                                   size_t bucket_count, int64_t count, double sum, mdl_err *err);

/* Frees everything m owns and zeroes it. Safe on a zeroed struct; m may be NULL. */
void mdl_metrics_free(mdl_metrics *m);

#ifdef __cplusplus
}
#endif

#endif /* MDL_METRICS_RESPONSE_H */
