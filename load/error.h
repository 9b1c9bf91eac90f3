/* error.h — the error codes and message struct of //load (load generator, profiles, report).
 *
 * Functions return LD_OK or a code and fill an ld_err with a message that says what was wrong and
 * what to do. The CLI maps codes to exit statuses in one place (main.c). */
#ifndef LD_ERROR_H
#define LD_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ld_code {
  LD_OK = 0,
  LD_EINVAL,     /* bad flag, stage, scenario, threshold or result file */
  LD_EIO,        /* a file could not be read or written */
  LD_ENOMEM,     /* out of memory */
  LD_EUNREACH,   /* the target did not answer */
  LD_ETHRESHOLD, /* a threshold failed (the run itself completed or was aborted) */
  LD_ESETUP,     /* a profile could not start PostgreSQL / servers / fixtures */
  LD_EINTERNAL,
} ld_code;

typedef struct ld_err {
  ld_code code;
  char msg[1024];
} ld_err;

/* Sets err (may be NULL) and returns code. */
int ld_err_set(ld_err *err, ld_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

const char *ld_strerror(ld_code code);

#ifdef __cplusplus
}
#endif

#endif /* LD_ERROR_H */
