/* chunker.c — tree-sitter chunking for Python and JavaScript, line windows for the rest
 * (see chunker.h). Only the top level and class bodies are visited, never the whole tree, so the
 * cost beyond parsing is proportional to the number of definitions. */
#include "servers/codebase_mcp/chunker.h"

#include <stdlib.h>
#include <string.h>
#include <tree_sitter/api.h>

const TSLanguage *tree_sitter_python(void);
const TSLanguage *tree_sitter_javascript(void);

struct cb_chunker {
  TSParser *py, *js;
  uint64_t timeout_us;
  int window_lines;
  uint32_t *lines; /* start offset of each line */
  size_t nlines, lines_cap;
  /* definition chunks collected before windows fill the gaps */
  cb_chunk *defs;
  size_t ndefs, defs_cap;
  const char *src;
  size_t len;
};

cb_chunker *cb_chunker_new(uint64_t timeout_us, int window_lines) {
  cb_chunker *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->timeout_us = timeout_us ? timeout_us : 1000000;
  c->window_lines = window_lines > 0 ? window_lines : 40;
  c->py = ts_parser_new();
  c->js = ts_parser_new();
  if (!c->py || !c->js || !ts_parser_set_language(c->py, tree_sitter_python()) ||
      !ts_parser_set_language(c->js, tree_sitter_javascript())) {
    cb_chunker_free(c);
    return NULL;
  }
  ts_parser_set_timeout_micros(c->py, c->timeout_us);
  ts_parser_set_timeout_micros(c->js, c->timeout_us);
  return c;
}

void cb_chunker_free(cb_chunker *c) {
  if (!c) return;
  if (c->py) ts_parser_delete(c->py);
  if (c->js) ts_parser_delete(c->js);
  free(c->lines);
  free(c->defs);
  free(c);
}

void cb_chunks_free(cb_chunks *out) {
  free(out->v);
  memset(out, 0, sizeof *out);
}

const uint32_t *cb_chunker_lines(const cb_chunker *c, size_t *nlines) {
  *nlines = c->nlines;
  return c->lines;
}

/* ---- helpers ------------------------------------------------------------------------------- */

static int index_lines(cb_chunker *c) {
  c->nlines = 0;
  size_t need = 1;
  for (size_t i = 0; i < c->len; i++)
    if (c->src[i] == '\n') need++;
  if (need > c->lines_cap) {
    uint32_t *nl = realloc(c->lines, need * sizeof *nl);
    if (!nl) return -1;
    c->lines = nl;
    c->lines_cap = need;
  }
  c->lines[c->nlines++] = 0;
  for (size_t i = 0; i < c->len; i++)
    if (c->src[i] == '\n' && i + 1 < c->len) c->lines[c->nlines++] = (uint32_t)(i + 1);
  if (c->len == 0) c->nlines = 0;
  return 0;
}

/* byte just past line l (0-based), i.e. start of l+1 or end of file */
static uint32_t line_end(const cb_chunker *c, size_t l) {
  return l + 1 < c->nlines ? c->lines[l + 1] : (uint32_t)c->len;
}

static int line_blank(const cb_chunker *c, size_t l) {
  for (uint32_t i = c->lines[l]; i < line_end(c, l); i++) {
    char ch = c->src[i];
    if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r' && ch != '\f') return 0;
  }
  return 1;
}

static int push(cb_chunks *out, const cb_chunk *ch) {
  if (out->n == out->cap) {
    size_t nc = out->cap ? out->cap * 2 : 64;
    cb_chunk *nv = realloc(out->v, nc * sizeof *nv);
    if (!nv) return -1;
    out->v = nv;
    out->cap = nc;
  }
  out->v[out->n++] = *ch;
  return 0;
}

static int push_def(cb_chunker *c, const cb_chunk *ch) {
  if (c->ndefs == c->defs_cap) {
    size_t nc = c->defs_cap ? c->defs_cap * 2 : 64;
    cb_chunk *nv = realloc(c->defs, nc * sizeof *nv);
    if (!nv) return -1;
    c->defs = nv;
    c->defs_cap = nc;
  }
  c->defs[c->ndefs++] = *ch;
  return 0;
}

