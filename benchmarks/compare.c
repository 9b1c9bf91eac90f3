/* compare.c — the hybrid regression rule, the comparison of two result sets, and its JSON and
 * markdown forms (compare.h). Pure computation plus file output; no servers involved. */
#include "benchmarks/compare.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "models/significance.h"
#include "models/stats.h"

const char *bench_verdict_name(bench_verdict v) {
  switch (v) {
    case BENCH_PASS:
      return "pass";
    case BENCH_REVIEW:
      return "review";
    case BENCH_BLOCK:
      return "block";
  }
  return "?";
}

double bench_spec_target_ms(mdl_operation_type op) {
  switch (op) {
    case MDL_OP_INDEX:
      return 60000.0;
    case MDL_OP_SEARCH:
    case MDL_OP_SEARCH_LOWVOCAB: /* the same requirement (SC-002) on the broad-match corpus */
      return 500.0;
    case MDL_OP_PROJECT_SWITCH:
      return 50.0;
    case MDL_OP_ENTITY_QUERY:
      return 100.0;
    default:
      return 0.0;
  }
}

/* Hundredths of a millisecond: the precision records store, so the 10% test is exact. */
static long long centi(double ms) {
  return llround(ms * 100.0);
}

void bench_significance(const double *baseline, size_t nb, const double *current, size_t nc,
                        double p, bench_sig *sig) {
  assert(sig != NULL);
  memset(sig, 0, sizeof *sig);
  sig->n_baseline = baseline != NULL ? nb : 0;
  sig->n_current = current != NULL ? nc : 0;
  sig->p_value = sig->ci_lo = sig->ci_hi = NAN;
  if (sig->n_baseline < BENCH_MIN_SAMPLES || sig->n_current < BENCH_MIN_SAMPLES) return;
  mdl_mwu_result u;
  mdl_ratio_ci ci;
  if (mdl_mwu_test(baseline, nb, current, nc, &u, NULL) != MDL_OK ||
      mdl_bootstrap_ratio_ci(baseline, nb, current, nc, p, BENCH_CONFIDENCE, BENCH_RESAMPLES,
                             BENCH_BOOTSTRAP_SEED, &ci, NULL) != MDL_OK)
    return; /* a non-finite sample: judged on the change alone */
  sig->tested = 1;
  sig->p_value = u.p_greater;
  sig->ci_lo = ci.lo;
  sig->ci_hi = ci.hi;
  sig->significant = u.p_greater < BENCH_ALPHA;
}

/* "Mann-Whitney p = 0.018, 95% interval of the ratio 1.12-1.31, 3 vs 5 samples" */
static void describe_sig(const bench_sig *sig, char *b, size_t n) {
  if (sig == NULL || !sig->tested) {
    snprintf(b, n, "no raw samples on both sides to test significance (%zu vs %zu)",
             sig != NULL ? sig->n_baseline : 0, sig != NULL ? sig->n_current : 0);
    return;
  }
  snprintf(b, n,
           "Mann-Whitney p = %.3g, %.0f%% interval of the ratio %.2f-%.2f, %zu vs %zu samples",
           sig->p_value, BENCH_CONFIDENCE * 100, sig->ci_lo, sig->ci_hi, sig->n_baseline,
           sig->n_current);
}

bench_verdict bench_judge(int has_baseline, double baseline_ms, int has_current, double current_ms,
                          double target_ms, int baseline_file_present, double *change_percent,
                          char *reason, size_t n) {
  return bench_judge_sig(has_baseline, baseline_ms, has_current, current_ms, target_ms,
                         baseline_file_present, NULL, 1, NULL, change_percent, reason, n);
}

