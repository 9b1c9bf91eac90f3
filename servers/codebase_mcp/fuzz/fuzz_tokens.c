/* fuzz_tokens.c — libFuzzer target for the tokenizer: arbitrary text (code, a search query) goes
 * through identifier splitting, stemming, the tsvector builder for Python, JavaScript and plain
 * text, and the tsquery builder in both modes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "servers/codebase_mcp/tokens.h"

static void count(const char *tok, size_t n, int is_part, unsigned word_index, void *arg) {
  char t[256];
  if (n > 0 && n < sizeof t) {
    memcpy(t, tok, n);
    (void)cb_tokens_stem(t, n);
    (void)cb_tokens_is_stopword(t, n);
  }
  ++*(size_t *)arg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *text = (const char *)data;
  char *query = malloc(size + 1);
  size_t n = 0;
  mdl_buf out = {0};
  cb_tsv *t = cb_tsv_new();
  if (query == NULL || t == NULL) {
    free(query);
    cb_tsv_free(t);
    return 0;
  }
  memcpy(query, data, size);
  query[size] = '\0';
  (void)cb_tokens_each(text, size, count, &n);
  (void)cb_tokens_leaves(text, size, count, &n);
  cb_tsv_add_code(t, CB_LANG_PYTHON, text, size);
  cb_tsv_add_code(t, CB_LANG_JAVASCRIPT, text, size);
  cb_tsv_add_words(t, text, size, CB_W_B);
  (void)cb_tsv_count(t);
  (void)cb_tsv_render(t, &out);
  mdl_buf_reset(&out);
  (void)cb_tsquery_build(query, 0, &out);
  mdl_buf_reset(&out);
  (void)cb_tsquery_build_w(query, 1, 1, &out);
  mdl_buf_free(&out);
  cb_tsv_free(t);
  free(query);
  return 0;
}
