/* error.c — bench_err helpers (see error.h). */
#include "benchmarks/error.h"

#include <stdarg.h>
#include <stdio.h>

bench_code bench_err_set(bench_err *err, bench_code code, const char *fmt, ...) {
  if (err != NULL) {
    va_list ap;
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
  }
  return code;
}

void bench_err_clear(bench_err *err) {
  if (err != NULL) {
    err->code = BENCH_OK;
    err->msg[0] = '\0';
  }
}

const char *bench_strerror(bench_code code) {
  static const char *const names[BENCH_ECODE_COUNT] = {
      "ok", "invalid", "io", "out_of_memory", "setup_failed", "run_failed"};
  if ((int)code < 0 || code >= BENCH_ECODE_COUNT) return "unknown";
  return names[code];
}
