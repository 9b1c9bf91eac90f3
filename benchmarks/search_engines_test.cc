// search_engines_test.cc — issue 13 item 1: the search engines side by side in ONE run, on the same
// fixtures (the standard 10,000-file fixture and repogen's low-vocabulary corpus of the same size),
// on one PostgreSQL cluster: for each configuration, index time of both corpora (per database
// schema), search latency p50 / p95 at 1 and 10 clients on both, the server's RSS, the size of
// the full-text index, and relevance (the manifest top-3 rate, as relevance_test computes it, on
// the 10,000-file fixture). Each figure carries the host's 1-minute load when it was taken.
//
// Configurations (BENCH_ENGINES, comma-separated; default all below but memory):
//   gin-old       gin, statements unprepared, every match ranked (the design before issue 13)
//   gin-prepared  gin, statements prepared per connection, every match ranked
//   gin-capped    gin, prepared, at most BENCH_RANK_CAP (default 2000) chunks ranked
//   gin-capped-nocount  the same, total_count counted only up to the cap
//   rum           the RUM index's rank order (prepared)
//   rum-nocount   the same, total_count counted only up to the RUM candidates
//   memory        the in-memory inverted index
// Configurations of one schema share one database: its corpora are indexed once, by the first,
// and the server is restarted with the next configuration's environment.
//
// Writes search_engines.json and search_engines.md (the table) to TEST_UNDECLARED_OUTPUTS_DIR,
// and each configuration's benchmark records under <outputs>/<configuration>/. Manual: ~10 min.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "benchmarks/machine.h"
#include "benchmarks/test_util.h"
#include "models/timestamp.h"
#include "servers/codebase_mcp/test_client.h"
#include "servers/common/procstat.h"

