/* pattern.c — bounded-cost schema patterns and their compile-once cache (see pattern.h).
 *
 * The cost check is one pass over the pattern with a stack of open groups. Each group keeps the
 * expanded size of what it holds so far, the size of its last atom (what a quantifier would
 * repeat), and whether it contains a quantifier; a quantifier on a group that contains one is a
 * nested quantifier. The cache is an open-addressed table filled once per distinct pattern and
 * never emptied, so a cached regex_t is immutable and used outside the lock. */
#include "servers/common/pattern.h"

#include <pthread.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_GROUPS 64

typedef struct frame {
  long long total;    /* expanded size of the group so far (all alternatives) */
  long long last;     /* size of the last atom (0: none to repeat) */
  int has_quant;      /* a quantifier somewhere inside */
  int last_has_quant; /* the last atom is a group that contains a quantifier */
  int last_quant;     /* the last thing seen was a quantifier */
} frame;

/* Reads an interval {n}, {n,}, {n,m}, {,m} at p (p[0] == '{'); returns its length and the largest bound
 * in *bound ({n,} counts as n + 1), or 0 when it is not an interval (glibc then takes '{'
 * literally or refuses it). */
static size_t read_interval(const char *p, long *bound) {
  const char *q = p + 1;
  long a = 0, b = -1;
  int digits = 0;
  while (*q >= '0' && *q <= '9') {
    if (a < 1000000) a = a * 10 + (*q - '0');
    q++, digits++;
  }
  /* glibc also takes {,m} as {0,m} (and {,} as {0,}): no leading digits is an interval too. */
  if (digits == 0 && *q != ',') return 0;
  if (*q == ',') {
    q++;
    if (*q >= '0' && *q <= '9') {
      b = 0;
      while (*q >= '0' && *q <= '9') {
        if (b < 1000000) b = b * 10 + (*q - '0');
        q++;
      }
    } else {
      b = a + 1;
    }
  }
  if (*q != '}') return 0;
  *bound = b > a ? b : a;
  return (size_t)(q - p) + 1;
}

/* Skips a bracket expression starting at p (p[0] == '['); returns its length, 0 if unterminated. */
static size_t skip_bracket(const char *p) {
  const char *q = p + 1;
  if (*q == '^') q++;
  if (*q == ']') q++;
  while (*q != '\0' && *q != ']') {
    if (q[0] == '[' && (q[1] == ':' || q[1] == '=' || q[1] == '.')) {
      char close = q[1];
      const char *e = q + 2;
      while (*e != '\0' && !(e[0] == close && e[1] == ']')) e++;
      if (*e == '\0') return 0;
      q = e + 2;
      continue;
    }
    q++;
  }
  return *q == ']' ? (size_t)(q - p) + 1 : 0;
}

static srv_code refuse(srv_err *err, const char *where, const char *pattern, const char *why) {
  return srv_err_set(err, SRV_EINVAL, "%s %.80s%s is refused: %s", where, pattern,
                     strlen(pattern) > 80 ? "..." : "", why);
}

static void atom(frame *f, long long size, int has_quant) {
  f->total += size;
  f->last = size;
  f->last_has_quant = has_quant;
  f->last_quant = 0;
}

