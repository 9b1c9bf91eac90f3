/* fuzz_http.c — libFuzzer target for the HTTP request path: arbitrary bytes are sent over a real
 * TCP connection to a real srv_http server in this process (libmicrohttpd's parser, then ours:
 * the Host / Origin / Content-Type guard, routing with {param} captures, 404 / 405 / 413, body
 * buffering up to the limit, inline and worker routes, the /mcp endpoint with sessions), and the
 * answer is read to the end. Any crash, sanitizer report, hang or memory growth fails. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "servers/common/fuzz/stubs.h"
#include "servers/common/http.h"
#include "servers/common/log.h"
#include "servers/common/mcp_http.h"
#include "servers/common/session.h"

static srv_http *g_http;
static srv_sessions *g_sessions;
static srv_tools *g_tools;
static srv_mcp g_mcp;
static srv_mcp_endpoint g_ep;
static int g_port;

static void echo_route(void *ctx, const srv_http_req *req, srv_http_resp *resp) {
  cJSON *o = cJSON_CreateObject();
  cJSON *body = cJSON_ParseWithLength(req->body, req->body_len);
  cJSON_AddStringToObject(o, "tool",
                          srv_http_param(req, "tool") ? srv_http_param(req, "tool") : "");
  cJSON_AddItemToObject(o, "body", body ? body : cJSON_CreateNull());
  srv_http_resp_json(resp, 200, o);
}

static srv_code echo(srv_call *call, const cJSON *args, cJSON **out, srv_err *err) {
  *out = cJSON_Duplicate(args, 1);
  return SRV_OK;
}

static const srv_tool k_tools[] = {
    {"echo", "echo",
     "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\",\"maxLength\":50,"
     "\"pattern\":\"^[a-z ]*$\"}}}",
     NULL, echo, 0},
};

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  srv_http_opts o;
  srv_log_config lc;
  srv_err err;
  memset(&lc, 0, sizeof lc);
  lc.server_id = "fuzz-http";
  lc.also_stderr = 1;
  lc.min_level = SRV_LOG_ERROR; /* a malformed request is a WARN line: thousands of them */
  if (srv_log_init(&lc, &err) != SRV_OK) abort();
  memset(&o, 0, sizeof o);
  o.max_body = 4096;
  o.request_timeout_ms = 2000;
  o.io_threads = 2;
  o.workers = 2;
  if (srv_http_new(&o, &g_http, &err) != SRV_OK ||
      srv_http_route(g_http, "POST", "/mcp/{tool}", echo_route, NULL, 0, &err) != SRV_OK ||
      srv_http_route(g_http, "GET", "/items/{a}/sub/{b}", echo_route, NULL, SRV_HTTP_INLINE,
                     &err) != SRV_OK ||
      srv_sessions_new(16, 0, &g_sessions, &err) != SRV_OK ||
      srv_tools_new(k_tools, 1, &g_tools, &err) != SRV_OK)
    abort();
  g_mcp.name = "fuzz";
  g_mcp.version = "1";
  g_mcp.tools = g_tools;
  g_ep.mcp = &g_mcp;
  g_ep.sessions = g_sessions;
  if (srv_mcp_endpoint_mount(g_http, &g_ep, &err) != SRV_OK || srv_http_listen(g_http, &err))
    abort();
  g_port = srv_http_port(g_http);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct sockaddr_in a;
  struct timeval tv = {2, 0};
  char buf[4096];
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)g_port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
    size_t off = 0;
    while (off < size) {
      ssize_t w = send(fd, data + off, size - off, MSG_NOSIGNAL);
      if (w <= 0) break;
      off += (size_t)w;
    }
    shutdown(fd, SHUT_WR);
    /* Up to 300 ms for the first bytes, then until the answer pauses for 20 ms: a kept-alive
     * connection is not closed by the server, so waiting for EOF would cost a timeout per run. */
    struct pollfd p = {fd, POLLIN, 0};
    int wait_ms = 300;
    while (poll(&p, 1, wait_ms) > 0 && recv(fd, buf, sizeof buf, 0) > 0) wait_ms = 20;
  }
  close(fd);
  return 0;
}
