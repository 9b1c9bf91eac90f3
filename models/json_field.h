/* json_field.h — internal to //models: typed field access on cJSON objects with field-path errors,
 * range checks that name the rule, and serialisation helpers.
 *
 * Every getter takes the enclosing object, the path prefix of that object ("" for the record
 * itself, "connection_pool", "workflow_steps[1]") and the key, and reports errors on the full
 * dotted path. A JSON null counts as absent. Getters never allocate unless their name says so
 * (strdup, params, strmap); those give the caller ownership. Not part of the public interface
 * (package-private). */
#ifndef MDL_JSON_FIELD_H
#define MDL_JSON_FIELD_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/error.h"
#include "models/maps.h"
#include "models/timestamp.h"
#include "models/uuid.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Runs x; on failure jumps to the function's cleanup label with rc set. */
#define MDL_TRY(x)                  \
  do {                              \
    rc = (x);                       \
    if (rc != MDL_OK) goto cleanup; \
  } while (0)

#define MDL_MAX_SAFE_INT 9007199254740992.0 /* 2^53: integers beyond this are not exact in JSON */

/* out = "prefix.key" (or "key" when prefix is empty); "prefix.key[i]" for mdl_jf_index. */
void mdl_jf_path(char out[MDL_FIELD_MAX], const char *prefix, const char *key);
void mdl_jf_index(char out[MDL_FIELD_MAX], const char *prefix, const char *key, size_t i);

/* The member key of obj, or NULL when absent or null. */
const cJSON *mdl_jf_item(const cJSON *obj, const char *key);

/* JSON type name of j for messages ("string", "number", "object", ...). */
const char *mdl_jf_type_name(const cJSON *j);

/* MDL_ETYPE unless j is an object ("path must be a JSON object"); path "" reads "record". */
mdl_code mdl_jf_expect_object(const cJSON *j, const char *path, mdl_err *err);

/* Getters. Absent/null: MDL_EMISSING when required, else MDL_OK with *present = false (present may
 * be NULL). Wrong type: MDL_ETYPE. */
mdl_code mdl_jf_number(const cJSON *obj, const char *prefix, const char *key, bool required,
                       double *out, bool *present, mdl_err *err);
mdl_code mdl_jf_int(const cJSON *obj, const char *prefix, const char *key, bool required,
                    int64_t *out, bool *present, mdl_err *err);
mdl_code mdl_jf_string(const cJSON *obj, const char *prefix, const char *key, bool required,
                       const char **out, bool *present, mdl_err *err); /* borrowed from obj */
mdl_code mdl_jf_strdup(const cJSON *obj, const char *prefix, const char *key, bool required,
                       char **out, mdl_err *err); /* *out owned; NULL when absent */
mdl_code mdl_jf_enum(const cJSON *obj, const char *prefix, const char *key, bool required,
                     const char *const *names, int count, int *out, bool *present, mdl_err *err);
mdl_code mdl_jf_uuid(const cJSON *obj, const char *prefix, const char *key, char out[MDL_UUID_LEN],
                     mdl_err *err); /* required */
mdl_code mdl_jf_time(const cJSON *obj, const char *prefix, const char *key, bool required,
                     char out[MDL_TIME_LEN], bool *present, mdl_err *err);
mdl_code mdl_jf_array(const cJSON *obj, const char *prefix, const char *key, bool required,
                      const cJSON **out, bool *present, mdl_err *err);
mdl_code mdl_jf_object(const cJSON *obj, const char *prefix, const char *key, bool required,
                       const cJSON **out, bool *present, mdl_err *err);
/* Optional maps (absent => empty). Duplicate keys are MDL_ERULE. *out owned by the caller. */
mdl_code mdl_jf_params(const cJSON *obj, const char *prefix, const char *key, mdl_params *out,
                       mdl_err *err);
mdl_code mdl_jf_strmap(const cJSON *obj, const char *prefix, const char *key, mdl_strmap *out,
                       mdl_err *err);

/* Checks on one value at path; messages read "<name> must be >= 0 (got -1)" where name is the last
 * path component. */
mdl_code mdl_jf_check_ge(double v, double min, const char *path, mdl_err *err);
mdl_code mdl_jf_check_gt(double v, double min, const char *path, mdl_err *err);
mdl_code mdl_jf_check_range(double v, double lo, double hi, const char *path, mdl_err *err);
mdl_code mdl_jf_check_finite(double v, const char *path, mdl_err *err);
/* Rule lo <= hi at two decimals, reported on hi's field: "hi_key must be >= lo_key (got 3 < 4)". */
mdl_code mdl_jf_check_order(double lo, const char *lo_key, double hi, const char *hi_key,
                            const char *prefix, mdl_err *err);

/* Serialisation: each returns false on out of memory (o is left partially filled; delete it). */
bool mdl_jf_add_number(cJSON *o, const char *key, double v);
bool mdl_jf_add_round2(cJSON *o, const char *key, double v); /* two decimals */
bool mdl_jf_add_int(cJSON *o, const char *key, int64_t v);
bool mdl_jf_add_string(cJSON *o, const char *key, const char *s); /* NULL => "" */
bool mdl_jf_add_null(cJSON *o, const char *key);
bool mdl_jf_add_item(cJSON *o, const char *key, cJSON *item); /* takes item; NULL item => false */
cJSON *mdl_jf_params_to_json(const mdl_params *p);
cJSON *mdl_jf_strmap_to_json(const mdl_strmap *m);
/* Deep copy of j (NULL for NULL); sets *oom when a non-NULL j could not be copied. */
cJSON *mdl_jf_dup(const cJSON *j, bool *oom);

#ifdef __cplusplus
}
#endif

#endif /* MDL_JSON_FIELD_H */
