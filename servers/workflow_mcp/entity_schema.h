/* entity_schema.h — the JSON Schema of an entity type: checked when registered, applied on write.
 *
 * Reuses servers/common's validator (jsonschema.h: type, required, properties, enum, minimum,
 * maximum, items, ... with messages naming the failing path). Adds the one rule entities need:
 * entity data is always a JSON object, so a schema's top-level "type", when given, must be
 * "object". Stateless; thread-safe. */
#ifndef WF_ENTITY_SCHEMA_H
#define WF_ENTITY_SCHEMA_H

#include <cjson/cJSON.h>

#include "servers/common/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Checks a schema given to register_entity_type. SRV_EINVAL with a message naming the schema
 * path ("schema.properties.amount.minimum must be a number") when malformed or when its
 * top-level type is not "object". */
srv_code wf_entity_schema_check(const cJSON *schema, srv_err *err);

/* Validates entity data against a registered schema. SRV_EINVAL naming the failing path, e.g.
 * "data.amount must be >= 0 (got -5)", or "data must be a JSON object" when data is not one. */
srv_code wf_entity_validate(const cJSON *schema, const cJSON *data, srv_err *err);

#ifdef __cplusplus
}
#endif

#endif /* WF_ENTITY_SCHEMA_H */