static srv_code check_cost(const char *pattern, const char *where, srv_err *err) {
  frame st[MAX_GROUPS + 1];
  int top = 0;
  char why[160];
  size_t len = strlen(pattern);
  if (len > SRV_PATTERN_MAX_LEN) {
    snprintf(why, sizeof why, "it is %zu bytes long; a pattern may have at most %d", len,
             SRV_PATTERN_MAX_LEN);
    return refuse(err, where, pattern, why);
  }
  memset(st, 0, sizeof st);
  for (const char *p = pattern; *p != '\0';) {
    frame *f = &st[top];
    long bound = 0;
    size_t n;
    switch (*p) {
      case '(':
        if (top == MAX_GROUPS) return refuse(err, where, pattern, "groups nest too deeply");
        memset(&st[++top], 0, sizeof st[0]);
        p++;
        continue;
      case ')':
        if (top == 0) {
          atom(f, 1, 0); /* an unmatched ')' is an ordinary character in ERE */
        } else {
          frame g = st[top--];
          /* an empty group is still a node glibc copies per repetition: "((){1,100}){1,100}"
           * ran regcomp out of memory while it counted as size 0 */
          atom(&st[top], g.total > 0 ? g.total : 1, g.has_quant);
          st[top].has_quant |= g.has_quant;
        }
        p++;
        continue;
      case '|':
        f->last = 0;
        f->last_quant = 0;
        f->last_has_quant = 0;
        p++;
        continue;
      case '[':
        n = skip_bracket(p);
        if (n == 0) return refuse(err, where, pattern, "a bracket expression is not closed");
        atom(f, 1, 0);
        p += n;
        continue;
      case '\\':
        if (p[1] >= '1' && p[1] <= '9')
          return refuse(err, where, pattern,
                        "back-references (\\1 .. \\9) make matching exponential; use a group "
                        "without one");
        if (p[1] == '\0') return refuse(err, where, pattern, "it ends with a lone backslash");
        atom(f, 1, 0);
        p += 2;
        continue;
      case '*':
      case '+':
      case '?':
        bound = 1;
        n = 1;
        break;
      case '{':
        n = read_interval(p, &bound);
        if (n == 0) {
          atom(f, 1, 0);
          p++;
          continue;
        }
        if (bound > SRV_PATTERN_MAX_REPEAT) {
          snprintf(why, sizeof why, "the repetition bound %ld is over the limit of %d", bound,
                   SRV_PATTERN_MAX_REPEAT);
          return refuse(err, where, pattern, why);
        }
        break;
      default:
        atom(f, 1, 0);
        p++;
        continue;
    }
    /* a quantifier */
    if (f->last_quant)
      return refuse(err, where, pattern,
                    "a quantifier follows another one (such as a** or a{2}{3}); write one "
                    "quantifier");
    if (f->last_has_quant)
      return refuse(err, where, pattern,
                    "nested quantifiers (a repeated group that itself contains *, +, ? or {n,m}, "
                    "such as (a+)*) can cost unbounded time and memory; flatten the group");
    if (f->last > 0) f->total += f->last * (bound - 1 > 0 ? bound - 1 : 0);
    f->has_quant = 1; /* even with nothing to repeat: the group holds a quantifier */
    /* Even on an empty atom (such as "()"): "()*++++" is a run of quantifiers for glibc. */
    f->last_quant = 1;
    if (f->total > SRV_PATTERN_MAX_COST) break;
    p += n;
  }
  for (int i = 0; i <= top; i++)
    if (st[i].total > SRV_PATTERN_MAX_COST) {
      snprintf(why, sizeof why,
               "its repetitions expand to more than %d atoms; use smaller repetition bounds",
               SRV_PATTERN_MAX_COST);
      return refuse(err, where, pattern, why);
    }
  return SRV_OK;
}

/* ---- compile once --------------------------------------------------------------------------- */

typedef struct entry {
  char *pattern; /* NULL: empty slot */
  regex_t re;
} entry;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static entry g_cache[SRV_PATTERN_CACHE];
static size_t g_used;

static size_t slot_of(const char *s) {
  uint64_t h = 1469598103934665603ULL;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return (size_t)(h % SRV_PATTERN_CACHE);
}

static srv_code compile(const char *pattern, regex_t *re, const char *where, srv_err *err) {
  srv_code rc = check_cost(pattern, where, err);
  if (rc != SRV_OK) return rc;
  if (regcomp(re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
    return srv_err_set(err, SRV_EINVAL, "%s must be a POSIX extended regular expression", where);
  return SRV_OK;
}

/* The cached compiled pattern, compiling it on first use; NULL when the cache is full (the caller
 * compiles its own copy). */
static srv_code cached(const char *pattern, const regex_t **out, const char *where, srv_err *err) {
  srv_code rc = SRV_OK;
  size_t i = slot_of(pattern);
  *out = NULL;
  pthread_mutex_lock(&g_lock);
  for (size_t probes = 0; probes < SRV_PATTERN_CACHE; probes++, i = (i + 1) % SRV_PATTERN_CACHE) {
    entry *e = &g_cache[i];
    if (e->pattern != NULL) {
      if (strcmp(e->pattern, pattern) == 0) {
        *out = &e->re;
        break;
      }
      continue;
    }
    if (g_used * 4 >= (size_t)SRV_PATTERN_CACHE * 3)
      break; /* keep probes short: 3/4 full is full */
    rc = compile(pattern, &e->re, where, err);
    if (rc != SRV_OK) break;
    e->pattern = strdup(pattern);
    if (e->pattern == NULL) {
      regfree(&e->re);
      break;
    }
    g_used++;
    *out = &e->re;
    break;
  }
  pthread_mutex_unlock(&g_lock);
  return rc;
}

srv_code srv_pattern_check(const char *pattern, const char *where, srv_err *err) {
  const regex_t *re = NULL;
  regex_t own;
  srv_code rc = cached(pattern, &re, where, err);
  if (rc != SRV_OK || re != NULL) return rc;
  rc = compile(pattern, &own, where, err);
  if (rc == SRV_OK) regfree(&own);
  return rc;
}

srv_code srv_pattern_match(const char *pattern, const char *s, int *matched, const char *where,
                           srv_err *err) {
  const regex_t *re = NULL;
  srv_code rc = cached(pattern, &re, where, err);
  *matched = 0;
  if (rc != SRV_OK) return rc;
  if (re != NULL) {
    *matched = regexec(re, s, 0, NULL, 0) == 0;
    return SRV_OK;
  }
  regex_t own;
  rc = compile(pattern, &own, where, err);
  if (rc != SRV_OK) return rc;
  *matched = regexec(&own, s, 0, NULL, 0) == 0;
  regfree(&own);
  return SRV_OK;
}
