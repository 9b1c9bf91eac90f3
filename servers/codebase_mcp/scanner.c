/* scanner.c — parallel directory walk, ignore rules, root checks, text detection
 * (see scanner.h). Threads share one stack of pending directories under a mutex; a thread that
 * finds the stack empty waits until either work arrives or no thread is busy (then all exit). */
#include "servers/codebase_mcp/scanner.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "models/buf.h"

static const char *const kIgnoredDirs[] = {
    ".git",        ".hg",   ".svn",    "node_modules", "build",    "dist",        "out",
    "__pycache__", ".venv", "venv",    "target",       ".cache",   ".mypy_cache", ".pytest_cache",
    ".tox",        ".idea", ".vscode", ".next",        "coverage", ".gradle",
};

/* Well-known places of secrets: never walked, never read, whatever INDEX_ROOTS says. A skipped
 * one is listed in the scan's skipped files, so the job's warnings say so. */
static const char *const kSecretDirs[] = {
    ".ssh", ".aws", ".gnupg", ".azure", ".kube", ".docker", ".password-store", ".gcloud",
};
static const char *const kSecretFiles[] = {
    ".pgpass",
    ".netrc",
    ".npmrc",
    ".pypirc",
    ".git-credentials",
    ".htpasswd",
    ".env",
    ".env.*",
    "*.env",
    "id_rsa*",
    "id_dsa*",
    "id_ecdsa*",
    "id_ed25519*",
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
    "*.jks",
    "*.keystore",
    "*.kdbx",
    "credentials",
    "credentials.json",
    "secrets.json",
    "secrets.yml",
    "secrets.yaml",
    ".vault-token",
    "authorized_keys",
    "known_hosts",
};

#define MAX_PATTERNS 256
#define GITIGNORE_MAX_BYTES (256L * 1024)

typedef struct walk {
  const char *root;
  int64_t max_bytes;
  /* .gitignore patterns */
  char *patterns[MAX_PATTERNS];
  int pattern_dir_only[MAX_PATTERNS];
  int pattern_anchored[MAX_PATTERNS];
  int npatterns;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  char **stack; /* relative dir paths ("" = root) */
  size_t nstack, stack_cap;
  int busy; /* threads processing a directory */
  int oom;
  cb_scan_result *out;
  size_t files_cap, skipped_cap;
} walk;

static int ignored_dir_name(const char *name) {
  for (size_t i = 0; i < sizeof kIgnoredDirs / sizeof kIgnoredDirs[0]; i++)
    if (strcmp(name, kIgnoredDirs[i]) == 0) return 1;
  return 0;
}

static int secret_dir_name(const char *name) {
  for (size_t i = 0; i < sizeof kSecretDirs / sizeof kSecretDirs[0]; i++)
    if (strcmp(name, kSecretDirs[i]) == 0) return 1;
  return 0;
}

/* The pattern a secret file name matches, or NULL. */
static const char *secret_file_name(const char *name) {
  for (size_t i = 0; i < sizeof kSecretFiles / sizeof kSecretFiles[0]; i++)
    if (fnmatch(kSecretFiles[i], name, 0) == 0) return kSecretFiles[i];
  return NULL;
}

static int gitignored(const walk *w, const char *rel, const char *name, int is_dir) {
  for (int i = 0; i < w->npatterns; i++) {
    if (w->pattern_dir_only[i] && !is_dir) continue;
    if (w->pattern_anchored[i]) {
      if (fnmatch(w->patterns[i], rel, FNM_PATHNAME) == 0) return 1;
    } else if (fnmatch(w->patterns[i], name, 0) == 0) {
      return 1;
    }
  }
  return 0;
}

/* The root's .gitignore, trusted no more than any file of the repository: opened without
 * following a symlink and without blocking (a FIFO), used only when it is a regular file, read
 * up to GITIGNORE_MAX_BYTES (a link to /dev/zero or a FIFO used to spin or block the job). */
