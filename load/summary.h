/* summary.h — the end-of-run summary of a load result, as text (k6's end-of-test summary). */
#ifndef LD_SUMMARY_H
#define LD_SUMMARY_H

#include <stdio.h>

#include "load/result.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Prints requests, rates, percentiles (histogram-derived), per-request lines, the error
 * breakdown, resources, the host's speed (calibration probes) and each threshold with ✓/✗ to f. */
void ld_summary_print(const ld_result *r, FILE *f);

#ifdef __cplusplus
}
#endif

#endif /* LD_SUMMARY_H */
