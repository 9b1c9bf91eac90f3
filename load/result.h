/* result.h — what one load run measured, in constant memory, and its JSON form.
 *
 * Latencies go into mergeable histograms (//models histogram.h, 273 fixed buckets), never into a
 * list of samples: a run's memory depends on the number of timeline intervals (one histogram of
 * ~2.2 KB each), not on the number of requests. Percentiles are histogram-derived: the rank
 * method of models/stats.h applied to the histogram (within ~9% of the sample value; exact min,
 * max and mean). Every figure is a sum or a histogram, so the results of several shards merge
 * exactly (ld_result_merge): counts add, histograms add bucket by bucket, resource sums add.
 *
 * JSON (ld_result_to_json): a LoadTestResult (models/load_result.h; validated before it is
 * written) whose extra key "loadgen" holds the detail:
 *   {"version":1, "mode":"closed"|"open", "rate_per_s", "think_ms", "think_range_ms":[min,max],
 *    "timeout_ms",
 *    "shard":{"index","count"}, "interval_s", "peak_vus", "max_vus", "iterations",
 * "dropped_iterations", "aborted", "thresholds":[{"expr","value","ok","abort_on_fail"}],
 *    "histogram":{...}, "percentiles":{"p50","p90","p95","p99"} (ms, histogram-derived),
 *    "errors_by_type":{type: count}, "error_latency":{type: histogram} (types with errors only),
 * "requests":[{"name","count","errors","histogram","p95_ms",...}],
 *    "resources":{"samples","cpu_sum","cpu_max","rss_sum","rss_max","pool_samples","pool_sum","pool_max"},
 *    "timeline":[{"t","requests","errors","iterations","dropped","vus","cpu","rss_mb","pool",
 *                 "p50","p95","histogram"}],
 *    "calibration":{"unit_iterations","probes_ms":[...]} (optional on input)}
 * The host's speed: the control thread times one unit of the fixed workload of
 * models/calibration.h once a second (never a request worker), and the LoadTestResult's
 * host_calibration {probes, median_ms, cv_percent} is derived from those probes. They are the one
 * list that grows with the run: 8 bytes a second (29 KB for an hour).
 * ld_result_from_json reads that form back (for merge and the report). */
#ifndef LD_RESULT_H
#define LD_RESULT_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "load/error.h"
#include "models/histogram.h"
#include "models/load_result.h"
#include "models/server_id.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ld_error_type {
  LD_ERR_TIMEOUT, /* the per-request timeout passed */
  LD_ERR_REFUSED, /* connection refused */
  LD_ERR_HTTP503, /* 503 Service Unavailable (pool exhausted past the deadline, ...) */
  LD_ERR_HTTP5XX, /* any other 5xx */
  LD_ERR_HTTP4XX, /* 4xx */
  LD_ERR_MISSING, /* a 2xx answer without a value the scenario extracts */
  LD_ERR_OTHER,   /* any other transport error */
  LD_ERR_N
} ld_error_type;

const char *ld_error_type_name(int t); /* "timeout", "connection_refused", "http_503", ... */

typedef struct ld_request_stats {
  char name[64];
  uint64_t count, errors;
  mdl_histogram lat; /* successful and failed requests alike (time to the answer) */
} ld_request_stats;

typedef struct ld_point {
  double t_s; /* start of the interval, seconds from the start of the run */
  uint64_t requests, errors, iterations, dropped;
  int vus;                              /* VUs busy or active at the last look in the interval */
  double cpu_percent, rss_mb, pool_pct; /* last sample in the interval; -1: none */
  mdl_histogram lat;
} ld_point;

typedef struct ld_resources {
  uint64_t samples; /* CPU / RSS samples (one a second) */
  double cpu_sum, cpu_max, rss_sum, rss_max;
  uint64_t pool_samples;
  double pool_sum, pool_max;
} ld_resources;

#define LD_MAX_THRESHOLDS 8

