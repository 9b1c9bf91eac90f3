// testenv.h — test-only helpers for codebase-mcp's server tests: one ephemeral PostgreSQL, the
// migrated schema and a running codebase-mcp process per test binary; tool calls over REST;
// waiting for indexing jobs; writing fixture files; SQL counts.
#ifndef CB_TESTENV_H
#define CB_TESTENV_H

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" {
#include "testing/http.h"
#include "testing/mcp.h"
#include "testing/pg.h"
#include "testing/proc.h"
#include "testing/repogen.h"
#include "testing/runfiles.h"
#include "testing/server.h"
}

namespace cbtest {

inline std::string Binary() {
  char path[4096];
  EXPECT_EQ(tst_runfile("servers/codebase_mcp/codebase-mcp", path, sizeof path), 0) << path;
  return path;
}

inline std::string TempDir(const char *prefix) {
  char out[4096];
  tst_err err = {};
  EXPECT_EQ(tst_mkdtemp(prefix, 1, out, sizeof out, &err), TST_OK) << err.msg;
  return out;
}

inline void WriteFile(const std::string &path, const std::string &content) {
  std::string dir = path.substr(0, path.rfind('/'));
  std::string cmd;
  for (size_t i = 1; i <= dir.size(); i++)
    if (i == dir.size() || dir[i] == '/') mkdir(dir.substr(0, i).c_str(), 0755);
  FILE *f = fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr) << path;
  fwrite(content.data(), 1, content.size(), f);
  fclose(f);
}

inline std::string ReadFile(const std::string &path) {
  char *data = nullptr;
  size_t len = 0;
  tst_err err = {};
  if (tst_read_file(path.c_str(), &data, &len, &err) != TST_OK) return "";
  std::string s(data, len);
  free(data);
  return s;
}

// One PostgreSQL + one migrated codebase-mcp for the whole test binary.
struct Env {
  tst_pg *pg = nullptr;
  tst_server *srv = nullptr;
  std::string url, log_path, dir;

  // Starts everything; extra_env adds "KEY=VALUE" settings (e.g. INDEX_ROOTS).
  bool Start(const std::vector<std::string> &extra_env = {}) {
    tst_err err = {};
    if (tst_pg_start(&pg, &err) != TST_OK) {
      ADD_FAILURE() << err.msg;
      return false;
    }
    dir = TempDir("cbsrv");
    log_path = dir + "/codebase-mcp.log";
    std::string db = std::string("DATABASE_URL=") + tst_pg_url(pg);
    std::string lf = "LOG_FILE=" + log_path;
    std::vector<std::string> env = {db, lf};
    for (auto &e : extra_env) env.push_back(e);
    std::vector<const char *> envp;
    for (auto &e : env) envp.push_back(e.c_str());
    envp.push_back(nullptr);
    std::string bin = Binary();
    const char *margs[] = {"migrate", nullptr};
    int st = 0;
    char out[4096];
    if (tst_run(bin.c_str(), margs, envp.data(), 60000, &st, out, sizeof out, &err) != TST_OK ||
        st != 0) {
      ADD_FAILURE() << "migrate failed: " << err.msg << out;
      return false;
    }
    tst_server_opts o = {};
    o.binary = bin.c_str();
    o.env = envp.data();
    if (tst_server_start(&o, &srv, &err) != TST_OK) {
      ADD_FAILURE() << err.msg;
      return false;
    }
    url = tst_server_url(srv);
    return true;
  }

  void Stop() {
    tst_server_destroy(srv);
    srv = nullptr;
    tst_pg_destroy(pg);
    pg = nullptr;
  }

  std::string Log() const { return ReadFile(log_path); }

  // POST /mcp/<path> with a JSON body; returns the status, *json gets the parsed body.
  long Post(const std::string &path, const std::string &body, cJSON **json) {
    tst_http_resp r = {};
    tst_err err = {};
    EXPECT_EQ(tst_http_post_json((url + path).c_str(), body.c_str(), 30000, nullptr, &r, &err),
              TST_OK)
        << err.msg;
    long st = r.status;
    *json = r.json ? cJSON_Duplicate(r.json, 1) : nullptr;
    tst_http_resp_free(&r);
    return st;
  }

  long Get(const std::string &path, cJSON **json) {
    tst_http_resp r = {};
    tst_err err = {};
    EXPECT_EQ(tst_http_get((url + path).c_str(), 30000, nullptr, &r, &err), TST_OK) << err.msg;
    long st = r.status;
    *json = r.json ? cJSON_Duplicate(r.json, 1) : nullptr;
    tst_http_resp_free(&r);
    return st;
  }

