/* mcp_stdio.h — MCP over stdin/stdout (`--stdio`): newline-delimited JSON-RPC messages.
 *
 * Each input line is one message (blank lines are skipped, a trailing CR is ignored); each
 * response is written as one line. Messages are handled one at a time in arrival order. Nothing
 * but responses is ever written to the output descriptor (logs go to stderr / LOG_FILE). A line
 * longer than the body limit is discarded and answered with a -32700 error. Ends cleanly at end
 * of input, or when stop_fd (e.g. a signalfd for SIGTERM) becomes readable. */
#ifndef SRV_MCP_STDIO_H
#define SRV_MCP_STDIO_H

#include <stddef.h>
#include <stdint.h>

#include "servers/common/error.h"
#include "servers/common/mcp.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct srv_stdio_opts {
  int in_fd;                  /* usually 0 */
  int out_fd;                 /* usually 1 */
  int stop_fd;                /* -1 for none */
  size_t max_line;            /* 0 => 1 MiB */
  int64_t request_timeout_ms; /* per-message deadline; 0 => 30000 */
  void *user;                 /* copied into every srv_call */
  struct srv_pool *pool;
  struct srv_app *app;
} srv_stdio_opts;

/* Serves until end of input (SRV_OK) or stop_fd readable (SRV_OK). SRV_EIO when reading or
 * writing fails (e.g. the client closed stdout: EPIPE), with the errno text. */
srv_code srv_stdio_serve(const srv_mcp *m, const srv_stdio_opts *opts, srv_err *err);

#ifdef __cplusplus
}
#endif

#endif /* SRV_MCP_STDIO_H */