bench_verdict bench_judge_sig(int has_baseline, double baseline_ms, int has_current,
                              double current_ms, double target_ms, int baseline_file_present,
                              const bench_sig *sig, int compare_baseline, const char *machine_note,
                              double *change_percent, char *reason, size_t n) {
  assert(change_percent != NULL && reason != NULL && n > 0);
  char sigtext[192];
  describe_sig(sig, sigtext, sizeof sigtext);
  *change_percent = NAN;
  if (!has_current) {
    if (!has_baseline) {
      snprintf(reason, n, "no value on either side; nothing to compare");
      return BENCH_PASS;
    }
    snprintf(reason, n,
             "not measured in the current run (baseline %.2f ms): find out why the run did not "
             "produce it, or remove it from the baseline deliberately",
             baseline_ms);
    return BENCH_REVIEW;
  }
  int has_target = target_ms > 0.0;
  int over = has_target && current_ms >= target_ms;
  if (has_baseline) {
    if (baseline_ms > 0.0)
      *change_percent = (current_ms - baseline_ms) / baseline_ms * 100.0;
    else
      *change_percent = current_ms > 0.0 ? HUGE_VAL : 0.0;
  }
  int degraded = has_baseline && centi(current_ms) * 10 > centi(baseline_ms) * 11;
  if (over) {
    if (degraded && compare_baseline)
      snprintf(reason, n,
               "%.2f ms violates the target (< %.2f ms) and is %+.1f%% against the baseline "
               "%.2f ms (%s): a regression",
               current_ms, target_ms, *change_percent, baseline_ms, sigtext);
    else if (has_baseline)
      snprintf(
          reason, n,
          "%.2f ms violates the target (< %.2f ms); the baseline %.2f ms (change %+.1f%%) does "
          "not excuse it: any target violation blocks",
          current_ms, target_ms, baseline_ms, *change_percent);
    else
      snprintf(reason, n, "%.2f ms violates the target (< %.2f ms); no baseline value to compare",
               current_ms, target_ms);
    return BENCH_BLOCK;
  }
  char tgt[96];
  if (has_target)
    snprintf(tgt, sizeof tgt, "within the target (< %.2f ms)", target_ms);
  else
    snprintf(tgt, sizeof tgt, "no target for this statistic");
  if (!has_baseline) {
    snprintf(reason, n, "%s: %.2f ms, %s",
             baseline_file_present ? "new metric, not in the baseline"
                                   : "no baseline yet (first run), nothing to compare against",
             current_ms, tgt);
    return BENCH_PASS;
  }
  if (!compare_baseline) {
    snprintf(reason, n,
             "%+.1f%% against a baseline from another machine (%s): not judged, it would compare "
             "machines, not builds; %.2f ms, %s",
             *change_percent, machine_note != NULL ? machine_note : "machines differ", current_ms,
             tgt);
    return BENCH_PASS;
  }
  if (degraded && (sig == NULL || !sig->tested)) {
    snprintf(reason, n,
             "%+.1f%% against the baseline (%.2f -> %.2f ms), more than the 10%% allowed (%s: "
             "judged on the change alone), %s: needs a written justification",
             *change_percent, baseline_ms, current_ms, sigtext, tgt);
    return BENCH_REVIEW;
  }
  if (degraded && sig->significant) {
    snprintf(reason, n,
             "%+.1f%% against the baseline (%.2f -> %.2f ms), more than the 10%% allowed and "
             "significant (%s), %s: needs a written justification",
             *change_percent, baseline_ms, current_ms, sigtext, tgt);
    return BENCH_REVIEW;
  }
  if (degraded) {
    snprintf(reason, n,
             "%+.1f%% against the baseline (%.2f -> %.2f ms) but not significant at the samples "
             "taken (%s; needs p < %.4g): noise at these sample sizes, %s",
             *change_percent, baseline_ms, current_ms, sigtext, BENCH_ALPHA, tgt);
    return BENCH_PASS;
  }
  snprintf(reason, n, "%+.1f%% against the baseline (%.2f -> %.2f ms), %s; %s%s%s%s",
           *change_percent, baseline_ms, current_ms,
           *change_percent <= 0 ? "no slower than the baseline" : "not more than 10% worse", tgt,
           sig != NULL && sig->tested ? " (" : "", sig != NULL && sig->tested ? sigtext : "",
           sig != NULL && sig->tested ? ")" : "");
  return BENCH_PASS;
}

