// test_util.h — what the US5 test targets share (header-only, testonly).
//
// Everything is real: Stack starts an ephemeral PostgreSQL cluster and the real server binaries
// through //benchmarks' bench_env (//testing underneath); requests are real HTTP on loopback
// through //testing's libcurl helpers. Load is a handful of client threads doing blocking requests
// in a loop, for tests that need each request's own latency in their own blocks (scrape impact);
// steady background load uses //load's generator (metrics_test). EntityLock makes real queries
// slow: it holds an ACCESS EXCLUSIVE lock on workflow-mcp's entities table in an open transaction,
// so every query_entities the server runs waits inside PostgreSQL (a lock wait, as behind a long
// migration or batch update) while holding its pool connection. That is how the tests fill the pool
// and provoke operations slower than 1 s without any test knob in the servers.
#ifndef OBS_TEST_UTIL_H
#define OBS_TEST_UTIL_H

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "benchmarks/measure.h"
#include "models/stats.h"
#include "models/uuid.h"
#include "observability/promparse.h"
#include "testing/http.h"
#include "testing/pg.h"
#include "testing/proc.h"
#include "testing/repogen.h"
#include "testing/server.h"

namespace obs_test {

// ---- servers -----------------------------------------------------------------------------------

// PostgreSQL + the servers asked for; stopped by the destructor.
struct Stack {
  bench_env env{};
  bool started = false;
  ~Stack() {
    Stop();
  }
  // Returns "" on success, else why it failed (server log tail included).
  std::string Start(bool codebase, bool workflow) {
    bench_err err{};
    if (bench_env_start(&env, codebase, workflow, &err) != BENCH_OK) return err.msg;
    started = true;
    if (workflow) {  // an active project, so project-scoped tools have one
      bench_err e{};
      if (bench_tool(tst_server_url(env.workflow), "create_project",
                     "{\"name\": \"observability\"}", 10000, nullptr, nullptr, &e) != BENCH_OK)
        return e.msg;
    }
    return "";
  }
  void Stop() {
    if (started) bench_env_stop(&env);
    started = false;
  }
  std::string wf() const {
    return tst_server_url(env.workflow);
  }
  std::string cb() const {
    return tst_server_url(env.codebase);
  }
};

// A gtest fixture whose suite shares one Stack (started once, stopped after the last test).
template <bool kCodebase, bool kWorkflow>
class StackTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    stack_ = new Stack();
    std::string why = stack_->Start(kCodebase, kWorkflow);
    if (!why.empty()) {
      delete stack_;
      stack_ = nullptr;
      FAIL() << why;
    }
  }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(stack_, nullptr) << "the stack did not start";
  }
  static Stack *stack() {
    return stack_;
  }

 private:
  static inline Stack *stack_ = nullptr;
};

// An indexed FR-024 fixture on the stack's codebase-mcp and search requests for it.
struct Indexed {
  std::string project_id;
  double index_ms = 0;
  std::vector<std::string> queries;  // search_code bodies: the words of real symbol names
};

// Generates `files` files from seed, indexes them into a new project and builds up to n_queries
// search_code bodies with the given limit. Returns "" or why it failed.
inline std::string IndexFixture(bench_env *env, int files, uint64_t seed, size_t n_queries,
                                int limit, Indexed *out) {
  char repo[1024], manifest[1024], pid[40];
  bench_err be{};
  if (bench_fixture(env, files, seed, repo, sizeof repo, manifest, sizeof manifest, nullptr, &be) !=
      BENCH_OK)
    return be.msg;
  mdl_err me{};
  if (mdl_uuid_v4(pid, &me) != MDL_OK) return me.msg;
  out->project_id = pid;
  if (bench_index_once(env, repo, pid, 300000, &out->index_ms, nullptr, nullptr, nullptr, nullptr,
                       &be) != BENCH_OK)
    return be.msg;
  tst_manifest *m = nullptr;
  tst_err te{};
  if (tst_manifest_load(manifest, &m, &te) != TST_OK) return te.msg;
  size_t step = m->n / n_queries > 0 ? m->n / n_queries : 1;
  for (size_t i = 0; i < m->n && out->queries.size() < n_queries; i += step) {
    char words[256];
    tst_identifier_words(m->entries[i].symbol, words, sizeof words);
    cJSON *a = cJSON_CreateObject();
    cJSON_AddStringToObject(a, "query", words);
    cJSON_AddStringToObject(a, "project_id", pid);
    cJSON_AddNumberToObject(a, "limit", limit);
    char *t = cJSON_PrintUnformatted(a);
    out->queries.push_back(t);
    free(t);
    cJSON_Delete(a);
  }
  tst_manifest_free(m);
  return out->queries.size() >= n_queries / 2 ? "" : "too few symbols in the manifest";
}

