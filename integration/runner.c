/* runner.c — scenario execution: loading, steps, runner actions, artifacts (see runner.h).
 *
 * One run_state per scenario run (and per client of a `concurrent` step): its project ids, work
 * directory, MCP sessions and the views of the steps run so far. Steps of one run are sequential;
 * `concurrent` runs a flow on threads, each with its own run_state over the same environment. */
#include "integration/runner.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "integration/assertion.h"
#include "integration/env.h"
#include "integration/template.h"
#include "models/stats.h"
#include "models/timestamp.h"
#include "models/uuid.h"
#include "testing/http.h"
#include "testing/mcp.h"
#include "testing/proc.h"
#include "testing/runfiles.h"

#define MAX_REPEAT 1000
#define MAX_CLIENTS 64
#define JOB_WAIT_MS 120000
#define MAX_ATTEMPTS 10      /* "retry N" */
#define RETRY_LATER_MS 60000 /* how long a 503 + Retry-After is retried */

struct itg_runner {
  itg_options o;
  char fixtures[4096], flows[4096], out[4096];
  itg_env *shared; /* local shared environment or the external one; NULL until first needed */
  tst_pg *pg;      /* the one PostgreSQL cluster of every local environment; NULL until needed */
  int external;
};

typedef struct run_state {
  itg_runner *r;
  itg_env *env;
  const mdl_integration_case *c;
  char project[80], project_b[90], work_dir[4096];
  int client;
  cJSON *setup, *steps, *teardown; /* views, index = step_number - 1 */
  char session[MDL_SERVER_COUNT][256];
} run_state;

/* ---- small helpers ----------------------------------------------------------------------------
 */

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

static char *read_file(const char *path, size_t *len) {
  char *out = NULL;
  tst_err err;
  return tst_read_file(path, &out, len, &err) == TST_OK ? out : NULL;
}

