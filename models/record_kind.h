/* record_kind.h — every record kind behind one interface: check or canonicalise JSON by kind
 * name.
 *
 * Used by the validate_record CLI, the report tools and the generic tests. Kind names (CLI --type):
 * "benchmark_result", "integration_case", "load_result", "health", "metrics", "histogram"; the SPEC
 * record names ("PerformanceBenchmarkResult", "IntegrationTestCase", "LoadTestResult",
 * "HealthCheckResponse", "MetricsResponse", "LatencyHistogram" = the mergeable histogram) are
 * accepted too. Canonical text is cJSON_PrintUnformatted of the record's to_json: fixed key order,
 * numbers printed by cJSON's shortest round-trip form ("%1.15g", "%1.17g" if needed), latencies at
 * two decimals, so canonical(parse(canonical(x))) == canonical(x) byte for byte. */
#ifndef MDL_RECORD_KIND_H
#define MDL_RECORD_KIND_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "models/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mdl_record_kind {
  MDL_REC_BENCHMARK_RESULT = 0,
  MDL_REC_INTEGRATION_CASE = 1,
  MDL_REC_LOAD_RESULT = 2,
  MDL_REC_HEALTH = 3,
  MDL_REC_METRICS = 4,
  MDL_REC_HISTOGRAM = 5,
  MDL_REC_COUNT
} mdl_record_kind;

/* Kind name ("benchmark_result", ...); "?" when out of range. */
const char *mdl_record_kind_name(mdl_record_kind k);

/* Looks up a kind by its short or SPEC name. false for unknown names. */
bool mdl_record_kind_parse(const char *name, mdl_record_kind *out);

/* Parses and validates json as kind k, then discards it. Same errors as the kind's _from_json. */
mdl_code mdl_record_check(mdl_record_kind k, const cJSON *json, mdl_err *err);

/* Parses + validates json as kind k and returns its canonical JSON (caller owns, cJSON_Delete).
 * NULL with err filled on failure. */
cJSON *mdl_record_canonical(mdl_record_kind k, const cJSON *json, mdl_err *err);

/* Like mdl_record_canonical on JSON text (len bytes, need not be NUL-terminated): returns the
 * canonical unformatted text (caller frees with free()). MDL_EJSON when text is not JSON. A
 * top-level array is checked element by element when k is not itself an array kind; errors then
 * carry "[i]." in front of the field ("[2].latency_p99_ms") and the result is the canonical array.
 */
char *mdl_record_canonical_text(mdl_record_kind k, const char *text, size_t len, mdl_err *err);

#ifdef __cplusplus
}
#endif

#endif /* MDL_RECORD_KIND_H */
