/* error.c — tst_err helpers and the names of the harness error codes.
 *
 * Owns nothing but the code-name table; messages are truncated to fit tst_err.msg. */
#include "testing/error.h"

#include <stdarg.h>
#include <stdio.h>

tst_code tst_err_set(tst_err *err, tst_code code, const char *fmt, ...) {
  if (err != NULL) {
    va_list ap;
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
  }
  return code;
}

void tst_err_clear(tst_err *err) {
  if (err != NULL) {
    err->code = TST_OK;
    err->msg[0] = '\0';
  }
}

const char *tst_strerror(tst_code code) {
  static const char *const names[TST_ECODE_COUNT] = {
      "ok",       "invalid_argument", "system_error",   "timeout",     "start_failed",
      "db_error", "http_error",       "protocol_error", "unsupported", "not_found",
  };
  if ((int)code < 0 || code >= TST_ECODE_COUNT) return "unknown";
  return names[code];
}
