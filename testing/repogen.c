/* repogen.c — deterministic fixture repositories and their manifest (see repogen.h).
 *
 * Layout first (from the seed alone): a directory tree of about N/40 directories at depth <= 5,
 * each file's directory, kind (Python / JavaScript at exactly 60/40 of the source files, a few
 * binaries, one unparseable file) and exact size. Sizes are stratified log-uniform on
 * [100, 50000]: the i-th file of a random permutation gets 100 * 500^((rank + jitter) / N), so
 * the distribution matches the target closely for any N. Then each file is generated from its
 * own random stream (seed, index), so content never depends on generation order. The
 * low-vocabulary corpus uses the same layout; only the files' words and body lengths differ. */
#include "testing/repogen.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testing/proc.h"
#include "testing/repogen_code.h"
#include "testing/rng.h"
#include "testing/sbuf.h"
#include "testing/vocab.h"

#define MAX_DEPTH 5
#define MIN_SIZE 100.0
#define MAX_SIZE 50000.0
#define FILES_PER_DIR 40

enum { K_PY = 0, K_JS = 1, K_BIN = 2, K_BROKEN = 3 };

typedef struct layout {
  int n_dirs;
  int *dir_parent, *dir_depth;
  char **dir_path; /* "" for the root, else "a/b/c" */
  int *file_dir;
  unsigned char *file_kind;
  unsigned char *file_class0;
  size_t *file_size;
  char **file_path;   /* repo-relative */
  char **file_module; /* python dotted module / js import specifier */
  char **file_symbol; /* the name importers use (unit 0) */
} layout;

static void layout_free(layout *l, int files) {
  for (int i = 0; i < l->n_dirs && l->dir_path != NULL; i++) free(l->dir_path[i]);
  for (int i = 0; i < files; i++) {
    if (l->file_path != NULL) free(l->file_path[i]);
    if (l->file_module != NULL) free(l->file_module[i]);
    if (l->file_symbol != NULL) free(l->file_symbol[i]);
  }
  free(l->dir_parent);
  free(l->dir_depth);
  free(l->dir_path);
  free(l->file_dir);
  free(l->file_kind);
  free(l->file_class0);
  free(l->file_size);
  free(l->file_path);
  free(l->file_module);
  free(l->file_symbol);
}

static int make_dirs(layout *l, int files, tst_rng *r) {
  l->n_dirs = 1 + files / FILES_PER_DIR;
  l->dir_parent = calloc((size_t)l->n_dirs, sizeof(int));
  l->dir_depth = calloc((size_t)l->n_dirs, sizeof(int));
  l->dir_path = calloc((size_t)l->n_dirs, sizeof(char *));
  if (!l->dir_parent || !l->dir_depth || !l->dir_path) return -1;
  l->dir_path[0] = strdup("");
  if (l->dir_path[0] == NULL) return -1;
  for (int d = 1; d < l->n_dirs; d++) {
    int p = (int)tst_rng_below(r, (uint32_t)d);
    char path[512];
    while (l->dir_depth[p] >= MAX_DEPTH) p = l->dir_parent[p];
    for (int tries = 0;; tries++) {
      const char *w = tst_vocab_nouns[tst_rng_below(r, (uint32_t)tst_vocab_n_nouns)];
      int clash = 0;
      if (tries < 20) {
        snprintf(path, sizeof(path), "%s%s%s", l->dir_path[p], p ? "/" : "", w);
      } else {
        snprintf(path, sizeof(path), "%s%s%s%d", l->dir_path[p], p ? "/" : "", w, tries);
      }
      for (int e = 1; e < d && !clash; e++) clash = strcmp(l->dir_path[e], path) == 0;
      if (!clash) break;
    }
    l->dir_parent[d] = p;
    l->dir_depth[d] = l->dir_depth[p] + 1;
    l->dir_path[d] = strdup(path);
    if (l->dir_path[d] == NULL) return -1;
  }
  return 0;
}

