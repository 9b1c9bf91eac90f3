/* entity_schema.c — entity type schemas over servers/common's validator (see entity_schema.h). */
#include "servers/workflow_mcp/entity_schema.h"

#include <assert.h>
#include <string.h>

#include "servers/common/jsonschema.h"

srv_code wf_entity_schema_check(const cJSON *schema, srv_err *err) {
  if (!cJSON_IsObject(schema))
    return srv_err_set(err, SRV_EINVAL,
                       "schema must be a JSON Schema object such as {\"type\": \"object\", "
                       "\"properties\": {...}, \"required\": [...]}");
  srv_code rc = srv_schema_check(schema, "schema", err);
  if (rc != SRV_OK) return rc;
  const cJSON *type = cJSON_GetObjectItemCaseSensitive(schema, "type");
  if (type != NULL && !(cJSON_IsString(type) && strcmp(type->valuestring, "object") == 0))
    return srv_err_set(err, SRV_EINVAL,
                       "schema.type must be \"object\": entity data is always a JSON object");
  return SRV_OK;
}

srv_code wf_entity_validate(const cJSON *schema, const cJSON *data, srv_err *err) {
  assert(schema != NULL);
  if (!cJSON_IsObject(data))
    return srv_err_set(err, SRV_EINVAL, "data must be a JSON object (e.g. {\"amount\": 10})");
  return srv_schema_validate(schema, data, "data", err);
}
