// gtest_fixtures.cc — see gtest_fixtures.h.
#include "testing/gtest_fixtures.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>

#include "models/stats.h"
#include "testing/http.h"
#include "testing/mcp.h"
#include "testing/proc.h"
#include "testing/runfiles.h"

namespace tst {

// ---- small helpers -----------------------------------------------------------------------------

std::string Runfile(const std::string &path) {
  char out[4096];
  EXPECT_EQ(tst_runfile(path.c_str(), out, sizeof out), 0) << out;
  return out;
}

std::string TempDir(const char *prefix) {
  char out[4096];
  tst_err err = {};
  EXPECT_EQ(tst_mkdtemp(prefix, 1, out, sizeof out, &err), TST_OK) << err.msg;
  return out;
}

void WriteFile(const std::string &path, const std::string &content) {
  std::string dir = path.substr(0, path.rfind('/'));
  for (size_t i = 1; i <= dir.size(); i++)
    if (i == dir.size() || dir[i] == '/') mkdir(dir.substr(0, i).c_str(), 0755);
  FILE *f = fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr) << path;
  fwrite(content.data(), 1, content.size(), f);
  fclose(f);
}

std::string ReadFile(const std::string &path) {
  char *data = nullptr;
  size_t len = 0;
  tst_err err = {};
  if (tst_read_file(path.c_str(), &data, &len, &err) != TST_OK) return "";
  std::string s(data, len);
  free(data);
  return s;
}

std::string Str(const cJSON *o, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsString(v) ? v->valuestring : "";
}

double Num(const cJSON *o, const char *k, double dflt) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

long long SqlInt(const std::string &url, const std::string &sql) {
  PGconn *c = PQconnectdb(url.c_str());
  long long v = -1;
  if (PQstatus(c) == CONNECTION_OK) {
    PGresult *r = PQexec(c, sql.c_str());
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
      v = strtoll(PQgetvalue(r, 0, 0), nullptr, 10);
    else
      ADD_FAILURE() << PQerrorMessage(c);
    PQclear(r);
  }
  PQfinish(c);
  return v;
}

std::string NewDb(tst_pg *pg, const std::string &name, std::string *why) {
  char url[1024];
  tst_err err;
  if (tst_pg_create_db(pg, name.c_str(), url, sizeof(url), &err) != TST_OK) {
    *why = err.msg;
    return "";
  }
  return url;
}

std::string Unique(const char *prefix) {
  static std::atomic<int> n{0};
  char buf[128];
  snprintf(buf, sizeof(buf), "%s-%d-%d", prefix, (int)getpid(), ++n);
  return buf;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return mdl_stats_percentile_sorted(v.data(), v.size(), p);
}

// ---- Resp --------------------------------------------------------------------------------------

std::string Resp::Str(const char *key) const {
  return tst::Str(json, key);
}

double Resp::Num(const char *key) const {
  return tst::Num(json, key);
}

std::string Resp::ErrorMessage() const {
  const cJSON *m = cJSON_GetObjectItemCaseSensitive(Get("error"), "message");
  return cJSON_IsString(m) ? m->valuestring : body;
}

// ---- Server ------------------------------------------------------------------------------------

bool Server::Start(const ServerSpec &spec, const std::string &db_url, std::string *why) {
  tst_err err = {};
  char bin[4096];
  if (tst_runfile(spec.runfile.c_str(), bin, sizeof(bin)) != 0) {
    *why = std::string("runfile not found: ") + bin;
    return false;
  }
  const char *base = strrchr(bin, '/') ? strrchr(bin, '/') + 1 : bin;
  env_ = spec.env;
  env_.push_back("DATABASE_URL=" + db_url);
  if (spec.log_file) {
    if (log_path_.empty()) log_path_ = TempDir(base) + "/" + base + ".log";
    env_.push_back("LOG_FILE=" + log_path_);
  }
  std::vector<const char *> envp;
  for (auto &e : env_) envp.push_back(e.c_str());
  envp.push_back(nullptr);
  if (tst_migrate(bin, envp.data(), &err) != TST_OK) {
    *why = err.msg;
    return false;
  }
  tst_server_opts o;
  memset(&o, 0, sizeof(o));
  o.binary = bin;
  o.env = envp.data();
  o.port = port_;  // same port again on restart
  o.name = base;
  if (tst_server_start(&o, &srv_, &err) != TST_OK) {
    *why = err.msg;
    srv_ = nullptr;
    return false;
  }
  port_ = tst_server_port(srv_);
  return true;
}

void Server::Stop() {
  if (srv_ == nullptr) return;
  tst_server_stop(srv_, 10000, nullptr, nullptr);
  tst_server_destroy(srv_);
  srv_ = nullptr;
}

std::string Server::Log() const {
  return log_path_.empty() ? "" : ReadFile(log_path_);
}

static Resp FromHttp(int rc, tst_http_resp *r, const tst_err &err) {
  Resp w;
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

Resp Server::Post(const std::string &path, const std::string &json, long timeout_ms) const {
  tst_http_resp r;
  tst_err err;
  memset(&r, 0, sizeof(r));
  int rc = tst_http_post_json((std::string(Url()) + path).c_str(), json.c_str(), timeout_ms,
                              nullptr, &r, &err);
  return FromHttp(rc, &r, err);
}

Resp Server::Get(const std::string &path, long timeout_ms) const {
  tst_http_resp r;
  tst_err err;
  memset(&r, 0, sizeof(r));
  int rc = tst_http_get((std::string(Url()) + path).c_str(), timeout_ms, nullptr, &r, &err);
  return FromHttp(rc, &r, err);
}

// The status of a call made with a 30 s deadline; a transport error fails the test.
static long Take(Resp r, cJSON **json) {
  EXPECT_NE(r.status, 0) << r.body;
  *json = r.json;
  r.json = nullptr;
  return r.status;
}

long Server::Post(const std::string &path, const std::string &json_body, cJSON **json) const {
  return Take(Post(path, json_body, 30000L), json);
}

long Server::Get(const std::string &path, cJSON **json) const {
  return Take(Get(path, 30000L), json);
}

cJSON *Server::Mcp(const std::string &tool, const std::string &args, bool *is_error,
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

// ---- PgServer ----------------------------------------------------------------------------------

bool PgServer::Start(const ServerSpec &spec) {
  tst_err err = {};
  if (tst_pg_start(&pg, &err) != TST_OK) {
    ADD_FAILURE() << err.msg;
    return false;
  }
  std::string why;
  if (!Server::Start(spec, tst_pg_url(pg), &why)) {
    ADD_FAILURE() << why;
    return false;
  }
  url = Url();
  return true;
}

PgServer::~PgServer() {
  Server::Stop();
  tst_pg_destroy(pg);
}

// ---- suites ------------------------------------------------------------------------------------

void PgSuite::SetUpTestSuite() {
  tst_err err = {};
  if (tst_pg_start(&pg, &err) != TST_OK) {
    pg = nullptr;
    FAIL() << err.msg;
  }
}

void PgSuite::TearDownTestSuite() {
  tst_pg_destroy(pg);
  pg = nullptr;
}

void ServerSuite::StartSuite(const ServerSpec &spec) {
  env = new PgServer();
  if (!env->Start(spec)) {
    delete env;
    env = nullptr;
  }
}

void ServerSuite::TearDownTestSuite() {
  delete env;
  env = nullptr;
}

}  // namespace tst