static int make_files(layout *l, const tst_namer *nm, int files, int per_file, int n_bin,
                      int n_broken, uint64_t seed, tst_rng *r) {
  int *perm = malloc((size_t)files * sizeof(int));
  int source = 0;
  static const char *const bin_ext[] = {".png", ".bin", ".woff2"};
  l->file_dir = calloc((size_t)files, sizeof(int));
  l->file_kind = calloc((size_t)files, 1);
  l->file_class0 = calloc((size_t)files, 1);
  l->file_size = calloc((size_t)files, sizeof(size_t));
  l->file_path = calloc((size_t)files, sizeof(char *));
  l->file_module = calloc((size_t)files, sizeof(char *));
  l->file_symbol = calloc((size_t)files, sizeof(char *));
  if (!perm || !l->file_dir || !l->file_kind || !l->file_class0 || !l->file_size || !l->file_path ||
      !l->file_module || !l->file_symbol) {
    free(perm);
    return -1;
  }
  for (int i = 0; i < files; i++) perm[i] = i;
  for (int i = files - 1; i > 0; i--) {
    int j = (int)tst_rng_below(r, (uint32_t)(i + 1)), t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  for (int k = 0; k < n_bin; k++)
    l->file_kind[(int)((long long)files * (2 * k + 1) / (2 * n_bin + 1))] = K_BIN;
  if (n_broken > 0) {
    int b = files / 2;
    while (l->file_kind[b] == K_BIN) b = (b + 1) % files;
    l->file_kind[b] = K_BROKEN;
  }
  for (int i = 0; i < files; i++) {
    char name[128], sym[128], path[700], module[800];
    uint64_t id = (uint64_t)i * (uint64_t)per_file;
    const char *dir;
    double u = ((double)perm[i] + tst_rng_unit(r)) / (double)files;
    double size = floor(MIN_SIZE * pow(MAX_SIZE / MIN_SIZE, u));
    l->file_size[i] = (size_t)(size < MIN_SIZE ? MIN_SIZE : size > MAX_SIZE ? MAX_SIZE : size);
    l->file_dir[i] = (int)tst_rng_below(r, (uint32_t)l->n_dirs);
    l->file_class0[i] = (unsigned char)(tst_mix64(seed, 5000000 + (uint64_t)i) % 10 < 3);
    if (l->file_kind[i] != K_BIN && l->file_kind[i] != K_BROKEN) {
      /* Exactly 60% Python: source file s is Python iff floor((s+1)*3/5) > floor(s*3/5). */
      l->file_kind[i] = ((source + 1) * 3 / 5 > source * 3 / 5) ? K_PY : K_JS;
      source++;
    }
    dir = l->dir_path[l->file_dir[i]];
    switch (l->file_kind[i]) {
      case K_JS:
        tst_name_camel(nm, id, name, sizeof(name));
        if (l->file_class0[i])
          tst_name_class(nm, id, sym, sizeof(sym));
        else
          snprintf(sym, sizeof(sym), "%s", name);
        snprintf(path, sizeof(path), "%s%s%s.js", dir, dir[0] ? "/" : "", name);
        snprintf(module, sizeof(module), "@app/%s", path);
        break;
      case K_BIN:
        tst_name_snake(nm, id, name, sizeof(name));
        snprintf(sym, sizeof(sym), "-");
        snprintf(path, sizeof(path), "%s%s%s%s", dir, dir[0] ? "/" : "", name, bin_ext[i % 3]);
        snprintf(module, sizeof(module), "-");
        break;
      default: /* Python, broken Python */
        tst_name_snake(nm, id, name, sizeof(name));
        if (l->file_class0[i])
          tst_name_class(nm, id, sym, sizeof(sym));
        else
          snprintf(sym, sizeof(sym), "%s", name);
        snprintf(path, sizeof(path), "%s%s%s.py", dir, dir[0] ? "/" : "", name);
        snprintf(module, sizeof(module), "%s%s%s", dir, dir[0] ? "." : "", name);
        for (char *p = module; *p; p++)
          if (*p == '/') *p = '.';
        break;
    }
    l->file_path[i] = strdup(path);
    l->file_module[i] = strdup(module);
    l->file_symbol[i] = strdup(sym);
    if (!l->file_path[i] || !l->file_module[i] || !l->file_symbol[i]) {
      free(perm);
      return -1;
    }
  }
  free(perm);
  return 0;
}

static int write_all(const char *path, const char *data, size_t len, tst_err *err) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  size_t off = 0;
  if (fd < 0) return tst_err_set(err, TST_ESYS, "cannot create %s: %s", path, strerror(errno));
  while (off < len) {
    ssize_t w = write(fd, data + off, len - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      close(fd);
      return tst_err_set(err, TST_ESYS, "write %s: %s", path, strerror(errno));
    }
    off += (size_t)w;
  }
  if (close(fd) != 0) return tst_err_set(err, TST_ESYS, "close %s: %s", path, strerror(errno));
  return TST_OK;
}

