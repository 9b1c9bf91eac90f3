/* guard.c — Host, Origin and Content-Type checks for every HTTP request (see guard.h).
 *
 * A host-and-port text ("localhost:8020", "[::1]:8010", "127.0.0.1") is split into its name and
 * its port; names compare case-insensitively and exactly (no suffix or prefix matches, so
 * "localhost.evil.example" is foreign). */
#include "servers/common/guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const k_loopback[] = {"localhost", "127.0.0.1", "[::1]"};

typedef struct hostport {
  const char *name;
  size_t name_len;
  int port; /* -1: none given */
} hostport;

/* Splits s[0..n) into name and port; 0 when malformed (empty name, bad port). */
static int split_hostport(const char *s, size_t n, hostport *hp) {
  const char *colon = NULL;
  hp->name = s;
  hp->port = -1;
  if (n == 0) return 0;
  if (s[0] == '[') {
    const char *close = memchr(s, ']', n);
    if (close == NULL) return 0;
    hp->name_len = (size_t)(close - s) + 1;
    if (hp->name_len < n) {
      if (close[1] != ':') return 0;
      colon = close + 1;
    }
  } else {
    colon = memchr(s, ':', n);
    hp->name_len = colon ? (size_t)(colon - s) : n;
    if (colon != NULL && memchr(colon + 1, ':', n - (size_t)(colon + 1 - s)) != NULL) return 0;
  }
  if (hp->name_len == 0) return 0;
  if (colon != NULL) {
    const char *p = colon + 1, *end = s + n;
    int v = 0;
    if (p == end || end - p > 5) return 0;
    for (; p < end; p++) {
      if (*p < '0' || *p > '9') return 0;
      v = v * 10 + (*p - '0');
    }
    if (v < 1 || v > 65535) return 0;
    hp->port = v;
  }
  return 1;
}

static int name_is(const hostport *hp, const char *name, size_t len) {
  return hp->name_len == len && strncasecmp(hp->name, name, len) == 0;
}

static int is_wildcard(const char *addr) {
  return strcmp(addr, "0.0.0.0") == 0 || strcmp(addr, "::") == 0 || strcmp(addr, "[::]") == 0;
}

/* The bind address as a Host name ("192.168.1.5", "[fe80::1]"), or 0 when it adds nothing. */
static int bind_name(const srv_guard *g, char *out, size_t size) {
  if (g == NULL || g->bind_addr == NULL || g->bind_addr[0] == '\0' || is_wildcard(g->bind_addr))
    return 0;
  if (strchr(g->bind_addr, ':') != NULL && g->bind_addr[0] != '[')
    snprintf(out, size, "[%s]", g->bind_addr);
  else
    snprintf(out, size, "%s", g->bind_addr);
  return 1;
}

/* 1 when hp names an ALLOWED_HOSTS entry: an entry with a port matches that port only, one
 * without a port matches the name on any port. */
static int in_allowed_list(const srv_guard *g, const hostport *hp) {
  const char *p = g ? g->allowed_hosts : NULL;
  while (p != NULL && *p != '\0') {
    const char *end = strchr(p, ',');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    hostport e;
    while (n > 0 && (*p == ' ' || *p == '\t')) p++, n--;
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t')) n--;
    if (split_hostport(p, n, &e) && name_is(hp, e.name, e.name_len) &&
        (e.port == -1 || e.port == hp->port))
      return 1;
    p = end ? end + 1 : NULL;
  }
  return 0;
}

/* 1 when hp is one of the server's own names: the loopback names and the bind address. */
static int own_name(const srv_guard *g, const hostport *hp) {
  char b[80];
  for (size_t i = 0; i < sizeof k_loopback / sizeof k_loopback[0]; i++)
    if (name_is(hp, k_loopback[i], strlen(k_loopback[i]))) return 1;
  return bind_name(g, b, sizeof b) && name_is(hp, b, strlen(b));
}

int srv_guard_host_ok(const srv_guard *g, const char *host) {
  hostport hp;
  if (host == NULL) return 1;
  if (!split_hostport(host, strlen(host), &hp)) return 0;
  if (in_allowed_list(g, &hp)) return 1;
  if (!own_name(g, &hp)) return 0;
  if (g == NULL || g->port <= 0) return 1;
  return hp.port == -1 ? g->port == 80 : hp.port == g->port;
}

int srv_guard_origin_ok(const srv_guard *g, const char *origin) {
  const char *p;
  size_t n;
  hostport hp;
  if (origin == NULL) return 1;
  if (strncasecmp(origin, "http://", 7) == 0)
    p = origin + 7;
  else if (strncasecmp(origin, "https://", 8) == 0)
    p = origin + 8;
  else
    return 0;
  n = strlen(p);
  if (n > 0 && p[n - 1] == '/') n--;
  if (memchr(p, '/', n) != NULL || memchr(p, '@', n) != NULL) return 0;
  if (!split_hostport(p, n, &hp)) return 0;
  return own_name(g, &hp) || in_allowed_list(g, &hp);
}

int srv_guard_json_type(const char *ct) {
  static const char k_json[] = "application/json";
  if (ct == NULL) return 0;
  while (*ct == ' ' || *ct == '\t') ct++;
  if (strncasecmp(ct, k_json, sizeof k_json - 1) != 0) return 0;
  ct += sizeof k_json - 1;
  return *ct == '\0' || *ct == ';' || *ct == ' ' || *ct == '\t';
}

int srv_guard_bind_is_loopback(const char *addr) {
  struct in_addr a4;
  struct in6_addr a6;
  if (addr == NULL) return 0;
  if (strcasecmp(addr, "localhost") == 0) return 1;
  if (inet_pton(AF_INET, addr, &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
  if (inet_pton(AF_INET6, addr, &a6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&a6)) return 1;
    return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
  }
  return 0;
}

srv_code srv_guard_check(const srv_guard *g, const char *method, const char *host,
                         const char *origin, const char *content_type, int has_body,
                         const char **code_name, char *msg, size_t msg_size) {
  if (!srv_guard_host_ok(g, host)) {
    *code_name = "misdirected_request";
    snprintf(msg, msg_size,
             "Host '%.100s' is not this server: use http://127.0.0.1:%d or http://localhost:%d "
             "(a proxy or a remote name must be listed in ALLOWED_HOSTS)",
             host, g ? g->port : 0, g ? g->port : 0);
    return SRV_EMISDIRECTED;
  }
  if (!srv_guard_origin_ok(g, origin)) {
    *code_name = "forbidden_origin";
    snprintf(msg, msg_size,
             "Origin %.120s is not allowed: only loopback origins (localhost, 127.0.0.1, [::1]) "
             "or ALLOWED_HOSTS may call this server",
             origin);
    return SRV_EFORBIDDEN;
  }
  if (has_body && method != NULL &&
      (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 || strcmp(method, "PATCH") == 0) &&
      !srv_guard_json_type(content_type)) {
    *code_name = "unsupported_media_type";
    snprintf(msg, msg_size,
             "the request body must be JSON sent with 'Content-Type: application/json' (got "
             "%.80s)",
             content_type ? content_type : "no Content-Type");
    return SRV_EMEDIATYPE;
  }
  return SRV_OK;
}