namespace {

struct Config {
  std::string name, schema;      // schema: the engine whose database it runs on
  std::vector<std::string> env;  // the server's CODEBASE_SEARCH_* settings
};

// One measured cell: a latency pair and the load beside it, or why it is missing.
struct Lat {
  bool ok = false;
  double p50 = 0, p95 = 0, load = 0;
  std::string why;
};

struct Row {
  std::string name, schema;
  double index_ms = -1, index_lv_ms = -1, index_load = 0, peak_rss_mb = -1, rss_mb = -1;
  double fts_index_mb = -1, all_index_mb = -1;
  Lat fix1, fix10, lv1, lv10;
  double relevance = -1, rel_load = 0;
  int rel_queries = 0;
  long lv_matches_min = -1;
};

double Load1() {
  FILE *f = fopen("/proc/loadavg", "r");
  double l = -1;
  if (f != nullptr) {
    if (fscanf(f, "%lf", &l) != 1) l = -1;
    fclose(f);
  }
  return l;
}

std::vector<Config> Configs() {
  const char *cap = getenv("BENCH_RANK_CAP");
  std::string capv = cap != nullptr && *cap ? cap : "2000";
  std::vector<Config> all = {
      {"gin-old",
       "gin",
       {"CODEBASE_SEARCH_ENGINE=gin", "CODEBASE_SEARCH_PREPARED=0", "CODEBASE_SEARCH_RANK_CAP=0"}},
      {"gin-prepared",
       "gin",
       {"CODEBASE_SEARCH_ENGINE=gin", "CODEBASE_SEARCH_PREPARED=1", "CODEBASE_SEARCH_RANK_CAP=0"}},
      {"gin-capped",
       "gin",
       {"CODEBASE_SEARCH_ENGINE=gin", "CODEBASE_SEARCH_PREPARED=1",
        "CODEBASE_SEARCH_RANK_CAP=" + capv}},
      {"gin-capped-nocount",
       "gin",
       {"CODEBASE_SEARCH_ENGINE=gin", "CODEBASE_SEARCH_PREPARED=1",
        "CODEBASE_SEARCH_RANK_CAP=" + capv, "CODEBASE_SEARCH_EXACT_COUNT=0"}},
      {"rum", "rum", {"CODEBASE_SEARCH_ENGINE=rum", "CODEBASE_SEARCH_PREPARED=1"}},
      {"rum-nocount",
       "rum",
       {"CODEBASE_SEARCH_ENGINE=rum", "CODEBASE_SEARCH_PREPARED=1",
        "CODEBASE_SEARCH_EXACT_COUNT=0"}},
      {"memory", "memory", {"CODEBASE_SEARCH_ENGINE=memory"}},
  };
  const char *want = getenv("BENCH_ENGINES");
  std::string list = want != nullptr && *want
                         ? std::string(",") + want + ","
                         : ",gin-old,gin-prepared,gin-capped,gin-capped-nocount,rum,rum-nocount,";
  std::vector<Config> out;
  for (auto &c : all)
    if (list.find("," + c.name + ",") != std::string::npos) out.push_back(c);
  return out;
}

Lat Search(bench_env *e, const bench_plan &base, const char *manifest, const char *project,
           bool lowvocab, int clients, int queries, const std::string &dir, long *min_matches) {
  Lat l;
  bench_plan p = base;
  p.search_clients = clients;
  p.search_queries = queries;
  bench_set set{};
  bench_err err;
  l.load = Load1();
  int rc = lowvocab ? bench_op_search_lowvocab(e, &p, manifest, project, &set, min_matches, &err)
                    : bench_op_search(e, &p, manifest, project, &set, nullptr, &err);
  if (rc != BENCH_OK) {
    l.why = err.msg;
    bench_set_free(&set);
    return l;
  }
  const mdl_benchmark_result &r = set.results[lowvocab ? MDL_OP_SEARCH_LOWVOCAB : MDL_OP_SEARCH];
  l.ok = true;
  l.p50 = r.latency_p50_ms;
  l.p95 = r.latency_p95_ms;
  bench_test::Print(r);
  bench_set_stamp(&set);
  char name[64];
  snprintf(name, sizeof name, "%s_%dc", lowvocab ? "lowvocab" : "fixture", clients);
  if (!dir.empty() && bench_write_outputs(&set, dir.c_str(), name, &err) != BENCH_OK)
    printf("could not write %s/%s: %s\n", dir.c_str(), name, err.msg);
  bench_set_free(&set);
  return l;
}

std::string Cell(const Lat &l) {
  char b[96];
  if (!l.ok) return "not measured";
  snprintf(b, sizeof b, "%.1f / %.1f (load %.1f)", l.p50, l.p95, l.load);
  return b;
}

cJSON *LatJson(const Lat &l) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddBoolToObject(o, "measured", l.ok);
  if (l.ok) {
    cJSON_AddNumberToObject(o, "p50_ms", l.p50);
    cJSON_AddNumberToObject(o, "p95_ms", l.p95);
  } else {
    cJSON_AddStringToObject(o, "why", l.why.c_str());
  }
  cJSON_AddNumberToObject(o, "load1", l.load);
  return o;
}

std::string Fmt(const char *f, double v) {
  char b[64];
  if (v < 0) return "-";
  snprintf(b, sizeof b, f, v);
  return b;
}