static int mkdirs(const char *path) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s", path);
  for (char *p = tmp + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST) return -1;
    *p = '/';
  }
  return mkdir(tmp, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static int copy_file(const char *from, const char *to) {
  size_t n = 0;
  char *data = read_file(from, &n);
  if (data == NULL) return -1;
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", to);
  char *slash = strrchr(dir, '/');
  if (slash != NULL) {
    *slash = '\0';
    if (mkdirs(dir) != 0) {
      free(data);
      return -1;
    }
  }
  FILE *f = fopen(to, "wb");
  int rc = f != NULL && fwrite(data, 1, n, f) == n ? 0 : -1;
  if (f != NULL && fclose(f) != 0) rc = -1;
  free(data);
  return rc;
}

static const char *g_copy_from, *g_copy_to; /* nftw has no user pointer; guarded by g_copy_mu */
static pthread_mutex_t g_copy_mu = PTHREAD_MUTEX_INITIALIZER;
static int g_copy_failed;

static int copy_cb(const char *path, const struct stat *sb, int type, struct FTW *ftw) {
  (void)sb;
  (void)ftw;
  char to[4096];
  snprintf(to, sizeof to, "%s%s", g_copy_to, path + strlen(g_copy_from));
  if (type == FTW_D) {
    if (mkdirs(to) != 0) g_copy_failed = 1;
  } else if (type == FTW_F) {
    if (copy_file(path, to) != 0) g_copy_failed = 1;
  }
  return 0;
}

static int copy_tree(const char *from, const char *to) {
  pthread_mutex_lock(&g_copy_mu);
  g_copy_from = from;
  g_copy_to = to;
  g_copy_failed = 0;
  int rc =
      nftw(from, copy_cb, 16, 0) != 0 || g_copy_failed ? -1 : 0; /* follows the runfiles symlinks */
  pthread_mutex_unlock(&g_copy_mu);
  return rc;
}

/* path from its last "integration/" part on (runfiles paths are long), else path. */
static const char *shown(const char *path) {
  const char *last = NULL;
  for (const char *p = strstr(path, "/integration/"); p != NULL; p = strstr(p + 1, "/integration/"))
    last = p;
  return last ? last + 1 : path;
}

static void stem_of(const char *path, char *out, size_t n) {
  const char *b = strrchr(path, '/');
  b = b ? b + 1 : path;
  snprintf(out, n, "%s", b);
  char *dot = strrchr(out, '.');
  if (dot != NULL) *dot = '\0';
}

/* A lower-case project id "it-<stem>-<6 hex>" valid for both servers (<= 64 characters). */
static void make_project(const char *file, char *out, size_t n) {
  char stem[256], u[MDL_UUID_LEN] = "000000";
  mdl_err me;
  stem_of(file, stem, sizeof stem);
  for (char *p = stem; *p; p++) {
    char ch = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p;
    *p = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ? ch : '-';
  }
  mdl_uuid_v4(u, &me);
  snprintf(out, n, "it-%.36s-%.6s", stem, u);
}

/* ---- loading ----------------------------------------------------------------------------------
 */

int itg_case_load(const char *path, mdl_integration_case *out, char *why, size_t why_n) {
  memset(out, 0, sizeof *out);
  char *text = read_file(path, NULL);
  if (text == NULL) {
    snprintf(why, why_n, "%s: cannot read the file (%s)", shown(path), strerror(errno));
    return -1;
  }
  const char *end = NULL;
  cJSON *j = cJSON_ParseWithOpts(text, &end, 0);
  if (j == NULL) {
    long line = 1;
    for (const char *p = text; end != NULL && p < end; p++) line += *p == '\n';
    snprintf(why, why_n, "%s: not JSON (the parser stopped at line %ld): fix the syntax",
             shown(path), line);
    free(text);
    return -1;
  }
  free(text);
  mdl_err me;
  mdl_code mc = mdl_integration_case_from_json(j, out, &me);
  cJSON_Delete(j);
  if (mc != MDL_OK) {
    snprintf(why, why_n, "%s: %s%s%s", shown(path), me.field, me.field[0] ? ": " : "", me.msg);
    return -1;
  }
  return 0;
}

/* ---- runner actions ---------------------------------------------------------------------------
 */

static const char *const kLifecycle[] = {"fresh", "stop", "kill", "start", "restart", "slow"};

static int is_lifecycle(const char *action) {
  for (size_t i = 0; i < sizeof kLifecycle / sizeof kLifecycle[0]; i++) {
    size_t n = strlen(kLifecycle[i]);
    if (strncmp(action, kLifecycle[i], n) == 0 && (action[n] == '\0' || action[n] == ' ')) return 1;
  }
  return 0;
}

static int list_needs_private(const mdl_step_list *l) {
  for (size_t i = 0; i < l->count; i++)
    if (!l->items[i].has_api_call && is_lifecycle(l->items[i].action)) return 1;
  return 0;
}

static int case_needs_private(const mdl_integration_case *c) {
  return list_needs_private(&c->setup_steps) || list_needs_private(&c->workflow_steps) ||
         list_needs_private(&c->teardown_steps);
}

static cJSON *new_view(long status, double ms) {
  cJSON *v = cJSON_CreateObject();
  if (v == NULL) return NULL;
  cJSON_AddNumberToObject(v, "status", (double)status);
  cJSON_AddNullToObject(v, "body");
  cJSON_AddObjectToObject(v, "headers");
  cJSON_AddNumberToObject(v, "latency_ms", mdl_round2(ms));
  return v;
}

static void set_body(cJSON *view, cJSON *body) {
  cJSON_ReplaceItemInObjectCaseSensitive(view, "body", body ? body : cJSON_CreateNull());
}

/* The view of one HTTP exchange. */
static cJSON *http_view(const tst_http_resp *resp, int rc, const tst_err *err) {
  cJSON *v = new_view(rc == TST_OK ? resp->status : 0, resp->latency_ms);
  if (v == NULL) return NULL;
  if (rc != TST_OK) {
    cJSON_AddStringToObject(v, "error", err->msg);
    return v;
  }
  cJSON *h = cJSON_GetObjectItemCaseSensitive(v, "headers");
  for (size_t i = 0; i < resp->n_headers; i++) {
    char name[128];
    snprintf(name, sizeof name, "%s", resp->headers[i].name);
    for (char *p = name; *p; p++)
      if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    if (!cJSON_HasObjectItem(h, name)) cJSON_AddStringToObject(h, name, resp->headers[i].value);
  }
  cJSON *body = tst_mcp_response_message(resp); /* JSON body, or the SSE event's message */
  set_body(v, body ? body : cJSON_CreateString(resp->body ? resp->body : ""));
  /* A tools/call answer: its data (structuredContent, or content[0].text parsed) as "tool". */
  const cJSON *result = cJSON_GetObjectItemCaseSensitive(body, "result");
  if (cJSON_HasObjectItem(result, "content")) {
    cJSON *data = tst_mcp_tool_data(result);
    if (data != NULL) cJSON_AddItemToObject(v, "tool", data);
  }
  return v;
}

static int fail(char *why, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *why, size_t n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, n, fmt, ap);
  va_end(ap);
  return -1;
}

static int run_flow_case(run_state *st, char *why, size_t why_n);

typedef struct client_job {
  itg_runner *r;
  itg_env *env;
  const mdl_integration_case *flow;
  const char *parent_project, *parent_dir;
  int client;
  int ok;
  char why[2048];
  pthread_t t;
} client_job;

