// wf_testenv.cc — see wf_testenv.h.
#include "servers/workflow_mcp/wf_testenv.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>

#include "models/stats.h"
#include "testing/http.h"
#include "testing/mcp.h"
#include "testing/runfiles.h"

std::string WfResp::Str(const char *key) const {
  const cJSON *v = Get(key);
  return cJSON_IsString(v) ? v->valuestring : "";
}

double WfResp::Num(const char *key) const {
  const cJSON *v = Get(key);
  return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

std::string WfResp::ErrorMessage() const {
  const cJSON *e = Get("error");
  const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");
  return cJSON_IsString(m) ? m->valuestring : body;
}

static std::string Binary() {
  char path[4096];
  tst_runfile("servers/workflow_mcp/workflow-mcp", path, sizeof(path));
  return path;
}

bool WfServer::Start(const std::string &db_url, const std::vector<std::string> &env,
                     std::string *why) {
  tst_err err;
  db_url_ = db_url;
  env_ = env;
  env_.push_back("DATABASE_URL=" + db_url);
  std::vector<const char *> envp;
  for (auto &e : env_) envp.push_back(e.c_str());
  envp.push_back(nullptr);
  std::string bin = Binary();
  const char *margs[] = {"migrate", nullptr};
  int status = 0;
  char out[8192];
  if (tst_run(bin.c_str(), margs, envp.data(), 60000, &status, out, sizeof(out), &err) != TST_OK ||
      status != 0) {
    *why = std::string("migrate failed: ") + err.msg + " " + out;
    return false;
  }
  tst_server_opts o;
  memset(&o, 0, sizeof(o));
  o.binary = bin.c_str();
  o.env = envp.data();
  o.port = port_;  // same port again on restart
  o.name = "workflow-mcp";
  if (tst_server_start(&o, &srv_, &err) != TST_OK) {
    *why = err.msg;
    srv_ = nullptr;
    return false;
  }
  port_ = tst_server_port(srv_);
  return true;
}

void WfServer::Stop() {
  if (srv_ == nullptr) return;
  tst_server_stop(srv_, 10000, nullptr, nullptr);
  tst_server_destroy(srv_);
  srv_ = nullptr;
}

static WfResp FromHttp(int rc, tst_http_resp *r, const tst_err &err) {
  WfResp w;
  if (rc != TST_OK) {
    w.body = err.msg;
    return w;
  }
  w.status = r->status;
  w.json = r->json;
  r->json = nullptr;
  w.ms = r->latency_ms;
  w.body = r->body ? r->body : "";
  tst_http_resp_free(r);
  return w;
}

WfResp WfServer::Post(const std::string &path, const std::string &json, long timeout_ms) const {
  tst_http_resp r;
  tst_err err;
  memset(&r, 0, sizeof(r));
  int rc = tst_http_post_json((std::string(Url()) + path).c_str(), json.c_str(), timeout_ms,
                              nullptr, &r, &err);
  return FromHttp(rc, &r, err);
}

WfResp WfServer::Get(const std::string &path, long timeout_ms) const {
  tst_http_resp r;
  tst_err err;
  memset(&r, 0, sizeof(r));
  int rc = tst_http_get((std::string(Url()) + path).c_str(), timeout_ms, nullptr, &r, &err);
  return FromHttp(rc, &r, err);
}

cJSON *WfServer::Mcp(const std::string &tool, const std::string &args, bool *is_error,
                     std::string *text) const {
  cJSON *result = nullptr;
  tst_err err;
  if (tst_mcp_call(Url(), tool.c_str(), args.c_str(), 10000, &result, &err) != TST_OK) {
    if (text) *text = err.msg;
    return nullptr;
  }
  *is_error = tst_mcp_is_error(result) != 0;
  if (text) {
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(result, "content");
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(content, 0), "text");
    *text = cJSON_IsString(t) ? t->valuestring : "";
  }
  cJSON *data = tst_mcp_tool_data(result);
  cJSON_Delete(result);
  return data;
}

tst_pg *WfSharedPg(std::string *why) {
  static tst_pg *pg = nullptr;
  if (pg != nullptr) return pg;
  tst_err err;
  if (tst_pg_start(&pg, &err) != TST_OK) {
    *why = err.msg;
    pg = nullptr;
  }
  return pg;
}

std::string WfNewDb(tst_pg *pg, const std::string &name, std::string *why) {
  char url[1024];
  tst_err err;
  if (tst_pg_create_db(pg, name.c_str(), url, sizeof(url), &err) != TST_OK) {
    *why = err.msg;
    return "";
  }
  return url;
}

std::string WfUnique(const char *prefix) {
  static std::atomic<int> n{0};
  char buf[128];
  snprintf(buf, sizeof(buf), "%s-%d-%d", prefix, (int)getpid(), ++n);
  return buf;
}

double WfPercentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return mdl_stats_percentile_sorted(v.data(), v.size(), p);
}
