/* fuzz_schema.c — libFuzzer target for tool-argument validation with attacker-supplied schemas,
 * as register_entity_type receives them: the input is "<schema JSON>\n<data JSON>"; the schema
 * goes through wf_entity_schema_check (the JSON Schema self-check, bounded-cost patterns) and,
 * when accepted, data through wf_entity_validate and the nesting-depth cap. A costly pattern
 * that slipped through shows up as a timeout or the RSS limit. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "servers/common/jsonschema.h"
#include "servers/workflow_mcp/entity_schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *p = (const char *)data;
  const char *nl = memchr(p, '\n', size);
  size_t slen = nl ? (size_t)(nl - p) : size;
  cJSON *schema = cJSON_ParseWithLength(p, slen);
  cJSON *value = nl ? cJSON_ParseWithLength(nl + 1, size - slen - 1) : NULL;
  srv_err err;
  if (schema != NULL && wf_entity_schema_check(schema, &err) == SRV_OK && value != NULL) {
    (void)wf_entity_validate(schema, value, &err);
    (void)srv_schema_validate(schema, value, "arguments", &err);
  }
  if (value != NULL) (void)srv_json_check_depth(value, 64, "arguments", &err);
  cJSON_Delete(schema);
  cJSON_Delete(value);
  return 0;
}