static void load_gitignore(walk *w) {
  char path[PATH_MAX];
  struct stat st;
  snprintf(path, sizeof path, "%s/.gitignore", w->root);
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return;
  }
  FILE *f = fdopen(fd, "r");
  if (!f) {
    close(fd);
    return;
  }
  char line[512];
  long consumed = 0;
  /* Each copy below is kept in w->patterns[k] and freed by cb_scan's cleanup; clang's analyzer
   * loses the store at a symbolic array index and reports a leak here. */
  // NOLINTNEXTLINE(clang-analyzer-unix.Malloc): false positive, see above
  while (w->npatterns < MAX_PATTERNS && consumed < GITIGNORE_MAX_BYTES &&
         fgets(line, sizeof line, f)) {
    consumed += (long)strlen(line) + 1;
    size_t n = strcspn(line, "\r\n");
    line[n] = '\0';
    while (n && (line[n - 1] == ' ' || line[n - 1] == '\t')) line[--n] = '\0';
    char *p = line;
    if (!*p || *p == '#' || *p == '!') continue;
    int dir_only = 0;
    if (n && p[n - 1] == '/') {
      dir_only = 1;
      p[--n] = '\0';
    }
    int anchored = strchr(p, '/') != NULL;
    if (*p == '/') p++;
    if (!*p) continue;
    char *copy = strdup(p);
    if (!copy) break;
    int k = w->npatterns++;
    w->pattern_dir_only[k] = dir_only;
    w->pattern_anchored[k] = anchored;
    w->patterns[k] = copy; /* freed with the walk (scan's cleanup) */
  }
  fclose(f);
}

/* Caller holds w->mu. */
static void add_file(walk *w, char *rel, int64_t size) {
  cb_scan_result *o = w->out;
  if (o->n == w->files_cap) {
    size_t nc = w->files_cap ? w->files_cap * 2 : 1024;
    cb_scan_file *nv = realloc(o->files, nc * sizeof *nv);
    if (!nv) {
      free(rel);
      w->oom = 1;
      return;
    }
    o->files = nv;
    w->files_cap = nc;
  }
  o->files[o->n].path = rel;
  o->files[o->n].size = size;
  o->n++;
}

/* Caller holds w->mu. */
static void add_skip(walk *w, char *rel, const char *reason) {
  cb_scan_result *o = w->out;
  if (o->nskipped == w->skipped_cap) {
    size_t nc = w->skipped_cap ? w->skipped_cap * 2 : 16;
    cb_scan_skip *nv = realloc(o->skipped, nc * sizeof *nv);
    if (!nv) {
      free(rel);
      w->oom = 1;
      return;
    }
    o->skipped = nv;
    w->skipped_cap = nc;
  }
  o->skipped[o->nskipped].path = rel;
  snprintf(o->skipped[o->nskipped].reason, sizeof o->skipped[o->nskipped].reason, "%s", reason);
  o->nskipped++;
}

static char *join(const char *dir, const char *name) {
  size_t a = strlen(dir), b = strlen(name);
  char *s = malloc(a + b + 2);
  if (!s) return NULL;
  if (a)
    snprintf(s, a + b + 2, "%s/%s", dir, name);
  else
    memcpy(s, name, b + 1);
  return s;
}

/* Lists one directory; new subdirectories go on the stack. */
static void visit(walk *w, const char *rel) {
  char abs[PATH_MAX];
  if (*rel)
    snprintf(abs, sizeof abs, "%s/%s", w->root, rel);
  else
    snprintf(abs, sizeof abs, "%s", w->root);
  DIR *d = opendir(abs);
  if (!d) {
    char reason[96];
    snprintf(reason, sizeof reason, "directory not readable: %s", strerror(errno));
    pthread_mutex_lock(&w->mu);
    char *copy = strdup(*rel ? rel : ".");
    if (copy) add_skip(w, copy, reason);
    pthread_mutex_unlock(&w->mu);
    return;
  }
  int dfd = dirfd(d);
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    const char *name = e->d_name;
    if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
    int type = e->d_type;
    struct stat st;
    int have_st = 0;
    if (type == DT_UNKNOWN || type == DT_REG) {
      if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      have_st = 1;
      type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
    }
    if (type != DT_DIR && type != DT_REG) continue; /* symlinks, sockets, devices */
    char *child = join(rel, name);
    if (!child) {
      w->oom = 1;
      break;
    }
    if (type == DT_DIR) {
      if (secret_dir_name(name)) {
        pthread_mutex_lock(&w->mu);
        add_skip(w, child, "a well-known secret location: never indexed");
        w->out->secrets++;
        pthread_mutex_unlock(&w->mu);
        continue;
      }
      if (ignored_dir_name(name) || gitignored(w, child, name, 1)) {
        free(child);
        continue;
      }
      pthread_mutex_lock(&w->mu);
      if (w->nstack == w->stack_cap) {
        size_t nc = w->stack_cap ? w->stack_cap * 2 : 64;
        char **ns = realloc(w->stack, nc * sizeof *ns);
        if (!ns) {
          w->oom = 1;
          pthread_mutex_unlock(&w->mu);
          free(child);
          continue;
        }
        w->stack = ns;
        w->stack_cap = nc;
      }
      w->stack[w->nstack++] = child;
      w->out->dirs++;
      pthread_cond_signal(&w->cv);
      pthread_mutex_unlock(&w->mu);
      continue;
    }
    const char *secret = secret_file_name(name);
    if (secret != NULL) {
      char reason[96];
      snprintf(reason, sizeof reason, "looks like a secret (matches %s): never indexed", secret);
      pthread_mutex_lock(&w->mu);
      add_skip(w, child, reason);
      w->out->secrets++;
      pthread_mutex_unlock(&w->mu);
      continue;
    }
    if (gitignored(w, child, name, 0)) {
      free(child);
      continue;
    }
    if (!have_st && fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      free(child);
      continue;
    }
    pthread_mutex_lock(&w->mu);
    if (st.st_size > w->max_bytes) {
      char reason[96];
      snprintf(reason, sizeof reason, "larger than the %lld-byte cap (%lld bytes)",
               (long long)w->max_bytes, (long long)st.st_size);
      add_skip(w, child, reason);
    } else {
      add_file(w, child, (int64_t)st.st_size);
    }
    pthread_mutex_unlock(&w->mu);
  }
  closedir(d);
}

