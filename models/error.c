/* error.c — mdl_err filling and the code names. Owns nothing; no allocation. */
#include "models/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

mdl_code mdl_err_set(mdl_err *err, mdl_code code, const char *field, const char *fmt, ...) {
  if (err == NULL) return code;
  err->code = code;
  snprintf(err->field, sizeof err->field, "%s", field != NULL ? field : "");
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  va_end(ap);
  return code;
}

void mdl_err_clear(mdl_err *err) {
  if (err == NULL) return;
  err->code = MDL_OK;
  err->field[0] = '\0';
  err->msg[0] = '\0';
}

const char *mdl_strerror(mdl_code code) {
  switch (code) {
    case MDL_OK:
      return "ok";
    case MDL_EJSON:
      return "not_json";
    case MDL_ETYPE:
      return "wrong_type";
    case MDL_EMISSING:
      return "missing_field";
    case MDL_EENUM:
      return "unknown_enum_value";
    case MDL_ERANGE:
      return "out_of_range";
    case MDL_ERULE:
      return "rule_violated";
    case MDL_ENOMEM:
      return "out_of_memory";
    case MDL_EIO:
      return "io_error";
    case MDL_ECODE_COUNT:
      break;
  }
  return "unknown_error";
}