/* out_dir must be absent (created, with parents) or an empty directory. */
static int prepare_out_dir(const char *dir, tst_err *err) {
  struct stat st;
  char tmp[4096];
  if (stat(dir, &st) == 0) {
    DIR *d;
    struct dirent *e;
    int entries = 0;
    if (!S_ISDIR(st.st_mode))
      return tst_err_set(err, TST_EINVAL, "%s exists and is not a directory", dir);
    d = opendir(dir);
    if (d == NULL) return tst_err_set(err, TST_ESYS, "cannot read %s: %s", dir, strerror(errno));
    while ((e = readdir(d)) != NULL)
      entries += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    if (entries > 0) {
      return tst_err_set(err, TST_EINVAL,
                         "output directory %s is not empty; give a new or empty one", dir);
    }
    return TST_OK;
  }
  snprintf(tmp, sizeof(tmp), "%s", dir);
  for (char *p = tmp + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
      return tst_err_set(err, TST_ESYS, "mkdir %s: %s", tmp, strerror(errno));
    }
    *p = '/';
  }
  if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
    return tst_err_set(err, TST_ESYS, "mkdir %s: %s", tmp, strerror(errno));
  }
  return TST_OK;
}

int tst_repogen_generate(const tst_repogen_opts *o, tst_repogen_stats *st, tst_err *err) {
  layout l;
  tst_namer nm;
  tst_rng r;
  tst_sbuf content = {0}, manifest = {0};
  tst_repogen_stats s;
  char out[4096], mpath[4200], path[8192];
  int files, n_bin, n_broken, per_file, rc = TST_OK;
  double t0 = tst_now_ms();
  memset(&l, 0, sizeof(l));
  memset(&s, 0, sizeof(s));
  if (o == NULL || o->out_dir == NULL || o->out_dir[0] == '\0') {
    return tst_err_set(err, TST_EINVAL, "repogen: out_dir is required");
  }
  files = o->files > 0 ? o->files : 10000;
  n_bin = o->binary_files < 0 ? 3 : o->binary_files;
  n_broken = o->unparseable_files != 0 ? 1 : 0;
  if (n_bin + n_broken >= files) {
    return tst_err_set(err, TST_EINVAL,
                       "repogen: %d files cannot hold %d binary + %d unparseable files", files,
                       n_bin, n_broken);
  }
  snprintf(out, sizeof(out), "%s", o->out_dir);
  while (strlen(out) > 1 && out[strlen(out) - 1] == '/') out[strlen(out) - 1] = '\0';
  if (o->manifest_path != NULL)
    snprintf(mpath, sizeof(mpath), "%s", o->manifest_path);
  else
    snprintf(mpath, sizeof(mpath), "%s.manifest.tsv", out);
  tst_namer_init(&nm, o->seed);
  per_file = (int)(nm.space / (uint64_t)files);
  if (per_file > 256) per_file = 256;
  if (per_file < 16) {
    return tst_err_set(err, TST_EINVAL,
                       "repogen: %d files is more than the vocabulary names uniquely (max %llu)",
                       files, (unsigned long long)(nm.space / 16));
  }
  rc = prepare_out_dir(out, err);
  if (rc != TST_OK) return rc;
  r.s = tst_mix64(o->seed, 1);
  if (make_dirs(&l, files, &r) != 0 ||
      make_files(&l, &nm, files, per_file, n_bin, n_broken, o->seed, &r) != 0) {
    rc = tst_err_set(err, TST_ESYS, "repogen: out of memory planning %d files", files);
    goto cleanup;
  }
  for (int d = 1; d < l.n_dirs; d++) {
    snprintf(path, sizeof(path), "%s/%s", out, l.dir_path[d]);
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
      rc = tst_err_set(err, TST_ESYS, "mkdir %s: %s", path, strerror(errno));
      goto cleanup;
    }
    if (l.dir_depth[d] > s.max_depth) s.max_depth = l.dir_depth[d];
  }
  s.directories = l.n_dirs - 1;
  tst_sb_put(&manifest, "#symbol\tkind\tfile\tstart_line\tend_line\tlanguage\tparent\tdoc_words\n");
  for (size_t k = 0; o->low_vocab && k < tst_vocab_n_common_queries; k++)
    tst_sb_printf(&manifest, "-\tquery\t-\t0\t0\t-\t-\t%s\n", tst_vocab_common_queries[k]);
  for (int i = 0; i < files; i++) {
    tst_rng fr = {tst_mix64(o->seed, 1000 + (uint64_t)i)};
    tst_sb_reset(&content);
    if (l.file_kind[i] == K_BIN) {
      static const unsigned char magic[] = {0x89, 'P',  'N', 'G', '\r', '\n',
                                            0x1a, '\n', 0,   0,   0,    13};
      tst_sb_putn(&content, (const char *)magic, sizeof(magic));
      while (content.b.len < l.file_size[i]) {
        uint64_t x = tst_rng_next(&fr);
        size_t take = l.file_size[i] - content.b.len < 8 ? l.file_size[i] - content.b.len : 8;
        tst_sb_putn(&content, (const char *)&x, take);
      }
      tst_sb_printf(&manifest, "-\tbinary\t%s\t0\t0\t-\t-\t-\n", l.file_path[i]);
      s.binary_files++;
    } else {
      tst_code_file cf;
      char imp[2][1024];
      int lang = l.file_kind[i] == K_JS ? TST_LANG_JS : TST_LANG_PY;
      memset(&cf, 0, sizeof(cf));
      cf.lang = (tst_lang)lang;
      cf.path = l.file_path[i];
      cf.first_id = (uint64_t)i * (uint64_t)per_file;
      cf.max_units = per_file;
      cf.first_is_class = l.file_class0[i];
      cf.target = l.file_size[i];
      cf.unparseable = l.file_kind[i] == K_BROKEN;
      cf.low_vocab = o->low_vocab != 0;
      for (int k = 0, n = 0; k < 10 && n < 2 && cf.target >= 1200; k++) {
        int j = (int)tst_rng_below(&fr, (uint32_t)files);
        if (j == i || l.file_kind[j] != l.file_kind[i] || l.file_kind[j] == K_BROKEN) continue;
        if (n == 1 &&
            strcmp(l.file_symbol[j], imp[0] + strlen(imp[0]) - strlen(l.file_symbol[j])) == 0)
          continue;
        snprintf(imp[n], sizeof(imp[n]), "%s|%s", l.file_module[j], l.file_symbol[j]);
        cf.imports[n] = imp[n];
        n++;
      }
      if (cf.unparseable) {
        tst_sb_printf(&manifest, "-\tunparseable\t%s\t0\t0\tpython\t-\t-\n", l.file_path[i]);
        s.unparseable_files++;
        tst_code_generate(&cf, &nm, &fr, &content, &manifest, &s.symbols);
      } else {
        tst_code_generate(&cf, &nm, &fr, &content, &manifest, &s.symbols);
        if (lang == TST_LANG_JS)
          s.javascript_files++;
        else
          s.python_files++;
      }
    }
    if (content.b.failed || manifest.b.failed) {
      rc = tst_err_set(err, TST_ESYS, "repogen: out of memory generating %s", l.file_path[i]);
      goto cleanup;
    }
    snprintf(path, sizeof(path), "%s/%s", out, l.file_path[i]);
    rc = write_all(path, content.b.data, content.b.len, err);
    if (rc != TST_OK) goto cleanup;
    s.total_bytes += (long long)content.b.len;
    s.files++;
    if (o->progress && ((i + 1) % 1000 == 0 || i + 1 == files)) {
      fprintf(stderr, "repogen: %d/%d files, %.1f MB, %.1f s\n", i + 1, files,
              (double)s.total_bytes / 1e6, (tst_now_ms() - t0) / 1000.0);
    }
  }
  rc = write_all(mpath, manifest.b.data, manifest.b.len, err);
