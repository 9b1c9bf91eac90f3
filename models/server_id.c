/* server_id.c — names of the two server ids. */
#include "models/server_id.h"

#include <string.h>

static const char *const k_names[MDL_SERVER_COUNT] = {"codebase-mcp", "workflow-mcp"};

const char *mdl_server_id_name(mdl_server_id id) {
  if ((int)id < 0 || id >= MDL_SERVER_COUNT) return "?";
  return k_names[id];
}

bool mdl_server_id_parse(const char *name, mdl_server_id *out) {
  if (name == NULL) return false;
  for (int i = 0; i < MDL_SERVER_COUNT; i++) {
    if (strcmp(name, k_names[i]) == 0) {
      *out = (mdl_server_id)i;
      return true;
    }
  }
  return false;
}
