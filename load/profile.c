/* profile.c — set-up, data and runs of the load profiles (see profile.h).
 *
 * Everything is real: PostgreSQL, the server binary, HTTP over loopback. The server's PID is
 * given to the engine so CPU and RSS are sampled from /proc, and /health gives pool utilisation. */
#include "load/profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benchmarks/measure.h"
#include "models/buf.h"
#include "testing/proc.h"
#include "testing/repogen.h"
#include "testing/runfiles.h"

int ld_profile_runfile(const char *rel, char *buf, size_t n) {
  if (rel[0] == '/') {
    snprintf(buf, n, "%s", rel);
    return 0;
  }
  return tst_runfile(rel, buf, n);
}

static cJSON *read_json(const char *path, ld_err *err) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    ld_err_set(err, LD_EIO, "cannot read %s: %m", path);
    return NULL;
  }
  mdl_buf b = MDL_BUF_INIT;
  mdl_code rc = mdl_buf_add_file(&b, f);
  fclose(f);
  if (rc != MDL_OK) {
    ld_err_set(err, rc == MDL_EIO ? LD_EIO : LD_ENOMEM, "cannot read %s: %s", path,
               rc == MDL_EIO ? "read error" : "out of memory");
    mdl_buf_free(&b);
    return NULL;
  }
  if (b.data == NULL) {
    ld_err_set(err, LD_EINVAL, "%s is empty", path);
    return NULL;
  }
  cJSON *j = cJSON_Parse(b.data);
  mdl_buf_free(&b);
  if (j == NULL) ld_err_set(err, LD_EINVAL, "%s is not valid JSON", path);
  return j;
}

