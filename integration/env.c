/* env.c — local and external server environments for the scenario runner (see env.h). */
#include "integration/env.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "testing/pg.h"
#include "testing/runfiles.h"
#include "testing/server.h"

typedef struct srv_slot {
  tst_server *s; /* NULL when stopped */
  int port;
  char url[64];
  char bin[4096];
  char db_env[600]; /* DATABASE_URL=... */
} srv_slot;

struct itg_env {
  int local;
  char ext_url[MDL_SERVER_COUNT][512];
  tst_pg *pg;
  int own_pg; /* 1: pg is this environment's own cluster */
  srv_slot slot[MDL_SERVER_COUNT];
  tst_server *proxy;
  char cb_env[600]; /* CODEBASE_MCP_URL=... for workflow-mcp */
};

static const char *kBin[MDL_SERVER_COUNT] = {"servers/codebase_mcp/codebase-mcp",
                                             "servers/workflow_mcp/workflow-mcp"};

static int start_slot(itg_env *e, mdl_server_id id, tst_err *err) {
  srv_slot *sl = &e->slot[id];
  if (sl->s != NULL && tst_server_running(sl->s)) return TST_OK;
  tst_server_destroy(sl->s);
  sl->s = NULL;
  const char *env_cb[] = {sl->db_env, "POOL_MIN=1", "LOG_LEVEL=WARN", NULL};
  const char *env_wf[] = {sl->db_env, "POOL_MIN=1", "LOG_LEVEL=WARN", e->cb_env, NULL};
  const char *args[] = {NULL};
  tst_server_opts o;
  memset(&o, 0, sizeof o);
  o.binary = sl->bin;
  o.args = args;
  o.env = id == MDL_SERVER_CODEBASE_MCP ? env_cb : env_wf;
  o.port = sl->port;
  o.name = mdl_server_id_name(id);
  int rc = tst_server_start(&o, &sl->s, err);
  if (rc != TST_OK) return rc;
  sl->port = tst_server_port(sl->s);
  snprintf(sl->url, sizeof sl->url, "%s", tst_server_url(sl->s));
  return TST_OK;
}

int itg_env_start_local(tst_pg *pg, itg_env **out, tst_err *err) {
  static atomic_int seq;
  *out = NULL;
  itg_env *e = calloc(1, sizeof *e);
  int rc;
  if (e == NULL) return tst_err_set(err, TST_ESYS, "out of memory");
  e->local = 1;
  e->pg = pg;
  if (pg == NULL) {
    e->own_pg = 1;
    if ((rc = tst_pg_start(&e->pg, err)) != TST_OK) goto fail;
  }
  int n = atomic_fetch_add(&seq, 1) + 1;
  for (int id = 0; id < MDL_SERVER_COUNT; id++) {
    srv_slot *sl = &e->slot[id];
    char url[512];
    if (tst_runfile(kBin[id], sl->bin, sizeof sl->bin) != 0) {
      rc = tst_err_set(err, TST_ENOTFOUND,
                       "%s not found (looked at %s): build it and list it in the target's data",
                       kBin[id], sl->bin);
      goto fail;
    }
    char db[64];
    snprintf(db, sizeof db, "%s_%d", id == MDL_SERVER_CODEBASE_MCP ? "codebase" : "workflow", n);
    if ((rc = tst_pg_create_db(e->pg, db, url, sizeof url, err)) != TST_OK) goto fail;
    snprintf(sl->db_env, sizeof sl->db_env, "DATABASE_URL=%s", url);
    const char *menv[] = {sl->db_env, NULL};
    if ((rc = tst_migrate(sl->bin, menv, err)) != TST_OK) goto fail;
  }
  if ((rc = start_slot(e, MDL_SERVER_CODEBASE_MCP, err)) != TST_OK) goto fail;
  snprintf(e->cb_env, sizeof e->cb_env, "CODEBASE_MCP_URL=%s",
           e->slot[MDL_SERVER_CODEBASE_MCP].url);
  if ((rc = start_slot(e, MDL_SERVER_WORKFLOW_MCP, err)) != TST_OK) goto fail;
  *out = e;
  return TST_OK;
fail:
  itg_env_destroy(e);
  return rc;
}

