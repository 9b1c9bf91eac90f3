/* assertion.c — parsing and evaluation of step assertions (see assertion.h). */
#include "integration/assertion.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "integration/jpath.h"

typedef enum verb {
  V_EQUALS,
  V_EXISTS,
  V_CONTAINS,
  V_LEN_GT,
  V_LEN_EQ,
  V_LEN_LT,
  V_TYPE,
  V_UNDER,
  V_WITHIN
} verb;

int itg_json_subset(const cJSON *expected, const cJSON *actual) {
  if (cJSON_IsObject(expected)) {
    if (!cJSON_IsObject(actual)) return 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, expected) {
      const cJSON *a = cJSON_GetObjectItemCaseSensitive(actual, e->string);
      if (a == NULL || !itg_json_subset(e, a)) return 0;
    }
    return 1;
  }
  return cJSON_Compare(expected, actual, 1);
}

static const char *type_name(const cJSON *v) {
  if (cJSON_IsString(v)) return "string";
  if (cJSON_IsNumber(v)) return v->valuedouble == floor(v->valuedouble) ? "integer" : "number";
  if (cJSON_IsBool(v)) return "boolean";
  if (cJSON_IsArray(v)) return "array";
  if (cJSON_IsObject(v)) return "object";
  return "null";
}

static void show(const cJSON *v, char *out, size_t n) {
  char *s = v ? cJSON_PrintUnformatted(v) : NULL;
  snprintf(out, n, "%.300s%s", s ? s : "(absent)", s && strlen(s) > 300 ? "..." : "");
  cJSON_free(s);
}

static int length_of(const cJSON *v, long *len) {
  if (cJSON_IsString(v))
    *len = (long)strlen(v->valuestring);
  else if (cJSON_IsArray(v) || cJSON_IsObject(v))
    *len = cJSON_GetArraySize(v);
  else
    return -1;
  return 0;
}

static int contains(const cJSON *v, const cJSON *op) {
  if (cJSON_IsString(v) && cJSON_IsString(op)) return strstr(v->valuestring, op->valuestring) != 0;
  if (cJSON_IsArray(v)) {
    const cJSON *e;
    cJSON_ArrayForEach(e, v) {
      if (cJSON_Compare(e, op, 1) || (cJSON_IsObject(op) && itg_json_subset(op, e))) return 1;
    }
    return 0;
  }
  if (cJSON_IsObject(v) && cJSON_IsString(op))
    return cJSON_GetObjectItemCaseSensitive(v, op->valuestring) != NULL;
  return 0;
}

/* One value against the check; 1 holds, 0 not (why filled). */
static int check(const cJSON *v, const char *subject, verb vb, int neg, const cJSON *op, double x,
                 double pct, double slack, char *why, size_t why_n) {
  char got[400];
  show(v, got, sizeof got);
  long len = 0;
  int ok = 0;
  switch (vb) {
    case V_EXISTS:
      ok = 1;
      break;
    case V_EQUALS:
      ok = cJSON_Compare(v, op, 1);
      break;
    case V_CONTAINS:
      ok = contains(v, op);
      break;
    case V_LEN_GT:
    case V_LEN_EQ:
    case V_LEN_LT:
      if (length_of(v, &len) != 0) {
        snprintf(why, why_n, "%s has no length (it is %s: %s)", subject, type_name(v), got);
        return 0;
      }
      ok = vb == V_LEN_GT ? len > (long)x : vb == V_LEN_EQ ? len == (long)x : len < (long)x;
      if (!ok != !neg) return 1;
      snprintf(why, why_n, "%s has length %ld", subject, len);
      return 0;
    case V_TYPE: {
      const char *t = type_name(v), *want = cJSON_GetStringValue(op);
      ok = strcmp(t, want) == 0 || (strcmp(want, "number") == 0 && strcmp(t, "integer") == 0);
      break;
    }
    case V_UNDER:
    case V_WITHIN:
      if (!cJSON_IsNumber(v)) {
        snprintf(why, why_n, "%s is not a number (it is %s: %s)", subject, type_name(v), got);
        return 0;
      }
      ok = vb == V_UNDER ? v->valuedouble < x : v->valuedouble <= x * (1.0 + pct / 100.0) + slack;
      if (!ok != !neg) return 1;
      if (vb == V_UNDER)
        snprintf(why, why_n, "%s is %.2f, not under %g", subject, v->valuedouble, x);
      else
        snprintf(why, why_n, "%s is %.2f, more than %g%% above %.2f (limit %.2f with %g allowed)",
                 subject, v->valuedouble, pct, x, x * (1.0 + pct / 100.0) + slack, slack);
      return 0;
  }
  if (!ok != !neg) return 1;
  snprintf(why, why_n, "%s is %s", subject, got);
  return 0;
}

