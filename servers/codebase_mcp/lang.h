/* lang.h — language detection from a file name.
 *
 * Python and JavaScript get tree-sitter chunking; every other language name only labels the
 * chunks of the line-window fallback (and feeds the `language` search filter). Pure and
 * thread-safe. */
#ifndef CB_LANG_H
#define CB_LANG_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cb_lang {
  CB_LANG_TEXT = 0,  /* any other text file: line windows */
  CB_LANG_PYTHON,    /* tree-sitter-python */
  CB_LANG_JAVASCRIPT /* tree-sitter-javascript (.js .mjs .cjs .jsx) */
} cb_lang;

/* The parser family for path (by extension, case-insensitive). */
cb_lang cb_lang_of(const char *path);

/* The language name stored with each chunk: "python", "javascript", "typescript", "c", "cpp",
 * "go", "rust", "java", "ruby", "shell", "markdown", "json", "yaml", "toml", "html", "css",
 * "sql", ... or "text". Never NULL; a static string. */
const char *cb_lang_name(const char *path);

/* True if s is one of the names cb_lang_name can return (validates the search filter). */
int cb_lang_is_known(const char *s);

#ifdef __cplusplus
}
#endif

#endif /* CB_LANG_H */