static void state_init(run_state *st, itg_runner *r, itg_env *env, const mdl_integration_case *c) {
  memset(st, 0, sizeof *st);
  st->r = r;
  st->env = env;
  st->c = c;
  st->setup = cJSON_CreateArray();
  st->steps = cJSON_CreateArray();
  st->teardown = cJSON_CreateArray();
}

static void state_free(run_state *st) {
  cJSON_Delete(st->setup);
  cJSON_Delete(st->steps);
  cJSON_Delete(st->teardown);
}

static void *client_main(void *arg) {
  client_job *j = arg;
  run_state st;
  state_init(&st, j->r, j->env, j->flow);
  snprintf(st.project, sizeof st.project, "%s-c%d", j->parent_project, j->client);
  snprintf(st.project_b, sizeof st.project_b, "%s-b", st.project);
  snprintf(st.work_dir, sizeof st.work_dir, "%s/c%d", j->parent_dir, j->client);
  st.client = j->client;
  if (mkdirs(st.work_dir) != 0) {
    snprintf(j->why, sizeof j->why, "cannot create %s", st.work_dir);
  } else {
    j->ok = run_flow_case(&st, j->why, sizeof j->why) == 0;
  }
  state_free(&st);
  return NULL;
}

static int action_concurrent(run_state *st, const char *args, cJSON *view, char *why,
                             size_t why_n) {
  int n = 0, used = 0;
  char file[1024];
  if (sscanf(args, "%d %1023s%n", &n, file, &used) != 2 || n < 1 || n > MAX_CLIENTS)
    return fail(why, why_n, "concurrent needs \"concurrent N FLOW_FILE\" with 1 <= N <= %d",
                MAX_CLIENTS);
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", st->r->flows, file);
  mdl_integration_case flow;
  if (itg_case_load(path, &flow, why, why_n) != 0) return -1;
  if (case_needs_private(&flow)) {
    mdl_integration_case_free(&flow);
    return fail(why, why_n, "flow %s uses a lifecycle action; flows run concurrently may not",
                file);
  }
  client_job *jobs = calloc((size_t)n, sizeof *jobs);
  if (jobs == NULL) {
    mdl_integration_case_free(&flow);
    return fail(why, why_n, "out of memory");
  }
  for (int i = 0; i < n; i++) {
    jobs[i] = (client_job){.r = st->r,
                           .env = st->env,
                           .flow = &flow,
                           .parent_project = st->project,
                           .parent_dir = st->work_dir,
                           .client = i + 1};
  }
  int started = 0;
  for (; started < n; started++)
    if (pthread_create(&jobs[started].t, NULL, client_main, &jobs[started]) != 0) break;
  for (int i = 0; i < started; i++) pthread_join(jobs[i].t, NULL);
  cJSON *body = cJSON_CreateObject(), *errors = cJSON_CreateArray();
  int passed = 0;
  for (int i = 0; i < n; i++) {
    if (i >= started) snprintf(jobs[i].why, sizeof jobs[i].why, "thread not started");
    if (jobs[i].ok)
      passed++;
    else {
      char line[2200];
      snprintf(line, sizeof line, "client %d: %s", i + 1, jobs[i].why);
      cJSON_AddItemToArray(errors, cJSON_CreateString(line));
    }
  }
  cJSON_AddNumberToObject(body, "clients", n);
  cJSON_AddNumberToObject(body, "passed", passed);
  cJSON_AddNumberToObject(body, "failed", n - passed);
  cJSON_AddStringToObject(body, "flow", file);
  cJSON_AddItemToObject(body, "errors", errors);
  set_body(view, body);
  cJSON_ReplaceItemInObjectCaseSensitive(view, "status",
                                         cJSON_CreateNumber(passed == n ? 200 : 500));
  free(jobs);
  mdl_integration_case_free(&flow);
  return 0;
}

static int action_wait_job(run_state *st, const char *job, cJSON **view, char *why, size_t why_n) {
  const char *cb = itg_env_url(st->env, MDL_SERVER_CODEBASE_MCP);
  if (cb == NULL) return fail(why, why_n, "wait_job needs codebase-mcp, which has no URL");
  if (!mdl_uuid_valid(job))
    return fail(why, why_n, "wait_job needs a job id (a UUID), got \"%.80s\"", job);
  char url[1024];
  snprintf(url, sizeof url, "%s/mcp/jobs/%s", cb, job);
  double t0 = now_ms();
  for (;;) {
    tst_http_resp resp;
    tst_err err;
    int rc = tst_http_get(url, st->r->o.step_timeout_ms, NULL, &resp, &err);
    cJSON *v = http_view(&resp, rc, &err);
    tst_http_resp_free(&resp);
    const char *status = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(v, "body"), "status"));
    int done =
        status != NULL && (strcmp(status, "completed") == 0 || strcmp(status, "failed") == 0);
    if (done || rc != TST_OK || now_ms() - t0 > JOB_WAIT_MS) {
      cJSON_ReplaceItemInObjectCaseSensitive(v, "latency_ms",
                                             cJSON_CreateNumber(mdl_round2(now_ms() - t0)));
      cJSON_Delete(*view);
      *view = v;
      return 0; /* the assertions judge the outcome */
    }
    cJSON_Delete(v);
    sleep_ms(50);
  }
}