int bench_machines_differ(const cJSON *baseline, const cJSON *current, char *note, size_t n) {
  assert(note != NULL && n > 0);
  note[0] = '\0';
  const cJSON *bc =
      baseline != NULL ? cJSON_GetObjectItemCaseSensitive(baseline, "cpu_model") : NULL;
  const cJSON *cc = current != NULL ? cJSON_GetObjectItemCaseSensitive(current, "cpu_model") : NULL;
  const cJSON *bn = baseline != NULL ? cJSON_GetObjectItemCaseSensitive(baseline, "cores") : NULL;
  const cJSON *cn = current != NULL ? cJSON_GetObjectItemCaseSensitive(current, "cores") : NULL;
  if (!cJSON_IsString(bc) || !cJSON_IsString(cc) || !cJSON_IsNumber(bn) || !cJSON_IsNumber(cn)) {
    snprintf(note, n, "machine of %s unknown", !cJSON_IsString(bc) ? "the baseline" : "this run");
    return -1;
  }
  int cpu = strcmp(bc->valuestring, cc->valuestring) != 0;
  int cores = bn->valueint != cn->valueint;
  if (!cpu && !cores) {
    snprintf(note, n, "same machine class: %s, %d cores", cc->valuestring, cn->valueint);
    return 0;
  }
  snprintf(note, n, "baseline on %s with %d cores, this run on %s with %d cores", bc->valuestring,
           bn->valueint, cc->valuestring, cn->valueint);
  return 1;
}

/* The samples of op in s as a new array (caller frees), *n their count; NULL when none. */
/* The calibrated copy of samples x (n of them) taken while the probe's times were probe[i]:
 * x[i] * ref / probe[i]. NULL when the calibration does not pair with the samples (count differs,
 * a probe is not > 0) or memory runs out: the row is then judged on the raw samples. */
static double *calibrate(const double *x, size_t n, const double *probe, size_t np, double ref) {
  if (x == NULL || probe == NULL || n == 0 || np != n || !(ref > 0)) return NULL;
  double *y = malloc(n * sizeof *y);
  if (y == NULL) return NULL;
  for (size_t i = 0; i < n; i++) {
    if (!(probe[i] > 0)) {
      free(y);
      return NULL;
    }
    y[i] = x[i] * ref / probe[i];
  }
  return y;
}

/* Percentile p (0..100) of n unsorted values (sorted in place). */
static double percentile_of(double *v, size_t n, double p) {
  mdl_stats_sort(v, n);
  return mdl_stats_percentile_sorted(v, n, p);
}

static double median_of(const double *v, size_t n) {
  double *c = malloc(n * sizeof *c);
  if (c == NULL) return NAN;
  memcpy(c, v, n * sizeof *c);
  double m = percentile_of(c, n, 50.0);
  free(c);
  return m;
}

static double stat_of(const mdl_benchmark_result *r, int k) {
  return k == 0 ? r->latency_p50_ms : k == 1 ? r->latency_p95_ms : r->latency_p99_ms;
}

