/* validate_record.c — CLI: check a JSON file against one record kind.
 *
 *   validate_record --type KIND FILE.json     (FILE "-" reads standard input)
 *   validate_record --type KIND --canonical FILE.json
 *
 * Prints "ok" (or, with --canonical, the canonical JSON) and exits 0 when the record (or every
 * element of a top-level array) parses and validates; otherwise prints "FIELD: RULE" (or just
 * "RULE" when no single field is at fault) on standard output and exits 1. Usage errors and
 * unreadable files exit 2 with a message on standard error. KIND: benchmark_result,
 * integration_case, load_result, health, metrics, histogram (or the SPEC record names). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/buf.h"
#include "models/record_kind.h"

#define MAX_FILE ((size_t)64 * 1024 * 1024) /* records are small; refuse absurd inputs */

static void usage(FILE *to) {
  fprintf(
      to,
      "usage: validate_record --type KIND [--canonical] FILE.json\n"
      "  KIND: benchmark_result | integration_case | load_result | health | metrics | histogram\n"
      "  FILE '-' reads standard input. Exit 0 valid, 1 invalid, 2 usage or I/O error.\n");
}

/* Reads all of f into a new NUL-terminated buffer (*out, caller frees); returns 0 or an errno
 * value (EFBIG for MAX_FILE bytes or more). */
static int read_all(FILE *f, char **out, size_t *len) {
  mdl_buf b;
  mdl_buf_init(&b, MAX_FILE - 1);
  mdl_code rc = mdl_buf_add_file(&b, f);
  int e = rc == MDL_OK ? 0 : rc == MDL_ERANGE ? EFBIG : rc == MDL_EIO ? EIO : ENOMEM;
  size_t n = b.len;
  if (e == 0 && (*out = mdl_buf_take(&b)) == NULL) e = ENOMEM;
  mdl_buf_free(&b);
  if (e == 0) *len = n;
  return e;
}

int main(int argc, char **argv) {
  const char *type = NULL, *file = NULL;
  int canonical = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--type") == 0 && i + 1 < argc) {
      type = argv[++i];
    } else if (strncmp(argv[i], "--type=", 7) == 0) {
      type = argv[i] + 7;
    } else if (strcmp(argv[i], "--canonical") == 0) {
      canonical = 1;
    } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      usage(stdout);
      return 0;
    } else if (file == NULL && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0)) {
      file = argv[i];
    } else {
      usage(stderr);
      return 2;
    }
  }
  mdl_record_kind kind;
  if (type == NULL || file == NULL) {
    usage(stderr);
    return 2;
  }
  if (!mdl_record_kind_parse(type, &kind)) {
    fprintf(stderr, "validate_record: unknown --type '%s'\n", type);
    usage(stderr);
    return 2;
  }
  FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
  if (f == NULL) {
    fprintf(stderr, "validate_record: cannot open %s: %s\n", file, strerror(errno));
    return 2;
  }
  char *text = NULL;
  size_t len = 0;
  int rerr = read_all(f, &text, &len);
  if (f != stdin) fclose(f);
  if (rerr != 0) {
    fprintf(stderr, "validate_record: cannot read %s: %s\n", file, strerror(rerr));
    return 2;
  }
  mdl_err err;
  char *canon = mdl_record_canonical_text(kind, text, len, &err);
  free(text);
  if (canon == NULL) {
    if (err.field[0] != '\0')
      printf("%s: %s\n", err.field, err.msg);
    else
      printf("%s\n", err.msg);
    return 1;
  }
  if (canonical)
    printf("%s\n", canon);
  else
    printf("ok\n");
  free(canon);
  return 0;
}
