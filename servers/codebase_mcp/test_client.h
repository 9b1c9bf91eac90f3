// test_client.h — the codebase-mcp calls its server tests repeat (test-only, header-only): how
// to launch it (Spec), starting an indexing job and waiting for it (Index, Wait), and relevance
// over a repogen manifest (MeasureRelevance). The PostgreSQL and server fixtures themselves are
// //testing:gtest_fixtures.
#ifndef CB_TEST_CLIENT_H
#define CB_TEST_CLIENT_H

#include <gtest/gtest.h>
#include <string.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "testing/gtest_fixtures.h"
#include "testing/proc.h"
#include "testing/repogen.h"

namespace cbtest {

// The server binary in runfiles.
constexpr const char kBinary[] = "servers/codebase_mcp/codebase-mcp";

// The search engine a test target runs its server with: CB_TEST_ENGINE (a bare word, set in the
// BUILD file's copts, e.g. -DCB_TEST_ENGINE=rum) runs the same test against that engine; unset,
// the server's default (gin).
#define CB_TEST_STR2(x) #x
#define CB_TEST_STR(x) CB_TEST_STR2(x)
#ifdef CB_TEST_ENGINE
constexpr const char kEngine[] = CB_TEST_STR(CB_TEST_ENGINE);
#else
constexpr const char kEngine[] = "";
#endif

// codebase-mcp from runfiles, logging to a file (Log()); extra_env adds "KEY=VALUE" settings
// (e.g. INDEX_ROOTS), after CODEBASE_SEARCH_ENGINE=kEngine when the target sets one.
inline tst::ServerSpec Spec(const std::vector<std::string> &extra_env = {}) {
  std::vector<std::string> env;
  if (kEngine[0] != '\0') env.push_back(std::string("CODEBASE_SEARCH_ENGINE=") + kEngine);
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  return {kBinary, env, true};
}

// Polls the job until it has finished; returns the final status object (owned).
inline cJSON *Wait(const tst::Server &e, const std::string &job, int timeout_ms = 120000) {
  double until = tst_now_ms() + timeout_ms;
  while (tst_now_ms() < until) {
    cJSON *s = nullptr;
    long st = e.Post("/mcp/get_indexing_status", "{\"job_id\":\"" + job + "\"}", &s);
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

// Starts indexing and waits for the job to finish; returns the final status object (owned).
inline cJSON *Index(const tst::Server &e, const std::string &repo, const std::string &project,
                    bool force = false, int timeout_ms = 120000) {
  cJSON *start = nullptr;
  std::string body = "{\"repo_path\":\"" + repo + "\",\"project_id\":\"" + project +
                     "\",\"force_reindex\":" + (force ? "true" : "false") + "}";
  long st = e.Post("/mcp/start_indexing_background", body, &start);
  EXPECT_EQ(st, 200) << (start ? cJSON_PrintUnformatted(start) : "");
  if (st != 200 || !start) {
    cJSON_Delete(start);
    return nullptr;
  }
  std::string job = cJSON_GetObjectItem(start, "job_id")->valuestring;
  cJSON_Delete(start);
  return Wait(e, job, timeout_ms);
}

// SC-008's fault: starts indexing repo into project and, once a batch has committed while the
// job runs, terminates every backend of the database 6 times, 40 ms apart. Returns the job id
// (then Wait for it) and adds the backends terminated to *killed; "" after a failure that says
// why (the job did not start, or finished before the fault could be injected).
inline std::string IndexInterrupted(const tst::PgServer &e, const std::string &repo,
                                    const std::string &project, int *killed) {
  cJSON *start = nullptr;
  long code = e.Post("/mcp/start_indexing_background",
                     "{\"repo_path\":\"" + repo + "\",\"project_id\":\"" + project + "\"}", &start);
  std::string job = code == 200 ? tst::Str(start, "job_id") : "";
  cJSON_Delete(start);
  if (job.empty()) {
    ADD_FAILURE() << "start_indexing_background answered " << code;
    return "";
  }
  bool mid = false;
  for (int i = 0; i < 2000 && !mid; i++) {
    cJSON *s = nullptr;
    e.Post("/mcp/get_indexing_status", "{\"job_id\":\"" + job + "\"}", &s);
    if (tst::Num(s, "files_indexed") > 0 && tst::Str(s, "status") == "running") mid = true;
    cJSON_Delete(s);
    if (!mid) usleep(2000);
  }
  if (!mid) {
    ADD_FAILURE() << "the job finished before the fault could be injected";
    return "";
  }
  for (int k = 0; k < 6; k++) {
    int n = 0;
    tst_err err = {};
    if (tst_pg_terminate_backends(e.pg, tst_pg_dbname(e.pg), &n, &err) != TST_OK) {
      ADD_FAILURE() << err.msg;
      return "";
    }
    *killed += n;
    usleep(40000);
  }
  return job;
}

// Relevance (issue 5): queries built from the fixture manifest — a function's or class's name
// split into words, and the doc words of functions, classes and methods — and whether the
// expected chunk (same file, same symbol) is in the top 3. Every `stride`-th entry is used.
struct Relevance {
  int queries = 0, hits = 0, name_queries = 0, name_hits = 0, doc_queries = 0, doc_hits = 0;
  std::vector<double> latencies_ms;
  double Rate() const {
    return queries ? (double)hits / queries : 0;
  }
};

inline bool InTop3(const tst::Server &e, const std::string &project, const std::string &query,
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
      if (tst::Str(it, "file_path") == m->file && tst::Str(it, "symbol") == m->symbol) hit = true;
    }
  }
  cJSON_Delete(r);
  return hit;
}

inline Relevance MeasureRelevance(const tst::Server &e, const tst_manifest *man,
                                  const std::string &project, size_t stride, bool verbose) {
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

}  // namespace cbtest

#endif  // CB_TEST_CLIENT_H
