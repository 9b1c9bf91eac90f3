/* error.h — the one error enum of servers/common, its strings, and its translations.
 *
 * Every fallible srv_ function returns an srv_code and, when it fails, fills an srv_err with a
 * human message that says what was wrong and what to do. The translation to HTTP status and to
 * JSON-RPC error codes happens here and nowhere else. Codes are never renumbered. */
#ifndef SRV_ERROR_H
#define SRV_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum srv_code {
  SRV_OK = 0,
  SRV_EINVAL = 1,        /* bad input from the caller (400 / -32602 / isError) */
  SRV_ENOTFOUND = 2,     /* no such thing (404) */
  SRV_ECONFLICT = 3,     /* version conflict, duplicate (409) */
  SRV_EBUSY = 4,         /* retry later: pool exhausted past the deadline (503 + Retry-After) */
  SRV_EUNAVAIL = 5,      /* retry later: database unreachable / reconnecting (503 + Retry-After) */
  SRV_ETIMEOUT = 6,      /* the operation ran past its deadline (504) */
  SRV_ETOOBIG = 7,       /* request body over the limit (413) */
  SRV_EIO = 8,           /* file system or network failure outside the database (500) */
  SRV_EINTERNAL = 9,     /* a bug or an unexpected database error (500) */
  SRV_EMETHOD = 10,      /* the path exists but not with this method (405 + Allow) */
  SRV_EFORBIDDEN = 11,   /* refused for who is asking: a foreign Origin (403, guard.h) */
  SRV_EMISDIRECTED = 12, /* the Host header names another server (421, guard.h) */
  SRV_EMEDIATYPE = 13,   /* a request body that is not JSON (415, guard.h) */
  SRV_ECODE_COUNT
} srv_code;

typedef struct srv_err {
  srv_code code;
  char msg[512];        /* NUL-terminated; empty when code == SRV_OK */
  long current_version; /* SRV_ECONFLICT on a stale version: the stored version (>= 1), which
                         * REST answers carry as error.current_version; 0 otherwise */
} srv_err;

/* Fills err (if non-NULL) with code and a printf-style message (current_version = 0); returns
 * code. */
srv_code srv_err_set(srv_err *err, srv_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* srv_err_set(err, SRV_ECONFLICT, ...) for a stale version, recording current_version (the
 * stored version the caller should re-read). Returns SRV_ECONFLICT. */
srv_code srv_err_stale_version(srv_err *err, long current_version, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Resets err to SRV_OK with an empty message. */
void srv_err_clear(srv_err *err);

/* Short stable name of a code ("invalid_argument", "pool_exhausted", ...). Never NULL. */
const char *srv_strerror(srv_code code);

/* HTTP status for a code (SRV_OK => 200; an unknown code => 500). Every HTTP error answer takes
 * its status from here (srv_http_resp_error). */
int srv_code_http_status(srv_code code);

/* True for the "retry later" codes (SRV_EBUSY, SRV_EUNAVAIL). */
int srv_code_is_retry_later(srv_code code);

/* JSON-RPC error code for a failure reported as a protocol error (tool failures are isError
 * results instead): SRV_EINVAL => -32602 (invalid params); SRV_EBUSY / SRV_EUNAVAIL => -32001
 * (server-defined "retry later"); SRV_ETIMEOUT => -32002; every other failure => -32603 (internal
 * error; the HTTP-only codes SRV_EMETHOD .. SRV_EMEDIATYPE never reach JSON-RPC); SRV_OK => 0.
 * Unknown methods (-32601) and parse errors (-32700) are the transport's. */
int srv_code_jsonrpc(srv_code code);

#ifdef __cplusplus
}
#endif

#endif /* SRV_ERROR_H */