void WriteTables(const std::vector<Row> &rows) {
  const char *dir = getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  if (dir == nullptr) return;
  cJSON *root = cJSON_CreateObject();
  bench_machine m;
  bench_machine_describe(&m);
  cJSON_AddItemToObject(root, "machine", bench_machine_to_json(&m));
  const char *commit = getenv("BENCH_COMMIT");
  cJSON_AddStringToObject(root, "commit", commit != nullptr ? commit : "");
  char when[MDL_TIME_LEN];
  mdl_time_now(when);
  cJSON_AddStringToObject(root, "measured_at", when);
  cJSON *arr = cJSON_AddArrayToObject(root, "engines");
  std::string md =
      "| configuration | index fixture / low-vocab (s) | peak RSS indexing / RSS after (MB) | "
      "full-text index / all indexes of code_chunks (MB) | fixture p50 / p95 ms, 1 client | "
      "fixture, 10 clients | low-vocab, 1 client | low-vocab, 10 clients | relevance top-3 |\n"
      "|---|---|---|---|---|---|---|---|---|\n";
  for (const Row &r : rows) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "configuration", r.name.c_str());
    cJSON_AddStringToObject(o, "schema", r.schema.c_str());
    cJSON_AddNumberToObject(o, "index_fixture_ms", r.index_ms);
    cJSON_AddNumberToObject(o, "index_lowvocab_ms", r.index_lv_ms);
    cJSON_AddNumberToObject(o, "index_load1", r.index_load);
    cJSON_AddNumberToObject(o, "peak_rss_indexing_mb", r.peak_rss_mb);
    cJSON_AddNumberToObject(o, "rss_after_mb", r.rss_mb);
    cJSON_AddNumberToObject(o, "fulltext_index_mb", r.fts_index_mb);
    cJSON_AddNumberToObject(o, "code_chunks_indexes_mb", r.all_index_mb);
    cJSON_AddItemToObject(o, "fixture_1_client", LatJson(r.fix1));
    cJSON_AddItemToObject(o, "fixture_10_clients", LatJson(r.fix10));
    cJSON_AddItemToObject(o, "lowvocab_1_client", LatJson(r.lv1));
    cJSON_AddItemToObject(o, "lowvocab_10_clients", LatJson(r.lv10));
    cJSON_AddNumberToObject(o, "lowvocab_matching_chunks_min", (double)r.lv_matches_min);
    cJSON_AddNumberToObject(o, "relevance_top3", r.relevance);
    cJSON_AddNumberToObject(o, "relevance_queries", r.rel_queries);
    cJSON_AddNumberToObject(o, "relevance_load1", r.rel_load);
    cJSON_AddItemToArray(arr, o);
    md += "| " + r.name + " | " + Fmt("%.1f", r.index_ms / 1000) + " / " +
          Fmt("%.1f", r.index_lv_ms / 1000) + " (load " + Fmt("%.1f", r.index_load) + ") | " +
          Fmt("%.0f", r.peak_rss_mb) + " / " + Fmt("%.0f", r.rss_mb) + " | " +
          Fmt("%.0f", r.fts_index_mb) + " / " + Fmt("%.0f", r.all_index_mb) + " | " + Cell(r.fix1) +
          " | " + Cell(r.fix10) + " | " + Cell(r.lv1) + " | " + Cell(r.lv10) + " | " +
          Fmt("%.1f%%", 100 * r.relevance) + " of " + std::to_string(r.rel_queries) + " (load " +
          Fmt("%.1f", r.rel_load) + ") |\n";
  }
  char *text = cJSON_Print(root);
  bench_err err;
  if (text != nullptr) {
    EXPECT_EQ(bench_write_file((std::string(dir) + "/search_engines.json").c_str(), text, &err),
              BENCH_OK)
        << err.msg;
    free(text);
  }
  cJSON_Delete(root);
  EXPECT_EQ(bench_write_file((std::string(dir) + "/search_engines.md").c_str(), md.c_str(), &err),
            BENCH_OK)
      << err.msg;
  printf("%s", md.c_str());
}

