/* compare.h — the hybrid regression rule (SPEC FR-018) and its verdicts (FR-021).
 *
 * A metric regresses only if it is more than 10% worse than the baseline AND over its target.
 * Verdicts: any target violated => block; more than 10% over the baseline but within target =>
 * review (a person writes a justification); otherwise pass. The comparison covers, for every
 * operation present on either side, the metrics p50, p95 and p99 (milliseconds). Only p95 has a
 * target (SPEC states every US1 target as a p95): the record's target_threshold_ms, else the
 * baseline record's, else the SPEC figure for the operation (bench_spec_target_ms). "Over target"
 * means current >= target (the requirements say p95 < target). "More than 10% worse" is decided
 * exactly on the two-decimal values the records store: current*100 > baseline*110 in hundredths of
 * a millisecond, so +10.00% is a pass and +10.01% a review.
 * Significance: when both sides carry raw samples of the operation (the set's "samples"), "more
 * than 10% worse" also requires the difference to be significant at the samples taken: the
 * Mann-Whitney U test of the operation's raw samples (//models significance, one-sided "current
 * slower") gives p < BENCH_ALPHA = 0.05 / 4 (Bonferroni over the four operations, so an unchanged
 * build is a review in at most ~5% of runs from this test). A change over 10% that is not
 * significant is a pass, and its reason says it is noise at these sample sizes. The 95% bootstrap
 * interval of current/baseline for the row's statistic is reported beside it (it does not
 * decide: at 20 samples a p99 interval is too coarse to). With fewer than 2 raw samples on a side
 * the change is judged alone (as before samples existed).
 * Calibration: when both sides carry a calibration of an operation's samples (the set's
 * "calibration": the probe's mean time while each sample was measured; the indexing benchmark
 * stores its tree-sitter parse probe) on the same machine, the 10% rule and the test run on the
 * calibrated samples, sample * ref / probe with ref = the baseline's median probe: the figures in
 * the baseline's host speed, so a host that is 30% slower during the current run is not taken for
 * a slower build. The target is still checked on the raw current value (a target violation
 * blocks however fast the host was), and the reason shows both.
 * Machines: when both sides name their machine and the CPU model or core count differ, the 10%
 * rule is not applied (it would compare machines, not builds): targets still block, every other
 * row passes saying so, and the verdict line asks for a baseline from this machine
 * (`bazel run //benchmarks:update_baseline`).
 * Missing data never crashes and never blocks by itself: a metric only in the baseline is a
 * review ("not measured now"); a metric only in the current run is judged against its target
 * alone; no baseline file at all is a first run: targets still apply, nothing can be a review. */
#ifndef BENCH_COMPARE_H
#define BENCH_COMPARE_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>

#include "benchmarks/error.h"
#include "benchmarks/result_set.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum bench_verdict { BENCH_PASS = 0, BENCH_REVIEW = 1, BENCH_BLOCK = 2 } bench_verdict;

/* "pass" | "review" | "block" ("?" out of range). */
const char *bench_verdict_name(bench_verdict v);

/* SPEC US1 p95 target of an operation in ms: index 60000, search 500, project_switch 50,
 * entity_query 100 (0 for an unknown value). */
double bench_spec_target_ms(mdl_operation_type op);

#define BENCH_ALPHA 0.0125    /* one-sided Mann-Whitney level: 0.05 over 4 operations */
#define BENCH_CONFIDENCE 0.95 /* bootstrap interval of the ratio */
#define BENCH_RESAMPLES 1000  /* bootstrap resamplings */
#define BENCH_BOOTSTRAP_SEED 20261202u
#define BENCH_MIN_SAMPLES 2 /* raw samples a side needs before it is tested */

/* The significance of one metric's change (bench_significance fills it). */
typedef struct bench_sig {
  int tested;                   /* 1: both sides had >= BENCH_MIN_SAMPLES samples */
  size_t n_baseline, n_current; /* raw samples (0 when none were stored) */
  double p_value;               /* Mann-Whitney one-sided p (current slower); NAN untested */
  double ci_lo, ci_hi;          /* BENCH_CONFIDENCE interval of current/baseline; NAN untested */
  int significant;              /* tested && p_value < BENCH_ALPHA */
} bench_sig;

/* Tests current against baseline samples for the statistic at percentile p (50, 95, 99). Either
 * side may be NULL / short: then sig->tested = 0 and the counts say what there was. */
