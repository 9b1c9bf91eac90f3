/* fuzz_filter.c — libFuzzer target for the query_entities filter compiler: arbitrary JSON goes
 * through wf_filter_compile. Besides crashes, it checks the one promise that keeps the SQL safe:
 * no byte of a filter value reaches the SQL text (values become $n parameters; only the names
 * the compiler validated may), which is asserted for every string value of the filter. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "servers/workflow_mcp/filter.h"

/* 1 when some string value (not key) of v, at least 4 bytes long and with a quote, appears
 * verbatim in sql: a value that escaped into the SQL text. */
static int value_in_sql(const cJSON *v, const char *sql) {
  const cJSON *e;
  if (cJSON_IsString(v) && strlen(v->valuestring) >= 4 && strchr(v->valuestring, '\'') &&
      strstr(sql, v->valuestring) != NULL)
    return 1;
  cJSON_ArrayForEach(e, v) if (value_in_sql(e, sql)) return 1;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cJSON *f = cJSON_ParseWithLength((const char *)data, size);
  wf_sql sql;
  srv_err err;
  wf_sql_init(&sql);
  if (wf_filter_compile(f, "e.data", &sql, &err) == SRV_OK && sql.text.data != NULL &&
      value_in_sql(f, sql.text.data))
    abort();
  wf_sql_free(&sql);
  cJSON_Delete(f);
  return 0;
}