static void *worker(void *arg) {
  walk *w = arg;
  pthread_mutex_lock(&w->mu);
  for (;;) {
    while (w->nstack == 0 && w->busy > 0) pthread_cond_wait(&w->cv, &w->mu);
    if (w->nstack == 0) break; /* nothing pending and nobody can add more */
    char *rel = w->stack[--w->nstack];
    w->busy++;
    pthread_mutex_unlock(&w->mu);
    visit(w, rel);
    free(rel);
    pthread_mutex_lock(&w->mu);
    w->busy--;
    if (w->busy == 0 && w->nstack == 0) pthread_cond_broadcast(&w->cv);
  }
  pthread_cond_broadcast(&w->cv);
  pthread_mutex_unlock(&w->mu);
  return NULL;
}

static int cmp_files(const void *a, const void *b) {
  return strcmp(((const cb_scan_file *)a)->path, ((const cb_scan_file *)b)->path);
}

srv_code cb_scan(const char *root, const cb_scan_opts *opts, cb_scan_result *out, srv_err *err) {
  srv_code rc = SRV_OK;
  memset(out, 0, sizeof *out);
  walk w;
  memset(&w, 0, sizeof w);
  w.root = root;
  w.max_bytes = opts && opts->max_file_bytes > 0 ? opts->max_file_bytes : 1 << 20;
  w.out = out;
  int nthreads = opts && opts->threads > 0 ? opts->threads : 2;
  if (nthreads > 16) nthreads = 16;
  pthread_t th[16];
  int started = 0;
  pthread_mutex_init(&w.mu, NULL);
  pthread_cond_init(&w.cv, NULL);

  DIR *probe = opendir(root);
  if (!probe) {
    rc = srv_err_set(err, SRV_EIO, "cannot open directory %s: %s", root, strerror(errno));
    goto cleanup;
  }
  closedir(probe);
  load_gitignore(&w);
  w.stack = calloc(64, sizeof *w.stack);
  char *top = strdup("");
  if (!w.stack || !top) {
    free(top);
    rc = srv_err_set(err, SRV_EINTERNAL, "out of memory while scanning %s", root);
    goto cleanup;
  }
  w.stack_cap = 64;
  w.stack[w.nstack++] = top;
  for (int i = 0; i < nthreads; i++) {
    if (pthread_create(&th[i], NULL, worker, &w) != 0) break;
    started++;
  }
  if (started == 0) worker(&w);
  for (int i = 0; i < started; i++) pthread_join(th[i], NULL);
  if (w.oom) {
    rc = srv_err_set(err, SRV_EINTERNAL, "out of memory while scanning %s", root);
    goto cleanup;
  }
  qsort(out->files, out->n, sizeof *out->files, cmp_files);

cleanup:
  for (size_t i = 0; w.stack != NULL && i < w.nstack; i++) free(w.stack[i]);
  free(w.stack);
  for (int i = 0; i < w.npatterns; i++) free(w.patterns[i]);
  pthread_mutex_destroy(&w.mu);
  pthread_cond_destroy(&w.cv);
  if (rc != SRV_OK) cb_scan_free(out);
  return rc;
}