void bench_compare(const bench_set *baseline, const bench_set *current, bench_comparison *out) {
  static const char *const stats[3] = {"p50", "p95", "p99"};
  assert(baseline != NULL && current != NULL && out != NULL);
  static const double pct[3] = {50.0, 95.0, 99.0};
  memset(out, 0, sizeof *out);
  out->baseline_present = baseline->present;
  out->machines_differ = baseline->present
                             ? bench_machines_differ(baseline->machine, current->machine,
                                                     out->machine_note, sizeof out->machine_note)
                             : -1;
  if (!baseline->present) snprintf(out->machine_note, sizeof out->machine_note, "no baseline");
  for (int op = 0; op < MDL_OP_COUNT; op++) {
    int hb = baseline->has[op], hc = current->has[op];
    if (!hb && !hc) continue;
    size_t nbs = 0, ncs = 0, nbp = 0, ncp = 0;
    double *bs =
        hb ? bench_numbers(bench_set_samples(baseline, (mdl_operation_type)op), &nbs, NULL) : NULL;
    double *cs =
        hc ? bench_numbers(bench_set_samples(current, (mdl_operation_type)op), &ncs, NULL) : NULL;
    double *bp =
        hb ? bench_numbers(bench_set_calibration(baseline, (mdl_operation_type)op), &nbp, NULL)
           : NULL;
    double *cp =
        hc ? bench_numbers(bench_set_calibration(current, (mdl_operation_type)op), &ncp, NULL)
           : NULL;
    /* Calibrated copies (both or neither), on the same machine only. */
    double ref = bp != NULL && nbp == nbs && nbs > 0 ? median_of(bp, nbp) : NAN;
    double *bcal = NULL, *ccal = NULL, *tmp = NULL;
    if (out->machines_differ == 0 && bp != NULL && cp != NULL &&
        (bcal = calibrate(bs, nbs, bp, nbp, ref)) != NULL &&
        (ccal = calibrate(cs, ncs, cp, ncp, ref)) != NULL)
      tmp = malloc((nbs > ncs ? nbs : ncs) * sizeof *tmp);
    if (tmp == NULL) {
      free(bcal);
      free(ccal);
      bcal = ccal = NULL;
    }
    double cref = bcal != NULL ? median_of(cp, ncp) : NAN; /* the current run's median probe */
    const mdl_benchmark_result *b = hb ? &baseline->results[op] : NULL;
    const mdl_benchmark_result *c = hc ? &current->results[op] : NULL;
    for (int k = 0; k < 3; k++) {
      bench_row *row = &out->rows[out->n++];
      row->op = (mdl_operation_type)op;
      snprintf(row->statistic, sizeof row->statistic, "%s", stats[k]);
      snprintf(row->metric, sizeof row->metric, "%s.%s", mdl_operation_type_name(row->op),
               stats[k]);
      snprintf(row->server, sizeof row->server, "%s",
               mdl_server_id_name(c != NULL ? c->server_id : b->server_id));
      row->has_baseline = hb;
      row->has_current = hc;
      row->baseline_ms = hb ? stat_of(b, k) : 0.0;
      row->current_ms = hc ? stat_of(c, k) : 0.0;
      if (k == 1) {
        if (c != NULL && c->has_target_threshold)
          row->target_ms = c->target_threshold_ms;
        else if (b != NULL && b->has_target_threshold)
          row->target_ms = b->target_threshold_ms;
        else
          row->target_ms = bench_spec_target_ms(row->op);
      }
      int over = row->target_ms > 0 && hc && row->current_ms >= row->target_ms;
      if (bcal != NULL && !over) {
        /* Judged in the baseline's host speed; the raw current value is under its target. */
        row->calibrated = 1;
        row->probe_baseline_ms = ref;
        row->probe_current_ms = cref;
        memcpy(tmp, bcal, nbs * sizeof *tmp);
        row->baseline_cal_ms = mdl_round2(percentile_of(tmp, nbs, pct[k]));
        memcpy(tmp, ccal, ncs * sizeof *tmp);
        row->current_cal_ms = mdl_round2(percentile_of(tmp, ncs, pct[k]));
        bench_significance(bcal, nbs, ccal, ncs, pct[k], &row->sig);
        char why[384];
        row->verdict = bench_judge_sig(hb, row->baseline_cal_ms, hc, row->current_cal_ms,
                                       row->target_ms, baseline->present, &row->sig, 1,
                                       out->machine_note, &row->change_percent, why, sizeof why);
        snprintf(row->reason, sizeof row->reason,
                 "in the baseline's host speed (calibration probe %.3f ms then, %.3f ms now; raw "
                 "%.2f -> %.2f ms): %s",
                 row->probe_baseline_ms, row->probe_current_ms, row->baseline_ms, row->current_ms,
                 why);
      } else {
        bench_significance(bs, nbs, cs, ncs, pct[k], &row->sig);
        row->verdict = bench_judge_sig(hb, row->baseline_ms, hc, row->current_ms, row->target_ms,
                                       baseline->present, &row->sig, out->machines_differ != 1,
                                       out->machine_note, &row->change_percent, row->reason,
                                       sizeof row->reason);
      }
      out->counts[row->verdict]++;
      if (row->verdict > out->verdict) out->verdict = row->verdict;
    }
    free(bs);
    free(cs);
    free(bp);
    free(cp);
    free(bcal);
    free(ccal);
    free(tmp);
  }
  snprintf(out->summary, sizeof out->summary,
           "%s: %zu metric(s) compared, %zu pass, %zu review, %zu block%s",
           bench_verdict_name(out->verdict), out->n, out->counts[BENCH_PASS],
           out->counts[BENCH_REVIEW], out->counts[BENCH_BLOCK],
           !baseline->present
               ? "; no baseline file yet (first run): only targets were checked, commit a "
                 "baseline with `bazel run //benchmarks:update_baseline`"
           : out->machines_differ == 1
               ? "; DIFFERENT MACHINES, the baseline comparison was not made (only targets were "
                 "checked): record a baseline on this machine with `bazel run "
                 "//benchmarks:update_baseline`"
               : "");
  if (out->machines_differ == 1) {
    size_t len = strlen(out->summary);
    snprintf(out->summary + len, sizeof out->summary - len, " (%s)", out->machine_note);
  }
}