/* Runs a step without api_call. *view is the step's view (prefilled with status 0). */
static int run_action(run_state *st, const mdl_integration_step *s, const char *action,
                      cJSON **view, char *why, size_t why_n) {
  char verb[32] = "";
  int used = 0;
  sscanf(action, "%31s%n", verb, &used);
  const char *args = action + used;
  while (*args == ' ') args++;
  tst_err err;
  tst_err_clear(&err);
  int rc = TST_OK;
  if (strcmp(verb, "fresh") == 0) {
    /* marks the scenario as needing servers of its own: nothing to do here */
  } else if (strcmp(verb, "stop") == 0) {
    rc = itg_env_stop(st->env, s->server, &err);
  } else if (strcmp(verb, "kill") == 0) {
    rc = itg_env_kill(st->env, s->server, &err);
  } else if (strcmp(verb, "start") == 0) {
    rc = itg_env_start(st->env, s->server, &err);
  } else if (strcmp(verb, "restart") == 0) {
    rc = itg_env_stop(st->env, s->server, &err);
    if (rc == TST_OK) rc = itg_env_start(st->env, s->server, &err);
  } else if (strcmp(verb, "slow") == 0) {
    char *end;
    long ms = strtol(args, &end, 10);
    if (end == args || ms < 0 || s->server != MDL_SERVER_CODEBASE_MCP)
      return fail(why, why_n, "slow needs \"slow MS\" on a codebase-mcp step (MS >= 0, 0: fast)");
    rc = itg_env_slow_codebase(st->env, (int)ms, &err);
  } else if (strcmp(verb, "copy_fixture") == 0) {
    char name[512] = "", dest[512] = "";
    if (sscanf(args, "%511s %511s", name, dest) < 1 || strstr(name, "..") || strstr(dest, ".."))
      return fail(why, why_n, "copy_fixture needs \"copy_fixture NAME [DEST]\" (no \"..\")");
    char from[4096], to[8192];
    snprintf(from, sizeof from, "%s/%s", st->r->fixtures, name);
    snprintf(to, sizeof to, "%s/%s", st->work_dir, dest[0] ? dest : name);
    if (copy_tree(from, to) != 0)
      return fail(why, why_n, "copy_fixture: cannot copy %s to %s", from, to);
  } else if (strcmp(verb, "write_file") == 0) {
    char dest[1024] = "", src[1024] = "";
    if (sscanf(args, "%1023s %1023s", dest, src) != 2 || strstr(dest, "..") || strstr(src, ".."))
      return fail(why, why_n, "write_file needs \"write_file DEST FIXTURE_FILE\" (no \"..\")");
    char from[4096], to[8192];
    snprintf(from, sizeof from, "%s/%s", st->r->fixtures, src);
    snprintf(to, sizeof to, "%s/%s", st->work_dir, dest);
    if (copy_file(from, to) != 0)
      return fail(why, why_n, "write_file: cannot copy %s to %s", from, to);
  } else if (strcmp(verb, "delete_file") == 0) {
    char to[8192];
    if (!*args || strstr(args, ".."))
      return fail(why, why_n, "delete_file needs a path (no \"..\")");
    snprintf(to, sizeof to, "%s/%s", st->work_dir, args);
    if (unlink(to) != 0) return fail(why, why_n, "delete_file: %s: %s", to, strerror(errno));
  } else if (strcmp(verb, "wait_job") == 0) {
    return action_wait_job(st, args, view, why, why_n);
  } else if (strcmp(verb, "sleep") == 0) {
    long ms = strtol(args, NULL, 10);
    if (ms < 0 || ms > 60000) return fail(why, why_n, "sleep takes 0-60000 ms");
    sleep_ms(ms);
  } else if (strcmp(verb, "concurrent") == 0) {
    return action_concurrent(st, args, *view, why, why_n);
  } else {
    return fail(why, why_n,
                "\"%.100s\" is not a runner action (a step without api_call): use fresh, stop, "
                "kill, start, restart, slow MS, copy_fixture NAME [DEST], write_file DEST FILE, "
                "delete_file PATH, wait_job JOB_ID, sleep MS or concurrent N FLOW_FILE",
                action);
  }
  if (rc != TST_OK)
    return fail(why, why_n, "%s %s: %s", verb, mdl_server_id_name(s->server), err.msg);
  cJSON_ReplaceItemInObjectCaseSensitive(*view, "status", cJSON_CreateNumber(200));
  return 0;
}