void cb_scan_free(cb_scan_result *r) {
  for (size_t i = 0; i < r->n; i++) free(r->files[i].path);
  for (size_t i = 0; i < r->nskipped; i++) free(r->skipped[i].path);
  free(r->files);
  free(r->skipped);
  memset(r, 0, sizeof *r);
}

/* ---- root checks -------------------------------------------------------------------------- */

static int under(const char *path, const char *root) {
  size_t n = strlen(root);
  while (n > 1 && root[n - 1] == '/') n--;
  if (strncmp(path, root, n) != 0) return 0;
  return path[n] == '\0' || path[n] == '/' || (n == 1 && root[0] == '/');
}

void cb_scan_default_roots(char *out, size_t n) {
  const char *home = getenv("HOME");
  const char *tmp = getenv("TMPDIR");
  char pw_home[PATH_MAX] = "";
  if (home == NULL || home[0] != '/') {
    struct passwd pw, *res = NULL;
    char buf[4096];
    if (getpwuid_r(getuid(), &pw, buf, sizeof buf, &res) == 0 && res != NULL && pw.pw_dir)
      snprintf(pw_home, sizeof pw_home, "%s", pw.pw_dir);
    home = pw_home;
  }
  int add_tmp =
      tmp != NULL && tmp[0] == '/' && strcmp(tmp, "/tmp") != 0 && strcmp(tmp, "/tmp/") != 0;
  snprintf(out, n, "%s%s%s%s/tmp", home, home[0] ? ":" : "", add_tmp ? tmp : "",
           add_tmp ? ":" : "");
}

/* The first component of an absolute path that names a secret location, or 0. */
static int secret_component(const char *path, char *which, size_t n) {
  const char *p = path;
  while (*p) {
    while (*p == '/') p++;
    const char *e = strchr(p, '/');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len > 0 && len < 64) {
      char name[64];
      memcpy(name, p, len);
      name[len] = '\0';
      if (secret_dir_name(name)) {
        snprintf(which, n, "%s", name);
        return 1;
      }
    }
    p += len;
  }
  return 0;
}

/* 1 when path (absolute) is under one entry of roots (':'-separated; each resolved). */
static int allowed(const char *path, const char *roots) {
  const char *s = roots;
  while (*s) {
    const char *e = strchr(s, ':');
    size_t len = e ? (size_t)(e - s) : strlen(s);
    if (len > 0 && len < PATH_MAX) {
      char root[PATH_MAX], rroot[PATH_MAX];
      memcpy(root, s, len);
      root[len] = '\0';
      const char *cmp = realpath(root, rroot) ? rroot : root;
      if (under(path, cmp)) return 1;
    }
    s = e ? e + 1 : s + len;
  }
  return 0;
}

/* 1 when a path has no "." or ".." component (so a lexical prefix test means something). */
static int plain_path(const char *p) {
  return strstr(p, "/./") == NULL && strstr(p, "/../") == NULL &&
         !(strlen(p) >= 2 && strcmp(p + strlen(p) - 2, "/.") == 0) &&
         !(strlen(p) >= 3 && strcmp(p + strlen(p) - 3, "/..") == 0);
}