const char *bench_likely_causes(mdl_operation_type op) {
  switch (op) {
    case MDL_OP_INDEX:
      return "slower parsing or chunking (tree-sitter grammar or chunk rules changed); smaller "
             "COPY batches or more transactions per batch; fewer worker threads or a pool too "
             "small "
             "for them; new or heavier indexes on the chunk table (GIN/trigram maintenance); a "
             "noisy machine (other builds on the same cores)";
    case MDL_OP_SEARCH:
      return "the query no longer uses the GIN index (check EXPLAIN: a sequential scan or a "
             "trigram filter on the whole table); heavier ranking or snippet building; larger "
             "result "
             "rows; pool contention with 10 concurrent clients (pool max, connection waits); "
             "more chunks per file after a chunking change";
    case MDL_OP_SEARCH_LOWVOCAB:
      return "more rows ranked per query: each of these queries matches >= 100k chunks, and a "
             "design that ranks every match grows with their number (a ranking that no longer "
             "stops early, a lost symbol-name tier, a heavier per-row score); more chunks per "
             "file in the corpus; pool contention with 10 concurrent clients";
    case MDL_OP_PROJECT_SWITCH:
      return "extra round trips per switch (schema checks, cache invalidation, a new connection "
             "per switch instead of a pooled one); lock contention on the active-project row; "
             "logging or metrics work on the request path";
    case MDL_OP_ENTITY_QUERY:
      return "the JSONB filter no longer uses an index (a containment operator changed to a "
             "path/text comparison, a missing GIN index on data or tags); a project filter dropped "
             "from the query; larger entity documents returned; pool contention";
    default:
      return "unknown operation";
  }
}

const char *bench_recommendations(mdl_operation_type op, bench_verdict v) {
  if (v == BENCH_REVIEW)
    return "re-run `bazel test //benchmarks:all` on a quiet machine to rule out noise; if the "
           "slowdown is real and accepted (a feature that costs time), write the justification "
           "in the pull request and refresh the baseline with `bazel run "
           "//benchmarks:update_baseline`; otherwise profile the change (perf record on the "
           "server process) and fix it";
  switch (op) {
    case MDL_OP_INDEX:
      return "profile one indexing run (perf record -g on codebase-mcp), compare the time split "
             "between parse, chunk and COPY with the baseline commit; check batch size and worker "
             "count; check the job log for retries or skipped files";
    case MDL_OP_SEARCH:
    case MDL_OP_SEARCH_LOWVOCAB:
      return "run EXPLAIN ANALYZE on the search SQL for a slow query from the artifact; make sure "
             "the tsvector GIN index and the trigram index are used; check pool waits in /metrics";
    case MDL_OP_PROJECT_SWITCH:
      return "log the SQL issued by one switch and remove round trips; keep the switch to one "
             "indexed UPDATE/SELECT on a pooled connection";
    case MDL_OP_ENTITY_QUERY:
      return "EXPLAIN ANALYZE the entity query with the benchmark's filter; make sure the data "
             "@> filter and the tags filter hit GIN indexes and the project id is in the WHERE "
             "clause";
    default:
      return "investigate";
  }
}

/* ---- JSON ---------------------------------------------------------------------------------- */

static void add_num_or_null(cJSON *o, const char *k, int has, double v) {
  if (has && isfinite(v))
    cJSON_AddNumberToObject(o, k, mdl_round2(v));
  else
    cJSON_AddNullToObject(o, k);
}

static cJSON *side_json(const bench_set *s) {
  cJSON *o = cJSON_CreateObject();
  if (o == NULL) return NULL;
  cJSON_AddBoolToObject(o, "present", s->present != 0);
  cJSON_AddStringToObject(o, "source", s->source);
  if (s->commit[0] != '\0')
    cJSON_AddStringToObject(o, "commit", s->commit);
  else
    cJSON_AddNullToObject(o, "commit");
  if (s->measured_at[0] != '\0')
    cJSON_AddStringToObject(o, "measured_at", s->measured_at);
  else
    cJSON_AddNullToObject(o, "measured_at");
  if (s->machine != NULL)
    cJSON_AddItemToObject(o, "machine", cJSON_Duplicate(s->machine, 1));
  else
    cJSON_AddNullToObject(o, "machine");
  return o;
}

