/* scanner.h — finds the files of a repository worth indexing.
 *
 * cb_scan walks the tree with several threads sharing a stack of directories. It never follows
 * symbolic links, never enters the default ignored directories (.git, .hg, .svn, node_modules,
 * build, dist, out, __pycache__, .venv, venv, target, .cache, .mypy_cache, .pytest_cache, .tox,
 * .idea, .vscode, .next, coverage, .gradle) nor what the root .gitignore names (plain names and
 * glob patterns; '!' negations are not supported), never enters a well-known secret location
 * (.ssh, .aws, .gnupg, .azure, .kube, .docker, .password-store, .gcloud) nor lists a secret file
 * (.pgpass, .netrc, .npmrc, .pypirc, .git-credentials, .env*, id_rsa* and the other SSH keys,
 * *.pem, *.key, *.p12, *.pfx, *.jks, *.keystore, *.kdbx, credentials, secrets.json, ...: both
 * recorded as skipped, so the job's warnings name them), and records files over the size cap as
 * skipped instead of listing them. The root's .gitignore is read only if it is a regular file
 * (opened with O_NOFOLLOW | O_NONBLOCK, at most 256 KiB). Binary content is detected later, when a
 * worker reads the file (cb_text_check), because reading is the worker's job anyway.
 *
 * cb_scan_resolve_root turns the user's repo_path into a canonical directory and enforces
 * INDEX_ROOTS before any job exists, so a bad path is a clear error, not a failed job. The
 * default INDEX_ROOTS (none set) is the user's home directory, $TMPDIR and /tmp. */
#ifndef CB_SCANNER_H
#define CB_SCANNER_H

#include <stddef.h>
#include <stdint.h>

#include "models/buf.h"
#include "servers/common/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cb_scan_file {
  char *path;   /* relative to the root, '/'-separated, no leading "./" */
  int64_t size; /* bytes at scan time */
} cb_scan_file;

typedef struct cb_scan_skip {
  char *path;
  char reason[96]; /* e.g. "larger than the 1048576-byte cap (2000000 bytes)" */
} cb_scan_skip;

typedef struct cb_scan_result {
  cb_scan_file *files; /* sorted by path */
  size_t n;
  cb_scan_skip *skipped; /* files left out for their size, or unreadable directories */
  size_t nskipped;
  size_t dirs;    /* directories visited */
  size_t secrets; /* of skipped: secret locations and files (never indexed) */
} cb_scan_result;

typedef struct cb_scan_opts {
  int threads;            /* <= 0: 2 */
  int64_t max_file_bytes; /* <= 0: 1 MiB */
} cb_scan_opts;

/* Walks root (an existing directory, canonical path) and fills *out (caller frees with
 * cb_scan_free). Unreadable subdirectories are recorded in skipped, not errors. Fails with
 * SRV_EIO if root itself cannot be opened, SRV_EINTERNAL when memory runs out (out then empty). */
srv_code cb_scan(const char *root, const cb_scan_opts *opts, cb_scan_result *out, srv_err *err);

void cb_scan_free(cb_scan_result *r);

/* Checks repo_path and writes its canonical absolute form into out[n]. index_roots is a
 * colon-separated list of allowed directories (NULL or "" => cb_scan_default_roots; "/" allows
 * anything). The resolved path is checked against the roots first, so for a path outside them
 * the only answer is "outside INDEX_ROOTS" (nothing about whether it exists). Errors (SRV_EINVAL,
 * the message names repo_path and what to do): empty or relative path, outside every root, inside
 * a secret location (.ssh, ...), does not exist, not a directory, not readable. */
srv_code cb_scan_resolve_root(const char *repo_path, const char *index_roots, char *out, size_t n,
                              srv_err *err);

/* The default index roots: "$HOME:$TMPDIR:/tmp" (HOME from the password database when unset;
 * TMPDIR left out when unset), written into out[n]. */
void cb_scan_default_roots(char *out, size_t n);

/* Classifies file content: 0 = text (valid UTF-8, no NUL byte), 1 = contains a NUL byte,
 * 2 = invalid UTF-8. */
int cb_text_check(const char *p, size_t n);

/* Reads the file abs that a scan listed into out (reset first, NUL-terminated, out->len bytes),
 * trusting it no more than the scan did: opened without following any symlink on the way
 * (openat2 RESOLVE_NO_SYMLINKS, or O_NOFOLLOW where the kernel has none) and without blocking on
 * a FIFO; a regular file only (errno EINVAL otherwise), at most max_bytes (EFBIG past it: it grew
 * after the scan). 0 on success, -1 with errno set (ENOMEM when out cannot grow). */
int cb_scan_read_file(const char *abs, int64_t max_bytes, mdl_buf *out);

#ifdef __cplusplus
}
#endif

#endif /* CB_SCANNER_H */
