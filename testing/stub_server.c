/* stub_server.c — a tiny real HTTP server (libmicrohttpd) that the tests of the server launcher
 * and of the HTTP/MCP helpers run against, so //testing depends on no server package.
 *
 * Usage: stub_server --port N. Routes: GET /health -> 200 {"status":"healthy"};
 * GET /status/NNN -> status NNN; GET /slow?ms=N -> 200 after N ms; POST /echo -> 200 with the
 * request body and header X-Echo-Length; POST /mcp -> JSON-RPC: initialize (sets Mcp-Session-Id),
 * notifications (202), tools/call "echo" (returns its arguments as structuredContent), another
 * tool -32601, anything else (or tools/call without Mcp-Session-Id) -32600.
 * Behaviour switches (environment): STUB_FAIL_STARTUP=1 logs and exits 3 before binding;
 * STUB_NEVER_HEALTHY=1 logs and never binds; STUB_IGNORE_TERM=1 ignores SIGTERM;
 * STUB_STARTUP_DELAY_MS=N waits before binding. A failed bind (a port in use) exits 2 naming the
 * port.
 * Proxy mode (slow-peer tests, US2): with --upstream http://HOST:PORT [--delay-ms MS] (default
 * 2000) every request is forwarded there instead (method, path, body and the headers
 * Content-Type, Accept, Mcp-Session-Id, MCP-Protocol-Version, through testing/http.h so the Host
 * is the upstream's loopback one) and the answer (status, body, Content-Type, Mcp-Session-Id)
 * comes back MS late; GET /health is forwarded without delay so the launcher sees it up at once;
 * an unreachable upstream is 502. One thread per connection: a delayed request holds up no other.
 * Logs go to stderr. Exits 0 on SIGTERM/SIGINT. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testing/http.h"

typedef struct upload {
  char *data;
  size_t len;
} upload;

static char g_upstream[512]; /* proxy mode when set */
static long g_delay_ms = 2000;

static long env_long(const char *name) {
  const char *v = getenv(name);
  char *end;
  long x;
  if (v == NULL || v[0] == '\0') return 0;
  x = strtol(v, &end, 10);
  return *end == '\0' ? x : 0;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *body,
                             const char *ctype, const char *hname, const char *hval) {
  struct MHD_Response *r =
      MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
  enum MHD_Result ret;
  if (r == NULL) return MHD_NO;
  MHD_add_response_header(r, "Content-Type", ctype);
  if (hname != NULL) MHD_add_response_header(r, hname, hval);
  ret = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return ret;
}

static enum MHD_Result handle_mcp(struct MHD_Connection *c, const char *body) {
  cJSON *req = cJSON_Parse(body), *res = NULL, *id, *method;
  char *text;
  enum MHD_Result ret;
  const char *session = NULL;
  if (req == NULL) return reply(c, 400, "{\"error\":\"bad json\"}", "application/json", NULL, NULL);
  id = cJSON_GetObjectItem(req, "id");
  method = cJSON_GetObjectItem(req, "method");
  if (id == NULL) {
    cJSON_Delete(req);
    return reply(c, 202, "", "application/json", NULL, NULL);
  }
  res = cJSON_CreateObject();
  cJSON_AddStringToObject(res, "jsonrpc", "2.0");
  cJSON_AddItemToObject(res, "id", cJSON_Duplicate(id, 1));
  if (cJSON_IsString(method) && strcmp(method->valuestring, "initialize") == 0) {
    cJSON *r = cJSON_AddObjectToObject(res, "result");
    cJSON_AddStringToObject(r, "protocolVersion", "2025-06-18");
    cJSON_AddObjectToObject(r, "capabilities");
    session = "stub-session-1";
  } else if (cJSON_IsString(method) && strcmp(method->valuestring, "tools/call") == 0 &&
             MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Mcp-Session-Id") != NULL) {
    cJSON *params = cJSON_GetObjectItem(req, "params");
    cJSON *name = cJSON_GetObjectItem(params, "name");
    if (cJSON_IsString(name) && strcmp(name->valuestring, "echo") == 0) {
      cJSON *r = cJSON_AddObjectToObject(res, "result");
      cJSON *content = cJSON_AddArrayToObject(r, "content");
      cJSON *item = cJSON_CreateObject();
      char *args = cJSON_PrintUnformatted(cJSON_GetObjectItem(params, "arguments"));
      cJSON_AddStringToObject(item, "type", "text");
      cJSON_AddStringToObject(item, "text", args != NULL ? args : "{}");
      free(args);
      cJSON_AddItemToArray(content, item);
      cJSON_AddItemToObject(r, "structuredContent",
                            cJSON_Duplicate(cJSON_GetObjectItem(params, "arguments"), 1));
    } else {
      cJSON *e = cJSON_AddObjectToObject(res, "error");
      cJSON_AddNumberToObject(e, "code", -32601);
      cJSON_AddStringToObject(e, "message", "unknown tool");
    }
  } else {
    cJSON *e = cJSON_AddObjectToObject(res, "error");
    cJSON_AddNumberToObject(e, "code", -32600);
    cJSON_AddStringToObject(e, "message", "method not allowed here (no session?)");
  }
  text = cJSON_PrintUnformatted(res);
  ret = reply(c, 200, text, "application/json", session ? "Mcp-Session-Id" : NULL, session);
  free(text);
  cJSON_Delete(res);
  cJSON_Delete(req);
  return ret;
}

