/* delay_proxy.c — a real HTTP proxy that answers late: it forwards every request to an upstream
 * server and returns the upstream's answer after a fixed delay. Tests put it between two servers
 * to make one of them slow without changing it (US2: codebase-mcp answering workflow-mcp in 2 s).
 *
 * Usage: delay_proxy --port N --upstream http://127.0.0.1:PORT [--delay-ms MS] (default 2000).
 * GET /health is forwarded without delay, so the launcher (testing/server.h) sees the proxy up at
 * once. The method, path, body and the headers Content-Type, Accept, Mcp-Session-Id and
 * MCP-Protocol-Version are forwarded (through testing/http.h, so the Host is the upstream's
 * loopback one); the answer's status, body, Content-Type and Mcp-Session-Id come back. One thread
 * per connection, so a delayed request never holds up another. An unreachable upstream is 502.
 * Logs go to stderr. Exits 0 on SIGTERM/SIGINT, 2 when the port is in use. */
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testing/http.h"

typedef struct upload {
  char *data;
  size_t len;
} upload;

static char g_upstream[512];
static long g_delay_ms = 2000;

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *body,
                             size_t len, const char *ctype, const char *session) {
  struct MHD_Response *r =
      MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
  enum MHD_Result ret;
  if (r == NULL) return MHD_NO;
  if (ctype != NULL) MHD_add_response_header(r, "Content-Type", ctype);
  if (session != NULL) MHD_add_response_header(r, "Mcp-Session-Id", session);
  ret = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return ret;
}

static enum MHD_Result forward(struct MHD_Connection *c, const char *url, const char *method,
                               const upload *u) {
  static const char *const kPass[] = {"Content-Type", "Accept", "Mcp-Session-Id",
                                      "MCP-Protocol-Version"};
  char hbuf[4][600];
  const char *headers[5];
  int k = 0;
  for (int i = 0; i < 4; i++) {
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, kPass[i]);
    if (v == NULL) continue;
    snprintf(hbuf[k], sizeof hbuf[k], "%s: %s", kPass[i], v);
    headers[k] = hbuf[k];
    k++;
  }
  headers[k] = NULL;
  char target[1200];
  snprintf(target, sizeof target, "%s%s", g_upstream, url);
  if (strcmp(url, "/health") != 0) sleep_ms(g_delay_ms);
  tst_http_resp resp;
  tst_err err;
  int rc = tst_http_request(method, target, u->len ? u->data : NULL, headers, 30000, &resp, &err);
  if (rc != TST_OK) {
    fprintf(stderr, "delay_proxy: %s %s: %s\n", method, url, err.msg);
    const char *b = "{\"error\":{\"code\":\"bad_gateway\",\"message\":\"upstream unreachable\"}}";
    return reply(c, 502, b, strlen(b), "application/json", NULL);
  }
  enum MHD_Result ret =
      reply(c, (unsigned)resp.status, resp.body, resp.body_len,
            tst_http_header(&resp, "Content-Type"), tst_http_header(&resp, "Mcp-Session-Id"));
  tst_http_resp_free(&resp);
  return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *data_size, void **con_cls) {
  upload *u = *con_cls;
  (void)cls;
  (void)version;
  if (u == NULL) {
    u = calloc(1, sizeof(*u));
    if (u == NULL) return MHD_NO;
    *con_cls = u;
    return MHD_YES;
  }
  if (*data_size > 0) {
    char *p = realloc(u->data, u->len + *data_size + 1);
    if (p == NULL) return MHD_NO;
    memcpy(p + u->len, data, *data_size);
    u->data = p;
    u->len += *data_size;
    u->data[u->len] = '\0';
    *data_size = 0;
    return MHD_YES;
  }
  return forward(c, url, method, u);
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe) {
  upload *u = *con_cls;
  (void)cls;
  (void)c;
  (void)toe;
  if (u != NULL) {
    free(u->data);
    free(u);
    *con_cls = NULL;
  }
}

int main(int argc, char **argv) {
  long port = 0;
  for (int i = 1; i + 1 < argc; i++) {
    if (strcmp(argv[i], "--port") == 0) port = strtol(argv[i + 1], NULL, 10);
    if (strcmp(argv[i], "--upstream") == 0)
      snprintf(g_upstream, sizeof g_upstream, "%s", argv[i + 1]);
    if (strcmp(argv[i], "--delay-ms") == 0) g_delay_ms = strtol(argv[i + 1], NULL, 10);
  }
  if (argc > 1 && strcmp(argv[1], "--help") == 0) {
    printf("usage: delay_proxy --port N --upstream http://127.0.0.1:PORT [--delay-ms MS]\n");
    return 0;
  }
  if (port <= 0 || port > 65535 || strncmp(g_upstream, "http://", 7) != 0 || g_delay_ms < 0) {
    fprintf(
        stderr,
        "delay_proxy: --port N and --upstream http://HOST:PORT are required, --delay-ms >= 0\n");
    return 64;
  }
  size_t n = strlen(g_upstream);
  while (n > 0 && g_upstream[n - 1] == '/') g_upstream[--n] = '\0';
  sigset_t set;
  int sig = 0;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  struct MHD_Daemon *d =
      MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
                       (uint16_t)port, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, &addr,
                       MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_END);
  if (d == NULL) {
    fprintf(stderr, "delay_proxy: port %ld is in use; kill the process or change PORT\n", port);
    return 2;
  }
  fprintf(stderr, "delay_proxy: 127.0.0.1:%ld -> %s, %ld ms late\n", port, g_upstream, g_delay_ms);
  sigwait(&set, &sig);
  MHD_stop_daemon(d);
  return 0;
}
