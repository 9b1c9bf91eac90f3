// Issue 13, the memory engine (CODEBASE_SEARCH_ENGINE=memory) end to end, on real PostgreSQL and
// real server processes: the same answers across a restart (the index reloaded from the rows);
// a re-index by ANOTHER instance on the same database is seen by the first one's next search
// (the generation); a job whose connections were killed mid-way ends with an index equal to an
// undisturbed run's; past the memory budget the least recently searched index is dropped and
// reloaded on demand; a bad engine name or budget refuses to start, naming the variable.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "servers/codebase_mcp/test_client.h"

using tst::Num;
using tst::Str;

namespace {

const char kMemory[] = "CODEBASE_SEARCH_ENGINE=memory";

// results as "file:symbol@line=score" plus total_count and match_mode
std::string Answer(const tst::Server &e, const std::string &project, const std::string &query,
                   int limit = 10, const std::string &extra = "") {
  cJSON *r = nullptr;
  long st = e.Post("/mcp/search",
                   "{\"query\":\"" + query + "\",\"project_id\":\"" + project +
                       "\",\"limit\":" + std::to_string(limit) + extra + "}",
                   &r);
  EXPECT_EQ(st, 200) << query;
  std::string out = "total=" + std::to_string((long)Num(r, "total_count")) +
                    " mode=" + Str(r, "match_mode") + ":";
  const cJSON *it;
  cJSON_ArrayForEach(it, cJSON_GetObjectItem(r, "results")) {
    char score[32];
    snprintf(score, sizeof score, "=%.4f", Num(it, "score"));
    out += " " + Str(it, "file_path") + ":" + Str(it, "symbol") + "@" +
           std::to_string((int)Num(it, "start_line")) + score;
  }
  cJSON_Delete(r);
  return out;
}

std::string PyFunc(const std::string &name, const std::string &doc) {
  return "def " + name + "(rows, rate):\n    \"\"\"" + doc +
         "\"\"\"\n    acc = 0\n    for r in rows:\n        acc += r * rate\n    return acc\n\n\n";
}

std::string MakeRepo(int files) {
  std::string root = tst::TempDir("cbmem");
  for (int i = 0; i < files; i++) {
    std::string s = "import os\n\n";
    for (int f = 0; f < 6; f++) {
      std::string n = std::to_string(i) + "_" + std::to_string(f);
      s += PyFunc("compute_ledger_total_" + n, "Totals ledger rows " + n + " at a rate.");
    }
    tst::WriteFile(root + "/pkg" + std::to_string(i % 10) + "/mod" + std::to_string(i) + ".py", s);
  }
  tst::WriteFile(root + "/web/rates.js",
                 "/** Fetches the exchange rate for a currency code. */\n"
                 "export async function fetchExchangeRate(code) { return get('/rates/' + code); }\n"
                 "class RateCache {\n  // Looks a cached rate up.\n"
                 "  lookupRate(code) { return this.m[code]; }\n}\n");
  return root;
}

const std::vector<std::string> kQueries = {
    "compute ledger total 3_2", "ledger rows rate",     "ledger",     "exchange rate",
    "fetchExchangeRate",        "RateCache lookupRate", "rate ledgr", "zebra quux ledger"};

TEST(MemoryEngine, Issue13_SameResultsAcrossARestart) {
  tst::PgServer env;
  ASSERT_TRUE(env.Start(cbtest::Spec({kMemory})));
  std::string repo = MakeRepo(40);
  cJSON *s = cbtest::Index(env, repo, "mem");
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(Str(s, "status"), "completed");
  cJSON_Delete(s);
  std::vector<std::string> before;
  for (const auto &q : kQueries) before.push_back(Answer(env, "mem", q));
  // the filters apply in memory too
  std::string py = Answer(env, "mem", "rate", 50, ",\"language\":\"javascript\"");
  EXPECT_NE(py.find("web/rates.js"), std::string::npos) << py;
  EXPECT_EQ(py.find(".py"), std::string::npos) << py;
  std::string pre = Answer(env, "mem", "ledger", 50, ",\"file_path_prefix\":\"pkg3/\"");
  EXPECT_EQ(pre.find("pkg1/"), std::string::npos) << pre;
  EXPECT_NE(pre.find("total=24 "), std::string::npos) << pre;  // 4 files x 6 functions
  EXPECT_NE(before[0].find("pkg3/mod3.py:compute_ledger_total_3_2@"), std::string::npos)
      << before[0];
  EXPECT_NE(before[2].find("total=240 "), std::string::npos) << before[2];  // every function
  EXPECT_NE(before[6].find("mode=corrected"), std::string::npos) << before[6];
  EXPECT_NE(before[7].find("mode=any_word"), std::string::npos) << before[7];

  env.Stop();
  std::string why;
  ASSERT_TRUE(env.Start(cbtest::Spec({kMemory}), tst_pg_url(env.pg), &why)) << why;
  for (size_t i = 0; i < kQueries.size(); i++)
    EXPECT_EQ(Answer(env, "mem", kQueries[i]), before[i]) << kQueries[i];
  // built at the job's end, then loaded again by the restarted process's first search
  std::string log = env.Log();
  size_t loads = 0;
  for (size_t p = log.find("memidx_loaded"); p != std::string::npos;
       p = log.find("memidx_loaded", p + 1))
    loads++;
  EXPECT_GE(loads, 2u) << log;
  env.Stop();
}

TEST(MemoryEngine, Issue13_SeesAReindexByAnotherInstance) {
  tst::PgServer a;
  ASSERT_TRUE(a.Start(cbtest::Spec({kMemory})));
  std::string repo = MakeRepo(10);
  cJSON *s = cbtest::Index(a, repo, "shared");
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(Str(s, "status"), "completed");
  cJSON_Delete(s);
  EXPECT_NE(Answer(a, "shared", "compute ledger total 4_1").find("compute_ledger_total_4_1@"),
            std::string::npos);
  EXPECT_NE(Answer(a, "shared", "zebra quux handler").find("total=0 "), std::string::npos);

  // a second instance on the same database re-indexes a changed repository
  tst::Server b;
  std::string why;
  ASSERT_TRUE(b.Start(cbtest::Spec({kMemory}), tst_pg_url(a.pg), &why)) << why;
  tst::WriteFile(repo + "/zoo/zebra.py", PyFunc("zebra_quux_handler", "Feeds the zebra."));
  ASSERT_EQ(unlink((repo + "/pkg4/mod4.py").c_str()), 0);
  s = cbtest::Index(b, repo, "shared");
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(Str(s, "status"), "completed");
  EXPECT_EQ(Num(s, "files_deleted"), 1);
  cJSON_Delete(s);

  // the first instance's very next searches reflect it
  std::string added = Answer(a, "shared", "zebra quux handler");
  EXPECT_NE(added.find("zoo/zebra.py:zebra_quux_handler@1="), std::string::npos) << added;
  std::string gone = Answer(a, "shared", "compute ledger total 4_1");
  EXPECT_EQ(gone.find("compute_ledger_total_4_1@"), std::string::npos) << gone;
  EXPECT_NE(Answer(a, "shared", "ledger").find("total=54 "), std::string::npos);  // 9 files x 6
  // and both instances answer alike
  for (const auto &q : kQueries) EXPECT_EQ(Answer(a, "shared", q), Answer(b, "shared", q)) << q;
  EXPECT_NE(a.Log().find("memidx_loaded"), std::string::npos);
  b.Stop();
  a.Stop();
}

TEST(MemoryEngine, Issue13_IndexAfterAnInterruptedJobEqualsAnUndisturbedOne) {
  tst::PgServer env;
  ASSERT_TRUE(env.Start(cbtest::Spec({kMemory})));
  const int kFiles = 3000;
  std::string repo = MakeRepo(kFiles);
  cJSON *clean = cbtest::Index(env, repo, "clean");
  ASSERT_NE(clean, nullptr);
  ASSERT_EQ(Str(clean, "status"), "completed");
  cJSON_Delete(clean);

  int killed_total = 0;  // as resume_test: kill every backend a few times once a batch committed
  std::string job = cbtest::IndexInterrupted(env, repo, "faulty", &killed_total);
  ASSERT_FALSE(job.empty());
  cJSON *st = cbtest::Wait(env, job);
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(Str(st, "status"), "completed") << cJSON_PrintUnformatted(st);
  cJSON_Delete(st);
  EXPECT_GT(killed_total, 0);
  for (const auto &q : {std::string("ledger"), std::string("ledger rows rate"),
                        std::string("compute ledger total 2999_5"), std::string("rate")}) {
    std::string c = Answer(env, "clean", q, 50), f = Answer(env, "faulty", q, 50);
    EXPECT_EQ(c, f) << q;
  }
  EXPECT_NE(Answer(env, "faulty", "ledger").find("total=" + std::to_string(kFiles * 6) + " "),
            std::string::npos);
  env.Stop();
}

// One sample of the server's /metrics text ("codebase_mcp_" + name), -1 when absent.
double Metric(const tst::Server &e, const std::string &name) {
  tst::Resp r = e.Get("/metrics");
  EXPECT_EQ(r.status, 200) << r.body;
  std::string key = "\ncodebase_mcp_" + name + " ";
  size_t at = r.body.find(key);
  return at == std::string::npos ? -1 : strtod(r.body.c_str() + at + key.size(), nullptr);
}

// Polls Metric until it equals want (the index is built just after the job reports completed)
// or 20 s pass; returns the last value read.
double WaitMetric(const tst::Server &e, const std::string &name, double want) {
  double v = -1;
  for (int i = 0; i < 200 && (v = Metric(e, name)) != want; i++) usleep(100 * 1000);
  return v;
}

// Issue 13 (RSS bounded while serving): past CODEBASE_MEMIDX_MAX_MB the least recently searched
// project's index is dropped, /metrics shows it, and that project's next search reloads it from
// PostgreSQL with the same answers.
TEST(MemoryEngine, Issue13_MemoryBudgetEvictsTheLeastRecentlySearchedAndReloadsIt) {
  tst::PgServer env;
  tst::ServerSpec spec = cbtest::Spec({kMemory, "CODEBASE_MEMIDX_MAX_MB=1"});
  spec.log_file = true;
  ASSERT_TRUE(env.Start(spec));
  std::string repo = MakeRepo(450);  // 2,700 functions: one index is ~0.75 MB (1,500 files: 2.6)
  cJSON *s = cbtest::Index(env, repo, "one");
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(Str(s, "status"), "completed");
  cJSON_Delete(s);
  ASSERT_EQ(WaitMetric(env, "memidx_projects", 1), 1);
  double one_bytes = Metric(env, "memidx_bytes");
  ASSERT_GT(one_bytes, 0.55 * 1048576) << "the fixture must make two indexes exceed 1 MB";
  ASSERT_LE(one_bytes, 1048576.0) << "and one fit in it";
  EXPECT_EQ(Metric(env, "memidx_evictions_total"), 0);
  std::vector<std::string> before;
  for (const auto &q : kQueries) before.push_back(Answer(env, "one", q));

  s = cbtest::Index(env, repo, "two");  // built at the job's end: "one" no longer fits
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(Str(s, "status"), "completed");
  cJSON_Delete(s);
  EXPECT_EQ(WaitMetric(env, "memidx_evictions_total", 1), 1);
  EXPECT_EQ(Metric(env, "memidx_projects"), 1);
  EXPECT_LE(Metric(env, "memidx_bytes"), 1048576.0);
  std::string log = env.Log();
  EXPECT_NE(log.find("memidx_evicted"), std::string::npos) << log;
  EXPECT_NE(log.find("project one: memory index"), std::string::npos) << log;

  // the evicted project answers exactly as before, reloaded from its rows (and "two" goes)
  for (size_t i = 0; i < kQueries.size(); i++)
    EXPECT_EQ(Answer(env, "one", kQueries[i]), before[i]) << kQueries[i];
  EXPECT_EQ(Metric(env, "memidx_projects"), 1);
  EXPECT_EQ(Metric(env, "memidx_evictions_total"), 2);
  EXPECT_NE(Answer(env, "two", "ledger").find("total=2700 "), std::string::npos);
  env.Stop();
}

TEST(MemoryEngine, Issue13_UnknownEngineRefusesToStart) {
  tst::PgServer env;
  ASSERT_TRUE(env.Start(cbtest::Spec()));
  env.Stop();
  std::string bin = tst::Runfile(cbtest::kBinary);
  std::string db = std::string("DATABASE_URL=") + tst_pg_url(env.pg);
  const char *args[] = {nullptr};
  const char *e[] = {db.c_str(), "CODEBASE_SEARCH_ENGINE=lucene", nullptr};
  int status = -1;
  char out[8192];
  tst_err err = {};
  ASSERT_EQ(tst_run(bin.c_str(), args, e, 30000, &status, out, sizeof out, &err), TST_OK)
      << err.msg;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << status << ": " << out;
  EXPECT_NE(std::string(out).find("CODEBASE_SEARCH_ENGINE"), std::string::npos) << out;
  EXPECT_NE(std::string(out).find("lucene"), std::string::npos) << out;
  EXPECT_NE(std::string(out).find("memory, gin, rum"), std::string::npos) << out;
  const char *e2[] = {db.c_str(), "CODEBASE_MEMIDX_MAX_MB=lots", nullptr};
  ASSERT_EQ(tst_run(bin.c_str(), args, e2, 30000, &status, out, sizeof out, &err), TST_OK)
      << err.msg;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << status << ": " << out;
  EXPECT_NE(std::string(out).find("CODEBASE_MEMIDX_MAX_MB must be 0 (no limit) to 1048576, got "
                                  "'lots'"),
            std::string::npos)
      << out;
}

}  // namespace
