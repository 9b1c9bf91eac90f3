/* maps.h — the two small key-value maps records carry: typed parameters and string maps.
 *
 * mdl_params (PerformanceBenchmarkResult.test_parameters): string keys to a string, an integer or a
 * float. From JSON, a number that is integral and within +-2^53 becomes MDL_PARAM_INT, any other
 * number MDL_PARAM_FLOAT; nested objects, arrays, booleans and null are rejected. mdl_strmap
 * (HealthCheckResponse.details, metric labels): string keys to string values.
 * Both keep insertion order (that is the JSON order, so round trips are byte-stable), refuse
 * duplicate keys from JSON, and own every string: free with mdl_params_free / mdl_strmap_free.
 * A zeroed map ({0}) is a valid empty map. Keys are 1-255 bytes. */
#ifndef MDL_MAPS_H
#define MDL_MAPS_H

#include <stddef.h>
#include <stdint.h>

#include "models/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MDL_KEY_MAX 255 /* longest key, in bytes */

typedef enum mdl_param_kind {
  MDL_PARAM_STRING = 0,
  MDL_PARAM_INT = 1,
  MDL_PARAM_FLOAT = 2
} mdl_param_kind;

typedef struct mdl_param {
  char *key; /* owned, NUL-terminated */
  mdl_param_kind kind;
  char *str; /* owned; set only when kind == MDL_PARAM_STRING */
  int64_t i; /* kind == MDL_PARAM_INT */
  double f;  /* kind == MDL_PARAM_FLOAT; finite */
} mdl_param;

typedef struct mdl_params {
  mdl_param *items; /* owned array of count entries */
  size_t count;
} mdl_params;

/* Add or replace key. Copies key and value. MDL_ERANGE for an empty/too long key or a non-finite
 * float, MDL_ENOMEM on allocation failure (the map is unchanged on any failure). */
mdl_code mdl_params_set_string(mdl_params *p, const char *key, const char *value, mdl_err *err);
mdl_code mdl_params_set_int(mdl_params *p, const char *key, int64_t value, mdl_err *err);
mdl_code mdl_params_set_float(mdl_params *p, const char *key, double value, mdl_err *err);

/* Entry for key, or NULL. The pointer is valid until the map changes. */
const mdl_param *mdl_params_get(const mdl_params *p, const char *key);

/* Frees every entry and zeroes p. Safe on a zeroed map; p may be NULL. */
void mdl_params_free(mdl_params *p);

typedef struct mdl_strmap_entry {
  char *key;   /* owned */
  char *value; /* owned */
} mdl_strmap_entry;

typedef struct mdl_strmap {
  mdl_strmap_entry *items; /* owned array of count entries */
  size_t count;
} mdl_strmap;

/* Add or replace key (copies both). MDL_ERANGE for an empty/too long key, MDL_ENOMEM. */
mdl_code mdl_strmap_set(mdl_strmap *m, const char *key, const char *value, mdl_err *err);

/* Value for key, or NULL. */
const char *mdl_strmap_get(const mdl_strmap *m, const char *key);

/* True if both maps hold the same entries in the same order. */
int mdl_strmap_equal(const mdl_strmap *a, const mdl_strmap *b);

/* Frees every entry and zeroes m. Safe on a zeroed map; m may be NULL. */
void mdl_strmap_free(mdl_strmap *m);

#ifdef __cplusplus
}
#endif

#endif /* MDL_MAPS_H */