static int bad(char *why, size_t why_n, const char *text, const char *what) {
  snprintf(why, why_n,
           "assertion \"%.200s\" is not understood (%s): write <path> followed by equals <json>, "
           "exists, contains <json>, length greater than <n>, length equals <n>, type is <type>, "
           "under <n> or within <p>%% of <n> (\"not\" may precede equals, exists, contains)",
           text, what);
  return -1;
}

int itg_assert(const cJSON *view, const char *text, char *why, size_t why_n) {
  char subject[300];
  const char *p = text;
  while (*p == ' ') p++;
  size_t sl = strcspn(p, " ");
  if (sl == 0 || sl >= sizeof subject) return bad(why, why_n, text, "no subject path");
  memcpy(subject, p, sl);
  subject[sl] = '\0';
  p += sl;
  while (*p == ' ') p++;
  int neg = 0;
  if (strncmp(p, "not ", 4) == 0) {
    neg = 1;
    p += 4;
    while (*p == ' ') p++;
  }
  verb vb;
  const char *arg = "";
#define KW(s) (strncmp(p, s, strlen(s)) == 0 && (arg = p + strlen(s)))
  if (KW("equals"))
    vb = V_EQUALS;
  else if (KW("exists"))
    vb = V_EXISTS;
  else if (KW("contains"))
    vb = V_CONTAINS;
  else if (KW("length greater than"))
    vb = V_LEN_GT;
  else if (KW("length equals"))
    vb = V_LEN_EQ;
  else if (KW("length less than"))
    vb = V_LEN_LT;
  else if (KW("type is"))
    vb = V_TYPE;
  else if (KW("under"))
    vb = V_UNDER;
  else if (KW("within"))
    vb = V_WITHIN;
  else
    return bad(why, why_n, text, "unknown check");
#undef KW
  if (neg && vb != V_EQUALS && vb != V_EXISTS && vb != V_CONTAINS)
    return bad(why, why_n, text, "\"not\" goes only with equals, exists and contains");
  while (*arg == ' ') arg++;
  cJSON *op = NULL;
  double x = 0, pct = 0, slack = 0;
  if (vb == V_EQUALS || vb == V_CONTAINS || vb == V_TYPE) {
    if (!*arg) return bad(why, why_n, text, "the check needs a value");
    op = vb == V_TYPE ? NULL : cJSON_Parse(arg);
    if (op == NULL) op = cJSON_CreateString(arg); /* a bare word is a string */
    if (vb == V_TYPE &&
        (!cJSON_IsString(op) ||
         strstr(" string number integer boolean array object null ", op->valuestring) == NULL)) {
      cJSON_Delete(op);
      return bad(why, why_n, text,
                 "type is one of string, number, integer, boolean, array, "
                 "object, null");
    }
  } else if (vb == V_WITHIN) {
    char *end;
    pct = strtod(arg, &end);
    if (end == arg || strncmp(end, "% of ", 5) != 0)
      return bad(why, why_n, text, "within needs \"<p>% of <n>\"");
    const char *n = end + 5;
    x = strtod(n, &end);
    if (end == n) return bad(why, why_n, text, "within needs a number after \"of\"");
    while (*end == ' ') end++;
    if (*end == '+') { /* an absolute allowance: "within 10% of 2.7 + 1" */
      const char *m = end + 1;
      slack = strtod(m, &end);
      if (end == m || slack < 0) return bad(why, why_n, text, "\"+\" needs a number >= 0");
      while (*end == ' ') end++;
    }
    if (*end) return bad(why, why_n, text, "unexpected text after within's numbers");
  } else if (vb != V_EXISTS) {
    char *end;
    x = strtod(arg, &end);
    if (end == arg) return bad(why, why_n, text, "the check needs a number");
  } else if (*arg) {
    return bad(why, why_n, text, "exists takes no value");
  }
  const cJSON **vals = NULL;
  size_t n = 0;
  char pw[400];
  int found = itg_jpath_find(view, subject, &vals, &n, pw, sizeof pw);
  int rc = 0;
  if (found == -2) {
    rc = bad(why, why_n, text, pw);
  } else if (vb == V_EXISTS) {
    int present = found == 0 && n > 0;
    if (present == neg) {
      rc = 1;
      if (neg)
        snprintf(why, why_n, "%s exists", subject);
      else
        snprintf(why, why_n, "%s", found == 0 ? "it matches nothing" : pw);
    }
  } else if (found != 0) {
    /* "not contains" / "not equals" of something absent holds; everything else fails. */
    if (!neg) {
      rc = 1;
      snprintf(why, why_n, "%s", pw);
    }
  } else {
    for (size_t i = 0; i < n && rc == 0; i++)
      if (!check(vals[i], subject, vb, neg, op, x, pct, slack, why, why_n)) rc = 1;
  }
  free(vals);
  cJSON_Delete(op);
  return rc;
}
