/* rig.c — servers on their own databases, REST calls, validated artifacts (see rig.h). */
#include "resilience/rig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "benchmarks/result_builder.h"
#include "testing/runfiles.h"

int rs_server_start(tst_pg *pg, const char *rel, const char *dbname, const char *const *extra_env,
                    char *db_url, size_t n, tst_server **out, tst_err *err) {
  char bin[1024], url[600], dbenv[700];
  const char *envv[24];
  size_t k = 0;
  int rc;
  *out = NULL;
  if (tst_runfile(rel, bin, sizeof bin) != 0)
    return tst_err_set(err, TST_ENOTFOUND,
                       "server binary %s not found (tried %s): add it to the test's data", rel,
                       bin);
  if ((rc = tst_pg_create_db(pg, dbname, url, sizeof url, err)) != TST_OK) return rc;
  if (db_url != NULL) snprintf(db_url, n, "%s", url);
  snprintf(dbenv, sizeof dbenv, "DATABASE_URL=%s", url);
  envv[k++] = dbenv;
  for (size_t i = 0; extra_env != NULL && extra_env[i] != NULL && k + 1 < 24; i++)
    envv[k++] = extra_env[i];
  envv[k] = NULL;
  if ((rc = tst_migrate(bin, envv, err)) != TST_OK) return rc;
  tst_server_opts o;
  memset(&o, 0, sizeof o);
  o.binary = bin;
  o.env = envv;
  o.health_timeout_ms = 20000;
  return tst_server_start(&o, out, err);
}

int rs_post(const char *base, const char *tool, const char *body, long timeout_ms,
            tst_http_resp *resp, tst_err *err) {
  char url[700];
  if (tool[0] == '/')
    snprintf(url, sizeof url, "%s%s", base, tool);
  else
    snprintf(url, sizeof url, "%s/mcp/%s", base, tool);
  return tst_http_post_json(url, body, timeout_ms, NULL, resp, err);
}

static int write_json(const char *name, cJSON *j, tst_err *err) {
  const char *dir = getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  char path[1024];
  int rc = TST_OK;
  if (dir == NULL || dir[0] == '\0') return TST_OK;
  char *text = cJSON_Print(j);
  if (text == NULL) return tst_err_set(err, TST_ESYS, "out of memory serialising %s", name);
  snprintf(path, sizeof path, "%s/%s.json", dir, name);
  FILE *f = fopen(path, "w");
  if (f == NULL || fputs(text, f) < 0 || fputc('\n', f) < 0)
    rc = tst_err_set(err, TST_ESYS, "cannot write %s", path);
  if (f != NULL && fclose(f) != 0 && rc == TST_OK)
    rc = tst_err_set(err, TST_ESYS, "cannot write %s", path);
  free(text);
  return rc;
}

int rs_write_benchmark(const char *name, mdl_server_id server, mdl_operation_type op,
                       const double *samples, size_t n, double target_ms, const rs_param *params,
                       size_t nparams, mdl_benchmark_result *out, tst_err *err) {
  bench_result_opts o;
  mdl_benchmark_result r;
  bench_err be;
  mdl_err me;
  int rc = TST_OK;
  cJSON *j = NULL;
  memset(&o, 0, sizeof o);
  o.op = op;
  o.server = server;
  o.target_ms = target_ms;
  o.rounds = (int)n;
  if (bench_result_build(&o, samples, n, &r, NULL, &be) != BENCH_OK)
    return tst_err_set(err, TST_EINVAL, "%s: %s", name, be.msg);
  for (size_t i = 0; i < nparams; i++) {
    const rs_param *p = &params[i];
    int prc = p->str != NULL ? bench_result_param_str(&r, p->key, p->str, &be)
              : p->is_int    ? bench_result_param_int(&r, p->key, (long long)p->num, &be)
                             : bench_result_param_float(&r, p->key, p->num, &be);
    if (prc != BENCH_OK) {
      rc = tst_err_set(err, TST_EINVAL, "%s: %s", name, be.msg);
      goto cleanup;
    }
  }
  if (mdl_benchmark_result_validate(&r, &me) != MDL_OK) {
    rc = tst_err_set(err, TST_EINVAL, "%s: field %s: %s", name, me.field, me.msg);
    goto cleanup;
  }
  j = mdl_benchmark_result_to_json(&r);
  if (j == NULL) {
    rc = tst_err_set(err, TST_ESYS, "out of memory serialising %s", name);
    goto cleanup;
  }
  rc = write_json(name, j, err);
cleanup:
  cJSON_Delete(j);
  if (rc == TST_OK && out != NULL)
    *out = r;
  else
    mdl_benchmark_result_free(&r);
  return rc;
}

int rs_write_load(const char *name, const mdl_load_result *r, tst_err *err) {
  mdl_err me;
  if (mdl_load_result_validate(r, &me) != MDL_OK)
    return tst_err_set(err, TST_EINVAL, "%s: field %s: %s", name, me.field, me.msg);
  cJSON *j = mdl_load_result_to_json(r);
  if (j == NULL) return tst_err_set(err, TST_ESYS, "out of memory serialising %s", name);
  int rc = write_json(name, j, err);
  cJSON_Delete(j);
  return rc;
}
