/* maps.c — mdl_params and mdl_strmap: small insertion-ordered maps with linear lookup.
 *
 * Maps here hold a handful of entries (test parameters, health details, metric labels), so a plain
 * array with linear search is the simplest correct structure. Every string is a private copy. */
#include "models/maps.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static mdl_code check_key(const char *key, mdl_err *err) {
  if (key == NULL || key[0] == '\0')
    return mdl_err_set(err, MDL_ERANGE, "", "key must not be empty");
  if (strlen(key) > MDL_KEY_MAX)
    return mdl_err_set(err, MDL_ERANGE, "", "key must be at most %d bytes", MDL_KEY_MAX);
  return MDL_OK;
}

/* ---- mdl_params ------------------------------------------------------------------------------ */

static mdl_param *params_find(const mdl_params *p, const char *key) {
  for (size_t i = 0; i < p->count; i++)
    if (strcmp(p->items[i].key, key) == 0) return &p->items[i];
  return NULL;
}

/* Stores the value v (whose str, if any, is already an owned copy) under key. Takes ownership of
 * v.str: it is stored on success and freed on failure. */
static mdl_code params_put(mdl_params *p, const char *key, mdl_param v, mdl_err *err) {
  mdl_code rc = check_key(key, err);
  if (rc != MDL_OK) {
    free(v.str);
    return rc;
  }
  mdl_param *cur = params_find(p, key);
  if (cur != NULL) {
    free(cur->str);
    v.key = cur->key;
    *cur = v;
    return MDL_OK;
  }
  char *k = strdup(key);
  mdl_param *grown = k != NULL ? realloc(p->items, (p->count + 1) * sizeof *grown) : NULL;
  if (grown == NULL) {
    free(k);
    free(v.str);
    return mdl_err_set(err, MDL_ENOMEM, "", "out of memory adding parameter %s", key);
  }
  p->items = grown;
  v.key = k;
  p->items[p->count++] = v;
  return MDL_OK;
}

mdl_code mdl_params_set_string(mdl_params *p, const char *key, const char *value, mdl_err *err) {
  assert(p != NULL && value != NULL);
  mdl_param v = {.kind = MDL_PARAM_STRING, .str = strdup(value)};
  if (v.str == NULL)
    return mdl_err_set(err, MDL_ENOMEM, "", "out of memory copying parameter %s", key);
  return params_put(p, key, v, err);
}

mdl_code mdl_params_set_int(mdl_params *p, const char *key, int64_t value, mdl_err *err) {
  assert(p != NULL);
  mdl_param v = {.kind = MDL_PARAM_INT, .i = value};
  return params_put(p, key, v, err);
}

mdl_code mdl_params_set_float(mdl_params *p, const char *key, double value, mdl_err *err) {
  assert(p != NULL);
  if (!isfinite(value))
    return mdl_err_set(err, MDL_ERANGE, "", "parameter %s must be a finite number", key);
  mdl_param v = {.kind = MDL_PARAM_FLOAT, .f = value};
  return params_put(p, key, v, err);
}

const mdl_param *mdl_params_get(const mdl_params *p, const char *key) {
  assert(p != NULL && key != NULL);
  return params_find(p, key);
}

void mdl_params_free(mdl_params *p) {
  if (p == NULL) return;
  for (size_t i = 0; i < p->count; i++) {
    free(p->items[i].key);
    free(p->items[i].str);
  }
  free(p->items);
  p->items = NULL;
  p->count = 0;
}

/* ---- mdl_strmap ------------------------------------------------------------------------------ */

mdl_code mdl_strmap_set(mdl_strmap *m, const char *key, const char *value, mdl_err *err) {
  assert(m != NULL && value != NULL);
  mdl_code rc = check_key(key, err);
  if (rc != MDL_OK) return rc;
  char *v = strdup(value);
  if (v == NULL) return mdl_err_set(err, MDL_ENOMEM, "", "out of memory copying %s", key);
  for (size_t i = 0; i < m->count; i++) {
    if (strcmp(m->items[i].key, key) == 0) {
      free(m->items[i].value);
      m->items[i].value = v;
      return MDL_OK;
    }
  }
  char *k = strdup(key);
  mdl_strmap_entry *grown = k != NULL ? realloc(m->items, (m->count + 1) * sizeof *grown) : NULL;
  if (grown == NULL) {
    free(k);
    free(v);
    return mdl_err_set(err, MDL_ENOMEM, "", "out of memory adding %s", key);
  }
  m->items = grown;
  m->items[m->count].key = k;
  m->items[m->count].value = v;
  m->count++;
  return MDL_OK;
}

const char *mdl_strmap_get(const mdl_strmap *m, const char *key) {
  assert(m != NULL && key != NULL);
  for (size_t i = 0; i < m->count; i++)
    if (strcmp(m->items[i].key, key) == 0) return m->items[i].value;
  return NULL;
}

int mdl_strmap_equal(const mdl_strmap *a, const mdl_strmap *b) {
  assert(a != NULL && b != NULL);
  if (a->count != b->count) return 0;
  for (size_t i = 0; i < a->count; i++) {
    if (strcmp(a->items[i].key, b->items[i].key) != 0) return 0;
    if (strcmp(a->items[i].value, b->items[i].value) != 0) return 0;
  }
  return 1;
}

void mdl_strmap_free(mdl_strmap *m) {
  if (m == NULL) return;
  for (size_t i = 0; i < m->count; i++) {
    free(m->items[i].key);
    free(m->items[i].value);
  }
  free(m->items);
  m->items = NULL;
  m->count = 0;
}