/* ---- HTTP steps -------------------------------------------------------------------------------
 */

static int run_http(run_state *st, const mdl_integration_step *s, const itg_ctx *ctx,
                    const char *action, cJSON **view, char *why, size_t why_n) {
  const char *base = itg_env_url(st->env, s->server);
  if (base == NULL)
    return fail(why, why_n, "no URL for %s: pass --%s-url", mdl_server_id_name(s->server),
                s->server == MDL_SERVER_CODEBASE_MCP ? "codebase" : "workflow");
  char *endpoint = itg_render_text(ctx, s->api_call.endpoint, why, why_n);
  if (endpoint == NULL) return -1;
  char *body = NULL;
  if (s->api_call.payload != NULL) {
    cJSON *p = itg_render_json(ctx, s->api_call.payload, why, why_n);
    if (p == NULL) {
      free(endpoint);
      return -1;
    }
    body = cJSON_PrintUnformatted(p);
    cJSON_Delete(p);
  }
  long repeat = 1;
  if (strncmp(action, "repeat ", 7) == 0) repeat = strtol(action + 7, NULL, 10);
  if (repeat < 1 || repeat > MAX_REPEAT) repeat = 1;
  char url[8192], sess[300];
  snprintf(url, sizeof url, "%s%s", base, endpoint);
  int is_mcp = strcmp(endpoint, "/mcp") == 0;
  /* A clean initialize carries no session id (a restarted server knows none of the old ones). */
  const char *method =
      cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s->api_call.payload, "method"));
  int is_init = is_mcp && method != NULL && strcmp(method, "initialize") == 0;
  double *lat = calloc((size_t)repeat, sizeof *lat);
  int rc = TST_OK;
  for (long i = 0; i < repeat && lat != NULL; i++) {
    const char *headers[4] = {NULL};
    int k = 0;
    if (is_mcp) {
      headers[k++] = "Accept: application/json, text/event-stream";
      headers[k++] = "MCP-Protocol-Version: 2025-06-18";
      if (st->session[s->server][0] && !is_init) {
        snprintf(sess, sizeof sess, "Mcp-Session-Id: %s", st->session[s->server]);
        headers[k++] = sess;
      }
    }
    tst_http_resp resp;
    tst_err err;
    /* "Retry later" (503 with Retry-After: a busy pool, the most concurrent indexing jobs) is
     * not a failure: wait and send again, as a client should, for up to RETRY_LATER_MS. */
    double t0 = now_ms();
    int retries = 0;
    for (;;) {
      rc = tst_http_request(s->api_call.method, url, body, headers, st->r->o.step_timeout_ms, &resp,
                            &err);
      const char *ra =
          rc == TST_OK && resp.status == 503 ? tst_http_header(&resp, "Retry-After") : NULL;
      if (ra == NULL || now_ms() - t0 > RETRY_LATER_MS) break;
      long wait_ms = strtol(ra, NULL, 10) * 1000;
      tst_http_resp_free(&resp);
      sleep_ms(wait_ms < 100 ? 100 : wait_ms > 500 ? 500 : wait_ms);
      retries++;
    }
    lat[i] = resp.latency_ms;
    cJSON_Delete(*view);
    *view = http_view(&resp, rc, &err);
    if (retries > 0) cJSON_AddNumberToObject(*view, "retries", retries);
    const char *sid = rc == TST_OK ? tst_http_header(&resp, "Mcp-Session-Id") : NULL;
    if (sid != NULL) snprintf(st->session[s->server], sizeof st->session[s->server], "%s", sid);
    tst_http_resp_free(&resp);
    if (rc != TST_OK) break;
  }
  if (repeat > 1 && rc == TST_OK && lat != NULL) {
    mdl_stats_summary sum;
    mdl_err me;
    if (mdl_stats_summarize(lat, (size_t)repeat, &sum, &me) == MDL_OK) {
      cJSON *l = cJSON_AddObjectToObject(*view, "latency");
      cJSON_AddNumberToObject(l, "n", (double)repeat);
      cJSON_AddNumberToObject(l, "p50_ms", mdl_round2(sum.p50));
      cJSON_AddNumberToObject(l, "p95_ms", mdl_round2(sum.p95));
      cJSON_AddNumberToObject(l, "max_ms", mdl_round2(sum.max));
      cJSON_ReplaceItemInObjectCaseSensitive(*view, "latency_ms",
                                             cJSON_CreateNumber(mdl_round2(sum.p50)));
    }
  }
  free(lat);
  free(endpoint);
  cJSON_free(body);
  return 0; /* a transport failure is status 0 in the view: the assertions judge it */
}

