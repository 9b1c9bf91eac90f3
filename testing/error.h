/* error.h — the error codes and error struct of the test harness (//testing).
 *
 * Every fallible tst_ function returns a tst_code and, when it fails, fills a tst_err (if the
 * caller passed one) with a message naming what was wrong and what to do. Codes are never
 * renumbered. This library is test-only: nothing here is linked into the servers. */
#ifndef TST_ERROR_H
#define TST_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tst_code {
  TST_OK = 0,
  TST_EINVAL = 1,       /* bad argument from the caller */
  TST_ESYS = 2,         /* a system call failed (fork, mkdir, write, ...); errno text in msg */
  TST_ETIMEOUT = 3,     /* a deadline passed (startup, health wait, HTTP request, stop) */
  TST_ESTART = 4,       /* a child process failed to start or exited early */
  TST_EDB = 5,          /* PostgreSQL refused a statement or a connection */
  TST_EHTTP = 6,        /* HTTP transport failure (connection refused, reset, DNS) */
  TST_EPROTO = 7,       /* a peer answered, but not with what the protocol requires */
  TST_EUNSUPPORTED = 8, /* operation not possible in this mode (e.g. stop with DATABASE_URL) */
  TST_ENOTFOUND = 9,    /* a file, runfile or binary could not be found */
  TST_ECODE_COUNT
} tst_code;

typedef struct tst_err {
  tst_code code;  /* TST_OK when no error */
  char msg[4096]; /* NUL-terminated; empty when code == TST_OK. Large enough for a log tail. */
} tst_err;

/* Fills err (if non-NULL) with code and a printf-style message; returns code. */
tst_code tst_err_set(tst_err *err, tst_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Resets err (if non-NULL) to TST_OK with an empty message. */
void tst_err_clear(tst_err *err);

/* Short stable name of a code ("ok", "timeout", ...). Never NULL. */
const char *tst_strerror(tst_code code);

#ifdef __cplusplus
}
#endif

#endif /* TST_ERROR_H */
