/* error.h — the one error enum of //models, its strings, and the error struct every mdl_ function
 * fills.
 *
 * A record that fails to parse or validate reports MDL_E* plus the dotted path of the offending
 * field ("latency_p99_ms", "connection_pool.free", "workflow_steps[1].step_number") and a sentence
 * naming the rule ("latency_p99_ms must be >= latency_p95_ms (got 300 < 387.2)"). Codes are never
 * renumbered. */
#ifndef MDL_ERROR_H
#define MDL_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

#define MDL_FIELD_MAX 64 /* size of mdl_err.field, NUL included; longer paths are truncated */
#define MDL_MSG_MAX 256  /* size of mdl_err.msg, NUL included */

typedef enum mdl_code {
  MDL_OK = 0,
  MDL_EJSON = 1,    /* the text is not JSON at all */
  MDL_ETYPE = 2,    /* a field has the wrong JSON type (string where a number belongs, ...) */
  MDL_EMISSING = 3, /* a required field is absent (or null) */
  MDL_EENUM = 4,    /* a string is not one of the allowed values */
  /* a value is out of range or malformed (negative latency, bad UUID, long name) */
  MDL_ERANGE = 5,
  /* a rule across fields is broken (p50 <= p95 <= p99, sums, ordering, sequence) */
  MDL_ERULE = 6,
  MDL_ENOMEM = 7, /* out of memory */
  MDL_EIO = 8,    /* a file could not be read or written */
  MDL_ECODE_COUNT
} mdl_code;

typedef struct mdl_err {
  mdl_code code;
  char field[MDL_FIELD_MAX]; /* dotted path of the field at fault; "" when not about one field */
  char msg[MDL_MSG_MAX];     /* the rule that failed, as a sentence; "" when code == MDL_OK */
} mdl_err;

/* Fills err (if non-NULL) with code, field (NULL => "") and a printf-style message; returns
 * code. */
mdl_code mdl_err_set(mdl_err *err, mdl_code code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Resets err (if non-NULL) to MDL_OK with empty field and message. */
void mdl_err_clear(mdl_err *err);

/* Short stable name of a code ("ok", "not_json", "wrong_type", "missing_field",
 * "unknown_enum_value", "out_of_range", "rule_violated", "out_of_memory", "io_error"). Never
 * NULL. */
const char *mdl_strerror(mdl_code code);

#ifdef __cplusplus
}
#endif

#endif /* MDL_ERROR_H */
