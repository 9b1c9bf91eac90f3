/* repogen_code.c — generated Python and JavaScript source files (see repogen_code.h).
 *
 * A file is: a header (module doc comment, imports, a logger/constant) for files big enough to
 * hold one, then units (top-level functions and classes with methods) until the size budget is
 * spent, then comment lines padding it to the exact target size. Each unit is built in a scratch
 * buffer sized against the remaining budget; statement templates are small, syntactically valid
 * constructs (loops, conditionals, try/except, comprehensions, calls to earlier or imported
 * functions) over names drawn from the vocabulary. In the low-vocabulary corpus, parameters, locals
 * and adjectives come from a few common words, bodies are short, and every doc comment carries the
 * common clause (tst_vocab_common_doc) its queries search for. */
#include "testing/repogen_code.h"

#include <stdio.h>
#include <string.h>

#include "testing/vocab.h"

#define MAX_NAMES 12
#define MAX_PENDING 16
#define NAME_LEN 96

static const char *word_verb(int i) {
  return tst_vocab_verbs[i];
}

/* ---- names ---- */

static uint64_t gcd64(uint64_t a, uint64_t b) {
  while (b != 0) {
    uint64_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

void tst_namer_init(tst_namer *nm, uint64_t seed) {
  nm->space = (uint64_t)tst_vocab_n_verbs * tst_vocab_n_nouns * tst_vocab_n_quals;
  nm->mul = (tst_mix64(seed, 11) % nm->space) | 1;
  while (gcd64(nm->mul, nm->space) != 1) nm->mul += 2;
  nm->add = tst_mix64(seed, 12) % nm->space;
}

void tst_namer_words(const tst_namer *nm, uint64_t id, int *verb, int *noun, int *qual) {
  uint64_t x = ((id % nm->space) * nm->mul + nm->add) % nm->space;
  *verb = (int)(x % tst_vocab_n_verbs);
  x /= tst_vocab_n_verbs;
  *noun = (int)(x % tst_vocab_n_nouns);
  *qual = (int)(x / tst_vocab_n_nouns);
}

static void cap(char *dst, size_t n, const char *w) {
  snprintf(dst, n, "%s", w);
  if (dst[0] >= 'a' && dst[0] <= 'z') dst[0] = (char)(dst[0] - 'a' + 'A');
}

void tst_name_snake(const tst_namer *nm, uint64_t id, char *out, size_t n) {
  int v, no, q;
  tst_namer_words(nm, id, &v, &no, &q);
  snprintf(out, n, "%s_%s_%s", word_verb(v), tst_vocab_nouns[no], tst_vocab_quals[q]);
}

void tst_name_camel(const tst_namer *nm, uint64_t id, char *out, size_t n) {
  int v, no, q;
  char a[40], b[40];
  tst_namer_words(nm, id, &v, &no, &q);
  cap(a, sizeof(a), tst_vocab_nouns[no]);
  cap(b, sizeof(b), tst_vocab_quals[q]);
  snprintf(out, n, "%s%s%s", word_verb(v), a, b);
}

void tst_name_class(const tst_namer *nm, uint64_t id, char *out, size_t n) {
  int v, no, q;
  char a[40], b[40];
  tst_namer_words(nm, id, &v, &no, &q);
  cap(a, sizeof(a), tst_vocab_nouns[no]);
  cap(b, sizeof(b), tst_vocab_quals[q]);
  snprintf(out, n, "%s%s%s", a, b, tst_vocab_roles[v]);
}

/* "parses", "matches", "verifies" */
static void third_person(const char *verb, char *out, size_t n) {
  size_t len = strlen(verb);
  char last = verb[len - 1], prev = 'a';
  if (len > 1) prev = verb[len - 2];
  if (last == 's' || last == 'x' || last == 'z' || (last == 'h' && (prev == 's' || prev == 'c'))) {
    snprintf(out, n, "%ses", verb);
  } else if (last == 'y' && strchr("aeiou", prev) == NULL) {
    snprintf(out, n, "%.*sies", (int)(len - 1), verb);
  } else {
    snprintf(out, n, "%ss", verb);
  }
}

/* ---- generation context ---- */

typedef struct pending {
  char name[NAME_LEN];
  const char *kind;
  char parent[NAME_LEN];
  char doc[320];
  int start, end; /* 1-based lines relative to the unit start */
} pending;

typedef struct ctx {
  const tst_code_file *f;
  const tst_namer *nm;
  tst_rng *r;
  int js;
  char params[4][40];
  int n_params;
  char locals[MAX_NAMES][48];
  int n_locals;
  char callees[MAX_NAMES][NAME_LEN]; /* functions defined earlier in the file or imported */
  int n_callees;
  pending pend[MAX_PENDING];
  int n_pend;
} ctx;

static const char *pick(ctx *c, const char *const *list, size_t n) {
  return list[tst_rng_below(c->r, (uint32_t)n)];
}
/* Parameters, locals and adjectives; from the few common words in the low-vocabulary corpus. */
static const char *noun(ctx *c) {
  if (c->f->low_vocab) return pick(c, tst_vocab_low_params, tst_vocab_n_low_params);
  return pick(c, tst_vocab_nouns, tst_vocab_n_nouns);
}
static const char *qual(ctx *c) {
  if (c->f->low_vocab) return pick(c, tst_vocab_low_locals, tst_vocab_n_low_locals);
  return pick(c, tst_vocab_quals, tst_vocab_n_quals);
}
static const char *adj(ctx *c) {
  if (c->f->low_vocab) return pick(c, tst_vocab_low_docw, tst_vocab_n_low_docw);
  return pick(c, tst_vocab_docw, tst_vocab_n_docw);
}

/* Statements in a body: the low-vocabulary corpus keeps bodies short (1..keep), so the same
 * bytes hold more definitions. n is the normal draw, made either way. */
static int body_len(const ctx *c, int n, int keep) {
  return c->f->low_vocab ? 1 + n % keep : n;
}

static const char *param(ctx *c) {
  return c->params[tst_rng_below(c->r, (uint32_t)c->n_params)];
}

/* A new local variable name, unique in the current function. */
static const char *new_local(ctx *c) {
  char name[48];
  int tries = 0;
  for (;;) {
    int dup = 0;
    if (tries < 8) {
      snprintf(name, sizeof(name), "%s", qual(c));
    } else {
      snprintf(name, sizeof(name), "%s%d", qual(c), tries);
    }
    for (int i = 0; i < c->n_locals; i++) dup |= strcmp(c->locals[i], name) == 0;
    if (!dup) break;
    tries++;
  }
  if (c->n_locals < MAX_NAMES) {
    snprintf(c->locals[c->n_locals], sizeof(c->locals[0]), "%s", name);
    return c->locals[c->n_locals++];
  }
  snprintf(c->locals[MAX_NAMES - 1], sizeof(c->locals[0]), "%s", name);
  return c->locals[MAX_NAMES - 1];
}

/* An existing local if any (else a parameter). */
static const char *some_value(ctx *c) {
  if (c->n_locals > 0 && tst_rng_below(c->r, 2) == 0) {
    return c->locals[tst_rng_below(c->r, (uint32_t)c->n_locals)];
  }
  return param(c);
}

static const char *callee(ctx *c) {
  if (c->n_callees == 0) return c->js ? "String" : "len";
  return c->callees[tst_rng_below(c->r, (uint32_t)c->n_callees)];
}

/* Classes are called with `new` in JavaScript. */
static void add_callee(ctx *c, const char *name) {
  int slot = c->n_callees < MAX_NAMES ? c->n_callees++ : (int)tst_rng_below(c->r, MAX_NAMES);
  int is_class = name[0] >= 'A' && name[0] <= 'Z';
  snprintf(c->callees[slot], sizeof(c->callees[0]), "%s%s", c->js && is_class ? "new " : "", name);
}

static void pick_params(ctx *c, int max) {
  c->n_params = 1 + (int)tst_rng_below(c->r, (uint32_t)max);
  for (int i = 0; i < c->n_params; i++) {
    int dup;
    do {
      snprintf(c->params[i], sizeof(c->params[0]), "%s", noun(c));
      dup = 0;
      for (int j = 0; j < i; j++) dup |= strcmp(c->params[i], c->params[j]) == 0;
    } while (dup);
  }
  c->n_locals = 0;
}

/* ---- statements ---- */

static void stmt_py(ctx *c, tst_sbuf *s, const char *in) {
  const char *p = some_value(c), *v, *w = qual(c), *w2 = qual(c);
  unsigned k = tst_rng_below(c->r, 11);
  int num = 1 + (int)tst_rng_below(c->r, 500);
  if (k != 9 && k != 11)
    v = new_local(c);
  else
    v = NULL;
  switch (k) {
    case 0:
      tst_sb_printf(s,
                    "%s%s = {}\n%sfor key, value in %s.items():\n%s    if key.startswith(\"%s\"):\n"
                    "%s        %s[key] = value\n",
                    in, v, in, p, in, w, in, v);
      break;
    case 1:
      tst_sb_printf(s, "%s%s = [item for item in %s if item.get(\"%s\") is not None]\n", in, v, p,
                    w);
      break;
    case 2:
      tst_sb_printf(
          s, "%s%s = %s is None\n%sif not %s:\n%s    raise ValueError(\"%s %s is required\")\n", in,
          v, p, in, p, in, noun(c), w);
      break;
    case 3:
      tst_sb_printf(s, "%s%s = 0\n%sfor entry in %s:\n%s    %s += int(entry.get(\"%s\", 0))\n", in,
                    v, in, p, in, v, w);
      break;
    case 4:
      tst_sb_printf(
          s, "%stry:\n%s    %s = %s[\"%s\"]\n%sexcept (KeyError, TypeError):\n%s    %s = None\n",
          in, in, v, p, w, in, in, v);
      break;
    case 5:
      tst_sb_printf(s, "%s%s = %s(%s)\n", in, v, callee(c), p);
      break;
    case 6:
      tst_sb_printf(s, "%slogger.debug(\"%s %s %%s\", %s)\n%s%s = %d\n", in,
                    word_verb((int)tst_rng_below(c->r, (uint32_t)tst_vocab_n_verbs)), w, p, in, v,
                    num);
      break;
    case 7:
      tst_sb_printf(s, "%s%s = sorted(%s, key=lambda item: item.get(\"%s\", 0), reverse=%s)\n", in,
                    v, p, w, tst_rng_below(c->r, 2) ? "True" : "False");
      break;
    case 8:
      tst_sb_printf(s,
                    "%sif %s == \"%s\":\n%s    %s = %d\n%selif %s == \"%s\":\n%s    %s = %d\n"
                    "%selse:\n%s    %s = 0\n",
                    in, p, w, in, v, num, in, p, w2, in, v, num * 2, in, in, v);
      break;
    case 9:
      tst_sb_printf(s,
                    "%sif isinstance(%s, dict) and \"%s\" in %s:\n%s    %s[\"%s\"] = %s[\"%s\"]\n",
                    in, p, w, p, in, p, w2, p, w);
      break;
    default:
      tst_sb_printf(s, "%s%s = {\"%s\": %s, \"%s\": %d, \"%s\": \"%s\"}\n", in, v, w, p, w2, num,
                    noun(c), adj(c));
      break;
  }
}

static void stmt_js(ctx *c, tst_sbuf *s, const char *in) {
  const char *p = some_value(c), *v, *w = qual(c), *w2 = qual(c);
  unsigned k = tst_rng_below(c->r, 11);
  int num = 1 + (int)tst_rng_below(c->r, 500);
  if (k != 9)
    v = new_local(c);
  else
    v = NULL;
  switch (k) {
    case 0:
      tst_sb_printf(s,
                    "%sconst %s = {};\n%sfor (const [key, value] of Object.entries(%s || {})) {\n"
                    "%s  if (key.startsWith('%s')) {\n%s    %s[key] = value;\n%s  }\n%s}\n",
                    in, v, in, p, in, w, in, v, in, in);
      break;
    case 1:
      tst_sb_printf(s,
                    "%sconst %s = [].concat(%s).filter((item) => item && item.%s !== undefined);\n",
                    in, v, p, w);
      break;
    case 2:
      tst_sb_printf(s,
                    "%sconst %s = %s == null;\n%sif (!%s) {\n%s  throw new Error('%s %s is "
                    "required');\n%s}\n",
                    in, v, p, in, p, in, noun(c), w, in);
      break;
    case 3:
      tst_sb_printf(s,
                    "%slet %s = 0;\n%sfor (const entry of [].concat(%s)) {\n%s  %s += "
                    "Number((entry && entry.%s) || 0);\n%s}\n",
                    in, v, in, p, in, v, w, in);
      break;
    case 4:
      tst_sb_printf(
          s,
          "%slet %s;\n%stry {\n%s  %s = JSON.parse(%s);\n%s} catch (err) {\n%s  %s = null;\n%s}\n",
          in, v, in, in, v, p, in, in, v, in);
      break;
    case 5:
      tst_sb_printf(s, "%sconst %s = %s(%s);\n", in, v, callee(c), p);
      break;
    case 6:
      tst_sb_printf(s, "%sconsole.debug('%s %s', %s);\n%sconst %s = %d;\n", in,
                    word_verb((int)tst_rng_below(c->r, (uint32_t)tst_vocab_n_verbs)), w, p, in, v,
                    num);
      break;
    case 7:
      tst_sb_printf(s, "%sconst %s = [].concat(%s).sort((a, b) => (a.%s || 0) - (b.%s || 0));\n",
                    in, v, p, w, w);
      break;
    case 8:
      tst_sb_printf(
          s,
          "%slet %s = 0;\n%sif (%s === '%s') {\n%s  %s = %d;\n%s} else if (%s === '%s') {\n"
          "%s  %s = %d;\n%s}\n",
          in, v, in, p, w, in, v, num, in, p, w2, in, v, num * 2, in);
      break;
    case 9:
      tst_sb_printf(
          s, "%sif (%s && typeof %s === 'object' && '%s' in %s) {\n%s  %s.%s = %s.%s;\n%s}\n", in,
          p, p, w, p, in, p, w2, p, w, in);
      break;
    default:
      tst_sb_printf(s, "%sconst %s = { %s: %s, %s: %d, %s: '%s' };\n", in, v, w, p,
                    w2 == w ? "extra" : w2, num, noun(c), adj(c));
      break;
  }
}

/* Statements into u until nmax or the budget (bytes for the whole unit) would be exceeded. */
static void body(ctx *c, tst_sbuf *u, tst_sbuf *tmp, const char *in, int nmax, size_t budget) {
  for (int i = 0; i < nmax; i++) {
    tst_sb_reset(tmp);
    if (c->js)
      stmt_js(c, tmp, in);
    else
      stmt_py(c, tmp, in);
    if (u->b.len + tmp->b.len + 48 > budget) break;
    tst_sb_putn(u, tmp->b.data, tmp->b.len);
  }
}

static void ret(ctx *c, tst_sbuf *u, const char *in) {
  const char *v = some_value(c);
  if (c->js) {
    if (tst_rng_below(c->r, 2))
      tst_sb_printf(u, "%sreturn %s;\n", in, v);
    else
      tst_sb_printf(u, "%sreturn { %s: %s, count: %d };\n", in, qual(c), v,
                    (int)tst_rng_below(c->r, 100));
  } else {
    if (tst_rng_below(c->r, 2))
      tst_sb_printf(u, "%sreturn %s\n", in, v);
    else
      tst_sb_printf(u, "%sreturn {\"%s\": %s, \"count\": %d}\n", in, qual(c), v,
                    (int)tst_rng_below(c->r, 100));
  }
}

/* The doc sentence of a symbol and its words. */
static void doc_for(ctx *c, const char *verb, const char *n1, const char *q1, const char *prm,
                    char *sentence, size_t n, char *words, size_t wn) {
  char vs[48];
  const char *a1 = adj(c), *a2 = adj(c), *n2 = noun(c), *q2 = qual(c);
  third_person(verb, vs, sizeof(vs));
  vs[0] = (char)(vs[0] - 'a' + 'A');
  if (c->f->low_vocab) { /* every definition carries the common words its queries ask for */
    snprintf(sentence, n, "%s the %s %s %s for the given %s; %s.", vs, a1, n1, q1, prm,
             tst_vocab_common_doc);
    snprintf(words, wn, "%s %s %s %s %s %s", verb, a1, n1, q1, prm, TST_CODE_COMMON_DOC_WORDS);
  } else if (tst_rng_below(c->r, 2)) {
    snprintf(sentence, n, "%s the %s %s %s for the given %s.", vs, a1, n1, q1, prm);
    snprintf(words, wn, "%s %s %s %s %s", verb, a1, n1, q1, prm);
  } else {
    snprintf(sentence, n, "%s the %s %s %s of %s; uses the %s %s %s.", vs, a1, n1, q1, prm, a2, n2,
             q2);
    snprintf(words, wn, "%s %s %s %s %s %s %s %s", verb, a1, n1, q1, prm, a2, n2, q2);
  }
}

static pending *pend_add(ctx *c, const char *name, const char *kind, const char *parent) {
  pending *p = &c->pend[c->n_pend < MAX_PENDING ? c->n_pend++ : MAX_PENDING - 1];
  snprintf(p->name, sizeof(p->name), "%s", name);
  p->kind = kind;
  snprintf(p->parent, sizeof(p->parent), "%s", parent != NULL ? parent : "-");
  p->doc[0] = '\0';
  return p;
}

static void param_list(ctx *c, char *out, size_t n, int with_default) {
  size_t len = 0;
  out[0] = '\0';
  for (int i = 0; i < c->n_params; i++) {
    len += (size_t)snprintf(out + len, len < n ? n - len : 0, "%s%s", i ? ", " : "", c->params[i]);
  }
  if (with_default && len < n) {
    snprintf(out + len, n - len, c->js ? ", options = {}" : ", options=None");
  }
}

/* ---- units ---- */

static void unit_function(ctx *c, uint64_t id, int tiny, size_t budget, tst_sbuf *u,
                          tst_sbuf *tmp) {
  char name[NAME_LEN], params[200], sentence[320];
  int v, no, q;
  pending *p;
  tst_namer_words(c->nm, id, &v, &no, &q);
  if (c->js)
    tst_name_camel(c->nm, id, name, sizeof(name));
  else
    tst_name_snake(c->nm, id, name, sizeof(name));
  pick_params(c, tiny ? 1 : 3);
  param_list(c, params, sizeof(params), !tiny && tst_rng_below(c->r, 3) == 0);
  p = pend_add(c, name, "function", NULL);
  doc_for(c, word_verb(v), tst_vocab_nouns[no], tst_vocab_quals[q], c->params[0], sentence,
          sizeof(sentence), p->doc, sizeof(p->doc));
  if (tiny) {
    char vs[48];
    third_person(word_verb(v), vs, sizeof(vs));
    char tail[96] = "";
    if (c->f->low_vocab) snprintf(tail, sizeof(tail), "; %s", tst_vocab_common_doc);
    snprintf(p->doc, sizeof(p->doc), "%s %s%s%s", word_verb(v), c->params[0],
             c->f->low_vocab ? " " : "", c->f->low_vocab ? TST_CODE_COMMON_DOC_WORDS : "");
    if (c->js) {
      tst_sb_printf(u, "/** %s %s%s. */\n", vs, c->params[0], tail);
      p->start = u->lines + 1;
      tst_sb_printf(u, "export function %s(%s) {\n  return %s;\n}\n", name, params, c->params[0]);
    } else {
      p->start = u->lines + 1;
      tst_sb_printf(u, "def %s(%s):\n    \"\"\"%s %s%s.\"\"\"\n    return %s\n", name, params, vs,
                    c->params[0], tail, c->params[0]);
    }
    p->end = u->lines;
    add_callee(c, name);
    return;
  }
  if (c->js) {
    tst_sb_printf(u, "/**\n * %s\n", sentence);
    for (int i = 0; i < c->n_params; i++) {
      tst_sb_printf(u, " * @param {Object} %s - the %s %s\n", c->params[i], adj(c), c->params[i]);
    }
    tst_sb_put(u, " */\n");
    p->start = u->lines + 1;
    tst_sb_printf(u, "export function %s(%s) {\n", name, params);
    body(c, u, tmp, "  ", body_len(c, 2 + (int)tst_rng_below(c->r, 10), 3), budget);
    ret(c, u, "  ");
    tst_sb_put(u, "}\n");
  } else {
    p->start = u->lines + 1;
    tst_sb_printf(u, "def %s(%s):\n    \"\"\"%s\n\n    Args:\n", name, params, sentence);
    for (int i = 0; i < c->n_params; i++) {
      tst_sb_printf(u, "        %s: the %s %s.\n", c->params[i], adj(c), c->params[i]);
    }
    tst_sb_put(u, "    \"\"\"\n");
    body(c, u, tmp, "    ", body_len(c, 2 + (int)tst_rng_below(c->r, 10), 3), budget);
    ret(c, u, "    ");
  }
  p->end = u->lines;
  add_callee(c, name);
}

static void unit_class(ctx *c, uint64_t id, size_t budget, tst_sbuf *u, tst_sbuf *tmp) {
  char cls[NAME_LEN], sentence[320], methods[6][NAME_LEN], a0[40], a1[40];
  int v, no, q, n_methods = 1 + (int)tst_rng_below(c->r, 5), made = 0;
  pending *p;
  tst_namer_words(c->nm, id, &v, &no, &q);
  tst_name_class(c->nm, id, cls, sizeof(cls));
  p = pend_add(c, cls, "class", NULL);
  pick_params(c, 2);
  snprintf(a0, sizeof(a0), "%s", c->params[0]);
  snprintf(a1, sizeof(a1), "%s", c->n_params > 1 ? c->params[1] : "limit");
  doc_for(c, word_verb(v), tst_vocab_nouns[no], tst_vocab_quals[q], a0, sentence, sizeof(sentence),
          p->doc, sizeof(p->doc));
  if (c->js) {
    tst_sb_printf(u, "/**\n * %s\n */\n", sentence);
    p->start = u->lines + 1;
    tst_sb_printf(u,
                  "export class %s {\n  constructor(%s, %s = null) {\n    this.%s = %s;\n"
                  "    this.%s = %s;\n  }\n",
                  cls, a0, a1, a0, a0, a1, a1);
  } else {
    p->start = u->lines + 1;
    tst_sb_printf(u,
                  "class %s:\n    \"\"\"%s\"\"\"\n\n    def __init__(self, %s, %s=None):\n"
                  "        self.%s = %s\n        self.%s = %s\n",
                  cls, sentence, a0, a1, a0, a0, a1, a1);
  }
  for (int m = 0; m < n_methods && u->b.len + 120 < budget; m++) {
    char mname[NAME_LEN], msentence[320], mq[40];
    int mv = (int)tst_rng_below(c->r, (uint32_t)tst_vocab_n_verbs), dup = 0;
    pending *mp;
    snprintf(mq, sizeof(mq), "%s", qual(c));
    if (c->js) {
      snprintf(mname, sizeof(mname), "%s%c%s", word_verb(mv), mq[0] - 'a' + 'A', mq + 1);
    } else {
      snprintf(mname, sizeof(mname), "%s_%s", word_verb(mv), mq);
    }
    for (int i = 0; i < made; i++) dup |= strcmp(methods[i], mname) == 0;
    if (dup) continue;
    snprintf(methods[made++], NAME_LEN, "%s", mname);
    pick_params(c, 2);
    mp = pend_add(c, mname, "method", cls);
    doc_for(c, word_verb(mv), noun(c), mq, c->params[0], msentence, sizeof(msentence), mp->doc,
            sizeof(mp->doc));
    if (c->js) {
      char params[200];
      param_list(c, params, sizeof(params), 0);
      tst_sb_printf(u, "\n  /**\n   * %s\n   */\n", msentence);
      mp->start = u->lines + 1;
      tst_sb_printf(u, "  %s(%s) {\n    const self = this;\n", mname, params);
      body(c, u, tmp, "    ", body_len(c, 1 + (int)tst_rng_below(c->r, 6), 2), budget);
      ret(c, u, "    ");
      tst_sb_put(u, "  }\n");
    } else {
      char params[200];
      param_list(c, params, sizeof(params), 0);
      mp->start = u->lines + 2;
      tst_sb_printf(u, "\n    def %s(self, %s):\n        \"\"\"%s\"\"\"\n", mname, params,
                    msentence);
      body(c, u, tmp, "        ", body_len(c, 1 + (int)tst_rng_below(c->r, 6), 2), budget);
      ret(c, u, "        ");
    }
    mp->end = u->lines;
  }
  if (c->js) tst_sb_put(u, "}\n");
  p->end = u->lines;
  add_callee(c, cls);
}

/* ---- files ---- */

static void header(ctx *c, tst_sbuf *out) {
  const char *n1 = noun(c), *q1 = qual(c), *a1 = adj(c), *n2 = noun(c);
  char constant[64];
  int num = 10 + (int)tst_rng_below(c->r, 990);
  snprintf(constant, sizeof(constant), "%s_%s", q1, qual(c));
  for (char *p = constant; *p; p++) *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
  if (c->js) {
    tst_sb_printf(out, "/**\n * @file %s %s helpers: %s %s handling.\n */\n\n", n1, q1, a1, n2);
    tst_sb_put(out, "import fs from 'fs';\nimport path from 'path';\n");
  } else {
    tst_sb_printf(out, "\"\"\"%c%s %s helpers: %s %s handling.\"\"\"\n\n", n1[0] - 'a' + 'A',
                  n1 + 1, q1, a1, n2);
    tst_sb_put(out, "import json\nimport logging\nfrom collections import defaultdict\n");
  }
  for (int i = 0; i < 2; i++) {
    const char *imp = c->f->imports[i];
    const char *bar = imp != NULL ? strchr(imp, '|') : NULL;
    if (bar == NULL) continue;
    if (c->js) {
      tst_sb_printf(out, "import { %s } from '%.*s';\n", bar + 1, (int)(bar - imp), imp);
    } else {
      tst_sb_printf(out, "from %.*s import %s\n", (int)(bar - imp), imp, bar + 1);
    }
    add_callee(c, bar + 1);
  }
  if (c->js) {
    tst_sb_printf(out,
                  "\nconst %s = %d;\nexport const %sDefaults = { limit: %s, root: path.sep, "
                  "exists: fs.existsSync };\n",
                  constant, num, q1, constant);
  } else {
    tst_sb_printf(
        out, "\nlogger = logging.getLogger(__name__)\n\n%s = %d\n%s_INDEX = defaultdict(list)\n",
        constant, num, constant);
  }
}

void tst_code_pad(tst_lang lang, size_t n, tst_rng *rng, tst_sbuf *out) {
  const char *lead = lang == TST_LANG_JS ? "//" : "#";
  size_t lead_len = strlen(lead);
  while (n > 0) {
    size_t line = n > 76 ? 60 + tst_rng_below(rng, 16) : n;
    char text[96];
    size_t len = 0;
    if (n > 76 && n - line < lead_len + 2) line = n - (lead_len + 2); /* leave room for one more */
    if (line == 1) {
      tst_sb_put(out, "\n");
      n -= 1;
      continue;
    }
    if (line < lead_len + 1) { /* 2 bytes left in JS: a blank line twice */
      tst_sb_put(out, "\n");
      n -= 1;
      continue;
    }
    // NOLINTNEXTLINE(bugprone-not-null-terminated-result): text is length-counted (tst_sb_putn)
    memcpy(text, lead, lead_len);
    len = lead_len;
    while (len < line - 1) {
      const char *w = tst_vocab_docw[tst_rng_below(rng, (uint32_t)tst_vocab_n_docw)];
      size_t wl = strlen(w);
      text[len++] = ' ';
      for (size_t i = 0; i < wl && len < line - 1; i++) text[len++] = w[i];
    }
    len = line - 1;
    text[len++] = '\n';
    tst_sb_putn(out, text, len);
    n -= line;
  }
}

static void flush_pending(ctx *c, int base_line, tst_sbuf *manifest, long long *symbols) {
  for (int i = 0; i < c->n_pend; i++) {
    pending *p = &c->pend[i];
    tst_sb_printf(manifest, "%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\n", p->name, p->kind, c->f->path,
                  base_line + p->start, base_line + p->end, c->js ? "javascript" : "python",
                  p->parent, p->doc);
    (*symbols)++;
  }
  c->n_pend = 0;
}

void tst_code_generate(const tst_code_file *f, const tst_namer *nm, tst_rng *rng, tst_sbuf *out,
                       tst_sbuf *manifest, long long *symbols) {
  ctx c;
  tst_sbuf unit = {0}, tmp = {0};
  int units = 0;
  const char *sep = f->lang == TST_LANG_JS ? "\n" : "\n\n";
  memset(&c, 0, sizeof(c));
  c.f = f;
  c.nm = nm;
  c.r = rng;
  c.js = f->lang == TST_LANG_JS;
  tst_sb_reset(out);
  if (f->target >= 1200) header(&c, out);
  /* Unit 0 always exists; tiny when the file is small. */
  while (units < f->max_units) {
    size_t budget;
    int tiny = units == 0 && f->target < 700;
    if (out->b.len >= f->target) break;
    budget = f->target - out->b.len;
    tst_sb_reset(&unit);
    c.n_pend = 0;
    if (out->b.len > 0) tst_sb_put(&unit, sep);
    if (!tiny && (units == 0 ? f->first_is_class : tst_rng_below(rng, 10) < 3)) {
      unit_class(&c, f->first_id + (uint64_t)units, budget, &unit, &tmp);
    } else {
      unit_function(&c, f->first_id + (uint64_t)units, tiny, budget, &unit, &tmp);
    }
    if (units > 0 && out->b.len + unit.b.len > f->target) break;
    flush_pending(&c, out->lines, manifest, symbols);
    tst_sb_putn(out, unit.b.data, unit.b.len);
    units++;
    if (f->target - (out->b.len < f->target ? out->b.len : f->target) < 160) break;
  }
  if (f->unparseable) {
    tst_sb_put(out, "\n\ndef broken_definition(:\n    return )\n");
  }
  if (out->b.len < f->target) {
    if (out->b.len > 0 && out->b.data[out->b.len - 1] != '\n') tst_sb_put(out, "\n");
    if (out->b.len < f->target) tst_code_pad(f->lang, f->target - out->b.len, rng, out);
  }
  tst_sb_free(&unit);
  tst_sb_free(&tmp);
}