static enum MHD_Result forward(struct MHD_Connection *c, const char *url, const char *method,
                               const upload *u) {
  static const char *const kPass[] = {"Content-Type", "Accept", "Mcp-Session-Id",
                                      "MCP-Protocol-Version"};
  char hbuf[4][600], target[1200];
  const char *headers[5];
  int k = 0;
  for (int i = 0; i < 4; i++) {
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, kPass[i]);
    if (v == NULL) continue;
    snprintf(hbuf[k], sizeof(hbuf[k]), "%s: %s", kPass[i], v);
    headers[k] = hbuf[k];
    k++;
  }
  headers[k] = NULL;
  snprintf(target, sizeof(target), "%s%s", g_upstream, url);
  if (strcmp(url, "/health") != 0) sleep_ms(g_delay_ms);
  tst_http_resp resp;
  tst_err err;
  if (tst_http_request(method, target, u->len ? u->data : NULL, headers, 30000, &resp, &err) !=
      TST_OK) {
    fprintf(stderr, "stub_server: proxy %s %s: %s\n", method, url, err.msg);
    return reply(c, 502,
                 "{\"error\":{\"code\":\"bad_gateway\",\"message\":\"upstream unreachable\"}}",
                 "application/json", NULL, NULL);
  }
  const char *ctype = tst_http_header(&resp, "Content-Type");
  const char *sid = tst_http_header(&resp, "Mcp-Session-Id");
  enum MHD_Result ret =
      reply(c, (unsigned)resp.status, resp.body, ctype ? ctype : "application/json",
            sid ? "Mcp-Session-Id" : NULL, sid);
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
    char *d = realloc(u->data, u->len + *data_size + 1);
    if (d == NULL) return MHD_NO;
    memcpy(d + u->len, data, *data_size);
    u->data = d;
    u->len += *data_size;
    u->data[u->len] = '\0';
    *data_size = 0;
    return MHD_YES;
  }
  if (g_upstream[0]) return forward(c, url, method, u);
  fprintf(stderr, "stub_server: %s %s\n", method, url);
  if (strcmp(url, "/health") == 0) {
    return reply(c, 200, "{\"status\":\"healthy\"}", "application/json", NULL, NULL);
  }
  if (strncmp(url, "/status/", 8) == 0) {
    long st = strtol(url + 8, NULL, 10);
    return reply(c, st >= 100 && st < 600 ? (unsigned)st : 500, "{\"status\":\"as asked\"}",
                 "application/json", NULL, NULL);
  }
  if (strcmp(url, "/slow") == 0) {
    const char *ms = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "ms");
    sleep_ms(ms != NULL ? strtol(ms, NULL, 10) : 1000);
    return reply(c, 200, "slow done", "text/plain", NULL, NULL);
  }
  if (strcmp(url, "/echo") == 0) {
    char len[32];
    snprintf(len, sizeof(len), "%zu", u->len);
    return reply(c, 200, u->data != NULL ? u->data : "", "application/json", "X-Echo-Length", len);
  }
  if (strcmp(url, "/mcp") == 0 && strcmp(method, "POST") == 0) {
    return handle_mcp(c, u->data != NULL ? u->data : "");
  }
  return reply(c, 404, "{\"error\":\"not found\"}", "application/json", NULL, NULL);
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
  struct MHD_Daemon *d;
  struct sockaddr_in addr;
  sigset_t set;
  int sig = 0;
  for (int i = 1; i + 1 < argc; i++) {
    if (strcmp(argv[i], "--port") == 0) port = strtol(argv[i + 1], NULL, 10);
    if (strcmp(argv[i], "--upstream") == 0)
      snprintf(g_upstream, sizeof(g_upstream), "%s", argv[i + 1]);
    if (strcmp(argv[i], "--delay-ms") == 0) g_delay_ms = strtol(argv[i + 1], NULL, 10);
  }
  if (argc > 1 && strcmp(argv[1], "--help") == 0) {
    printf(
        "usage: stub_server --port N [--upstream URL [--delay-ms MS]] (test helper for "
        "//testing)\n");
    return 0;
  }
  if (port <= 0 || port > 65535) {
    fprintf(stderr, "stub_server: --port N is required\n");
    return 64;
  }
  if ((g_upstream[0] && strncmp(g_upstream, "http://", 7) != 0) || g_delay_ms < 0) {
    fprintf(stderr, "stub_server: --upstream must be http://HOST:PORT and --delay-ms >= 0\n");
    return 64;
  }
  for (size_t n = strlen(g_upstream); n > 0 && g_upstream[n - 1] == '/';) g_upstream[--n] = '\0';
  fprintf(stderr, "stub_server: starting on port %ld\n", port);
  if (env_long("STUB_FAIL_STARTUP")) {
    for (int i = 1; i <= 25; i++) fprintf(stderr, "stub_server: startup step %d\n", i);
    fprintf(stderr, "stub_server: FATAL: configured to fail startup\n");
    return 3;
  }
  if (env_long("STUB_NEVER_HEALTHY")) {
    for (int i = 1; i <= 25; i++) fprintf(stderr, "stub_server: waiting for nothing, line %d\n", i);
    fflush(stderr);
    for (;;) pause();
  }
  if (env_long("STUB_STARTUP_DELAY_MS") > 0) sleep_ms(env_long("STUB_STARTUP_DELAY_MS"));
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  if (!env_long("STUB_IGNORE_TERM")) {
    sigaddset(&set, SIGTERM);
  } else {
    signal(SIGTERM, SIG_IGN);
  }
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
                       (uint16_t)port, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, &addr,
                       MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_END);
  if (d == NULL) {
    fprintf(stderr, "stub_server: port %ld is in use; kill the process or change PORT\n", port);
    return 2;
  }
  fprintf(stderr, "stub_server: listening on 127.0.0.1:%ld\n", port);
  sigwait(&set, &sig);
  fprintf(stderr, "stub_server: signal %d, shutting down\n", sig);
  MHD_stop_daemon(d);
  return 0;
}