  // Starts indexing and waits for the job to finish; returns the final status object (owned).
  cJSON *Index(const std::string &repo, const std::string &project, bool force = false,
               int timeout_ms = 120000) {
    cJSON *start = nullptr;
    std::string body = "{\"repo_path\":\"" + repo + "\",\"project_id\":\"" + project +
                       "\",\"force_reindex\":" + (force ? "true" : "false") + "}";
    long st = Post("/mcp/start_indexing_background", body, &start);
    EXPECT_EQ(st, 200) << (start ? cJSON_PrintUnformatted(start) : "");
    if (st != 200 || !start) {
      cJSON_Delete(start);
      return nullptr;
    }
    std::string job = cJSON_GetObjectItem(start, "job_id")->valuestring;
    cJSON_Delete(start);
    return Wait(job, timeout_ms);
  }

  cJSON *Wait(const std::string &job, int timeout_ms = 120000) {
    double until = tst_now_ms() + timeout_ms;
    while (tst_now_ms() < until) {
      cJSON *s = nullptr;
      long st = Post("/mcp/get_indexing_status", "{\"job_id\":\"" + job + "\"}", &s);
      if (st == 200 && s) {
        const char *status = cJSON_GetObjectItem(s, "status")->valuestring;
        if (!strcmp(status, "completed") || !strcmp(status, "failed")) return s;
      }
      cJSON_Delete(s);
      usleep(20000);
    }
    ADD_FAILURE() << "job " << job << " did not finish in " << timeout_ms << " ms";
    return nullptr;
  }

  // One integer from SQL on the server's database.
  long long SqlInt(const std::string &sql) {
    PGconn *c = PQconnectdb(tst_pg_url(pg));
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
};

inline double Num(const cJSON *o, const char *k) {
  const cJSON *v = cJSON_GetObjectItem(o, k);
  return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

inline std::string Str(const cJSON *o, const char *k) {
  const cJSON *v = cJSON_GetObjectItem(o, k);
  return cJSON_IsString(v) ? v->valuestring : "";
}

// Relevance (issue 5): queries built from the fixture manifest — a function's or class's name
// split into words, and the doc words of functions, classes and methods — and whether the
// expected chunk (same file, same symbol) is in the top 3. Every `stride`-th entry is used.
struct Relevance {
  int queries = 0, hits = 0, name_queries = 0, name_hits = 0, doc_queries = 0, doc_hits = 0;
  std::vector<double> latencies_ms;
  double Rate() const { return queries ? (double)hits / queries : 0; }
};

inline bool InTop3(Env &e, const std::string &project, const std::string &query,
                   const tst_manifest_entry *m, double *latency_ms) {
  cJSON *q = cJSON_CreateObject();
  cJSON_AddStringToObject(q, "query", query.c_str());
  cJSON_AddStringToObject(q, "project_id", project.c_str());
  cJSON_AddNumberToObject(q, "limit", 3);
  char *body = cJSON_PrintUnformatted(q);
  cJSON_Delete(q);
  cJSON *r = nullptr;
  double t0 = tst_now_ms();
  long st = e.Post("/mcp/search", body, &r);
  if (latency_ms) *latency_ms = tst_now_ms() - t0;
  free(body);
  bool hit = false;
  if (st == 200 && r) {
    cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(r, "results")) {
      if (Str(it, "file_path") == m->file && Str(it, "symbol") == m->symbol) hit = true;
    }
  }
  cJSON_Delete(r);
  return hit;
}

inline Relevance MeasureRelevance(Env &e, const tst_manifest *man, const std::string &project,
                                  size_t stride, bool verbose) {
  Relevance rel;
  for (size_t i = 0; i < man->n; i += stride) {
    const tst_manifest_entry *m = &man->entries[i];
    std::string kind = m->kind;
    if (kind != "function" && kind != "class" && kind != "method") continue;
    double ms = 0;
    if (kind != "method") {  // method names repeat across classes; functions and classes do not
      char words[512];
      tst_identifier_words(m->symbol, words, sizeof words);
      bool hit = InTop3(e, project, words, m, &ms);
      rel.latencies_ms.push_back(ms);
      rel.queries++;
      rel.name_queries++;
      rel.hits += hit;
      rel.name_hits += hit;
      if (!hit && verbose) printf("  miss (name) %s: \"%s\"\n", m->symbol, words);
    }
    if (m->doc_words && *m->doc_words && std::string(m->doc_words) != "-") {
      bool hit = InTop3(e, project, m->doc_words, m, &ms);
      rel.latencies_ms.push_back(ms);
      rel.queries++;
      rel.doc_queries++;
      rel.hits += hit;
      rel.doc_hits += hit;
      if (!hit && verbose) printf("  miss (doc) %s: \"%s\"\n", m->symbol, m->doc_words);
    }
  }
  return rel;
}

// One Env (PostgreSQL + codebase-mcp) shared by every test of a suite: started before the first
// test, stopped after the last. A test file points its g_env at SuiteFixture::env.
class SuiteFixture : public ::testing::Test {
 public:
  static inline Env *env = nullptr;

 protected:
  static void SetUpTestSuite() {
    env = new Env();
    ASSERT_TRUE(env->Start());
  }
  static void TearDownTestSuite() {
    if (env != nullptr) env->Stop();
    delete env;
    env = nullptr;
  }
};

}  // namespace cbtest

#endif  // CB_TESTENV_H