cJSON *bench_comparison_to_json(const bench_comparison *c, const bench_set *baseline,
                                const bench_set *current) {
  assert(c != NULL && baseline != NULL && current != NULL);
  cJSON *root = cJSON_CreateObject();
  if (root == NULL) return NULL;
  char now[MDL_TIME_LEN];
  mdl_time_now(now);
  cJSON_AddStringToObject(root, "generated_at", now);
  cJSON_AddStringToObject(root, "verdict", bench_verdict_name(c->verdict));
  cJSON_AddStringToObject(root, "rule",
                          "FR-018/FR-021: block if any target is violated; review if more than 10% "
                          "worse than the baseline, significantly at the samples taken, but within "
                          "target; otherwise pass");
  cJSON_AddStringToObject(root, "summary", c->summary);
  cJSON_AddItemToObject(root, "baseline", side_json(baseline));
  cJSON_AddItemToObject(root, "current", side_json(current));
  cJSON *mach = cJSON_AddObjectToObject(root, "machines");
  if (mach != NULL) {
    if (c->machines_differ < 0)
      cJSON_AddNullToObject(mach, "differ");
    else
      cJSON_AddBoolToObject(mach, "differ", c->machines_differ == 1);
    cJSON_AddStringToObject(mach, "note", c->machine_note);
  }
  cJSON *sig = cJSON_AddObjectToObject(root, "significance");
  if (sig != NULL) {
    cJSON_AddStringToObject(sig, "test",
                            "Mann-Whitney U, one-sided (current slower), normal approximation with "
                            "tie and continuity correction; and a bootstrap interval of "
                            "current/baseline for the statistic");
    cJSON_AddNumberToObject(sig, "alpha", BENCH_ALPHA);
    cJSON_AddNumberToObject(sig, "confidence", BENCH_CONFIDENCE);
    cJSON_AddNumberToObject(sig, "resamples", BENCH_RESAMPLES);
    cJSON_AddNumberToObject(sig, "seed", BENCH_BOOTSTRAP_SEED);
  }
  cJSON *metrics = cJSON_AddArrayToObject(root, "metrics");
  for (size_t i = 0; metrics != NULL && i < c->n; i++) {
    const bench_row *r = &c->rows[i];
    cJSON *m = cJSON_CreateObject();
    if (m == NULL) break;
    cJSON_AddStringToObject(m, "metric", r->metric);
    cJSON_AddStringToObject(m, "operation_type", mdl_operation_type_name(r->op));
    cJSON_AddStringToObject(m, "statistic", r->statistic);
    cJSON_AddStringToObject(m, "server_id", r->server);
    add_num_or_null(m, "baseline_ms", r->has_baseline, r->baseline_ms);
    add_num_or_null(m, "current_ms", r->has_current, r->current_ms);
    add_num_or_null(m, "change_percent", 1, r->change_percent);
    add_num_or_null(m, "target_ms", r->target_ms > 0, r->target_ms);
    cJSON_AddNumberToObject(m, "baseline_samples", (double)r->sig.n_baseline);
    cJSON_AddNumberToObject(m, "current_samples", (double)r->sig.n_current);
    if (r->sig.tested && isfinite(r->sig.p_value))
      cJSON_AddNumberToObject(m, "p_value", r->sig.p_value);
    else
      cJSON_AddNullToObject(m, "p_value");
    if (r->sig.tested && isfinite(r->sig.ci_lo) && isfinite(r->sig.ci_hi)) {
      cJSON *ci = cJSON_AddObjectToObject(m, "ratio_ci");
      if (ci != NULL) {
        cJSON_AddNumberToObject(ci, "lo", round(r->sig.ci_lo * 10000) / 10000);
        cJSON_AddNumberToObject(ci, "hi", round(r->sig.ci_hi * 10000) / 10000);
      }
    } else {
      cJSON_AddNullToObject(m, "ratio_ci");
    }
    cJSON_AddBoolToObject(m, "significant", r->sig.significant != 0);
    if (r->calibrated) {
      cJSON *cal = cJSON_AddObjectToObject(m, "calibrated");
      if (cal != NULL) {
        cJSON_AddNumberToObject(cal, "baseline_ms", r->baseline_cal_ms);
        cJSON_AddNumberToObject(cal, "current_ms", r->current_cal_ms);
        cJSON_AddNumberToObject(cal, "probe_baseline_ms", round(r->probe_baseline_ms * 1e4) / 1e4);
        cJSON_AddNumberToObject(cal, "probe_current_ms", round(r->probe_current_ms * 1e4) / 1e4);
      }
    } else {
      cJSON_AddNullToObject(m, "calibrated");
    }
    cJSON_AddStringToObject(m, "verdict", bench_verdict_name(r->verdict));
    cJSON_AddStringToObject(m, "reason", r->reason);
    if (r->verdict != BENCH_PASS) {
      cJSON_AddStringToObject(m, "likely_causes", bench_likely_causes(r->op));
      cJSON_AddStringToObject(m, "recommendations", bench_recommendations(r->op, r->verdict));
    }
    cJSON_AddItemToArray(metrics, m);
  }
  if (metrics == NULL || (size_t)cJSON_GetArraySize(metrics) != c->n) {
    cJSON_Delete(root);
    return NULL;
  }
  return root;
}

