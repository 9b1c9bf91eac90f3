/* jsonschema.h — validation of tool arguments against the subset of JSON Schema the tools use.
 *
 * Owns nothing but the rules. Supported keywords: type (object, string, integer, number, boolean,
 * array, null, or a list of them), required, properties, additionalProperties (false or a schema),
 * enum, const, minimum, maximum, exclusiveMinimum, exclusiveMaximum, minLength, maxLength
 * (counted in UTF-8 code points), pattern (POSIX extended regular expression of bounded cost,
 * compiled once: pattern.h), items, minItems,
 * maxItems. Keywords it does not know (description, default, title, format, $schema...) are
 * ignored, as JSON Schema allows. Messages name the path of the offending value, e.g.
 * "arguments.limit must be <= 50 (got 500)". Thread-safe: no state. */
#ifndef SRV_JSONSCHEMA_H
#define SRV_JSONSCHEMA_H

#include <cjson/cJSON.h>

#include "servers/common/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Validates value against schema. path names the root value in messages ("arguments").
 * Returns SRV_OK, or SRV_EINVAL with err->msg naming the first violation found (path, rule and
 * the offending value). Never allocates memory that outlives the call. schema, value and path must
 * be non-NULL. */
srv_code srv_schema_validate(const cJSON *schema, const cJSON *value, const char *path,
                             srv_err *err);

/* SRV_OK when value (an object or array counts one level, as do its children that are) nests at
 * most max_depth levels; SRV_EINVAL naming the path where it goes deeper otherwise. The walk
 * stops at max_depth + 1, so its cost is bounded by the value's size. */
srv_code srv_json_check_depth(const cJSON *value, int max_depth, const char *path, srv_err *err);

/* Checks that schema is a well-formed schema of the supported subset (an object; "type" a known
 * name; numbers where numbers belong; "required" a list of strings; patterns compile). Meant for
 * tool registration, so a typo in a tool's schema fails at start-up, not at the first call.
 * Returns SRV_OK or SRV_EINVAL with a message naming the schema path. */
srv_code srv_schema_check(const cJSON *schema, const char *path, srv_err *err);

#ifdef __cplusplus
}
#endif

#endif /* SRV_JSONSCHEMA_H */
