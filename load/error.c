/* error.c — ld_err_set and ld_strerror (see error.h). */
#include "load/error.h"

#include <stdarg.h>
#include <stdio.h>

int ld_err_set(ld_err *err, ld_code code, const char *fmt, ...) {
  if (err != NULL) {
    va_list ap;
    va_start(ap, fmt);
    err->code = code;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
  }
  return code;
}

const char *ld_strerror(ld_code code) {
  switch (code) {
    case LD_OK:
      return "ok";
    case LD_EINVAL:
      return "invalid input";
    case LD_EIO:
      return "i/o error";
    case LD_ENOMEM:
      return "out of memory";
    case LD_EUNREACH:
      return "target unreachable";
    case LD_ETHRESHOLD:
      return "threshold failed";
    case LD_ESETUP:
      return "setup failed";
    case LD_EINTERNAL:
      return "internal error";
  }
  return "unknown error";
}