srv_code cb_scan_resolve_root(const char *repo_path, const char *index_roots, char *out, size_t n,
                              srv_err *err) {
  struct stat st;
  char real[PATH_MAX], defaults[3 * PATH_MAX], secret[64];
  const char *roots = index_roots;
  if (!repo_path || !*repo_path)
    return srv_err_set(err, SRV_EINVAL,
                       "repo_path is empty: give the absolute path of a directory to index");
  if (repo_path[0] != '/')
    return srv_err_set(err, SRV_EINVAL,
                       "repo_path '%.200s' is relative: give an absolute directory path",
                       repo_path);
  if (roots == NULL || *roots == '\0') {
    cb_scan_default_roots(defaults, sizeof defaults);
    roots = defaults;
  }
  /* The allow-list is judged on the resolved path, and before anything else is said about the
   * path: outside the roots, "does not exist" and "not a directory" would tell a caller what
   * exists anywhere on the machine. */
  if (!realpath(repo_path, real)) {
    int e = errno;
    if (!plain_path(repo_path) || !allowed(repo_path, roots))
      return srv_err_set(err, SRV_EINVAL,
                         "repo_path '%.200s' is outside INDEX_ROOTS (%.200s): index a directory "
                         "under one of them or extend INDEX_ROOTS",
                         repo_path, roots);
    return srv_err_set(err, SRV_EINVAL,
                       "repo_path '%.200s' does not exist (%s): give an existing directory",
                       repo_path, strerror(e));
  }
  if (!allowed(real, roots))
    return srv_err_set(err, SRV_EINVAL,
                       "repo_path '%.200s' is outside INDEX_ROOTS (%.200s): index a directory "
                       "under one of them or extend INDEX_ROOTS",
                       repo_path, roots);
  if (secret_component(real, secret, sizeof secret))
    return srv_err_set(err, SRV_EINVAL,
                       "repo_path '%.200s' is inside %s, a well-known secret location that is "
                       "never indexed",
                       repo_path, secret);
  if (stat(real, &st) != 0)
    return srv_err_set(err, SRV_EINVAL,
                       "repo_path '%.200s' does not exist (%s): give an existing directory",
                       repo_path, strerror(errno));
  if (!S_ISDIR(st.st_mode))
    return srv_err_set(err, SRV_EINVAL,
                       "repo_path '%.200s' is not a directory: give the repository's root "
                       "directory",
                       repo_path);
  if (access(real, R_OK | X_OK) != 0)
    return srv_err_set(err, SRV_EINVAL,
                       "repo_path '%.200s' is not readable by the server: fix its permissions",
                       repo_path);
  if (strlen(real) >= n)
    return srv_err_set(err, SRV_EINVAL, "repo_path '%.200s' is too long", repo_path);
  memcpy(out, real, strlen(real) + 1);
  return SRV_OK;
}

/* ---- text detection ------------------------------------------------------------------------ */

int cb_text_check(const char *p, size_t n) {
  const unsigned char *s = (const unsigned char *)p;
  size_t i = 0;
  while (i < n) {
    /* fast path: 8 ASCII non-NUL bytes at a time */
    if (i + 8 <= n) {
      uint64_t v;
      memcpy(&v, s + i, 8);
      if (!(v & 0x8080808080808080ULL) &&
          !((v - 0x0101010101010101ULL) & ~v & 0x8080808080808080ULL)) {
        i += 8;
        continue;
      }
    }
    unsigned char c = s[i];
    if (c == 0) return 1;
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t k;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      k = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      k = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      k = 3;
      cp = c & 0x07;
    } else
      return 2;
    if (i + k >= n) return 2;
    for (size_t j = 1; j <= k; j++) {
      if ((s[i + j] & 0xC0) != 0x80) return 2;
      cp = (cp << 6) | (s[i + j] & 0x3F);
    }
    if ((k == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
      return 2;
    i += k + 1;
  }
  return 0;
}

/* Opens a file of the repository without following any symlink on the way (the root is
 * canonical, so a symlink anywhere in abs was planted after the scan) and without blocking on a
 * FIFO: openat2 with RESOLVE_NO_SYMLINKS, or O_NOFOLLOW on the last component where the kernel
 * has no openat2. */
static int open_untrusted(const char *abs) {
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
  how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  long fd = syscall(SYS_openat2, AT_FDCWD, abs, &how, sizeof how);
  if (fd < 0 && (errno == ENOSYS || errno == EPERM))
    fd = open(abs, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  return (int)fd;
}

int cb_scan_read_file(const char *abs, int64_t max_bytes, mdl_buf *out) {
  mdl_buf_reset(out);
  int fd = open_untrusted(abs);
  if (fd < 0) return -1;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    close(fd);
    return -1;
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    errno = EINVAL;
    return -1;
  }
  if (st.st_size > max_bytes) {
    close(fd);
    errno = EFBIG;
    return -1;
  }
  if (mdl_buf_reserve(out, (size_t)st.st_size + 1) != 0) {
    close(fd);
    errno = ENOMEM;
    return -1;
  }
  for (;;) {
    if (mdl_buf_reserve(out, 65536) != 0) {
      close(fd);
      errno = ENOMEM;
      return -1;
    }
    ssize_t k = read(fd, out->data + out->len, out->cap - out->len - 1);
    if (k < 0) {
      if (errno == EINTR) continue;
      close(fd);
      return -1;
    }
    if (k == 0) break;
    out->len += (size_t)k;
    if ((int64_t)out->len > max_bytes) {
      close(fd);
      errno = EFBIG;
      return -1;
    }
  }
  out->data[out->len] = '\0';
  close(fd);
  return 0;
}