/* Fills lines / bytes of ch for 0-based lines [l0, l1]. */
static void set_lines(const cb_chunker *c, cb_chunk *ch, size_t l0, size_t l1) {
  ch->start_line = (int)l0 + 1;
  ch->end_line = (int)l1 + 1;
  ch->start_byte = c->lines[l0];
  ch->end_byte = line_end(c, l1);
}

static void node_text(const cb_chunker *c, TSNode n, char *out, size_t cap) {
  out[0] = '\0';
  if (ts_node_is_null(n)) return;
  uint32_t a = ts_node_start_byte(n), b = ts_node_end_byte(n);
  if (b > c->len || a >= b) return;
  size_t k = b - a;
  if (k >= cap) k = cap - 1;
  memcpy(out, c->src + a, k);
  out[k] = '\0';
}

static int is_type(TSNode n, const char *t) {
  return strcmp(ts_node_type(n), t) == 0;
}

/* ---- definitions ---------------------------------------------------------------------------- */

typedef struct defn {
  TSNode name; /* identifier node (may be null) */
  TSNode body; /* class body (classes only; may be null) */
  const char *kind;
} defn;

/* Python: is node a definition? (decorated_definition unwrapped) */
static int py_def(TSNode n, defn *d) {
  if (is_type(n, "decorated_definition")) n = ts_node_child_by_field_name(n, "definition", 10);
  if (ts_node_is_null(n)) return 0;
  if (is_type(n, "function_definition")) {
    d->kind = "function";
  } else if (is_type(n, "class_definition")) {
    d->kind = "class";
    d->body = ts_node_child_by_field_name(n, "body", 4);
  } else {
    return 0;
  }
  d->name = ts_node_child_by_field_name(n, "name", 4);
  return 1;
}

static int js_value_def(TSNode v, defn *d) {
  if (ts_node_is_null(v)) return 0;
  const char *t = ts_node_type(v);
  if (!strcmp(t, "arrow_function") || !strcmp(t, "function_expression") || !strcmp(t, "function") ||
      !strcmp(t, "generator_function")) {
    d->kind = "function";
    return 1;
  }
  if (!strcmp(t, "class")) {
    d->kind = "class";
    d->body = ts_node_child_by_field_name(v, "body", 4);
    return 1;
  }
  return 0;
}

static int js_def(TSNode n, defn *d) {
  if (is_type(n, "export_statement")) {
    TSNode decl = ts_node_child_by_field_name(n, "declaration", 11);
    if (ts_node_is_null(decl)) return 0;
    n = decl;
  }
  const char *t = ts_node_type(n);
  if (!strcmp(t, "function_declaration") || !strcmp(t, "generator_function_declaration")) {
    d->kind = "function";
    d->name = ts_node_child_by_field_name(n, "name", 4);
    return 1;
  }
  if (!strcmp(t, "class_declaration")) {
    d->kind = "class";
    d->name = ts_node_child_by_field_name(n, "name", 4);
    d->body = ts_node_child_by_field_name(n, "body", 4);
    return 1;
  }
  if (!strcmp(t, "lexical_declaration") || !strcmp(t, "variable_declaration")) {
    uint32_t k = ts_node_named_child_count(n);
    for (uint32_t i = 0; i < k; i++) {
      TSNode vd = ts_node_named_child(n, i);
      if (!is_type(vd, "variable_declarator")) continue;
      if (js_value_def(ts_node_child_by_field_name(vd, "value", 5), d)) {
        d->name = ts_node_child_by_field_name(vd, "name", 4);
        return 1;
      }
      return 0;
    }
  }
  return 0;
}

static int method_def(cb_lang lang, TSNode n, defn *d) {
  if (lang == CB_LANG_PYTHON) {
    if (!py_def(n, d)) return 0;
    if (strcmp(d->kind, "function") != 0) return 0;
    d->kind = "method";
    d->body = (TSNode){0};
    return 1;
  }
  if (is_type(n, "method_definition")) {
    d->kind = "method";
    d->name = ts_node_child_by_field_name(n, "name", 4);
    return 1;
  }
  return 0;
}

