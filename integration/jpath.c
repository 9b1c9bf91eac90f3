/* jpath.c — evaluation of the path language (see jpath.h): a breadth-first walk that keeps the
 * current set of matches, so `[*]` fans out without recursion. */
#include "integration/jpath.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct set {
  const cJSON **v;
  size_t n, cap;
} set;

static int set_add(set *s, const cJSON *x) {
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 8;
    if (cap > ITG_JPATH_MAX_MATCHES) return -1;
    const cJSON **v = realloc(s->v, cap * sizeof *v);
    if (v == NULL) return -1;
    s->v = v;
    s->cap = cap;
  }
  s->v[s->n++] = x;
  return 0;
}

/* Applies one name or index step to every value of cur, into next. */
static int step(const set *cur, set *next, const char *name, int is_index, long idx, int all,
                const char *prefix, char *why, size_t why_n) {
  for (size_t i = 0; i < cur->n; i++) {
    const cJSON *v = cur->v[i];
    if (!is_index) {
      const cJSON *c = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, name) : NULL;
      if (c == NULL && cJSON_IsObject(v)) { /* header names: case-insensitive fallback */
        c = cJSON_GetObjectItem(v, name);
      }
      if (c == NULL) {
        snprintf(why, why_n, "%s%s%s does not exist%s", prefix, *prefix ? "." : "", name,
                 cJSON_IsObject(v) ? "" : " (the value before it is not an object)");
        return -1;
      }
      if (set_add(next, c) != 0) return -2;
      continue;
    }
    if (!cJSON_IsArray(v)) {
      snprintf(why, why_n, "%s is not an array, so it has no [%s]", *prefix ? prefix : "the value",
               all ? "*" : "n");
      return -1;
    }
    int size = cJSON_GetArraySize(v);
    if (all) {
      const cJSON *e;
      cJSON_ArrayForEach(e, v) if (set_add(next, e) != 0) return -2;
      continue;
    }
    long k = idx < 0 ? size + idx : idx;
    if (k < 0 || k >= size) {
      snprintf(why, why_n, "%s[%ld] does not exist (it has %d element%s)", prefix, idx, size,
               size == 1 ? "" : "s");
      return -1;
    }
    if (set_add(next, cJSON_GetArrayItem(v, (int)k)) != 0) return -2;
  }
  return 0;
}

int itg_jpath_find(const cJSON *root, const char *path, const cJSON ***out, size_t *n, char *why,
                   size_t why_n) {
  set cur = {0}, next = {0};
  char prefix[512] = "", name[256];
  int rc = 0;
  const char *p = path ? path : "";
  *out = NULL;
  *n = 0;
  if (why_n) why[0] = '\0';
  if (set_add(&cur, root) != 0) return -2;
  while (*p) {
    size_t len = strcspn(p, ".[]");
    if (len > 0) {
      if (len >= sizeof name) {
        snprintf(why, why_n, "path segment too long in \"%s\"", path);
        rc = -2;
        goto cleanup;
      }
      memcpy(name, p, len);
      name[len] = '\0';
      next.n = 0;
      if ((rc = step(&cur, &next, name, 0, 0, 0, prefix, why, why_n)) != 0) goto cleanup;
      set t = cur;
      cur = next;
      next = t;
      size_t pl = strlen(prefix);
      snprintf(prefix + pl, sizeof prefix - pl, "%s%s", pl ? "." : "", name);
      p += len;
    }
    while (*p == '[') {
      const char *close = strchr(p, ']');
      if (close == NULL) {
        snprintf(why, why_n, "unclosed '[' in path \"%s\"", path);
        rc = -2;
        goto cleanup;
      }
      int all = close == p + 2 && p[1] == '*';
      long idx = 0;
      if (!all) {
        char *end;
        idx = strtol(p + 1, &end, 10);
        if (end != close || end == p + 1) {
          snprintf(why, why_n, "index must be a number or * in path \"%s\"", path);
          rc = -2;
          goto cleanup;
        }
      }
      next.n = 0;
      if ((rc = step(&cur, &next, NULL, 1, idx, all, prefix, why, why_n)) != 0) goto cleanup;
      set t = cur;
      cur = next;
      next = t;
      size_t pl = strlen(prefix);
      snprintf(prefix + pl, sizeof prefix - pl, "[%.*s]", (int)(close - p - 1), p + 1);
      p = close + 1;
    }
    if (*p == '.')
      p++;
    else if (*p != '\0') {
      snprintf(why, why_n, "unexpected '%c' in path \"%s\"", *p, path);
      rc = -2;
      goto cleanup;
    }
  }
  *out = cur.v;
  *n = cur.n;
  cur.v = NULL;
cleanup:
  free(cur.v);
  free(next.v);
  return rc;
}

const cJSON *itg_jpath_get(const cJSON *root, const char *path, char *why, size_t why_n) {
  const cJSON **v = NULL;
  size_t n = 0;
  const cJSON *r = NULL;
  if (itg_jpath_find(root, path, &v, &n, why, why_n) == 0) {
    if (n > 0)
      r = v[0];
    else
      snprintf(why, why_n, "%s matches nothing (an empty array)", path);
  }
  free(v);
  return r;
}