// ---- HTTP --------------------------------------------------------------------------------------

struct Resp {
  long status = 0;
  std::string body;
  double ms = -1;
  std::string request_id;  // X-Request-Id of the answer
  std::string content_type;
  std::string error;  // transport failure ("" when there was an answer)
};

inline Resp Do(const char *method, const std::string &url, const char *body,
               std::vector<std::string> headers = {}, long timeout_ms = 30000) {
  Resp r;
  tst_http_resp hr{};
  tst_err err{};
  std::vector<const char *> h;
  for (auto &s : headers) h.push_back(s.c_str());
  if (body != nullptr) h.push_back("Content-Type: application/json");
  h.push_back(nullptr);
  if (tst_http_request(method, url.c_str(), body, h.data(), timeout_ms, &hr, &err) != TST_OK) {
    r.error = err.msg;
    r.ms = hr.latency_ms;
    return r;
  }
  r.status = hr.status;
  r.body.assign(hr.body, hr.body_len);
  r.ms = hr.latency_ms;
  const char *rid = tst_http_header(&hr, "X-Request-Id");
  if (rid != nullptr) r.request_id = rid;
  const char *ct = tst_http_header(&hr, "Content-Type");
  if (ct != nullptr) r.content_type = ct;
  tst_http_resp_free(&hr);
  return r;
}

inline Resp Get(const std::string &url, std::vector<std::string> headers = {}) {
  return Do("GET", url, nullptr, std::move(headers));
}

// POST <base>/mcp/<tool> with a JSON body (Content-Type: application/json).
inline Resp Tool(const std::string &base, const char *tool, const std::string &args,
                 std::vector<std::string> headers = {}, long timeout_ms = 30000) {
  return Do("POST", base + "/mcp/" + tool, args.c_str(), std::move(headers), timeout_ms);
}

// ---- statistics --------------------------------------------------------------------------------

inline mdl_stats_summary Summary(const std::vector<double> &v) {
  mdl_stats_summary s{};
  mdl_err e{};
  if (!v.empty()) mdl_stats_summarize(v.data(), v.size(), &s, &e);
  return s;
}

// n sequential GETs of url; latencies (client side, connect included) in ms. Any transport
// failure or an answer other than the allowed statuses adds a message to *bad.
inline std::vector<double> TimeGets(const std::string &url, int n, std::vector<std::string> headers,
                                    std::vector<long> ok_statuses, std::string *bad) {
  std::vector<double> ms;
  for (int i = 0; i < n; i++) {
    Resp r = Get(url, headers);
    bool ok = r.error.empty();
    if (ok) {
      ok = false;
      for (long s : ok_statuses) ok = ok || r.status == s;
    }
    if (!ok && bad->size() < 2000)
      *bad += "GET " + url + " -> " + std::to_string(r.status) + " " + r.error + "; ";
    if (r.ms >= 0) ms.push_back(r.ms);
  }
  return ms;
}

// ---- load --------------------------------------------------------------------------------------

