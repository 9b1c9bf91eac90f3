/* parse_probe.c — the tree-sitter calibration workload (parse_probe.h). */
#include "benchmarks/parse_probe.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/buf.h"
#include "servers/codebase_mcp/chunker.h"

struct bench_parse_probe {
  cb_chunker *chunker;
  cb_chunks chunks; /* reused between runs, like the indexer's workers do */
  mdl_buf src;
  long last_chunks;
};

/* One class with a docstring, a constructor with a comprehension, a method with try/except, and a
 * module function: the constructs the fixture's Python files are made of. */
static const char kClass[] =
    "class Widget%d(Base):\n"
    "    \"\"\"A widget of kind %d that caches values by key.\"\"\"\n"
    "    def __init__(self, name, size=%d):\n"
    "        self.name = name\n"
    "        self.items = [x * 2 for x in range(size) if x %% 3]\n"
    "        self.cache = {str(i): i for i in self.items}\n"
    "\n"
    "    def get_value(self, key, default=None):\n"
    "        try:\n"
    "            return self.cache[key] + %d\n"
    "        except KeyError as e:\n"
    "            if default is None:\n"
    "                raise ValueError('missing %%s in %%s' %% (key, self.name)) from e\n"
    "            return default\n"
    "\n"
    "def make_widget_%d(names, *args, **kwargs):\n"
    "    return [Widget%d(n, *args, **kwargs) for n in sorted(names) if n]\n"
    "\n";

int bench_parse_probe_new(bench_parse_probe **out, bench_err *err) {
  int rc = BENCH_OK;
  assert(out != NULL);
  *out = NULL;
  bench_parse_probe *p = calloc(1, sizeof *p);
  if (p == NULL) return bench_err_set(err, BENCH_ENOMEM, "out of memory");
  mdl_buf_init(&p->src, 0);
  for (int k = 0; k < BENCH_PARSE_PROBE_CLASSES; k++)
    if (mdl_buf_printf(&p->src, kClass, k, k, k + 7, k, k, k) != MDL_OK) {
      rc = bench_err_set(err, BENCH_ENOMEM, "out of memory");
      goto fail;
    }
  /* No timeout (0 => the server's default of 1 s, far above the ~1 ms a parse takes). */
  if ((p->chunker = cb_chunker_new(0, 0)) == NULL) {
    rc = bench_err_set(err, BENCH_ESETUP,
                       "cannot make a tree-sitter chunker for the calibration probe (out of memory "
                       "or the Python grammar did not load: run bash ci/bootstrap.sh)");
    goto fail;
  }
  p->last_chunks = -1;
  *out = p;
  return BENCH_OK;
fail:
  bench_parse_probe_free(p);
  return rc;
}

void bench_parse_probe_free(bench_parse_probe *p) {
  if (p == NULL) return;
  cb_chunks_free(&p->chunks);
  if (p->chunker != NULL) cb_chunker_free(p->chunker);
  mdl_buf_free(&p->src);
  free(p);
}

void bench_parse_probe_work(void *ctx) {
  bench_parse_probe *p = ctx;
  assert(p != NULL && p->chunker != NULL);
  p->last_chunks =
      cb_chunker_run(p->chunker, CB_LANG_PYTHON, p->src.data, p->src.len, &p->chunks) == 0
          ? (long)p->chunks.n
          : -1;
}

long bench_parse_probe_last_chunks(const bench_parse_probe *p) {
  assert(p != NULL);
  return p->last_chunks;
}

size_t bench_parse_probe_source_bytes(const bench_parse_probe *p) {
  assert(p != NULL);
  return p->src.len;
}

double bench_parse_probe_take(bench_parse_probe *p, mdl_calib_probe *probe) {
  assert(p != NULL && probe != NULL);
  return mdl_calib_probe_run(probe, bench_parse_probe_work, p);
}
