/* log.c — the JSON-lines logger (see log.h).
 *
 * State: one global destination set guarded by a read-write lock; writers take the read side
 * (many threads log at once), srv_log_init / srv_log_shutdown take the write side. A line is built
 * with cJSON, printed unformatted, and written with a single write(2) per destination (the file is
 * opened O_APPEND, so lines from several threads or processes never interleave). */
#include "servers/common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "models/uuid.h"
#include "servers/common/timeutil.h"

static pthread_rwlock_t g_lock = PTHREAD_RWLOCK_INITIALIZER;
static int g_fd = -1;    /* log file, -1 when none */
static int g_stderr = 1; /* also write to stderr */
static srv_log_level g_min = SRV_LOG_INFO;
static char g_server_id[128] = "unknown";

static const char *const k_level_names[] = {"DEBUG", "INFO", "WARN", "ERROR"};

const char *srv_log_level_name(srv_log_level level) {
  if ((int)level < 0 || level > SRV_LOG_ERROR) return "INFO";
  return k_level_names[level];
}

int srv_log_parse_level(const char *s, srv_log_level *out) {
  if (s == NULL) return -1;
  for (int i = 0; i <= SRV_LOG_ERROR; i++) {
    if (strcasecmp(s, k_level_names[i]) == 0) {
      *out = (srv_log_level)i;
      return 0;
    }
  }
  if (strcasecmp(s, "warning") == 0) {
    *out = SRV_LOG_WARN;
    return 0;
  }
  return -1;
}

srv_code srv_log_init(const srv_log_config *cfg, srv_err *err) {
  int fd = -1;
  if (cfg->file_path != NULL && cfg->file_path[0] != '\0') {
    fd = open(cfg->file_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
      return srv_err_set(err, SRV_EIO,
                         "cannot open log file '%s': %s; set LOG_FILE to a writable path",
                         cfg->file_path, strerror(errno));
    }
  }
  pthread_rwlock_wrlock(&g_lock);
  if (g_fd >= 0) close(g_fd);
  g_fd = fd;
  g_stderr = (fd < 0) || cfg->also_stderr;
  __atomic_store_n(&g_min, cfg->min_level, __ATOMIC_RELAXED);
  snprintf(g_server_id, sizeof g_server_id, "%s", cfg->server_id ? cfg->server_id : "unknown");
  pthread_rwlock_unlock(&g_lock);
  srv_err_clear(err);
  return SRV_OK;
}

void srv_log_shutdown(void) {
  pthread_rwlock_wrlock(&g_lock);
  if (g_fd >= 0) close(g_fd);
  g_fd = -1;
  g_stderr = 1;
  __atomic_store_n(&g_min, SRV_LOG_INFO, __ATOMIC_RELAXED);
  snprintf(g_server_id, sizeof g_server_id, "unknown");
  pthread_rwlock_unlock(&g_lock);
}

int srv_log_enabled(srv_log_level level) {
  /* A racy read of an int that only changes at init; fine for a filter. */
  return level >= __atomic_load_n(&g_min, __ATOMIC_RELAXED);
}

static void write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t w = write(fd, buf, len);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return; /* dropped: logging must never take the server down */
    buf += w;
    len -= (size_t)w;
  }
}

static void emit(srv_log_level level, const char *request_id, const char *operation,
                 const char *outcome, double latency_ms, const cJSON *context,
                 const cJSON *error_details, const char *message) {
  char ts[SRV_ISO8601_LEN];
  char rid[MDL_UUID_LEN];
  cJSON *o = NULL;
  char *text = NULL;
  if (!srv_log_enabled(level)) return;
  srv_wall_iso8601(ts);
  if (request_id == NULL || request_id[0] == '\0') {
    if (mdl_uuid_v4(rid, NULL) != MDL_OK)
      snprintf(rid, sizeof rid, "00000000-0000-4000-8000-000000000000");
    request_id = rid;
  }
  if (latency_ms < 0) latency_ms = 0;
  o = cJSON_CreateObject();
  if (o == NULL) goto cleanup;
  cJSON_AddStringToObject(o, "timestamp", ts);
  cJSON_AddStringToObject(o, "level", srv_log_level_name(level));
  cJSON_AddStringToObject(o, "request_id", request_id);
  cJSON_AddStringToObject(o, "operation_name", operation ? operation : "event");
  cJSON_AddNumberToObject(o, "latency_ms", (double)((int64_t)(latency_ms * 1000.0 + 0.5)) / 1000.0);
  cJSON_AddStringToObject(o, "outcome", outcome ? outcome : "success");
  pthread_rwlock_rdlock(&g_lock);
  cJSON_AddStringToObject(o, "server_id", g_server_id);
  pthread_rwlock_unlock(&g_lock);
  cJSON_AddStringToObject(o, "message", message ? message : "");
  if (context != NULL) cJSON_AddItemToObject(o, "context", cJSON_Duplicate(context, 1));
  if (error_details != NULL) {
    cJSON_AddItemToObject(o, "error_details", cJSON_Duplicate(error_details, 1));
  }
  text = cJSON_PrintUnformatted(o);
  if (text == NULL) goto cleanup;
  size_t len = strlen(text);
  /* Replace the NUL by the newline: PrintUnformatted never emits raw newlines inside strings. */
  char *line = realloc(text, len + 2);
  if (line == NULL) goto cleanup;
  text = line;
  text[len] = '\n';
  text[len + 1] = '\0';
  pthread_rwlock_rdlock(&g_lock);
  if (g_fd >= 0) write_all(g_fd, text, len + 1);
  if (g_stderr) write_all(STDERR_FILENO, text, len + 1);
  pthread_rwlock_unlock(&g_lock);
cleanup:
  free(text);
  cJSON_Delete(o);
}