cleanup:
  s.seconds = (tst_now_ms() - t0) / 1000.0;
  if (st != NULL) *st = s;
  layout_free(&l, files);
  tst_sb_free(&content);
  tst_sb_free(&manifest);
  return rc;
}

/* ---- manifest ---- */

typedef struct manifest_impl {
  tst_manifest pub; /* first: the public view */
  char *text;
} manifest_impl;

int tst_manifest_load(const char *path, tst_manifest **out, tst_err *err) {
  manifest_impl *m;
  size_t len = 0, lines = 0, k = 0;
  int rc;
  *out = NULL;
  m = calloc(1, sizeof(*m));
  if (m == NULL) return tst_err_set(err, TST_ESYS, "out of memory");
  rc = tst_read_file(path, &m->text, &len, err);
  if (rc != TST_OK) {
    free(m);
    return rc;
  }
  for (size_t i = 0; i < len; i++) lines += m->text[i] == '\n';
  m->pub.entries = calloc(lines + 1, sizeof(tst_manifest_entry));
  if (m->pub.entries == NULL) {
    free(m->text);
    free(m);
    return tst_err_set(err, TST_ESYS, "out of memory");
  }
  for (char *line = m->text, *next; line != NULL && *line != '\0'; line = next) {
    char *f[8];
    int nf = 0;
    next = strchr(line, '\n');
    if (next != NULL) *next++ = '\0';
    if (line[0] == '#') continue;
    f[nf++] = line;
    for (char *p = line; *p && nf < 8; p++) {
      if (*p == '\t') {
        *p = '\0';
        f[nf++] = p + 1;
      }
    }
    if (nf != 8) {
      tst_manifest_free(&m->pub);
      return tst_err_set(err, TST_EPROTO, "%s: manifest line %zu has %d fields, want 8", path,
                         k + 1, nf);
    }
    m->pub.entries[k].symbol = f[0];
    m->pub.entries[k].kind = f[1];
    m->pub.entries[k].file = f[2];
    m->pub.entries[k].start_line = (int)strtol(f[3], NULL, 10);
    m->pub.entries[k].end_line = (int)strtol(f[4], NULL, 10);
    m->pub.entries[k].language = f[5];
    m->pub.entries[k].parent = f[6];
    m->pub.entries[k].doc_words = f[7];
    k++;
  }
  m->pub.n = k;
  *out = &m->pub;
  return TST_OK;
}

