/* main.c — the codebase-mcp command: `codebase-mcp [serve|migrate] [--port N] [--stdio] ...`
 * (see servers/common/app.h for the flags, environment and exit codes, tools.h for the tools). */
#include "servers/codebase_mcp/tools.h"

int main(int argc, char **argv) {
  srv_app_def def = cb_app_definition();
  return srv_main(&def, argc, argv);
}