/* ---- markdown ------------------------------------------------------------------------------ */

static void fmt_ms(char *b, size_t n, int has, double v) {
  if (has && isfinite(v))
    snprintf(b, n, "%.2f", v);
  else
    snprintf(b, n, "—");
}

static void describe_side(FILE *f, const char *label, const bench_set *s) {
  if (!s->present) {
    fprintf(f, "- **%s**: none (`%s` does not exist yet)\n", label, s->source);
    return;
  }
  const cJSON *m = s->machine;
  const cJSON *cpu = m != NULL ? cJSON_GetObjectItemCaseSensitive(m, "cpu_model") : NULL;
  const cJSON *cores = m != NULL ? cJSON_GetObjectItemCaseSensitive(m, "cores") : NULL;
  const cJSON *mem = m != NULL ? cJSON_GetObjectItemCaseSensitive(m, "memory_mb") : NULL;
  fprintf(f, "- **%s**: `%s`, commit `%s`, measured %s", label, s->source,
          s->commit[0] != '\0' ? s->commit : "unknown",
          s->measured_at[0] != '\0' ? s->measured_at : "at an unknown time");
  if (cJSON_IsString(cpu))
    fprintf(f, " on %s, %d cores, %d MB", cpu->valuestring,
            cJSON_IsNumber(cores) ? cores->valueint : 0, cJSON_IsNumber(mem) ? mem->valueint : 0);
  fprintf(f, "\n");
}

