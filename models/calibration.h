/* calibration.h — how fast this host runs right now, and the calibrated coefficient of variation.
 *
 * A shared VM's speed moves under a benchmark: the host's other tenants, SMT neighbours and the
 * other builds on the same cores make the same job take 12.7 s of CPU in one run and 16.3 s in the
 * next. A CV computed on raw wall times then measures the host, not the code. The fix used by the
 * suite: run a FIXED CPU-bound workload (integer mixing over a 4 KiB table: no I/O, no allocation,
 * no system calls, the same instructions on every call) beside the measurement and divide by its
 * time. When the host is 30% slower, both the measured operation and the workload take ~30% longer
 * and the ratio stays put; when the code is slower, only the operation moves.
 *
 * One unit of work is MDL_CALIB_UNIT_ITERATIONS mixing steps (about 1 ms on a 2-core Xeon VM when
 * idle); mdl_calib_work returns a checksum that depends on every step, so the compiler cannot drop
 * it, and the unit test pins its value (the workload can never change silently).
 *
 * The calibrated figure of sample i is values[i] * ref / calib[i], ref = median(calib): the same
 * unit as the values (ms), scaled to the median host speed of the series. Its CV equals the CV of
 * values[i] / calib[i]. Everything is reentrant; nothing allocates except mdl_calib_cv (a copy). */
#ifndef MDL_CALIBRATION_H
#define MDL_CALIBRATION_H

#include <stddef.h>
#include <stdint.h>

#include "models/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MDL_CALIB_UNIT_ITERATIONS 131072u
/* Checksum of mdl_calib_work(1): pinned by calibration_test. */
#define MDL_CALIB_CHECKSUM_1 UINT64_C(0x78983177990fc11a)

/* Runs `units` units of the fixed workload and returns its checksum (deterministic). */
uint64_t mdl_calib_work(uint32_t units);

/* CPU milliseconds of the calling thread (CLOCK_THREAD_CPUTIME_ID) that `units` units take now, so
 * time spent waiting for a core is not counted; units >= 1 (asserted). */
double mdl_calib_time_ms(uint32_t units);

/* A running mean of workload times (probes taken while something else is measured). A zeroed
 * struct is empty. */
typedef struct mdl_calib_probe {
  size_t n;
  double sum_ms, min_ms, max_ms;
} mdl_calib_probe;

/* Times one probe of `units` units and adds it; returns its milliseconds. */
double mdl_calib_probe_take(mdl_calib_probe *p, uint32_t units);

/* A workload the caller supplies, run once per probe: e.g. work of the same kind as the measured
 * job (the indexing benchmark parses a fixed source with tree-sitter, because the host's slow
 * phases slow pointer-chasing, allocating code far more than the integer loop above). It must do
 * the same work on every call. */
typedef void (*mdl_calib_workload)(void *ctx);

/* Times one call of fn(ctx) on the calling thread's CPU clock, adds it to p, returns its ms. */
double mdl_calib_probe_run(mdl_calib_probe *p, mdl_calib_workload fn, void *ctx);

/* Adds an already measured time. */
void mdl_calib_probe_add(mdl_calib_probe *p, double ms);

/* Mean probe time in ms; 0 when empty. */
double mdl_calib_probe_mean(const mdl_calib_probe *p);

typedef struct mdl_calib_cv_result {
  double raw_cv_percent;        /* sample CV of values, x 100 */
  double calibrated_cv_percent; /* sample CV of values[i] / calib[i], x 100 */
  double calib_cv_percent;      /* sample CV of calib itself: how much the host moved */
  double ref_ms;                /* median of calib */
} mdl_calib_cv_result;

/* Raw and calibrated CV of n paired samples (values[i] measured while calib[i] was the workload's
 * time). calibrated (optional, n slots) receives values[i] * ref / calib[i]. MDL_ERANGE (field
 * "samples" or "calibration") when n == 0, a value is not finite or negative, or a calibration
 * time is not finite and > 0; MDL_ENOMEM. On failure *out is zeroed. */
mdl_code mdl_calib_cv(const double *values, const double *calib, size_t n, mdl_calib_cv_result *out,
                      double *calibrated, mdl_err *err);

#ifdef __cplusplus
}
#endif

#endif /* MDL_CALIBRATION_H */