/* Start row of a run of comments ending right above row `row` among siblings before index i. */
static uint32_t leading_comment_row(TSNode parent, uint32_t i, uint32_t row) {
  uint32_t r = row;
  while (i > 0) {
    TSNode p = ts_node_named_child(parent, i - 1);
    if (!is_type(p, "comment")) break;
    if (ts_node_end_point(p).row + 1 != r) break;
    r = ts_node_start_point(p).row;
    i--;
  }
  return r;
}

static int add_def(cb_chunker *c, const defn *d, uint32_t r0, uint32_t r1, const char *parent) {
  cb_chunk ch;
  memset(&ch, 0, sizeof ch);
  ch.kind = d->kind;
  node_text(c, d->name, ch.symbol, sizeof ch.symbol);
  if (parent) snprintf(ch.parent, sizeof ch.parent, "%s", parent);
  if (r1 >= c->nlines) r1 = (uint32_t)c->nlines - 1;
  if (r0 > r1) return 0;
  set_lines(c, &ch, r0, r1);
  return push_def(c, &ch);
}

/* A class: its header chunk plus one chunk per method. */
static int add_class(cb_chunker *c, cb_lang lang, const defn *d, uint32_t r0, uint32_t r1) {
  size_t class_idx = c->ndefs;
  if (add_def(c, d, r0, r1, NULL) != 0) return -1;
  if (ts_node_is_null(d->body)) return 0;
  char cname[CB_SYMBOL_MAX];
  snprintf(cname, sizeof cname, "%s", c->defs[class_idx].symbol);
  uint32_t first_method_row = UINT32_MAX;
  uint32_t k = ts_node_named_child_count(d->body);
  for (uint32_t i = 0; i < k; i++) {
    TSNode m = ts_node_named_child(d->body, i);
    defn md;
    memset(&md, 0, sizeof md);
    if (!method_def(lang, m, &md)) continue;
    uint32_t mr0 = leading_comment_row(d->body, i, ts_node_start_point(m).row);
    uint32_t mr1 = ts_node_end_point(m).row;
    if (mr0 < first_method_row) first_method_row = mr0;
    if (add_def(c, &md, mr0, mr1, cname) != 0) return -1;
  }
  if (first_method_row != UINT32_MAX && first_method_row > r0) {
    /* the class chunk ends before its first method, blank lines trimmed */
    uint32_t e = first_method_row - 1;
    while (e > r0 && line_blank(c, e)) e--;
    cb_chunk *cc = &c->defs[class_idx];
    set_lines(c, cc, r0, e);
  }
  return 0;
}

static int collect_defs(cb_chunker *c, cb_lang lang, TSNode root) {
  uint32_t k = ts_node_named_child_count(root);
  for (uint32_t i = 0; i < k; i++) {
    TSNode n = ts_node_named_child(root, i);
    defn d;
    memset(&d, 0, sizeof d);
    int is = lang == CB_LANG_PYTHON ? py_def(n, &d) : js_def(n, &d);
    if (!is) continue;
    uint32_t r0 = leading_comment_row(root, i, ts_node_start_point(n).row);
    uint32_t r1 = ts_node_end_point(n).row;
    /* a node ending at column 0 ends on the previous line */
    if (ts_node_end_point(n).column == 0 && r1 > r0) r1--;
    int rc = strcmp(d.kind, "class") == 0 ? add_class(c, lang, &d, r0, r1)
                                          : add_def(c, &d, r0, r1, NULL);
    if (rc != 0) return -1;
  }
  return 0;
}

/* ---- windows and assembly ------------------------------------------------------------------- */

static int has_word(const cb_chunker *c, size_t l0, size_t l1) {
  for (uint32_t i = c->lines[l0]; i < line_end(c, l1 - 1); i++) {
    unsigned char ch = (unsigned char)c->src[i];
    if ((ch | 32) >= 'a' && (ch | 32) <= 'z') return 1;
    if (ch >= '0' && ch <= '9') return 1;
  }
  return 0;
}

