/* logscan.c — parse a server's JSON log lines and find events by name and time (see logscan.h). */
#include "resilience/logscan.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "models/timestamp.h"
#include "testing/proc.h"

int64_t rs_wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *str(const cJSON *o, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

int rs_log_load(const char *path, rs_log *out, tst_err *err) {
  char *text = NULL;
  size_t len = 0, cap = 0;
  int rc;
  memset(out, 0, sizeof *out);
  if ((rc = tst_read_file(path, &text, &len, err)) != TST_OK) return rc;
  for (char *line = text; line != NULL && *line != '\0';) {
    char *nl = strchr(line, '\n');
    if (nl != NULL) *nl = '\0';
    cJSON *j = line[0] == '{' ? cJSON_Parse(line) : NULL;
    const char *ts = j ? str(j, "timestamp") : NULL;
    const char *op = j ? str(j, "operation_name") : NULL;
    int64_t us = 0;
    mdl_err me;
    if (ts != NULL && op != NULL && mdl_time_parse(ts, &us, &me) == MDL_OK) {
      if (out->n == cap) {
        cap = cap ? cap * 2 : 256;
        rs_event *ev = realloc(out->ev, cap * sizeof *ev);
        cJSON **ls = realloc(out->lines, cap * sizeof *ls);
        if (ev != NULL) out->ev = ev;
        if (ls != NULL) out->lines = ls;
        if (ev == NULL || ls == NULL) {
          cJSON_Delete(j);
          free(text);
          rs_log_free(out);
          return tst_err_set(err, TST_ESYS, "out of memory reading %s", path);
        }
      }
      rs_event *e = &out->ev[out->n];
      e->wall_ms = us / 1000;
      e->operation_name = op;
      e->level = str(j, "level");
      e->message = str(j, "message");
      e->line = j;
      out->lines[out->n++] = j;
    } else {
      cJSON_Delete(j);
    }
    line = nl ? nl + 1 : NULL;
  }
  free(text);
  return TST_OK;
}

const rs_event *rs_log_find(const rs_log *log, const char *op, int64_t since_wall_ms,
                            size_t *from) {
  for (size_t i = from ? *from : 0; i < log->n; i++) {
    const rs_event *e = &log->ev[i];
    if (e->wall_ms < since_wall_ms) continue;
    if (op != NULL && strcmp(e->operation_name, op) != 0) continue;
    if (from) *from = i + 1;
    return e;
  }
  return NULL;
}

size_t rs_log_count(const rs_log *log, const char *op, int64_t since_wall_ms,
                    int64_t until_wall_ms) {
  size_t n = 0;
  for (size_t i = 0; i < log->n; i++) {
    const rs_event *e = &log->ev[i];
    if (e->wall_ms < since_wall_ms || (until_wall_ms >= 0 && e->wall_ms > until_wall_ms)) continue;
    if (op == NULL || strcmp(e->operation_name, op) == 0) n++;
  }
  return n;
}

double rs_event_ctx_num(const rs_event *e, const char *key, double dflt) {
  const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(e->line, "context");
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(ctx, key);
  return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

void rs_log_free(rs_log *log) {
  if (log == NULL) return;
  for (size_t i = 0; i < log->n; i++) cJSON_Delete(log->lines[i]);
  free(log->lines);
  free(log->ev);
  memset(log, 0, sizeof *log);
}