/* ---- steps and lists --------------------------------------------------------------------------
 */

static void show_response(const cJSON *view, char *out, size_t n) {
  const cJSON *b = cJSON_GetObjectItemCaseSensitive(view, "body");
  const cJSON *e = cJSON_GetObjectItemCaseSensitive(view, "error");
  char *s = b ? cJSON_PrintUnformatted(b) : NULL;
  snprintf(out, n, "response: status %d%s%s, body %.600s%s",
           (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(view, "status")),
           e ? ", " : "", e ? cJSON_GetStringValue(e) : "", s ? s : "null",
           s && strlen(s) > 600 ? "..." : "");
  cJSON_free(s);
}

/* Runs one step and checks it. 0, or -1 with why naming the step and the failed assertion. */
/* One attempt at a step: runs it into *view and checks expected_response and the assertions. 0,
 * or -1 with why naming the step and what failed. */
static int attempt(run_state *st, const char *list, const mdl_integration_step *s,
                   const itg_ctx *ctx, const char *action, cJSON **view, char *why, size_t why_n) {
  char inner[3000] = "", resp[900] = "";
  int rc = 0;
  double t0 = now_ms();
  if (s->has_api_call)
    rc = run_http(st, s, ctx, action, view, inner, sizeof inner);
  else {
    rc = run_action(st, s, action, view, inner, sizeof inner);
    if (rc == 0 && cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(*view, "latency_ms")) == 0)
      cJSON_ReplaceItemInObjectCaseSensitive(*view, "latency_ms",
                                             cJSON_CreateNumber(mdl_round2(now_ms() - t0)));
  }
  if (rc != 0) {
    snprintf(why, why_n, "%s step %lld \"%.120s\": %s", list, (long long)s->step_number, s->action,
             inner);
    return -1;
  }
  const cJSON *exp = s->expected_response;
  if (cJSON_IsObject(exp)) {
    const cJSON *es = cJSON_GetObjectItemCaseSensitive(exp, "status");
    const cJSON *eb = cJSON_GetObjectItemCaseSensitive(exp, "body");
    const cJSON *got = cJSON_GetObjectItemCaseSensitive(*view, "status");
    if ((es != NULL && !cJSON_Compare(es, got, 1)) ||
        (eb != NULL && !itg_json_subset(eb, cJSON_GetObjectItemCaseSensitive(*view, "body")))) {
      char *e = cJSON_PrintUnformatted(exp);
      show_response(*view, resp, sizeof resp);
      snprintf(why, why_n, "%s step %lld \"%.120s\": expected_response %.300s does not match; %s",
               list, (long long)s->step_number, s->action, e ? e : "?", resp);
      cJSON_free(e);
      return -1;
    }
  }
  for (size_t i = 0; i < s->assertion_count; i++) {
    char *text = itg_render_text(ctx, s->assertions[i], inner, sizeof inner);
    int ar = text ? itg_assert(*view, text, inner, sizeof inner) : -1;
    free(text);
    if (ar != 0) {
      show_response(*view, resp, sizeof resp);
      snprintf(why, why_n, "%s step %lld \"%.120s\": assertion %zu `%.300s` %s: %s; %s", list,
               (long long)s->step_number, s->action, i + 1, s->assertions[i],
               ar < 0 ? "is malformed" : "failed", inner, resp);
      return -1;
    }
  }
  return 0;
}

/* Runs one step (an HTTP step whose action starts "retry N" up to N times, 500 ms apart, until it
 * passes: for measurements on a noisy shared host) and appends its view to views. */
static int run_step(run_state *st, const char *list, const mdl_integration_step *s, cJSON *views,
                    char *why, size_t why_n) {
  itg_ctx ctx = {st->project, st->project_b, st->work_dir, st->client, st->setup, st->steps};
  char inner[3000] = "";
  char *action = itg_render_text(&ctx, s->action, inner, sizeof inner);
  if (action == NULL) {
    snprintf(why, why_n, "%s step %lld \"%.120s\": %s", list, (long long)s->step_number, s->action,
             inner);
    cJSON_AddItemToArray(views, new_view(0, 0));
    return -1;
  }
  const char *act = action;
  long attempts = 1, a = 1;
  if (strncmp(act, "retry ", 6) == 0) {
    char *end;
    attempts = strtol(act + 6, &end, 10);
    if (attempts < 1 || attempts > MAX_ATTEMPTS) attempts = 1;
    for (act = end; *act == ' ';) act++;
  }
  cJSON *view = NULL;
  int rc;
  for (;; a++) {
    cJSON_Delete(view);
    view = new_view(0, 0);
    rc = attempt(st, list, s, &ctx, act, &view, why, why_n);
    if (rc == 0 || a >= attempts || !s->has_api_call) break;
    sleep_ms(500);
  }
  if (attempts > 1) cJSON_AddNumberToObject(view, "attempts", (double)a);
  free(action);
  cJSON_AddItemToArray(views, view);
  return rc;
}

