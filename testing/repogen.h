/* repogen.h — deterministic fixture repositories for indexing and search tests (SPEC FR-024).
 *
 * A repository of N files (default 10,000): file sizes log-uniform on [100 B, 50 KB] (median
 * ~2.2 KB, mean ~8 KB), directory depth <= 5, 60% Python / 40% JavaScript source files holding
 * real functions, classes, methods and imports with doc comments, named from a vocabulary of
 * several hundred words (parse_invoice_header, InvoiceHeaderParser) so a query selects a few
 * chunks. Every top-level function and class name is unique in the repository. A few binary files
 * and exactly one unparseable Python file are mixed in. Same seed and N => byte-identical tree.
 *
 * The manifest (TSV, one line per symbol, header line starting with '#') gives the right answer
 * for a query:  symbol  kind  file  start_line  end_line  language  parent  doc_words
 * kind is function | class | method | binary | unparseable | query; lines are 1-based inclusive;
 * parent is the class of a method, else "-"; doc_words are the words of its doc comment.
 *
 * Low-vocabulary corpus (low_vocab = 1): the same layout, names and sizes, but parameters, locals
 * and adjectives come from a few common words (request, value, error...), bodies are 1-3
 * statements (more definitions per file), and every function, class and method doc comment
 * carries "get the value of the request, or an error" (its doc_words end with
 * "get value request error"). So each of its queries matches every definition: ~200k of them
 * in 10,000 files, where the varied fixture's queries select a few. The manifest then also holds
 * one "query" line per query of common words: "-  query  -  0  0  -  -  <query words>". */
#ifndef TST_REPOGEN_H
#define TST_REPOGEN_H

#include <stddef.h>
#include <stdint.h>

#include "testing/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tst_repogen_opts {
  const char *out_dir;       /* created if missing; must be empty or absent */
  const char *manifest_path; /* NULL: "<out_dir>.manifest.tsv" (beside, not inside, the repo) */
  int files;                 /* total files incl. binary/unparseable; <= 0: 10000 */
  uint64_t seed;
  int binary_files;      /* < 0: default 3; 0: none; else that many */
  int unparseable_files; /* < 0: default 1; 0: none; > 0: one */
  int progress;          /* 1: progress lines on stderr */
  int low_vocab;         /* 1: the low-vocabulary corpus (above); 0: the varied one */
} tst_repogen_opts;

typedef struct tst_repogen_stats {
  int files, python_files, javascript_files, binary_files, unparseable_files;
  int directories, max_depth; /* depth = directories between root and file (0..5) */
  long long total_bytes;
  long long symbols; /* manifest lines for functions, classes, methods */
  double seconds;
} tst_repogen_stats;

/* Generates the repository and the manifest. st (optional) gets the figures. Fails with
 * TST_EINVAL (bad options, out_dir not empty) or TST_ESYS (I/O), leaving what was written. */
int tst_repogen_generate(const tst_repogen_opts *o, tst_repogen_stats *st, tst_err *err);

/* One manifest line. */
typedef struct tst_manifest_entry {
  char *symbol, *kind, *file, *language, *parent, *doc_words;
  int start_line, end_line;
} tst_manifest_entry;

typedef struct tst_manifest {
  tst_manifest_entry *entries;
  size_t n;
} tst_manifest;

/* Loads a manifest written by tst_repogen_generate. *out is new (tst_manifest_free). */
int tst_manifest_load(const char *path, tst_manifest **out, tst_err *err);

/* First entry with that symbol (and kind, if kind != NULL), or NULL. */
const tst_manifest_entry *tst_manifest_find(const tst_manifest *m, const char *symbol,
                                            const char *kind);

void tst_manifest_free(tst_manifest *m);

/* Splits an identifier into lowercase words ("InvoiceHeaderParser" / "parse_invoice_header" ->
 * "invoice header parser" / "parse invoice header"), the query a test sends for it. */
void tst_identifier_words(const char *ident, char *out, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* TST_REPOGEN_H */