const tst_manifest_entry *tst_manifest_find(const tst_manifest *m, const char *symbol,
                                            const char *kind) {
  for (size_t i = 0; i < m->n; i++) {
    if (strcmp(m->entries[i].symbol, symbol) == 0 &&
        (kind == NULL || strcmp(m->entries[i].kind, kind) == 0)) {
      return &m->entries[i];
    }
  }
  return NULL;
}

void tst_manifest_free(tst_manifest *m) {
  manifest_impl *impl = (manifest_impl *)m;
  if (m == NULL) return;
  free(impl->pub.entries);
  free(impl->text);
  free(impl);
}

void tst_identifier_words(const char *ident, char *out, size_t n) {
  size_t len = 0;
  if (n == 0) return;
  for (const char *p = ident; *p != '\0' && len + 2 < n; p++) {
    char ch = *p;
    if (ch == '_' || ch == '-' || ch == '.') {
      if (len > 0 && out[len - 1] != ' ') out[len++] = ' ';
      continue;
    }
    if (ch >= 'A' && ch <= 'Z') {
      if (len > 0 && out[len - 1] != ' ') out[len++] = ' ';
      ch = (char)(ch - 'A' + 'a');
    }
    out[len++] = ch;
  }
  while (len > 0 && out[len - 1] == ' ') len--;
  out[len] = '\0';
}