static int add_windows(cb_chunker *c, cb_chunks *out, size_t l0, size_t l1, const char *kind) {
  /* lines [l0, l1) ; trim blanks, cut into windows */
  while (l0 < l1 && line_blank(c, l0)) l0++;
  while (l1 > l0 && line_blank(c, l1 - 1)) l1--;
  size_t w = (size_t)c->window_lines;
  for (size_t s = l0; s < l1; s += w) {
    size_t e = s + w < l1 ? s + w : l1;
    size_t ee = e;
    while (ee > s && line_blank(c, ee - 1)) ee--;
    size_t ss = s;
    while (ss < ee && line_blank(c, ss)) ss++;
    if (ss >= ee || !has_word(c, ss, ee)) continue; /* e.g. a lone closing brace */
    cb_chunk ch;
    memset(&ch, 0, sizeof ch);
    ch.kind = kind;
    set_lines(c, &ch, ss, ee - 1);
    if (push(out, &ch) != 0) return -1;
  }
  return 0;
}

static int cmp_defs(const void *a, const void *b) {
  const cb_chunk *x = a, *y = b;
  if (x->start_line != y->start_line) return x->start_line < y->start_line ? -1 : 1;
  return x->end_line < y->end_line ? -1 : x->end_line > y->end_line;
}

/* Pushes a definition, split into pieces when it is very long. */
static int push_split(cb_chunker *c, cb_chunks *out, const cb_chunk *d) {
  if (d->end_line - d->start_line + 1 <= CB_CHUNK_MAX_LINES) return push(out, d);
  for (int s = d->start_line; s <= d->end_line; s += CB_CHUNK_SPLIT_LINES) {
    cb_chunk p = *d;
    int e = s + CB_CHUNK_SPLIT_LINES - 1;
    if (e > d->end_line) e = d->end_line;
    set_lines(c, &p, (size_t)s - 1, (size_t)e - 1);
    if (push(out, &p) != 0) return -1;
  }
  return 0;
}

static int assemble(cb_chunker *c, cb_chunks *out) {
  qsort(c->defs, c->ndefs, sizeof *c->defs, cmp_defs);
  size_t next = 0; /* first line not yet covered */
  for (size_t i = 0; i < c->ndefs; i++) {
    cb_chunk *d = &c->defs[i];
    size_t s = (size_t)d->start_line - 1;
    if (s < next) { /* overlap (should not happen): clip */
      if ((size_t)d->end_line <= next) continue;
      set_lines(c, d, next, (size_t)d->end_line - 1);
      s = next;
    }
    if (s > next && add_windows(c, out, next, s, "module") != 0) return -1;
    if (push_split(c, out, d) != 0) return -1;
    next = (size_t)d->end_line;
  }
  if (next < c->nlines && add_windows(c, out, next, c->nlines, "module") != 0) return -1;
  return 0;
}

int cb_chunker_run(cb_chunker *c, cb_lang lang, const char *src, size_t len, cb_chunks *out) {
  out->n = 0;
  out->parse_timed_out = 0;
  out->parse_errors = 0;
  c->src = src;
  c->len = len;
  c->ndefs = 0;
  if (index_lines(c) != 0) return -1;
  if (c->nlines == 0) return 0;
  if (lang == CB_LANG_TEXT) return add_windows(c, out, 0, c->nlines, "lines");

  TSParser *p = lang == CB_LANG_PYTHON ? c->py : c->js;
  TSTree *tree = ts_parser_parse_string(p, NULL, src, (uint32_t)len);
  if (!tree) { /* timed out (or cancelled): index by lines */
    ts_parser_reset(p);
    out->parse_timed_out = 1;
    return add_windows(c, out, 0, c->nlines, "lines");
  }
  TSNode root = ts_tree_root_node(tree);
  out->parse_errors = ts_node_has_error(root) ? 1 : 0;
  int rc = collect_defs(c, lang, root);
  ts_tree_delete(tree);
  if (rc != 0) return -1;
  return assemble(c, out);
}
