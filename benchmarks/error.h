/* error.h — the error codes and error struct of //benchmarks (comparison, report, measurement).
 *
 * Every fallible bench_ function returns a bench_code and, when it fails, fills a bench_err (if the
 * caller passed one) with a sentence naming what was wrong and what to do. Codes are never
 * renumbered. */
#ifndef BENCH_ERROR_H
#define BENCH_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum bench_code {
  BENCH_OK = 0,
  BENCH_EINVAL = 1, /* bad argument or malformed input file (not JSON, invalid record) */
  BENCH_EIO = 2,    /* a file could not be read or written */
  BENCH_ENOMEM = 3, /* out of memory */
  BENCH_ESETUP = 4, /* the measurement could not be set up (PostgreSQL, server, fixture) */
  BENCH_ERUN = 5,   /* an operation under measurement failed (HTTP error, tool error, job failed) */
  BENCH_ECODE_COUNT
} bench_code;

typedef struct bench_err {
  bench_code code; /* BENCH_OK when no error */
  char msg[768];   /* NUL-terminated; empty when code == BENCH_OK */
} bench_err;

/* Fills err (if non-NULL) with code and a printf-style message; returns code. */
bench_code bench_err_set(bench_err *err, bench_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Resets err (if non-NULL) to BENCH_OK with an empty message. */
void bench_err_clear(bench_err *err);

/* Short stable name of a code ("ok", "invalid", "io", ...). Never NULL. */
const char *bench_strerror(bench_code code);

#ifdef __cplusplus
}
#endif

#endif /* BENCH_ERROR_H */
