/* lang.c — extension table for cb_lang_of / cb_lang_name. */
#include "servers/codebase_mcp/lang.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

static const struct {
  const char *ext;
  const char *name;
  cb_lang lang;
} kExt[] = {
    {"py", "python", CB_LANG_PYTHON},
    {"pyi", "python", CB_LANG_PYTHON},
    {"js", "javascript", CB_LANG_JAVASCRIPT},
    {"mjs", "javascript", CB_LANG_JAVASCRIPT},
    {"cjs", "javascript", CB_LANG_JAVASCRIPT},
    {"jsx", "javascript", CB_LANG_JAVASCRIPT},
    {"ts", "typescript", CB_LANG_TEXT},
    {"tsx", "typescript", CB_LANG_TEXT},
    {"c", "c", CB_LANG_TEXT},
    {"h", "c", CB_LANG_TEXT},
    {"cc", "cpp", CB_LANG_TEXT},
    {"cpp", "cpp", CB_LANG_TEXT},
    {"hpp", "cpp", CB_LANG_TEXT},
    {"go", "go", CB_LANG_TEXT},
    {"rs", "rust", CB_LANG_TEXT},
    {"java", "java", CB_LANG_TEXT},
    {"rb", "ruby", CB_LANG_TEXT},
    {"sh", "shell", CB_LANG_TEXT},
    {"md", "markdown", CB_LANG_TEXT},
    {"rst", "text", CB_LANG_TEXT},
    {"json", "json", CB_LANG_TEXT},
    {"yaml", "yaml", CB_LANG_TEXT},
    {"yml", "yaml", CB_LANG_TEXT},
    {"toml", "toml", CB_LANG_TEXT},
    {"html", "html", CB_LANG_TEXT},
    {"css", "css", CB_LANG_TEXT},
    {"sql", "sql", CB_LANG_TEXT},
    {"txt", "text", CB_LANG_TEXT},
};

static int find(const char *path) {
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  const char *dot = strrchr(base, '.');
  if (!dot || dot == base) return -1;
  for (size_t i = 0; i < sizeof kExt / sizeof kExt[0]; i++)
    if (strcasecmp(dot + 1, kExt[i].ext) == 0) return (int)i;
  return -1;
}

cb_lang cb_lang_of(const char *path) {
  int i = find(path);
  return i < 0 ? CB_LANG_TEXT : kExt[i].lang;
}

const char *cb_lang_name(const char *path) {
  int i = find(path);
  return i < 0 ? "text" : kExt[i].name;
}

int cb_lang_is_known(const char *s) {
  if (strcmp(s, "text") == 0) return 1;
  for (size_t i = 0; i < sizeof kExt / sizeof kExt[0]; i++)
    if (strcmp(s, kExt[i].name) == 0) return 1;
  return 0;
}