/* Formats into a heap buffer; returns NULL on failure. */
static char *vformat(const char *fmt, va_list ap) {
  char *s = NULL;
  if (fmt == NULL) return NULL;
  if (vasprintf(&s, fmt, ap) < 0) return NULL;
  return s;
}

void srv_log(srv_log_level level, const char *request_id, const char *operation,
             const char *outcome, double latency_ms, const cJSON *context,
             const cJSON *error_details, const char *fmt, ...) {
  if (!srv_log_enabled(level)) return;
  va_list ap;
  va_start(ap, fmt);
  char *msg = vformat(fmt, ap);
  va_end(ap);
  emit(level, request_id, operation, outcome, latency_ms, context, error_details, msg);
  free(msg);
}

static void event_v(srv_log_level level, const char *operation, const cJSON *context,
                    const char *fmt, va_list ap) {
  char *msg = vformat(fmt, ap);
  emit(level, NULL, operation, level >= SRV_LOG_WARN ? "failure" : "success", 0.0, context, NULL,
       msg);
  free(msg);
}

void srv_log_event(srv_log_level level, const char *operation, const char *fmt, ...) {
  if (!srv_log_enabled(level)) return;
  va_list ap;
  va_start(ap, fmt);
  event_v(level, operation, NULL, fmt, ap);
  va_end(ap);
}

void srv_log_event_ctx(srv_log_level level, const char *operation, const cJSON *context,
                       const char *fmt, ...) {
  if (!srv_log_enabled(level)) return;
  va_list ap;
  va_start(ap, fmt);
  event_v(level, operation, context, fmt, ap);
  va_end(ap);
}

void srv_log_request(const char *request_id, const char *operation, srv_code code,
                     double latency_ms, const cJSON *context, const cJSON *error_details,
                     const char *message) {
  srv_log_level level = SRV_LOG_INFO;
  cJSON *ctx = NULL;
  cJSON *details = NULL;
  char fallback[256];
  int slow = latency_ms > SRV_LOG_SLOW_MS;
  if (code == SRV_EINTERNAL || code == SRV_EIO) {
    level = SRV_LOG_ERROR;
  } else if (srv_code_is_retry_later(code) || code == SRV_ETIMEOUT) {
    level = SRV_LOG_WARN;
  }
  if (slow && level < SRV_LOG_WARN) level = SRV_LOG_WARN;
  if (!srv_log_enabled(level)) return;
  if (message == NULL) {
    if (code == SRV_OK) {
      snprintf(fallback, sizeof fallback, "%s ok", operation ? operation : "request");
    } else {
      snprintf(fallback, sizeof fallback, "%s failed: %s", operation ? operation : "request",
               srv_strerror(code));
    }
    message = fallback;
  }
  if (slow) {
    ctx = context ? cJSON_Duplicate(context, 1) : cJSON_CreateObject();
    if (ctx != NULL) {
      cJSON_AddBoolToObject(ctx, "slow_operation", 1);
      cJSON_AddNumberToObject(ctx, "slow_threshold_ms", SRV_LOG_SLOW_MS);
      context = ctx;
    }
  }
  if (code != SRV_OK && error_details == NULL) {
    details = cJSON_CreateObject();
    if (details != NULL) {
      cJSON_AddStringToObject(details, "code", srv_strerror(code));
      cJSON_AddNumberToObject(details, "http_status", srv_code_http_status(code));
      cJSON_AddStringToObject(details, "message", message);
      error_details = details;
    }
  }
  emit(level, request_id, operation, code == SRV_OK ? "success" : "failure", latency_ms, context,
       error_details, message);
  cJSON_Delete(ctx);
  cJSON_Delete(details);
}
