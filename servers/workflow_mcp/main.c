/* main.c — the workflow-mcp executable: everything happens in srv_main (servers/common/app.h). */
#include "servers/workflow_mcp/app.h"

int main(int argc, char **argv) {
  srv_app_def def;
  wf_app_def_init(&def);
  return srv_main(&def, argc, argv);
}