static int run_list(run_state *st, const char *list, const mdl_step_list *l, cJSON *views,
                    char *why, size_t why_n) {
  for (size_t i = 0; i < l->count; i++)
    if (run_step(st, list, &l->items[i], views, why, why_n) != 0) return -1;
  return 0;
}

/* setup, workflow (stops at the first failure), then teardown in every case. */
static int run_flow_case(run_state *st, char *why, size_t why_n) {
  int rc = run_list(st, "setup", &st->c->setup_steps, st->setup, why, why_n);
  if (rc == 0) rc = run_list(st, "workflow", &st->c->workflow_steps, st->steps, why, why_n);
  char twhy[2048];
  if (run_list(st, "teardown", &st->c->teardown_steps, st->teardown, twhy, sizeof twhy) != 0 &&
      rc == 0) {
    snprintf(why, why_n, "%s", twhy);
    rc = -1;
  }
  return rc;
}

/* ---- the runner -------------------------------------------------------------------------------
 */

int itg_runner_new(const itg_options *o, itg_runner **out, tst_err *err) {
  *out = NULL;
  itg_runner *r = calloc(1, sizeof *r);
  if (r == NULL) return tst_err_set(err, TST_ESYS, "out of memory");
  r->o = *o;
  if (r->o.step_timeout_ms <= 0) r->o.step_timeout_ms = 30000;
  snprintf(r->fixtures, sizeof r->fixtures, "%s", o->fixtures_dir ? o->fixtures_dir : ".");
  snprintf(r->flows, sizeof r->flows, "%s", o->flows_dir ? o->flows_dir : ".");
  const char *od = o->out_dir ? o->out_dir : getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  snprintf(r->out, sizeof r->out, "%s", od ? od : "");
  r->external = o->codebase_url != NULL || o->workflow_url != NULL;
  if (r->external) {
    int rc = itg_env_external(o->codebase_url, o->workflow_url, &r->shared, err);
    if (rc != TST_OK) {
      free(r);
      return rc;
    }
  }
  *out = r;
  return TST_OK;
}

void itg_runner_free(itg_runner *r) {
  if (r == NULL) return;
  itg_env_destroy(r->shared);
  tst_pg_destroy(r->pg);
  free(r);
}

static void write_artifact(itg_runner *r, const char *path, mdl_integration_case *c,
                           itg_result *res) {
  if (!r->out[0]) return;
  char stem[256], dest[8192];
  stem_of(path, stem, sizeof stem);
  snprintf(dest, sizeof dest, "%s/%s.json", r->out, stem);
  cJSON *j = mdl_integration_case_to_json(c);
  char *text = j ? cJSON_Print(j) : NULL;
  FILE *f = text ? fopen(dest, "w") : NULL;
  if (f != NULL) {
    fputs(text, f);
    fputc('\n', f);
    if (fclose(f) == 0) snprintf(res->artifact, sizeof res->artifact, "%s", dest);
  }
  cJSON_free(text);
  cJSON_Delete(j);
}

/* <stem>.responses.json: every step's response view (status, body, latency_ms, latency), the
 * figures behind the assertions (e.g. the medians of the workflow-down scenario). */
static void write_views(itg_runner *r, const char *path, const run_state *st) {
  if (!r->out[0]) return;
  char stem[256], dest[8192];
  stem_of(path, stem, sizeof stem);
  snprintf(dest, sizeof dest, "%s/%s.responses.json", r->out, stem);
  cJSON *j = cJSON_CreateObject();
  if (j == NULL) return;
  cJSON_AddStringToObject(j, "project", st->project);
  cJSON_AddItemReferenceToObject(j, "setup_steps", st->setup);
  cJSON_AddItemReferenceToObject(j, "workflow_steps", st->steps);
  cJSON_AddItemReferenceToObject(j, "teardown_steps", st->teardown);
  char *text = cJSON_Print(j);
  FILE *f = text ? fopen(dest, "w") : NULL;
  if (f != NULL) {
    fputs(text, f);
    fputc('\n', f);
    fclose(f);
  }
  cJSON_free(text);
  cJSON_Delete(j);
}

