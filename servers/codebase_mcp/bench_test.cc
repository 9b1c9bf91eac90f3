// Issue 5 goals, measured (manual: `bazel test //servers/codebase_mcp:bench_test`; tagged manual
// and exclusive, it takes a few minutes): on the 10,000-file repogen fixture —
//   index time (1 warm-up + 5 runs, p50/p95), parse-only time of the same files with 2 threads and
//   the ratio, re-index of the unchanged repository, peak RSS of the server, search latency with
//   10 concurrent clients (p50/p95/p99), and relevance (top-3 rate).
// Only the SPEC requirements are asserted (index < 60 s, search p95 < 500 ms, relevance >= 90%);
// the tighter goals are printed as figures, since this machine is shared.
// Env: CB_BENCH_FILES (default 10000), CB_BENCH_REPO + CB_BENCH_MANIFEST (reuse a fixture),
// CB_BENCH_RUNS (index runs including the warm-up, default 6).
#include <gtest/gtest.h>
#include <tree_sitter/api.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "servers/codebase_mcp/test_client.h"
#include "testing/http.h"

extern "C" const TSLanguage *tree_sitter_python(void);
extern "C" const TSLanguage *tree_sitter_javascript(void);

using tst::Num;
using tst::Str;

namespace {

// Linear interpolation between closest ranks (the SPEC's percentile method).
double Pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  double r = p / 100.0 * (v.size() - 1);
  size_t lo = (size_t)std::floor(r), hi = (size_t)std::ceil(r);
  return v[lo] + (v[hi] - v[lo]) * (r - lo);
}

struct Src {
  std::string text;
  bool python;
};

// Parse-only: tree-sitter over the same .py/.js files, 2 threads, files already in memory.
double ParseOnlyMs(const std::vector<Src> &files) {
  std::atomic<size_t> next{0};
  auto work = [&]() {
    TSParser *py = ts_parser_new(), *js = ts_parser_new();
    ts_parser_set_language(py, tree_sitter_python());
    ts_parser_set_language(js, tree_sitter_javascript());
    for (size_t i; (i = next.fetch_add(1)) < files.size();) {
      TSParser *p = files[i].python ? py : js;
      TSTree *t =
          ts_parser_parse_string(p, nullptr, files[i].text.data(), (uint32_t)files[i].text.size());
      ts_tree_delete(t);
    }
    ts_parser_delete(py);
    ts_parser_delete(js);
  };
  double t0 = tst_now_ms();
  std::thread a(work), b(work);
  a.join();
  b.join();
  return tst_now_ms() - t0;
}

std::vector<Src> LoadSources(const tst_manifest *man, const std::string &repo) {
  std::vector<std::string> paths;
  for (size_t i = 0; i < man->n; i++) paths.push_back(man->entries[i].file);
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  std::vector<Src> out;
  for (auto &p : paths) {
    bool py = p.size() > 3 && p.compare(p.size() - 3, 3, ".py") == 0;
    bool js = p.size() > 3 && p.compare(p.size() - 3, 3, ".js") == 0;
    if (!py && !js) continue;
    out.push_back({tst::ReadFile(repo + "/" + p), py});
  }
  return out;
}

// CPU seconds (user + system) of a process, plus its waited-for children.
double CpuSec(pid_t pid, bool with_children) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  size_t rp = all.rfind(')');
  if (rp == std::string::npos) return 0;
  std::istringstream in(all.substr(rp + 2));
  std::vector<std::string> fld;
  std::string x;
  while (in >> x) fld.push_back(x);
  // after ")": field 3 is fld[0]; utime=14 stime=15 cutime=16 cstime=17
  if (fld.size() < 15) return 0;
  double t = strtod(fld[11].c_str(), nullptr) + strtod(fld[12].c_str(), nullptr);
  if (with_children) t += strtod(fld[13].c_str(), nullptr) + strtod(fld[14].c_str(), nullptr);
  return t / sysconf(_SC_CLK_TCK);
}