typedef struct ld_threshold {
  char expr[64]; /* as given: "p95<2000" */
  int metric;    /* internal: see threshold.c */
  double pct;    /* for percentile metrics */
  int op;        /* '<' or '>' (with '=' variants: 'l', 'g') */
  double limit;
  int abort_on_fail;
} ld_threshold;

typedef struct ld_threshold_result {
  ld_threshold th;
  double value;
  int ok;
} ld_threshold_result;

typedef struct ld_result {
  char scenario[64];
  mdl_server_id server;
  int open_model; /* 0 closed (VUs), 1 open (arrival rate) */
  double rate_per_s, think_ms;
  double think_min_ms, think_max_ms; /* the range think times were drawn from */
  long timeout_ms;
  int shard_index, shard_count;
  char timestamp[32];    /* start, ISO 8601 UTC (MDL_TIME_LEN) */
  double duration_s;     /* wall time of the run */
  int peak_vus, max_vus; /* most VUs active at once; VUs allocated */
  uint64_t requests, errors, iterations, dropped;
  uint64_t errors_by_type[LD_ERR_N];
  mdl_histogram err_lat[LD_ERR_N]; /* latency of the failed requests, by error type */
  mdl_histogram lat;
  ld_request_stats *req; /* owned */
  int nreq;
  ld_point *points; /* owned */
  size_t npoints;
  double interval_s;
  ld_resources res;
  ld_threshold_result thresholds[LD_MAX_THRESHOLDS];
  int nthresholds;
  int aborted;                   /* 1: stopped early by an abortOnFail threshold */
  double load1_start, load1_end; /* machine 1-minute load average at start and end; -1 unknown */
  double *calib_ms;              /* owned: CPU ms of each calibration probe (one unit) */
  size_t ncalib, calib_cap;
} ld_result;

/* LoadTestResult + "loadgen" detail; validated with mdl_load_result_validate first (LD_EINVAL
 * with the model's message if a rule fails). Caller owns *out. */
int ld_result_to_json(const ld_result *r, cJSON **out, ld_err *err);

/* Writes the JSON to path ("-": stdout). LD_EIO. */
int ld_result_write(const ld_result *r, const char *path, ld_err *err);

/* Reads what ld_result_to_json wrote. LD_EINVAL naming the field when it is not such a file. */
int ld_result_from_json(const cJSON *j, ld_result *out, ld_err *err);
int ld_result_read(const char *path, ld_result *out, ld_err *err);

/* dst += src: shards of one run (same scenario, interval and shard count, distinct indexes).
 * Timeline points are matched by index. LD_EINVAL when they do not belong together. */
int ld_result_merge(ld_result *dst, const ld_result *src, ld_err *err);

/* Error rate (errors / requests, 0 when no request) and requests per second. */
double ld_result_error_rate(const ld_result *r);
double ld_result_rps(const ld_result *r);

/* Appends one calibration probe time (ms). LD_ENOMEM. */
int ld_result_add_calib(ld_result *r, double ms, ld_err *err);

/* The host's speed during the run from r's probes (models/load_result.h: probes, median_ms,
 * cv_percent); probes == 0 when none were taken. LD_EINVAL / LD_ENOMEM. */
int ld_result_host_calibration(const ld_result *r, mdl_host_calibration *out, ld_err *err);

/* Evaluates r->thresholds[i].th against r and sets value/ok. Returns the number failed. */
int ld_result_check_thresholds(ld_result *r);

/* Parses "p95<2000", "p(99)<=500", "avg<100", "max<5000", "error_rate<0.01", "rps>100",
 * optionally followed by ",abortOnFail". LD_EINVAL with a message listing the accepted forms. */
int ld_threshold_parse(const char *text, ld_threshold *out, ld_err *err);

/* Frees owned memory and zeroes *r. */
void ld_result_free(ld_result *r);

#ifdef __cplusplus
}
#endif

#endif /* LD_RESULT_H */
