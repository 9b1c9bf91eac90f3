/* engine.h — the load generator's C API: run a scenario against a target, closed or open model.
 *
 * Closed model (k6 "ramping-vus"): stages {duration, target VUs}; the number of active VUs moves
 * linearly from the previous target (0 at the start) to each stage's target. An active VU runs
 * iterations (one flow of the scenario, picked by weight) and sleeps a think time between them,
 * uniform in [think, think*(1+jitter)] (never below think). A VU above the target finishes its
 * iteration, then stops. Open model (k6 "constant-arrival-rate"): iterations start at rate_per_s
 * for duration_s, each on an idle VU of a pool of max_vus; an arrival that finds no idle VU is
 * counted as dropped. No think time in the open model.
 *
 * Threads: `threads` event loops, each a libcurl multi handle serving its share of the VUs; each
 * VU owns one easy handle, so its connection stays open between requests (keep-alive). POST
 * bodies carry Content-Type: application/json; the Host header is libcurl's (from the URL).
 * Sharding: shard i of n runs the VUs whose number is i modulo n and the arrivals whose number is
 * i modulo n, so n shards together make exactly the load of one unsharded run.
 * Once a second the calling thread samples the processes in pids (CPU % of the whole machine,
 * summed over the processes, and RSS MB from /proc/<pid>) and GET <health_url> (connection_pool.
 * utilization_percent), prints the progress line when progress is set, and stops the run when an
 * abortOnFail threshold fails. Not reentrant per config; several runs may proceed at once. */
#ifndef LD_ENGINE_H
#define LD_ENGINE_H

#include <stdio.h>
#include <sys/types.h>

#include "load/error.h"
#include "load/result.h"
#include "load/scenario.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LD_MAX_STAGES 32
#define LD_MAX_PIDS 8

typedef struct ld_stage {
  double duration_s; /* >= 0 */
  int target;        /* VUs, >= 0 */
} ld_stage;

typedef struct ld_config {
  const char *base_url;        /* "http://127.0.0.1:8020"; required */
  const ld_scenario *scenario; /* required */
  mdl_server_id server;        /* for the LoadTestResult */
  ld_stage stages[LD_MAX_STAGES];
  int nstages;                  /* closed model: >= 1 */
  double rate_per_s;            /* > 0: open model */
  double duration_s;            /* open model: how long */
  int max_vus;                  /* open model: VU pool (0: 100) */
  double think_ms;              /* closed model; default set by ld_config_defaults: 1000 */
  double think_jitter;          /* 0..1, added on top of think_ms; default 0.5 */
  long timeout_ms;              /* per request; default 30000 */
  int threads;                  /* event loops; 0: number of cores, at most 4 */
  int shard_index, shard_count; /* 0 / 1 */
  pid_t pids[LD_MAX_PIDS];      /* target processes to sample; may be empty */
  int npids;
  const char *health_url; /* NULL: base_url + "/health"; "" : no pool sampling */
  double interval_s;      /* timeline resolution; 0: 1 s */
  ld_threshold thresholds[LD_MAX_THRESHOLDS];
  int nthresholds;
  FILE *progress;          /* live line target (a terminal); NULL: none */
  unsigned long long seed; /* 0: from the clock */
  volatile int *stop;      /* optional: set to 1 to end the run early (e.g. SIGINT) */
} ld_config;

/* Fills the defaults above (think 1000 ms, jitter 0.5, timeout 30 s, shard 0/1, interval 1 s). */
void ld_config_defaults(ld_config *c);

/* Parses a k6-style stage "30s:50", "5m:50", "1h30m:0", "90:10" (seconds). LD_EINVAL naming the
 * text and the expected form. */
int ld_stage_parse(const char *text, ld_stage *out, ld_err *err);

/* Parses a duration "30s", "5m", "1h", "1m30s", "250ms", or plain seconds. LD_EINVAL. */
int ld_duration_parse(const char *text, double *seconds, ld_err *err);

/* Checks that the target answers at all (GET base_url + "/health", 3 s). LD_EUNREACH with the
 * URL, curl's reason and what to check. Any HTTP status counts as reachable. */
int ld_probe(const char *base_url, ld_err *err);

/* Runs the load and fills *out (caller frees with ld_result_free), including the threshold
 * results. LD_EINVAL for a bad config; LD_ENOMEM; LD_EINTERNAL if libcurl cannot start. A failed
 * threshold is not an error here: see out->thresholds (ld_result_check_thresholds). */
int ld_run(const ld_config *cfg, ld_result *out, ld_err *err);

#ifdef __cplusplus
}
#endif

#endif /* LD_ENGINE_H */