int bench_comparison_write_markdown(const bench_comparison *c, const bench_set *baseline,
                                    const bench_set *current, FILE *f, bench_err *err) {
  assert(c != NULL && baseline != NULL && current != NULL && f != NULL);
  static const char *const upper[3] = {"PASS", "REVIEW", "BLOCK"};
  fprintf(f, "# Performance regression report\n\n");
  fprintf(f, "**Verdict: %s** — %s.\n\n", upper[c->verdict], c->summary);
  fprintf(f,
          "Rule (SPEC FR-018/FR-021): a metric regresses only if it is more than 10%% worse than "
          "the baseline **and** over its target. Any target violated ⇒ **block**; more than 10%% "
          "over the baseline but within target ⇒ **review** (written justification); otherwise "
          "**pass**. Targets apply to p95. \"More than 10%% worse\" counts only when it is also "
          "significant at the samples taken: Mann-Whitney U on the operation's raw samples, "
          "one-sided p < %.4g (0.05 over the four operations). The %.0f%% bootstrap interval of "
          "current/baseline (%d resamples, fixed seed) is shown beside it; without raw samples on "
          "both sides the change is judged alone.\n\n",
          BENCH_ALPHA, BENCH_CONFIDENCE * 100, BENCH_RESAMPLES);
  describe_side(f, "Baseline", baseline);
  describe_side(f, "Current", current);
  fprintf(f, "- **Machines**: %s%s\n", c->machine_note,
          c->machines_differ == 1
              ? " — **different machines: the 10% rule was not applied** (it would compare "
                "machines, not builds); record a baseline here with `bazel run "
                "//benchmarks:update_baseline`"
              : "");
  fprintf(f,
          "\n| metric | server | baseline ms | current ms | change | %.0f%% interval of ratio | "
          "p (MWU) | samples b/c | target ms | verdict | reason |\n",
          BENCH_CONFIDENCE * 100);
  fprintf(f, "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
  for (size_t i = 0; i < c->n; i++) {
    const bench_row *r = &c->rows[i];
    char b[32], cur[32], ch[32], t[32];
    fmt_ms(b, sizeof b, r->has_baseline, r->baseline_ms);
    fmt_ms(cur, sizeof cur, r->has_current, r->current_ms);
    if (isfinite(r->change_percent))
      snprintf(ch, sizeof ch, "%+.1f%%", r->change_percent);
    else
      snprintf(ch, sizeof ch, "—");
    fmt_ms(t, sizeof t, r->target_ms > 0, r->target_ms);
    char ci[48], pv[32];
    if (r->sig.tested && isfinite(r->sig.ci_lo) && isfinite(r->sig.ci_hi))
      snprintf(ci, sizeof ci, "%.2f–%.2f", r->sig.ci_lo, r->sig.ci_hi);
    else
      snprintf(ci, sizeof ci, "—");
    if (r->sig.tested && isfinite(r->sig.p_value))
      snprintf(pv, sizeof pv, "%.3g", r->sig.p_value);
    else
      snprintf(pv, sizeof pv, "—");
    fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %zu/%zu | %s | %s | %s |\n", r->metric,
            r->server, b, cur, ch, ci, pv, r->sig.n_baseline, r->sig.n_current, t,
            r->verdict == BENCH_PASS     ? "pass"
            : r->verdict == BENCH_REVIEW ? "**review**"
                                         : "**block**",
            r->reason);
  }
  int any = 0;
  for (size_t i = 0; i < c->n; i++) {
    const bench_row *r = &c->rows[i];
    if (r->verdict == BENCH_PASS) continue;
    if (!any) fprintf(f, "\n## Metrics that did not pass\n");
    any = 1;
    fprintf(f, "\n### %s — %s\n\n%s.\n\n", r->metric, bench_verdict_name(r->verdict), r->reason);
    fprintf(f, "- **Likely causes**: %s.\n", bench_likely_causes(r->op));
    fprintf(f, "- **Recommendations**: %s.\n", bench_recommendations(r->op, r->verdict));
    if (r->verdict == BENCH_REVIEW)
      fprintf(f,
              "- **Justification** (required before merging): _write why this slowdown is "
              "accepted._\n");
  }
  if (!any) fprintf(f, "\nEvery metric passed; nothing to investigate.\n");
  if (fflush(f) != 0 || ferror(f))
    return bench_err_set(err, BENCH_EIO, "cannot write the markdown report: %s", strerror(errno));
  return BENCH_OK;
}

int bench_comparison_write_files(const bench_comparison *c, const bench_set *baseline,
                                 const bench_set *current, const char *dir, bench_err *err) {
  int rc = BENCH_OK;
  cJSON *json = NULL;
  char *text = NULL;
  FILE *f = NULL;
  char path[1024];
  assert(dir != NULL);
  if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
    rc = bench_err_set(err, BENCH_EIO, "cannot create %s: %s", dir, strerror(errno));
    goto cleanup;
  }
  json = bench_comparison_to_json(c, baseline, current);
  if (json != NULL) text = cJSON_Print(json);
  if (text == NULL) {
    rc = bench_err_set(err, BENCH_ENOMEM, "out of memory serialising the comparison");
    goto cleanup;
  }
  snprintf(path, sizeof path, "%s/comparison.json", dir);
  rc = bench_write_file(path, text, err);
  if (rc != BENCH_OK) goto cleanup;
  snprintf(path, sizeof path, "%s/comparison.md", dir);
  f = fopen(path, "w");
  if (f == NULL) {
    rc = bench_err_set(err, BENCH_EIO, "cannot create %s: %s", path, strerror(errno));
    goto cleanup;
  }
  rc = bench_comparison_write_markdown(c, baseline, current, f, err);
cleanup:
  if (f != NULL && fclose(f) != 0 && rc == BENCH_OK)
    rc = bench_err_set(err, BENCH_EIO, "cannot close %s: %s", path, strerror(errno));
  free(text);
  cJSON_Delete(json);
  return rc;
}