// `clients` threads each calling fn(client, i) in a loop until Stop(); fn returns the latency in ms
// of one request, or a negative value for a failed one.
class Load {
 public:
  using Fn = std::function<double(int client, long i)>;
  void Start(int clients, Fn fn) {
    stop_ = false;
    for (int c = 0; c < clients; c++)
      threads_.emplace_back([this, c, fn] {
        for (long i = 0; !stop_.load(); i++) {
          double ms = fn(c, i);
          std::lock_guard<std::mutex> g(mu_);
          if (ms >= 0)
            ms_.push_back(ms);
          else
            failures_++;
        }
      });
  }
  void Stop() {
    stop_ = true;
    for (auto &t : threads_) t.join();
    threads_.clear();
  }
  ~Load() {
    Stop();
  }
  std::vector<double> Take() {
    std::lock_guard<std::mutex> g(mu_);
    std::vector<double> v;
    v.swap(ms_);
    return v;
  }
  long failures() {
    std::lock_guard<std::mutex> g(mu_);
    return failures_;
  }

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::vector<double> ms_;
  long failures_ = 0;
};

// ---- slow queries ------------------------------------------------------------------------------

// Holds LOCK TABLE entities IN ACCESS EXCLUSIVE MODE in an open transaction on the workflow
// database until Release() (or destruction).
class EntityLock {
 public:
  // Returns "" on success.
  std::string Acquire(const char *conninfo) {
    conn_ = PQconnectdb(conninfo);
    if (PQstatus(conn_) != CONNECTION_OK) return std::string("connect: ") + PQerrorMessage(conn_);
    PGresult *r = PQexec(conn_, "BEGIN; LOCK TABLE entities IN ACCESS EXCLUSIVE MODE");
    std::string why = PQresultStatus(r) == PGRES_COMMAND_OK ? "" : PQerrorMessage(conn_);
    PQclear(r);
    return why;
  }
  void Release() {
    if (conn_ == nullptr) return;
    PGresult *r = PQexec(conn_, "COMMIT");
    PQclear(r);
    PQfinish(conn_);
    conn_ = nullptr;
  }
  ~EntityLock() {
    Release();
  }

 private:
  PGconn *conn_ = nullptr;
};

// Threads each sending one query_entities (which waits on an EntityLock); Join() collects them.
class SlowCalls {
 public:
  void Add(const std::string &wf_url, int n, const std::string &request_id_prefix = "") {
    for (int i = 0; i < n; i++) {
      int k = (int)threads_.size();
      std::string rid;
      if (!request_id_prefix.empty()) {
        char buf[64];
        snprintf(buf, sizeof buf, "%s%012d", request_id_prefix.c_str(), k);
        rid = buf;
      }
      threads_.emplace_back([this, wf_url, rid] {
        std::vector<std::string> h;
        if (!rid.empty()) h.push_back("X-Request-Id: " + rid);
        Resp r = Tool(wf_url, "query_entities", "{\"limit\": 5}", h, 20000);
        std::lock_guard<std::mutex> g(mu_);
        results_.push_back(r);
      });
    }
  }
  std::vector<Resp> Join() {
    for (auto &t : threads_) t.join();
    threads_.clear();
    std::lock_guard<std::mutex> g(mu_);
    return results_;
  }
  ~SlowCalls() {
    Join();
  }

 private:
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::vector<Resp> results_;
};

// ---- /health -----------------------------------------------------------------------------------

// Polls GET url/health until pred(body JSON) holds or timeout_ms passes. Returns the last body.
inline bool WaitHealth(const std::string &url, std::function<bool(const cJSON *, long)> pred,
                       int timeout_ms, std::string *last) {
  double t0 = tst_now_ms();
  for (;;) {
    Resp r = Get(url + "/health");
    *last = r.body + " (HTTP " + std::to_string(r.status) + ")";
    cJSON *j = cJSON_Parse(r.body.c_str());
    bool ok = j != nullptr && pred(j, r.status);
    cJSON_Delete(j);
    if (ok) return true;
    if (tst_now_ms() - t0 > timeout_ms) return false;
    usleep(20000);
  }
}