// CPU seconds of the whole PostgreSQL cluster: the postmaster, its live children, and the
// children that already exited (autovacuum workers, terminated backends).
double PgCpuSec(pid_t postmaster) {
  double t = CpuSec(postmaster, true);
  std::ifstream f("/proc/" + std::to_string(postmaster) + "/task/" + std::to_string(postmaster) +
                  "/children");
  pid_t c;
  while (f >> c) t += CpuSec(c, false);
  return t;
}

double ProcessCpuSec() {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

long VmHWMkB(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmHWM:", 0) == 0) return strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

TEST(Bench, IndexSearchAndRelevanceFigures) {
  const char *files_env = getenv("CB_BENCH_FILES");
  int nfiles = files_env ? (int)strtol(files_env, nullptr, 10) : 10000;
  std::string repo, manifest;
  if (getenv("CB_BENCH_REPO") && getenv("CB_BENCH_MANIFEST")) {
    repo = getenv("CB_BENCH_REPO");
    manifest = getenv("CB_BENCH_MANIFEST");
  } else {
    std::string dir = tst::TempDir("cbbench");
    repo = dir + "/repo";
    manifest = dir + "/manifest.tsv";
    tst_repogen_opts o = {};
    o.out_dir = repo.c_str();
    o.manifest_path = manifest.c_str();
    o.files = nfiles;
    o.seed = 1;
    o.binary_files = -1;
    o.unparseable_files = -1;
    tst_repogen_stats st = {};
    tst_err err = {};
    ASSERT_EQ(tst_repogen_generate(&o, &st, &err), TST_OK) << err.msg;
  }
  tst_manifest *man = nullptr;
  tst_err err = {};
  ASSERT_EQ(tst_manifest_load(manifest.c_str(), &man, &err), TST_OK) << err.msg;

  tst::PgServer env;
  ASSERT_TRUE(env.Start(cbtest::Spec()));
  pid_t pid = tst_server_pid(env.Raw());

  pid_t pm = tst_pg_postmaster_pid(env.pg);
  // index: 1 warm-up + 5 runs, each into a fresh project (a full index every time)
  std::vector<double> index_ms, job_ms, cpu_srv, cpu_pg;
  double files = 0, chunks = 0;
  const char *runs_env = getenv("CB_BENCH_RUNS");  // index runs incl. the warm-up (default 6)
  int runs = runs_env ? (int)strtol(runs_env, nullptr, 10) : 6;
  if (runs < 2) runs = 2;
  for (int run = 0; run < runs; run++) {
    std::string project = "bench" + std::to_string(run);
    double c0 = CpuSec(pid, false), p0 = PgCpuSec(pm);
    double t0 = tst_now_ms();
    cJSON *s = cbtest::Index(env, repo, project, false, 600000);
    double wall = tst_now_ms() - t0;
    double dsrv = CpuSec(pid, false) - c0, dpg = PgCpuSec(pm) - p0;
    ASSERT_NE(s, nullptr);
    ASSERT_EQ(Str(s, "status"), "completed") << cJSON_PrintUnformatted(s);
    files = Num(s, "files_indexed");
    chunks = Num(s, "chunks_created");
    printf(
        "index run %d: %.0f ms wall (job %.0f ms), %.0f files, %.0f chunks; CPU s: server "
        "%.2f, PostgreSQL %.2f\n",
        run, wall, Num(s, "elapsed_ms"), files, chunks, dsrv, dpg);
    fflush(stdout);
    if (run > 0) {
      cpu_srv.push_back(dsrv);
      cpu_pg.push_back(dpg);
      index_ms.push_back(wall);
      job_ms.push_back(Num(s, "elapsed_ms"));
    }
    cJSON_Delete(s);
  }
  long rss_kb = VmHWMkB(pid);

  // parse-only of the same files, 2 threads (best of 3)
  std::vector<Src> srcs = LoadSources(man, repo);
  double parse_ms = 1e18, parse_cpu = 1e18;
  for (int i = 0; i < 3; i++) {
    double c0 = ProcessCpuSec();
    parse_ms = std::min(parse_ms, ParseOnlyMs(srcs));
    parse_cpu = std::min(parse_cpu, ProcessCpuSec() - c0);
  }

  // re-index of the unchanged repository
  std::vector<double> reindex_ms;
  for (int i = 0; i < 3; i++) {
    double t0 = tst_now_ms();
    cJSON *s = cbtest::Index(env, repo, "bench" + std::to_string(runs - 1), false, 600000);
    reindex_ms.push_back(tst_now_ms() - t0);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(Num(s, "files_indexed"), 0);
    cJSON_Delete(s);
  }

  // search: 10 concurrent clients, queries from the manifest (names and doc words)
  std::vector<std::string> queries;
  for (size_t i = 0; i < man->n && queries.size() < 1000; i += 97) {
    const tst_manifest_entry *m = &man->entries[i];
    if (std::string(m->kind) == "binary" || std::string(m->kind) == "unparseable") continue;
    char words[512];
    tst_identifier_words(m->symbol, words, sizeof words);
    queries.push_back(queries.size() % 2 ? std::string(m->doc_words) : std::string(words));
  }
  std::vector<std::vector<double>> lat(10);
  std::atomic<size_t> qi{0};
  std::vector<std::thread> th;
  const size_t kPerClient = 60;
  for (int c = 0; c < 10; c++)
    th.emplace_back([&, c]() {
      for (size_t k = 0; k < kPerClient; k++) {
        const std::string &q = queries[qi.fetch_add(1) % queries.size()];
        cJSON *b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "query", q.c_str());
        cJSON_AddStringToObject(b, "project_id", ("bench" + std::to_string(runs - 1)).c_str());
        char *body = cJSON_PrintUnformatted(b);
        cJSON_Delete(b);
        tst_http_resp r = {};
        tst_err e = {};
        double t0 = tst_now_ms();
        int rc =
            tst_http_post_json((env.url + "/mcp/search").c_str(), body, 30000, nullptr, &r, &e);
        double ms = tst_now_ms() - t0;
        if (rc == TST_OK && r.status == 200) lat[c].push_back(ms);
        tst_http_resp_free(&r);
        free(body);
      }
    });
  for (auto &t : th) t.join();
  std::vector<double> all;
  for (auto &v : lat) all.insert(all.end(), v.begin(), v.end());
  long rss_search_kb = VmHWMkB(pid);

  // one client at a time: the same queries, sequentially
  std::string project = "bench" + std::to_string(runs - 1);
  std::vector<double> one;
  for (size_t k = 0; k < 200; k++) {
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "query", queries[k % queries.size()].c_str());
    cJSON_AddStringToObject(b, "project_id", project.c_str());
    char *body = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    tst_http_resp r = {};
    tst_err e = {};
    double t0 = tst_now_ms();
    int rc = tst_http_post_json((env.url + "/mcp/search").c_str(), body, 30000, nullptr, &r, &e);
    if (rc == TST_OK && r.status == 200) one.push_back(tst_now_ms() - t0);
    tst_http_resp_free(&r);
    free(body);
  }

  cbtest::Relevance rel =
      cbtest::MeasureRelevance(env, man, "bench" + std::to_string(runs - 1), 131, false);
  tst_manifest_free(man);

  double p95 = Pct(index_ms, 95);
  printf(
      "\n== codebase-mcp figures (%zu source files parsed, %.0f files indexed, %.0f chunks) ==\n",
      srcs.size(), files, chunks);
  printf(
      "index wall ms: p50 %.0f  p95 %.0f  (job elapsed p50 %.0f  p95 %.0f)  [goal p95 <= 6000; "
      "requirement < 60000]\n",
      Pct(index_ms, 50), p95, Pct(job_ms, 50), Pct(job_ms, 95));
  printf(
      "parse-only (tree-sitter, 2 threads, in memory): %.0f ms; index p95 / parse = %.2f  "
      "[goal <= 1.5]\n",
      parse_ms, p95 / parse_ms);
  double srv_cpu = Pct(cpu_srv, 50), pg_cpu = Pct(cpu_pg, 50);
  printf(
      "CPU per full index (median): server %.2f s + PostgreSQL %.2f s = %.2f s; parse-only CPU "
      "%.2f s; CPU ratio %.2f; on 2 idle cores that is >= %.0f ms wall\n",
      srv_cpu, pg_cpu, srv_cpu + pg_cpu, parse_cpu, (srv_cpu + pg_cpu) / parse_cpu,
      (srv_cpu + pg_cpu) * 1000 / 2);
  printf("re-index unchanged ms: p50 %.0f  max %.0f  [goal <= 1500]\n", Pct(reindex_ms, 50),
         Pct(reindex_ms, 100));
  printf("server peak RSS (VmHWM): %.1f MB\n", rss_kb / 1024.0);
  printf(
      "search, 10 clients x %zu: n=%zu p50 %.1f  p95 %.1f  p99 %.1f  max %.1f ms  [goal p95 <= "
      "15; requirement < 500]\n",
      kPerClient, all.size(), Pct(all, 50), Pct(all, 95), Pct(all, 99), Pct(all, 100));
  printf(
      "search, 1 client x 200: n=%zu p50 %.1f  p95 %.1f  max %.1f ms; server peak RSS after "
      "searching: %.1f MB\n",
      one.size(), Pct(one, 50), Pct(one, 95), Pct(one, 100), rss_search_kb / 1024.0);
  {  // the memory engine's builds (CODEBASE_SEARCH_ENGINE=memory): one log line per index load
    std::string log = env.Log();
    for (size_t p = log.find("memidx_loaded"); p != std::string::npos;
         p = log.find("memidx_loaded", p + 1)) {
      size_t m = log.find("\"message\"", p), e = log.find('\n', p);
      if (m != std::string::npos && m < e) printf("  %s\n", log.substr(m, e - m).c_str());
    }
  }
  printf("relevance: %d/%d = %.1f%% in top 3 (names %d/%d, doc words %d/%d)  [goal >= 90%%]\n",
         rel.hits, rel.queries, 100 * rel.Rate(), rel.name_hits, rel.name_queries, rel.doc_hits,
         rel.doc_queries);
  printf("load average at the end: ");
  fflush(stdout);
  system("cat /proc/loadavg");

  // after a restart the memory engine loads the project on its first search
  env.Stop();
  std::string why;
  ASSERT_TRUE(env.Start(cbtest::Spec(), tst_pg_url(env.pg), &why)) << why;
  {
    cJSON *r = nullptr;
    double t0 = tst_now_ms();
    long st = env.Post("/mcp/search",
                       "{\"query\":\"parse config\",\"project_id\":\"" + project + "\"}", &r);
    double first = tst_now_ms() - t0;
    t0 = tst_now_ms();
    cJSON_Delete(r);
    r = nullptr;
    env.Post("/mcp/search", "{\"query\":\"parse config\",\"project_id\":\"" + project + "\"}", &r);
    printf("after a restart: first search %.0f ms (status %ld), second %.1f ms; RSS %.1f MB\n",
           first, st, tst_now_ms() - t0, VmHWMkB(tst_server_pid(env.Raw())) / 1024.0);
    cJSON_Delete(r);
  }
  EXPECT_LT(p95, 60000);
  EXPECT_EQ(all.size(), 10 * kPerClient);
  EXPECT_LT(Pct(all, 95), 500);
  EXPECT_GE(rel.Rate(), 0.90);
  env.Stop();
}

}  // namespace