void bench_significance(const double *baseline, size_t nb, const double *current, size_t nc,
                        double p, bench_sig *sig);

/* The rule on one metric. has_* say which values exist; target_ms <= 0 means "no target".
 * sig (optional) is the metric's significance (NULL or untested: the change is judged alone);
 * compare_baseline == 0 skips the 10% rule (machines differ; the reason says so, with
 * machine_note). Writes a readable reason into reason[n] and the change in percent into
 * *change_percent (NAN when it cannot be computed; HUGE_VAL for a zero baseline that grew). */
bench_verdict bench_judge_sig(int has_baseline, double baseline_ms, int has_current,
                              double current_ms, double target_ms, int baseline_file_present,
                              const bench_sig *sig, int compare_baseline, const char *machine_note,
                              double *change_percent, char *reason, size_t n);

/* bench_judge_sig without samples, on the same machine. */
bench_verdict bench_judge(int has_baseline, double baseline_ms, int has_current, double current_ms,
                          double target_ms, int baseline_file_present, double *change_percent,
                          char *reason, size_t n);

/* Whether two machine objects ({cpu_model, cores, ...}) describe different machines: 1 (CPU
 * model or cores differ; note[n] says which), 0 (same), -1 (either unknown). */
int bench_machines_differ(const cJSON *baseline, const cJSON *current, char *note, size_t n);

typedef struct bench_row {
  char metric[48]; /* "search.p95" */
  mdl_operation_type op;
  char statistic[8]; /* "p50" | "p95" | "p99" */
  char server[16];   /* "codebase-mcp" | "workflow-mcp" */
  int has_baseline, has_current;
  double baseline_ms, current_ms; /* meaningful when has_* */
  double change_percent;          /* NAN when not computable */
  double target_ms;               /* 0: no target */
  bench_sig sig;                  /* significance of the change (sig.tested == 0: none) */
  int calibrated;                 /* 1: the 10% rule and the test ran on calibrated samples */
  double baseline_cal_ms, current_cal_ms;     /* the statistic of the calibrated samples */
  double probe_baseline_ms, probe_current_ms; /* each side's median calibration probe */
  bench_verdict verdict;
  char reason[512];
} bench_row;

typedef struct bench_comparison {
  bench_row rows[MDL_OP_COUNT * 3];
  size_t n;
  bench_verdict verdict; /* worst row verdict; pass when there are no rows */
  int baseline_present;
  size_t counts[3];    /* rows per verdict */
  int machines_differ; /* bench_machines_differ of the two sides (1: the 10% rule was skipped) */
  char machine_note[256];
  char summary[768];
} bench_comparison;

/* Compares current with baseline (baseline->present == 0: first run). Never fails on missing
 * data; asserts its pointers. */
void bench_compare(const bench_set *baseline, const bench_set *current, bench_comparison *out);

/* Likely causes / recommendations for a row that did not pass (static strings). */
const char *bench_likely_causes(mdl_operation_type op);
const char *bench_recommendations(mdl_operation_type op, bench_verdict v);

/* The comparison JSON: {verdict, rule, summary, baseline:{present, source, commit, measured_at,
 * machine}, current:{...}, machines:{differ, note}, significance:{test, alpha, confidence,
 * resamples}, metrics:[{metric, operation_type, statistic, server_id, baseline_ms, current_ms,
 * change_percent, target_ms, baseline_samples, current_samples, p_value, ratio_ci:{lo, hi}|null,
 * significant, calibrated:{baseline_ms, current_ms, probe_baseline_ms, probe_current_ms}|null,
 * verdict, reason, likely_causes?, recommendations?}]}.
 * Caller owns it. NULL only on out of memory. */
cJSON *bench_comparison_to_json(const bench_comparison *c, const bench_set *baseline,
                                const bench_set *current);

/* The markdown report (metrics table, then causes and recommendations for every row that did
 * not pass, with a justification slot for reviews) written to f. BENCH_EIO on a write error. */
int bench_comparison_write_markdown(const bench_comparison *c, const bench_set *baseline,
                                    const bench_set *current, FILE *f, bench_err *err);

/* Writes comparison.json and comparison.md into dir (created if missing). */
int bench_comparison_write_files(const bench_comparison *c, const bench_set *baseline,
                                 const bench_set *current, const char *dir, bench_err *err);

#ifdef __cplusplus
}
#endif

#endif /* BENCH_COMPARE_H */