inline std::string JStr(const cJSON *o, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsString(v) ? v->valuestring : "";
}

inline std::string DetailStr(const cJSON *health, const char *k) {
  return JStr(cJSON_GetObjectItemCaseSensitive(health, "details"), k);
}

// ---- logs --------------------------------------------------------------------------------------

inline std::vector<std::string> ReadLines(const std::string &path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

// ---- promtool ----------------------------------------------------------------------------------

// Path of promtool: $PROMTOOL, else the first on $PATH, else /usr/bin/promtool. "" when none is
// executable (the caller fails, naming the Debian package ci/bootstrap.sh installs).
inline std::string PromtoolPath() {
  std::vector<std::string> cands;
  if (const char *e = getenv("PROMTOOL")) cands.push_back(e);
  if (const char *p = getenv("PATH")) {
    std::stringstream ss(p);
    std::string dir;
    while (std::getline(ss, dir, ':'))
      if (!dir.empty()) cands.push_back(dir + "/promtool");
  }
  cands.push_back("/usr/bin/promtool");
  for (auto &c : cands)
    if (access(c.c_str(), X_OK) == 0) return c;
  return "";
}

#define OBS_REQUIRE_PROMTOOL(var)                                                             \
  std::string var = obs_test::PromtoolPath();                                                 \
  ASSERT_FALSE(var.empty()) << "promtool not found on PATH or at /usr/bin/promtool: install " \
                               "the Debian package 'prometheus' (bash ci/bootstrap.sh does)"

// Runs promtool with args; stdin_file (may be "") is redirected to its stdin. Returns the exit
// status (-1 if it could not run); *out gets stdout+stderr.
inline int Promtool(const std::string &bin, const std::vector<std::string> &args,
                    const std::string &stdin_file, std::string *out) {
  std::string script = "exec \"$0\"";
  for (size_t i = 0; i < args.size(); i++) script += " \"$" + std::to_string(i + 1) + "\"";
  if (!stdin_file.empty()) script += " < \"$" + std::to_string(args.size() + 1) + "\"";
  std::vector<const char *> argv = {"-c", script.c_str(), bin.c_str()};
  for (auto &a : args) argv.push_back(a.c_str());
  if (!stdin_file.empty()) argv.push_back(stdin_file.c_str());
  argv.push_back(nullptr);
  char buf[16384];
  int status = 0;
  tst_err err{};
  buf[0] = '\0';
  if (tst_run("/bin/sh", argv.data(), nullptr, 60000, &status, buf, sizeof buf, &err) != TST_OK) {
    *out = err.msg;
    return -1;
  }
  *out = buf;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// ---- files and artifacts -----------------------------------------------------------------------

inline std::string TmpDir() {
  const char *t = getenv("TEST_TMPDIR");
  return t != nullptr ? t : "/tmp";
}

inline bool WriteFile(const std::string &path, const std::string &text) {
  std::ofstream o(path, std::ios::binary);
  o << text;
  return o.good();
}

// Writes name into $TEST_UNDECLARED_OUTPUTS_DIR (zipped by Bazel 4 into outputs.zip) and prints it.
inline void Artifact(const std::string &name, const std::string &text) {
  printf("artifact %s:\n%s\n", name.c_str(), text.c_str());
  fflush(stdout);
  if (const char *d = getenv("TEST_UNDECLARED_OUTPUTS_DIR"))
    WriteFile(std::string(d) + "/" + name, text);
}

inline std::string Figures(const char *what, const mdl_stats_summary &s) {
  char buf[512];
  snprintf(buf, sizeof buf,
           "\"%s\": {\"n\": %zu, \"p50_ms\": %.3f, \"p95_ms\": %.3f, \"p99_ms\": %.3f, "
           "\"mean_ms\": %.3f, \"max_ms\": %.3f}",
           what, s.count, s.p50, s.p95, s.p99, s.mean, s.max);
  return buf;
}

inline std::string ReadAll(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace obs_test

#endif  // OBS_TEST_UTIL_H
