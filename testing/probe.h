/* probe.h — the browser-attack probe of a running server (issue 12, docs/operations/security.md).
 *
 * For every route of a server — POST /mcp, DELETE /mcp, GET /health, GET /metrics, POST
 * /mcp/<tool> for each tool that tools/list names, plus the extra REST routes the caller gives —
 * sends three requests a web page could send: a foreign Origin (expect 403), a foreign Host
 * (expect 421) and, for routes that take a body, a text/plain body (expect 415); and one request
 * as curl sends it (loopback Host, no Origin, JSON body) that must NOT be refused by those checks.
 * `{x}` segments of a route are filled with a well-formed UUID. */
#ifndef TST_PROBE_H
#define TST_PROBE_H

#include <stddef.h>

#include "testing/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tst_probe_route {
  const char *method; /* "GET", "POST", "DELETE" */
  const char *path;   /* "/mcp/work_items/{id}" */
} tst_probe_route;

/* Probes base_url ("http://127.0.0.1:PORT"). extra: routes besides /mcp, /health, /metrics and
 * the tools' POST /mcp/<tool> (may be NULL when n_extra is 0). Writes one line per probe
 * ("POST /mcp/search foreign-origin 403 ok") into report (NUL-terminated, truncated to size).
 * TST_OK when every probe got its expected answer; TST_EPROTO naming the first that did not;
 * transport failures as tst_http_request. *n_probes (optional) gets the number of requests sent. */
int tst_probe_routes(const char *base_url, const tst_probe_route *extra, size_t n_extra,
                     char *report, size_t size, size_t *n_probes, tst_err *err);

/* Writes text to $TEST_UNDECLARED_OUTPUTS_DIR/name (a test artifact); no-op when unset. */
void tst_probe_save(const char *name, const char *text);

#ifdef __cplusplus
}
#endif

#endif /* TST_PROBE_H */
