/* assertion.h — the assertion language of scenario steps (documented in integration/README.md).
 *
 * An assertion is `<subject> <check>`, evaluated on a step's response view
 * {status, body, headers, latency_ms, latency?}. The subject is a path (jpath.h): `status`,
 * `latency_ms`, `body.results[0].chunk_id`, `headers.mcp-session-id`, `body.items[*].project_id`
 * (with `[*]` the check must hold for every element). Checks:
 *   equals <json>            deep equality (a bare word is a string: `equals completed`)
 *   not equals <json>
 *   exists / not exists
 *   contains <json>          a string contains the text; an array has an element equal to it (an
 *                            object operand: an element containing those keys and values); an
 *                            object has that key
 *   not contains <json>
 *   length greater than <n>  / length equals <n> / length less than <n>  (arrays, strings, objects)
 *   type is <string|number|integer|boolean|array|object|null>
 *   under <n>                a number strictly below n (`latency_ms under 500`)
 *   within <p>% of <n> [+ <m>]  a number at most n * (1 + p/100) + m (m: an absolute allowance
 *                            for measurement noise, default 0)
 * Templates (template.h) are rendered before an assertion is parsed. */
#ifndef ITG_ASSERTION_H
#define ITG_ASSERTION_H

#include <cjson/cJSON.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Evaluates assertion text on view. Returns 0 when it holds; 1 when it does not, with a sentence
 * in why (what was expected and what the response had); -1 when the text is not an assertion of
 * the language, with why saying what is wrong and what the forms are. */
int itg_assert(const cJSON *view, const char *text, char *why, size_t why_n);

/* True if every key of `expected` is in `actual` with a matching value (objects recursively,
 * other values by deep equality). Used for a step's expected_response body. */
int itg_json_subset(const cJSON *expected, const cJSON *actual);

#ifdef __cplusplus
}
#endif

#endif /* ITG_ASSERTION_H */
