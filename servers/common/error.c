/* error.c — strings and translations of srv_code (see error.h). The only place that maps a code
 * to an HTTP status or a JSON-RPC error code. Tables are indexed by code; codes are never
 * renumbered, so the tables only ever grow. */
#include "servers/common/error.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const k_names[SRV_ECODE_COUNT] = {
    [SRV_OK] = "ok",
    [SRV_EINVAL] = "invalid_argument",
    [SRV_ENOTFOUND] = "not_found",
    [SRV_ECONFLICT] = "conflict",
    [SRV_EBUSY] = "pool_exhausted",
    [SRV_EUNAVAIL] = "database_unavailable",
    [SRV_ETIMEOUT] = "timeout",
    [SRV_ETOOBIG] = "payload_too_large",
    [SRV_EIO] = "io_error",
    [SRV_EINTERNAL] = "internal_error",
    [SRV_EMETHOD] = "method_not_allowed",
    [SRV_EFORBIDDEN] = "forbidden",
    [SRV_EMISDIRECTED] = "misdirected_request",
    [SRV_EMEDIATYPE] = "unsupported_media_type",
};

static const int k_http[SRV_ECODE_COUNT] = {
    [SRV_OK] = 200,           [SRV_EINVAL] = 400,     [SRV_ENOTFOUND] = 404, [SRV_ECONFLICT] = 409,
    [SRV_EBUSY] = 503,        [SRV_EUNAVAIL] = 503,   [SRV_ETIMEOUT] = 504,  [SRV_ETOOBIG] = 413,
    [SRV_EIO] = 500,          [SRV_EINTERNAL] = 500,  [SRV_EMETHOD] = 405,   [SRV_EFORBIDDEN] = 403,
    [SRV_EMISDIRECTED] = 421, [SRV_EMEDIATYPE] = 415,
};

static int code_valid(srv_code code) {
  return (int)code >= 0 && code < SRV_ECODE_COUNT;
}

srv_code srv_err_set(srv_err *err, srv_code code, const char *fmt, ...) {
  if (err == NULL) return code;
  err->code = code;
  err->msg[0] = '\0';
  err->current_version = 0;
  if (fmt != NULL) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
  }
  return code;
}

srv_code srv_err_stale_version(srv_err *err, long current_version, const char *fmt, ...) {
  if (err == NULL) return SRV_ECONFLICT;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  va_end(ap);
  err->code = SRV_ECONFLICT;
  err->current_version = current_version;
  return SRV_ECONFLICT;
}

void srv_err_clear(srv_err *err) {
  if (err == NULL) return;
  err->code = SRV_OK;
  err->msg[0] = '\0';
  err->current_version = 0;
}

const char *srv_strerror(srv_code code) {
  return code_valid(code) ? k_names[code] : "internal_error";
}

int srv_code_http_status(srv_code code) {
  return code_valid(code) ? k_http[code] : 500;
}

int srv_code_is_retry_later(srv_code code) {
  return code == SRV_EBUSY || code == SRV_EUNAVAIL;
}

int srv_code_jsonrpc(srv_code code) {
  switch (code) {
    case SRV_OK:
      return 0;
    case SRV_EINVAL:
      return -32602;
    case SRV_EBUSY:
    case SRV_EUNAVAIL:
      return -32001;
    case SRV_ETIMEOUT:
      return -32002;
    default:
      return -32603;
  }
}
