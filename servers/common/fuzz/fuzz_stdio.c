/* fuzz_stdio.c — libFuzzer target for the stdio transport's framing: the input is what a client
 * writes to the server's stdin (lines, blank lines, CRs, a line over the limit, no final newline,
 * NULs), served by srv_stdio_serve through a pipe with a small line limit; answers go to
 * /dev/null. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "servers/common/fuzz/stubs.h"
#include "servers/common/mcp_stdio.h"

void srv_http_new_id(char out[37]) {
  memcpy(out, "00000000-0000-4000-8000-000000000000", 37);
}

static srv_code echo(srv_call *call, const cJSON *args, cJSON **out, srv_err *err) {
  *out = cJSON_Duplicate(args, 1);
  return SRV_OK;
}

static const srv_tool k_tools[] = {
    {"echo", "echo", "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}}}", NULL,
     echo, 0},
};

static srv_tools *g_tools;
static srv_mcp g_mcp;
static int g_null;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  srv_err err;
  if (srv_tools_new(k_tools, 1, &g_tools, &err) != SRV_OK) abort();
  g_mcp.name = "fuzz";
  g_mcp.version = "1";
  g_mcp.tools = g_tools;
  g_null = open("/dev/null", O_WRONLY | O_CLOEXEC);
  return g_null < 0 ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int p[2];
  srv_stdio_opts o;
  srv_err err;
  if (size > 60000 || pipe(p) != 0) return 0; /* the whole input fits the pipe's buffer */
  if (size > 0 && write(p[1], data, size) != (ssize_t)size) {
    close(p[0]);
    close(p[1]);
    return 0;
  }
  close(p[1]);
  memset(&o, 0, sizeof o);
  o.in_fd = p[0];
  o.out_fd = g_null;
  o.stop_fd = -1;
  o.max_line = 512;
  o.request_timeout_ms = 1000;
  (void)srv_stdio_serve(&g_mcp, &o, &err);
  close(p[0]);
  return 0;
}