TEST(SearchEngines, Issue13_EnginesSideBySideOnTheSameFixtures) {
  bench_env base;
  bench_err err;
  ASSERT_EQ(bench_env_start(&base, 0, 0, &err), BENCH_OK) << err.msg;
  bench_plan plan = bench_plan_full();
  char repo[1024], manifest[1024], lrepo[1024], lmanifest[1024];
  ASSERT_EQ(bench_fixture(&base, plan.index_files, plan.seed, repo, sizeof repo, manifest,
                          sizeof manifest, nullptr, &err),
            BENCH_OK)
      << err.msg;
  ASSERT_EQ(bench_fixture_lowvocab(&base, plan.index_files, plan.seed, lrepo, sizeof lrepo,
                                   lmanifest, sizeof lmanifest, nullptr, &err),
            BENCH_OK)
      << err.msg;
  tst_manifest *man = nullptr;
  tst_err te;
  ASSERT_EQ(tst_manifest_load(manifest, &man, &te), TST_OK) << te.msg;
  const char *outdir = getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  std::vector<Config> configs = Configs();
  ASSERT_FALSE(configs.empty()) << "BENCH_ENGINES names no known configuration";
  std::vector<Row> rows;
  std::string db_schema, db_url;
  Row schema_row;  // the index figures of the current database
  tst::Server srv;
  const char *project = "fixture", *lproject = "lowvocab";
  for (const Config &c : configs) {
    Row row;
    row.name = c.name;
    row.schema = c.schema;
    std::string why;
    srv.Stop();
    bool fresh = c.schema != db_schema;
    if (fresh) {
      db_url = tst::NewDb(base.pg, "cb_" + c.schema, &why);
      ASSERT_FALSE(db_url.empty()) << why;
      db_schema = c.schema;
    }
    ASSERT_TRUE(srv.Start(cbtest::Spec(c.env), db_url, &why)) << c.name << ": " << why;
    bench_env e = base;
    e.codebase = srv.Raw();
    snprintf(e.codebase_db, sizeof e.codebase_db, "%s", db_url.c_str());
    if (fresh) {
      double peak = 0;
      long files = 0;
      schema_row = Row();
      schema_row.index_load = Load1();
      ASSERT_EQ(bench_index_once(&e, repo, project, 900000, &schema_row.index_ms, &peak, &files,
                                 nullptr, nullptr, &err),
                BENCH_OK)
          << c.name << ": " << err.msg;
      double lpeak = 0;
      ASSERT_EQ(bench_index_once(&e, lrepo, lproject, 1800000, &schema_row.index_lv_ms, &lpeak,
                                 &files, nullptr, nullptr, &err),
                BENCH_OK)
          << c.name << ": " << err.msg;
      schema_row.peak_rss_mb = peak > lpeak ? peak : lpeak;
      schema_row.fts_index_mb =
          tst::SqlInt(db_url,
                      "SELECT coalesce(pg_relation_size(to_regclass('code_chunks_tsv')), 0) + "
                      "coalesce(pg_relation_size(to_regclass('code_chunks_tsv_rum')), 0)") /
          1048576.0;
      schema_row.all_index_mb =
          tst::SqlInt(db_url, "SELECT pg_indexes_size('code_chunks')") / 1048576.0;
      printf("%s: indexed the fixture in %.0f ms, the low-vocabulary corpus in %.0f ms\n",
             c.name.c_str(), schema_row.index_ms, schema_row.index_lv_ms);
    }
    row.index_ms = schema_row.index_ms;
    row.index_lv_ms = schema_row.index_lv_ms;
    row.index_load = schema_row.index_load;
    row.peak_rss_mb = schema_row.peak_rss_mb;
    row.fts_index_mb = schema_row.fts_index_mb;
    row.all_index_mb = schema_row.all_index_mb;
    std::string dir = outdir != nullptr ? std::string(outdir) + "/" + c.name : "";
    if (!dir.empty()) mkdir(dir.c_str(), 0755);
    row.fix1 = Search(&e, plan, manifest, project, false, 1, 200, dir, nullptr);
    row.fix10 = Search(&e, plan, manifest, project, false, 10, 1000, dir, nullptr);
    row.lv1 = Search(&e, plan, lmanifest, lproject, true, 1, 80, dir, &row.lv_matches_min);
    row.lv10 = Search(&e, plan, lmanifest, lproject, true, 10, 400, dir, nullptr);
    row.rel_load = Load1();
    cbtest::Relevance rel = cbtest::MeasureRelevance(srv, man, project, 149, false);
    row.relevance = rel.Rate();
    row.rel_queries = rel.queries;
    srv_procstat ps;
    if (srv_procstat_read(tst_server_pid(srv.Raw()), &ps, nullptr) == SRV_OK)
      row.rss_mb = ps.rss_bytes / 1048576.0;
    printf("%s: relevance %d/%d in the top 3, RSS %.0f MB\n", c.name.c_str(), rel.hits, rel.queries,
           row.rss_mb);
    // Every configuration answers, and answers well: the searches of the fixture complete and
    // the expected chunk is found (a broken engine would not reach the table unnoticed).
    EXPECT_TRUE(row.fix10.ok) << c.name << ": " << row.fix10.why;
    EXPECT_GE(rel.queries, 200) << c.name;
    EXPECT_GE(row.relevance, 0.8) << c.name;
    rows.push_back(row);
  }
  srv.Stop();
  tst_manifest_free(man);
  WriteTables(rows);
  bench_env_stop(&base);
}

}  // namespace
