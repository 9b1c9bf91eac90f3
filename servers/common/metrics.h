/* metrics.h — a registry of counters, gauges and latency histograms, rendered as Prometheus text
 * 0.0.4 and as MetricsResponse JSON (SPEC.md).
 *
 * Workload: series are registered at start-up (per tool, per route) and updated on every request;
 * /metrics renders a few times a minute. So registration takes a mutex and returns a handle that
 * stays valid until srv_metrics_destroy; the hot path (inc / observe / set) is lock-free C11
 * atomics with relaxed ordering on that handle — no lookup by string per request.
 *
 * Names: the registry prefixes every name with its prefix ("codebase_mcp_"). Counter names must
 * end in "_total", histogram names in "_seconds" (values are observed in seconds); gauges use base
 * units ("_bytes", "_seconds") by convention. A series may carry one label pair
 * (e.g. tool="search_code"); series of one name form one family with one HELP/TYPE. */
#ifndef SRV_METRICS_H
#define SRV_METRICS_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "servers/common/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct srv_metrics srv_metrics;
typedef struct srv_counter srv_counter;
typedef struct srv_gauge srv_gauge;
typedef struct srv_histogram srv_histogram;

/* Upper bounds (seconds) of the fixed histogram buckets; +Inf is implied after the last. */
#define SRV_HIST_NBUCKETS 14
extern const double srv_hist_bounds[SRV_HIST_NBUCKETS];

/* Sampled at render time (e.g. pool size, RSS). Must be thread-safe and quick. */
typedef double (*srv_gauge_fn)(void *arg);

/* New empty registry. prefix ("codebase_mcp_") is copied; must match [a-z_][a-z0-9_]*.
 * SRV_EINVAL on a bad prefix. The caller owns *out (srv_metrics_destroy). */
srv_code srv_metrics_create(const char *prefix, srv_metrics **out, srv_err *err);

/* Frees the registry and every handle it returned. NULL is a no-op. */
void srv_metrics_destroy(srv_metrics *m);

/* Registers (or returns the existing) series `name` with an optional label pair (label_name and
 * label_value both NULL for none). help is copied (first registration wins). Returns NULL and
 * fills err (SRV_EINVAL) for a bad name / label, a name reused with another type or a different
 * label name, or a counter not ending in "_total" / a histogram not ending in "_seconds".
 * Handles are owned by the registry. */
srv_counter *srv_metrics_counter(srv_metrics *m, const char *name, const char *help,
                                 const char *label_name, const char *label_value, srv_err *err);
srv_histogram *srv_metrics_histogram(srv_metrics *m, const char *name, const char *help,
                                     const char *label_name, const char *label_value, srv_err *err);
srv_gauge *srv_metrics_gauge(srv_metrics *m, const char *name, const char *help,
                             const char *label_name, const char *label_value, srv_err *err);

/* A gauge whose value is fn(arg) at render time (no label). Same failure rules: SRV_OK, or
 * SRV_EINVAL / SRV_EINTERNAL with err filled. */
srv_code srv_metrics_gauge_fn(srv_metrics *m, const char *name, const char *help, srv_gauge_fn fn,
                              void *arg, srv_err *err);
/* A counter whose value is fn(arg) at render time (e.g. process CPU seconds). Name ends "_total". */
srv_code srv_metrics_counter_fn(srv_metrics *m, const char *name, const char *help, srv_gauge_fn fn,
                                void *arg, srv_err *err);

/* Registers the process gauges: <prefix>process_resident_memory_bytes,
 * <prefix>process_cpu_seconds_total, <prefix>uptime_seconds (since start_mono_ms, a
 * srv_mono_ms() value). Returns SRV_OK, or the failing registration's code with err filled. */
srv_code srv_metrics_add_process(srv_metrics *m, int64_t start_mono_ms, srv_err *err);

/* Hot path: lock-free, wait-free for counters; NULL handles are ignored. */
void srv_counter_inc(srv_counter *c);
void srv_counter_add(srv_counter *c, uint64_t n);
uint64_t srv_counter_value(const srv_counter *c);
void srv_gauge_set(srv_gauge *g, double v);
void srv_gauge_add(srv_gauge *g, double delta);
double srv_gauge_value(const srv_gauge *g);
/* Records one observation in seconds (negative values count as 0). */
void srv_histogram_observe(srv_histogram *h, double seconds);
/* Snapshot: count and sum (seconds) of a histogram. */
void srv_histogram_snapshot(const srv_histogram *h, uint64_t *count, double *sum);

/* Prometheus text format 0.0.4: "# HELP" and "# TYPE" per family, then its series; histograms
 * as cumulative <name>_bucket{le="..."} lines ending with le="+Inf", then _sum and _count (the
 * +Inf bucket always equals _count in one rendering). *out is malloc'd and NUL-terminated (caller
 * frees); *len excludes the NUL. SRV_EINTERNAL only on allocation failure. */
srv_code srv_metrics_render_prometheus(srv_metrics *m, char **out, size_t *len, srv_err *err);

/* MetricsResponse JSON (SPEC.md, built and validated through //models' mdl_metrics):
 * {"counters": [{name, help_text, labels?, value}], "gauges": [{name, help_text, labels?, value}],
 *  "histograms": [{name, help_text, labels?, buckets: [{bucket_le, count}], count, sum}]} with
 * full names (prefix included), cumulative ascending buckets whose last bucket_le is the string
 * "+Inf", and a label pair as labels {"tool": "search_code"}. *out is a new cJSON object the
 * caller owns. SRV_EINTERNAL on allocation failure or if //models rejects the document (a bug). */
srv_code srv_metrics_render_json(srv_metrics *m, cJSON **out, srv_err *err);

#ifdef __cplusplus
}
#endif

#endif /* SRV_METRICS_H */
