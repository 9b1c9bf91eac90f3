/* chunker.h — cuts a source file into search chunks.
 *
 * Python and JavaScript are parsed with tree-sitter (one TSParser per language per chunker, so one
 * chunker per thread): each top-level function and class is a chunk, each method of a class is a
 * chunk (the class chunk then covers the class header, docstring and attributes up to its first
 * method), and leading comments / decorators belong to the definition they precede. Lines no
 * definition covers (imports, module code) are cut into windows of at most window_lines lines,
 * blank lines trimmed. Other text files are cut into windows only.
 *
 * A file with syntax errors still yields chunks (tree-sitter recovers; parse_errors is set so the
 * caller can warn). A parse that runs past the timeout (1 s by default) is abandoned and the file
 * is cut into windows (parse_timed_out set). Definitions longer than CB_CHUNK_MAX_LINES are split
 * into pieces of CB_CHUNK_SPLIT_LINES lines carrying the same symbol. Chunk contents are whole
 * lines. Not thread-safe per chunker. */
#ifndef CB_CHUNKER_H
#define CB_CHUNKER_H

#include <stddef.h>
#include <stdint.h>

#include "servers/codebase_mcp/lang.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CB_SYMBOL_MAX 128
#define CB_CHUNK_MAX_LINES 400
#define CB_CHUNK_SPLIT_LINES 200

typedef struct cb_chunk {
  uint32_t start_byte, end_byte; /* content = src[start_byte, end_byte) (whole lines) */
  int start_line, end_line;      /* 1-based, inclusive */
  const char *kind;              /* "function", "class", "method", "module", "lines" (static) */
  char symbol[CB_SYMBOL_MAX];    /* definition name; "" for windows */
  char parent[CB_SYMBOL_MAX];    /* enclosing class of a method; "" otherwise */
} cb_chunk;

typedef struct cb_chunks {
  cb_chunk *v;
  size_t n, cap;
  int parse_timed_out; /* 1: parse abandoned after the timeout, windows only */
  int parse_errors;    /* 1: the syntax tree has ERROR / MISSING nodes */
} cb_chunks;

typedef struct cb_chunker cb_chunker;

/* A chunker with its own parsers. timeout_us 0 => 1,000,000 (FR-025: one file 1 s);
 * window_lines 0 => 40. NULL when memory runs out or a grammar fails to load. */
cb_chunker *cb_chunker_new(uint64_t timeout_us, int window_lines);
void cb_chunker_free(cb_chunker *c);

/* Chunks src (len bytes, need not be NUL-terminated) of language lang into out (emptied first,
 * memory reused; chunks in file order). Returns 0, or -1 when memory runs out. */
int cb_chunker_run(cb_chunker *c, cb_lang lang, const char *src, size_t len, cb_chunks *out);

/* After cb_chunker_run: byte offset of the start of each line (0-based line index) and the line
 * count, for context lines. Valid until the next run. */
const uint32_t *cb_chunker_lines(const cb_chunker *c, size_t *nlines);

/* Frees what out owns and zeroes it. */
void cb_chunks_free(cb_chunks *out);

#ifdef __cplusplus
}
#endif

#endif /* CB_CHUNKER_H */