static const char *jstr(const cJSON *o, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Replaces values.<name> of the scenario template with arr (taken). */
static void set_values(cJSON *sc, const char *name, cJSON *arr) {
  cJSON *vals = cJSON_GetObjectItemCaseSensitive(sc, "values");
  if (cJSON_GetObjectItemCaseSensitive(vals, name) != NULL)
    cJSON_ReplaceItemInObjectCaseSensitive(vals, name, arr);
  else
    cJSON_AddItemToObject(vals, name, arr);
}

static void misspell(const char *s, char *out, size_t n) {
  snprintf(out, n, "%s", s);
  size_t len = strlen(out);
  if (len > 4) { /* swap two letters in the middle: a typo the trigram index still finds */
    char t = out[len / 2];
    out[len / 2] = out[len / 2 + 1];
    out[len / 2 + 1] = t;
  }
}

/* codebase-mcp: fixture, indexing, values. */
static int prep_codebase(bench_env *env, int files, cJSON *sc, ld_err *err) {
  char repo[1024], manifest[1100];
  bench_err be;
  tst_err te;
  int rc = LD_OK;
  cJSON *out = NULL;
  tst_manifest *m = NULL;
  if (bench_fixture(env, files, 42, repo, sizeof repo, manifest, sizeof manifest, NULL, &be) !=
      BENCH_OK)
    return ld_err_set(err, LD_ESETUP, "%s", be.msg);
  const char *url = tst_server_url(env->codebase);
  char args[1400], job[128];
  snprintf(args, sizeof args, "{\"repo_path\":\"%s\",\"project_id\":\"load\"}", repo);
  if (bench_tool(url, "start_indexing_background", args, 30000, &out, NULL, &be) != BENCH_OK)
    return ld_err_set(err, LD_ESETUP, "indexing: %s", be.msg);
  snprintf(job, sizeof job, "%s", jstr(out, "job_id") != NULL ? jstr(out, "job_id") : "");
  cJSON_Delete(out);
  out = NULL;
  double t0 = tst_now_ms();
  for (;;) {
    snprintf(args, sizeof args, "{\"job_id\":\"%s\"}", job);
    if (bench_tool(url, "get_indexing_status", args, 30000, &out, NULL, &be) != BENCH_OK)
      return ld_err_set(err, LD_ESETUP, "indexing status: %s", be.msg);
    const char *st = jstr(out, "status");
    if (st != NULL && strcmp(st, "completed") == 0) break;
    if (st != NULL && strcmp(st, "failed") == 0) {
      rc = ld_err_set(err, LD_ESETUP, "indexing of the fixture failed");
      goto cleanup;
    }
    if (tst_now_ms() - t0 > 600000) {
      rc = ld_err_set(err, LD_ESETUP, "indexing of %d files did not finish in 10 minutes", files);
      goto cleanup;
    }
    cJSON_Delete(out);
    out = NULL;
    usleep(200000);
  }
  fprintf(stderr, "load: indexed %d files in %.1f s\n", files, (tst_now_ms() - t0) / 1000.0);
  if (tst_manifest_load(manifest, &m, &te) != TST_OK) {
    rc = ld_err_set(err, LD_ESETUP, "manifest: %s", te.msg);
    goto cleanup;
  }
  cJSON *sym = cJSON_CreateArray(), *words = cJSON_CreateArray(), *doc = cJSON_CreateArray();
  cJSON *fuzzy = cJSON_CreateArray(), *dirs = cJSON_CreateArray(), *proj = cJSON_CreateArray();
  cJSON *jobs = cJSON_CreateArray();
  cJSON_AddItemToArray(proj, cJSON_CreateString("load"));
  cJSON_AddItemToArray(jobs, cJSON_CreateString(job));
  int taken = 0;
  for (size_t i = 0; i < m->n && taken < 400; i += 1 + m->n / 400) {
    const tst_manifest_entry *e = &m->entries[i];
    if (strcmp(e->kind, "function") && strcmp(e->kind, "class") && strcmp(e->kind, "method"))
      continue;
    char buf[512];
    cJSON_AddItemToArray(sym, cJSON_CreateString(e->symbol));
    tst_identifier_words(e->symbol, buf, sizeof buf);
    cJSON_AddItemToArray(words, cJSON_CreateString(buf));
    if (e->doc_words != NULL && e->doc_words[0] && strcmp(e->doc_words, "-") != 0) {
      /* the first four words of the doc comment */
      snprintf(buf, sizeof buf, "%s", e->doc_words);
      int sp = 0;
      for (char *c = buf; *c; c++)
        if ((*c == ' ' || *c == ',') && ++sp == 4) *c = '\0';
      for (char *c = buf; *c; c++)
        if (*c == ',') *c = ' ';
      cJSON_AddItemToArray(doc, cJSON_CreateString(buf));
    }
    misspell(e->symbol, buf, sizeof buf);
    cJSON_AddItemToArray(fuzzy, cJSON_CreateString(buf));
    snprintf(buf, sizeof buf, "%s", e->file);
    char *slash = strrchr(buf, '/');
    if (slash != NULL)
      slash[1] = '\0';
    else
      buf[0] = '\0';
    if (buf[0]) cJSON_AddItemToArray(dirs, cJSON_CreateString(buf));
    taken++;
  }
  if (cJSON_GetArraySize(doc) == 0) cJSON_AddItemToArray(doc, cJSON_CreateString("parse value"));
  if (cJSON_GetArraySize(dirs) == 0) cJSON_AddItemToArray(dirs, cJSON_CreateString("src/"));
  if (taken == 0) {
    cJSON *all[] = {sym, words, doc, fuzzy, dirs, proj, jobs};
    for (int i = 0; i < 7; i++) cJSON_Delete(all[i]);
    rc = ld_err_set(err, LD_ESETUP, "the fixture manifest lists no symbols");
    goto cleanup;
  }
  set_values(sc, "project", proj);
  set_values(sc, "symbol", sym);
  set_values(sc, "words", words);
  set_values(sc, "doc", doc);
  set_values(sc, "fuzzy", fuzzy);
  set_values(sc, "dir", dirs);
  set_values(sc, "job", jobs);
cleanup:
  tst_manifest_free(m);
  cJSON_Delete(out);
  return rc;
}

/* workflow-mcp: 3 projects, an invoice type, 40 invoices each. */
static int prep_workflow(bench_env *env, cJSON *sc, ld_err *err) {
  const char *url = tst_server_url(env->workflow);
  bench_err be;
  cJSON *proj = cJSON_CreateArray(), *out = NULL;
  static const char *status[] = {"open", "paid", "overdue"};
  char args[1024];
  unsigned stamp = (unsigned)tst_now_ms();
  for (int p = 0; p < 3; p++) {
    snprintf(args, sizeof args, "{\"name\":\"load-%u-%d\",\"description\":\"load test project\"}",
             stamp, p);
    if (bench_tool(url, "create_project", args, 30000, &out, NULL, &be) != BENCH_OK) goto fail;
    const char *id = jstr(out, "id");
    if (id == NULL) {
      snprintf(be.msg, sizeof be.msg, "create_project answered without an id");
      goto fail;
    }
    char pid[64];
    snprintf(pid, sizeof pid, "%s", id);
    cJSON_Delete(out);
    out = NULL;
    cJSON_AddItemToArray(proj, cJSON_CreateString(pid));
    snprintf(
        args, sizeof args,
        "{\"project_id\":\"%s\",\"name\":\"invoice\",\"schema\":{\"type\":\"object\","
        "\"required\":[\"vendor\",\"status\",\"amount\"],\"properties\":{\"vendor\":{\"type\":"
        "\"string\"},\"status\":{\"type\":\"string\",\"enum\":[\"open\",\"paid\",\"overdue\"]},"
        "\"amount\":{\"type\":\"number\",\"minimum\":0}}}}",
        pid);
    if (bench_tool(url, "register_entity_type", args, 30000, NULL, NULL, &be) != BENCH_OK)
      goto fail;
    for (int e = 0; e < 40; e++) {
      snprintf(
          args, sizeof args,
          "{\"project_id\":\"%s\",\"entity_type\":\"invoice\",\"data\":{\"vendor\":\"vendor-%d\","
          "\"status\":\"%s\",\"amount\":%d},\"tags\":[\"q%d\"]}",
          pid, e % 7, status[e % 3], (e * 37) % 1000, e % 4 + 1);
      if (bench_tool(url, "create_entity", args, 30000, NULL, NULL, &be) != BENCH_OK) goto fail;
    }
  }
  set_values(sc, "project", proj);
  return LD_OK;
fail:
  cJSON_Delete(out);
  cJSON_Delete(proj);
  return ld_err_set(err, LD_ESETUP, "workflow data: %s", be.msg);
}

static int strings_of(const cJSON *arr, const char *name, int (*fn)(const char *, void *, ld_err *),
                      void *ctx, ld_err *err) {
  const cJSON *e;
  int rc;
  cJSON_ArrayForEach(e, arr) {
    if (!cJSON_IsString(e))
      return ld_err_set(err, LD_EINVAL, "profile: %s must hold strings", name);
    if ((rc = fn(e->valuestring, ctx, err)) != LD_OK) return rc;
  }
  return LD_OK;
}

static int add_stage(const char *s, void *ctx, ld_err *err) {
  ld_config *c = ctx;
  if (c->nstages >= LD_MAX_STAGES) return ld_err_set(err, LD_EINVAL, "profile: too many stages");
  return ld_stage_parse(s, &c->stages[c->nstages++], err);
}

static int add_threshold(const char *s, void *ctx, ld_err *err) {
  ld_config *c = ctx;
  if (c->nthresholds >= LD_MAX_THRESHOLDS)
    return ld_err_set(err, LD_EINVAL, "profile: too many thresholds");
  return ld_threshold_parse(s, &c->thresholds[c->nthresholds++], err);
}

static int dur(const cJSON *p, const char *k, double dflt, double *out, ld_err *err) {
  const char *s = jstr(p, k);
  *out = dflt;
  return s == NULL ? LD_OK : ld_duration_parse(s, out, err);
}

/* Keeps only the flows named in keep (when any of them exists in the scenario). */
static void keep_flows(cJSON *sc, const cJSON *keep) {
  cJSON *flows = cJSON_GetObjectItemCaseSensitive(sc, "flows");
  if (!cJSON_IsArray(keep)) return;
  int any = 0;
  cJSON *f, *k;
  cJSON_ArrayForEach(f, flows)
      cJSON_ArrayForEach(k, keep) if (cJSON_IsString(k) && jstr(f, "name") &&
                                      strcmp(k->valuestring, jstr(f, "name")) == 0) any = 1;
  if (!any) return;
  for (int i = cJSON_GetArraySize(flows) - 1; i >= 0; i--) {
    const char *n = jstr(cJSON_GetArrayItem(flows, i), "name");
    int found = 0;
    cJSON_ArrayForEach(k, keep) if (cJSON_IsString(k) && n && strcmp(k->valuestring, n) == 0)
        found = 1;
    if (!found) cJSON_DeleteItemFromArray(flows, i);
  }
}

static int write_result(const ld_result *r, const char *dir, const char *name, ld_err *err) {
  if (dir == NULL || dir[0] == '\0') return LD_OK;
  char path[2048];
  snprintf(path, sizeof path, "%s/%s.json", dir, name);
  int rc = ld_result_write(r, path, err);
  if (rc == LD_OK) fprintf(stderr, "load: wrote %s\n", path);
  return rc;
}

int ld_profile_run(const ld_profile_opts *o, ld_profile_outcome *out, ld_err *err) {
  int rc = LD_OK;
  bench_env env;
  bench_err be;
  cJSON *prof = NULL, *sct = NULL;
  ld_scenario *sc = NULL;
  char path[4096];
  memset(out, 0, sizeof *out);
  memset(&env, 0, sizeof env);
  const char *dir = o->out_dir != NULL ? o->out_dir : getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  if (ld_profile_runfile(o->profile_path, path, sizeof path) != 0)
    return ld_err_set(err, LD_EINVAL, "profile %s not found (tried %s)", o->profile_path, path);
  if ((prof = read_json(path, err)) == NULL) return err->code;
  int wf = o->server == MDL_SERVER_WORKFLOW_MCP;
  const char *tmpl = wf ? "load/scenarios/workflow.json" : "load/scenarios/codebase.json";
  if (ld_profile_runfile(tmpl, path, sizeof path) != 0) {
    rc = ld_err_set(err, LD_EINVAL, "scenario template %s not found (add it to data)", tmpl);
    goto cleanup;
  }
  if ((sct = read_json(path, err)) == NULL) {
    rc = err->code;
    goto cleanup;
  }
  const char *pname = jstr(prof, "name") != NULL ? jstr(prof, "name") : "profile";
  ld_config c;
  ld_config_defaults(&c);
  c.server = o->server;
  c.progress = o->progress;
  double think, interval, timeout;
  if ((rc = dur(prof, "think", 1, &think, err)) ||
      (rc = dur(prof, "interval", 1, &interval, err)) ||
      (rc = dur(prof, "timeout", 30, &timeout, err)))
    goto cleanup;
  c.think_ms = think * 1000;
  c.interval_s = interval;
  c.timeout_ms = (long)(timeout * 1000);
  if ((rc = strings_of(cJSON_GetObjectItemCaseSensitive(prof, "stages"), "stages", add_stage, &c,
                       err)) ||
      (rc = strings_of(cJSON_GetObjectItemCaseSensitive(prof, "thresholds"), "thresholds",
                       add_threshold, &c, err)))
    goto cleanup;
  const cJSON *rates = cJSON_GetObjectItemCaseSensitive(prof, "rates");
  if (c.nstages == 0 && cJSON_GetArraySize(rates) == 0) {
    rc = ld_err_set(err, LD_EINVAL,
                    "profile %s: give \"stages\" (closed model) or \"rates\" (open)", pname);
    goto cleanup;
  }
  keep_flows(sct, cJSON_GetObjectItemCaseSensitive(prof, "flows"));
  const cJSON *ff = cJSON_GetObjectItemCaseSensitive(prof, "fixture_files");
  int files = o->fixture_files > 0 ? o->fixture_files : cJSON_IsNumber(ff) ? ff->valueint : 300;
  if (bench_env_start(&env, !wf, wf, &be) != BENCH_OK) {
    rc = ld_err_set(err, LD_ESETUP, "%s", be.msg);
    goto cleanup;
  }
  rc = wf ? prep_workflow(&env, sct, err) : prep_codebase(&env, files, sct, err);
  if (rc != LD_OK) goto cleanup;
  if ((rc = ld_scenario_parse(sct, &sc, err)) != LD_OK) goto cleanup;
  tst_server *srv = wf ? env.workflow : env.codebase;
  c.base_url = tst_server_url(srv);
  c.scenario = sc;
  c.pids[c.npids++] = tst_server_pid(srv);
  char name[256];
  const char *sname = mdl_server_id_name(o->server);
  if (c.nstages > 0) {
    if ((rc = ld_run(&c, &out->last, err)) != LD_OK) goto cleanup;
    out->steps = 1;
    out->failed_thresholds = 0;
    for (int i = 0; i < out->last.nthresholds; i++)
      out->failed_thresholds += !out->last.thresholds[i].ok;
    snprintf(name, sizeof name, "%s-%s", pname, sname);
    rc = write_result(&out->last, dir, name, err);
    goto cleanup;
  }
  /* capacity: step the arrival rate until a step fails its thresholds */
  const cJSON *mv = cJSON_GetObjectItemCaseSensitive(prof, "max_vus");
  double step;
  if ((rc = dur(prof, "step", 20, &step, err))) goto cleanup;
  c.max_vus = cJSON_IsNumber(mv) ? mv->valueint : 200;
  c.duration_s = step;
  c.think_ms = 0;
  const cJSON *rt;
  cJSON_ArrayForEach(rt, rates) {
    if (!cJSON_IsNumber(rt) || !(rt->valuedouble > 0)) {
      rc = ld_err_set(err, LD_EINVAL, "profile %s: rates must be numbers > 0", pname);
      goto cleanup;
    }
    c.rate_per_s = rt->valuedouble;
    ld_result_free(&out->last);
    if ((rc = ld_run(&c, &out->last, err)) != LD_OK) goto cleanup;
    out->steps++;
    int failed = 0;
    for (int i = 0; i < out->last.nthresholds; i++) failed += !out->last.thresholds[i].ok;
    /* an open model that cannot start its arrivals is past capacity too */
    uint64_t arrivals = out->last.iterations + out->last.dropped;
    if (arrivals > 0 && (double)out->last.dropped > 0.1 * (double)arrivals) failed++;
    out->failed_thresholds = failed;
    fprintf(stderr,
            "load: capacity step %.0f/s: %.1f req/s, p95 %.2f ms, errors %.3f%%, dropped %llu%s\n",
            c.rate_per_s, ld_result_rps(&out->last), mdl_histogram_percentile(&out->last.lat, 95),
            100 * ld_result_error_rate(&out->last), (unsigned long long)out->last.dropped,
            failed ? " -> past capacity" : "");
    snprintf(name, sizeof name, "%s-%s-%05.0f", pname, sname, c.rate_per_s);
    if ((rc = write_result(&out->last, dir, name, err)) != LD_OK) goto cleanup;
    if (failed) break;
    out->knee_rate = c.rate_per_s;
    out->knee_rps = ld_result_rps(&out->last);
    out->knee_p95_ms = mdl_histogram_percentile(&out->last.lat, 95);
  }
cleanup:
  bench_env_stop(&env);
  ld_scenario_free(sc);
  cJSON_Delete(sct);
  cJSON_Delete(prof);
  if (rc != LD_OK) ld_result_free(&out->last);
  return rc;
}