void itg_runner_run_file(itg_runner *r, const char *path, itg_result *res) {
  memset(res, 0, sizeof *res);
  double t0 = now_ms();
  mdl_integration_case c;
  res->status = MDL_RUN_FAIL;
  if (itg_case_load(path, &c, res->error, sizeof res->error) != 0) {
    res->elapsed_ms = now_ms() - t0;
    return;
  }
  snprintf(res->name, sizeof res->name, "%s", c.test_name);
  itg_env *env = NULL, *own = NULL;
  tst_err err;
  char why[4096] = "";
  int priv = case_needs_private(&c);
  for (size_t i = 0; i < c.required_server_count && res->status == MDL_RUN_FAIL && !why[0]; i++) {
    if (r->external && itg_env_url(r->shared, c.required_servers[i]) == NULL) {
      res->status = MDL_RUN_SKIPPED;
      snprintf(why, sizeof why, "skipped: no URL was given for %s",
               mdl_server_id_name(c.required_servers[i]));
    }
  }
  if (res->status != MDL_RUN_SKIPPED && priv && r->external) {
    res->status = MDL_RUN_SKIPPED;
    snprintf(why, sizeof why,
             "skipped: it stops, restarts or slows servers (or needs fresh ones), which the "
             "runner can do only with servers it started itself");
  } else if (res->status != MDL_RUN_SKIPPED) {
    /* One cluster for all: a scenario's own servers get fresh databases in it, which is what
     * "fresh servers" needs, without another cluster's start (seconds on a loaded host). */
    int rc = r->pg == NULL ? tst_pg_start(&r->pg, &err) : TST_OK;
    if (rc == TST_OK && priv) {
      rc = itg_env_start_local(r->pg, &own, &err);
      env = own;
    } else if (rc == TST_OK && r->shared == NULL) {
      rc = itg_env_start_local(r->pg, &r->shared, &err);
      env = r->shared;
    } else {
      env = r->shared;
    }
    if (rc != TST_OK) {
      snprintf(why, sizeof why, "cannot start the servers: %s", err.msg);
    } else {
      run_state st;
      state_init(&st, r, env, &c);
      make_project(path, st.project, sizeof st.project);
      snprintf(st.project_b, sizeof st.project_b, "%s-b", st.project);
      snprintf(st.work_dir, sizeof st.work_dir, "/tmp/itg_work.XXXXXX");
      if (mkdtemp(st.work_dir) == NULL) {
        snprintf(why, sizeof why, "cannot create a work directory: %s", strerror(errno));
      } else {
        if (run_flow_case(&st, why, sizeof why) == 0) res->status = MDL_RUN_PASS;
        tst_rmtree(st.work_dir);
        write_views(r, path, &st);
      }
      state_free(&st);
    }
  }
  itg_env_destroy(own);
  if (res->status == MDL_RUN_FAIL)
    snprintf(res->error, sizeof res->error, "scenario \"%.200s\" (%s): %s", c.test_name,
             shown(path), why);
  else if (res->status == MDL_RUN_SKIPPED)
    snprintf(res->error, sizeof res->error, "scenario \"%.200s\" (%s): %s", c.test_name,
             shown(path), why);
  c.last_run_status = res->status;
  c.has_last_run_timestamp = true;
  mdl_time_now(c.last_run_timestamp);
  free(c.last_run_error);
  c.last_run_error = res->status == MDL_RUN_PASS ? NULL : strdup(res->error);
  res->elapsed_ms = now_ms() - t0;
  write_artifact(r, path, &c, res);
  mdl_integration_case_free(&c);
}

/* ---- scenario files ---------------------------------------------------------------------------
 */

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int itg_scenario_files(const char *dir, char ***files, size_t *n, char *why, size_t why_n) {
  *files = NULL;
  *n = 0;
  DIR *d = opendir(dir);
  if (d == NULL) return fail(why, why_n, "cannot read directory %s: %s", dir, strerror(errno));
  size_t cap = 16, k = 0;
  char **v = calloc(cap + 1, sizeof *v);
  struct dirent *e;
  while (v != NULL && (e = readdir(d)) != NULL) {
    size_t len = strlen(e->d_name);
    if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0) continue;
    if (k == cap) {
      char **nv = realloc(v, (cap * 2 + 1) * sizeof *v);
      if (nv == NULL) break;
      v = nv;
      cap *= 2;
    }
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/') dl--;
    size_t pl = dl + len + 2;
    v[k] = malloc(pl);
    if (v[k] == NULL) break;
    snprintf(v[k], pl, "%.*s/%s", (int)dl, dir, e->d_name);
    k++;
    v[k] = NULL;
  }
  closedir(d);
  if (v == NULL) return fail(why, why_n, "out of memory");
  v[k] = NULL;
  qsort(v, k, sizeof *v, cmp_str);
  *files = v;
  *n = k;
  return 0;
}

void itg_files_free(char **files) {
  for (char **p = files; p != NULL && *p != NULL; p++) free(*p);
  free(files);
}

int itg_runfile_dir(const char *rel, char *out, size_t n) {
  return tst_runfile(rel, out, n);
}