int itg_env_external(const char *codebase_url, const char *workflow_url, itg_env **out,
                     tst_err *err) {
  *out = NULL;
  itg_env *e = calloc(1, sizeof *e);
  if (e == NULL) return tst_err_set(err, TST_ESYS, "out of memory");
  const char *u[MDL_SERVER_COUNT] = {codebase_url, workflow_url};
  for (int id = 0; id < MDL_SERVER_COUNT; id++) {
    if (u[id] == NULL || !*u[id]) continue;
    size_t n = strlen(u[id]);
    while (n > 0 && u[id][n - 1] == '/') n--;
    if (strncmp(u[id], "http://", 7) != 0 || n >= sizeof e->ext_url[id]) {
      free(e);
      return tst_err_set(err, TST_EINVAL, "the %s URL must be http://HOST:PORT (got \"%s\")",
                         mdl_server_id_name(id), u[id]);
    }
    snprintf(e->ext_url[id], sizeof e->ext_url[id], "%.*s", (int)n, u[id]);
  }
  *out = e;
  return TST_OK;
}

int itg_env_is_local(const itg_env *e) {
  return e->local;
}

const char *itg_env_url(const itg_env *e, mdl_server_id s) {
  if (s >= MDL_SERVER_COUNT) return NULL;
  if (!e->local) return e->ext_url[s][0] ? e->ext_url[s] : NULL;
  return e->slot[s].url[0] ? e->slot[s].url : NULL;
}

static int need_local(const itg_env *e, tst_err *err) {
  if (e->local) return TST_OK;
  return tst_err_set(err, TST_EUNSUPPORTED,
                     "this environment's servers were started by someone else: the runner cannot "
                     "stop, start or slow them");
}

int itg_env_stop(itg_env *e, mdl_server_id s, tst_err *err) {
  int rc = need_local(e, err);
  if (rc != TST_OK) return rc;
  if (e->slot[s].s == NULL) return TST_OK;
  rc = tst_server_stop(e->slot[s].s, 10000, NULL, err);
  tst_server_destroy(e->slot[s].s);
  e->slot[s].s = NULL;
  return rc == TST_ETIMEOUT ? TST_OK : rc; /* dead either way */
}

int itg_env_kill(itg_env *e, mdl_server_id s, tst_err *err) {
  int rc = need_local(e, err);
  if (rc != TST_OK) return rc;
  if (e->slot[s].s == NULL) return TST_OK;
  rc = tst_server_kill(e->slot[s].s, SIGKILL, err);
  if (rc == TST_OK) rc = tst_server_wait_exit(e->slot[s].s, 5000, NULL, err);
  tst_server_destroy(e->slot[s].s);
  e->slot[s].s = NULL;
  return rc;
}

int itg_env_start(itg_env *e, mdl_server_id s, tst_err *err) {
  int rc = need_local(e, err);
  if (rc != TST_OK) return rc;
  return start_slot(e, s, err);
}

int itg_env_slow_codebase(itg_env *e, int delay_ms, tst_err *err) {
  int rc = need_local(e, err);
  if (rc != TST_OK) return rc;
  tst_server_destroy(e->proxy);
  e->proxy = NULL;
  const char *cb = e->slot[MDL_SERVER_CODEBASE_MCP].url;
  if (delay_ms > 0) {
    char bin[4096], up[600], delay[64];
    if (tst_runfile("testing/stub_server", bin, sizeof bin) != 0)
      return tst_err_set(err, TST_ENOTFOUND, "testing/stub_server not found (looked at %s)", bin);
    snprintf(up, sizeof up, "%s", cb);
    snprintf(delay, sizeof delay, "%d", delay_ms);
    const char *args[] = {"--upstream", up, "--delay-ms", delay, NULL};
    tst_server_opts o;
    memset(&o, 0, sizeof o);
    o.binary = bin;
    o.args = args;
    o.name = "delay_proxy";
    if ((rc = tst_server_start(&o, &e->proxy, err)) != TST_OK) return rc;
    snprintf(e->cb_env, sizeof e->cb_env, "CODEBASE_MCP_URL=%s", tst_server_url(e->proxy));
  } else {
    snprintf(e->cb_env, sizeof e->cb_env, "CODEBASE_MCP_URL=%s", cb);
  }
  if ((rc = itg_env_stop(e, MDL_SERVER_WORKFLOW_MCP, err)) != TST_OK) return rc;
  return start_slot(e, MDL_SERVER_WORKFLOW_MCP, err);
}

void itg_env_destroy(itg_env *e) {
  if (e == NULL) return;
  for (int id = MDL_SERVER_COUNT - 1; id >= 0; id--) tst_server_destroy(e->slot[id].s);
  tst_server_destroy(e->proxy);
  if (e->own_pg) tst_pg_destroy(e->pg);
  free(e);
}
