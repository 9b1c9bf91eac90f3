// guides_test.cc — US5: the operations guides are true to what the servers do. The Prometheus
// files pass promtool (check config, check rules, test rules); the guide shows the scrape
// configuration file as it is; every series the guides and rules name exists on live servers and
// every series the servers export is in the guide; the error types listed are the ones counted;
// the health guide's example answer has exactly the keys of a live answer and validates with
// //models.
#include <cjson/cJSON.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "models/health_response.h"
#include "observability/test_util.h"
#include "testing/runfiles.h"

namespace {

class Guides : public obs_test::StackTest<true, true> {};

std::string Runfile(const char *rel) {
  char path[4096];
  if (tst_runfile(rel, path, sizeof path) != 0) return "";
  return path;
}

#define REQUIRE_FILE(var, rel)    \
  std::string var = Runfile(rel); \
  ASSERT_FALSE(var.empty()) << rel << " is not in the test's data"

// US5: promtool accepts the scrape configuration (and the rule file it loads) and the rules.
TEST_F(Guides, US5_PromtoolChecksConfigAndRules) {
  OBS_REQUIRE_PROMTOOL(promtool);
  REQUIRE_FILE(config, "docs/operations/prometheus/prometheus.yml");
  REQUIRE_FILE(rules, "docs/operations/prometheus/alerts.yml");
  std::string out;
  EXPECT_EQ(obs_test::Promtool(promtool, {"check", "config", config}, "", &out), 0) << out;
  EXPECT_NE(out.find("SUCCESS"), std::string::npos) << out;
  EXPECT_EQ(obs_test::Promtool(promtool, {"check", "rules", rules}, "", &out), 0) << out;
  EXPECT_NE(out.find("7 rules found"), std::string::npos) << out;
}

// US5: `promtool test rules`: each alert fires on the series it is about, after its `for`, and not
// on the look-alikes next to it.
TEST_F(Guides, US5_PromtoolTestRulesFireOnTheRightSeries) {
  OBS_REQUIRE_PROMTOOL(promtool);
  REQUIRE_FILE(tests, "docs/operations/prometheus/alerts_test.yml");
  std::string out;
  EXPECT_EQ(obs_test::Promtool(promtool, {"test", "rules", tests}, "", &out), 0) << out;
  EXPECT_NE(out.find("SUCCESS"), std::string::npos) << out;
  // every alert of the rule file has a test
  REQUIRE_FILE(rules, "docs/operations/prometheus/alerts.yml");
  std::string r = obs_test::ReadAll(rules), t = obs_test::ReadAll(tests);
  std::regex alert("- alert: ([A-Za-z]+)");
  int n = 0;
  for (std::sregex_iterator it(r.begin(), r.end(), alert), end; it != end; ++it, n++)
    EXPECT_NE(t.find("alertname: " + (*it)[1].str()), std::string::npos)
        << (*it)[1] << " has no promtool test";
  EXPECT_EQ(n, 7);
}

// US5: the guide shows prometheus.yml as it is, and its alert table lists every rule.
TEST_F(Guides, US5_PrometheusGuideShowsTheShippedFiles) {
  REQUIRE_FILE(guide, "docs/operations/prometheus-integration.md");
  REQUIRE_FILE(config, "docs/operations/prometheus/prometheus.yml");
  REQUIRE_FILE(rules, "docs/operations/prometheus/alerts.yml");
  std::string g = obs_test::ReadAll(guide), c = obs_test::ReadAll(config);
  EXPECT_NE(g.find("```yaml\n" + c + "```"), std::string::npos)
      << "the scrape configuration in the guide differs from prometheus/prometheus.yml";
  std::string r = obs_test::ReadAll(rules);
  std::regex alert("- alert: ([A-Za-z]+)");
  for (std::sregex_iterator it(r.begin(), r.end(), alert), end; it != end; ++it)
    EXPECT_NE(g.find("| `" + (*it)[1].str() + "` |"), std::string::npos)
        << (*it)[1] << " is not in the guide's alert table";
}

// Families (names without the prefix) and sample names of one live scrape.
struct Live {
  std::set<std::string> families, samples, error_types;
};

Live Scrape(const std::string &url, const std::string &prefix) {
  Live l;
  obs_test::Resp r = obs_test::Get(url + "/metrics");
  obs_prom_doc d{};
  obs_err e{};
  EXPECT_EQ(obs_prom_parse(r.body.data(), r.body.size(), &d, &e), OBS_OK) << e.msg;
  for (size_t i = 0; i < d.n_families; i++) {
    l.families.insert(std::string(d.families[i].name).substr(prefix.size()));
    for (size_t j = 0; j < d.families[i].n_samples; j++) {
      const obs_prom_sample &s = d.families[i].samples[j];
      l.samples.insert(s.name);
      const char *t = obs_prom_label_value(&s, "type");
      if (t != nullptr && std::string(s.name) == prefix + "request_errors_total")
        l.error_types.insert(t);
    }
  }
  obs_prom_free(&d);
  return l;
}

// US5: every series the guides and rules name exists on the live servers, and every series the
// servers export is in the guide's table; the error types the guide lists are the ones counted.
TEST_F(Guides, US5_GuidesNameExactlyTheLiveSeries) {
  Live cb = Scrape(stack()->cb(), "codebase_mcp_"), wf = Scrape(stack()->wf(), "workflow_mcp_");
  ASSERT_GT(cb.families.size(), 10u);
  ASSERT_GT(wf.families.size(), 10u);
  REQUIRE_FILE(guide, "docs/operations/prometheus-integration.md");
  std::string g = obs_test::ReadAll(guide);
  int named = 0;
  for (const char *rel :
       {"docs/operations/prometheus-integration.md", "docs/operations/health-monitoring.md",
        "docs/operations/performance-tuning.md", "docs/operations/prometheus/alerts.yml",
        "docs/operations/prometheus/alerts_test.yml"}) {
    REQUIRE_FILE(path, rel);
    std::string text = obs_test::ReadAll(path);
    // codebase_mcp_x / workflow_mcp_x, and (codebase|workflow)_mcp_x in a regex matcher
    std::regex one("\\b(codebase|workflow)_mcp_([a-z_]+)"),
        both("\\(codebase\\|workflow\\)_mcp_([a-z_]+)");
    for (std::sregex_iterator it(text.begin(), text.end(), one), end; it != end; ++it, named++) {
      const Live &l = (*it)[1] == "codebase" ? cb : wf;
      EXPECT_TRUE(l.samples.count((*it)[0].str()) || l.families.count((*it)[2].str()))
          << rel << " names " << (*it)[0] << ", which the server does not export";
    }
    for (std::sregex_iterator it(text.begin(), text.end(), both), end; it != end; ++it, named++) {
      std::string base = (*it)[1].str();
      for (const Live *l : {&cb, &wf}) {
        bool ok = l->families.count(base) > 0;
        for (const char *suf : {"_bucket", "_sum", "_count"})
          if (base.size() > strlen(suf) &&
              base.compare(base.size() - strlen(suf), strlen(suf), suf) == 0)
            ok = ok || l->families.count(base.substr(0, base.size() - strlen(suf))) > 0;
        EXPECT_TRUE(ok) << rel << " matches " << (*it)[0] << ", missing on one server";
      }
    }
  }
  EXPECT_GT(named, 30);
  for (const Live *l : {&cb, &wf})
    for (const std::string &f : l->families)
      EXPECT_NE(g.find("| `" + f + "` |"), std::string::npos)
          << "the server exports " << f << " but the guide's series table does not list it";
  for (const std::string &t : wf.error_types)
    EXPECT_NE(g.find(t), std::string::npos) << "error type " << t << " not in the guide";
  EXPECT_EQ(wf.error_types, cb.error_types);
  EXPECT_EQ(wf.error_types.size(), 13u);
}

std::set<std::string> Keys(const cJSON *o, const std::string &at) {
  std::set<std::string> k;
  for (const cJSON *c = o ? o->child : nullptr; c; c = c->next) {
    k.insert(at + c->string);
    if (cJSON_IsObject(c))
      for (auto &sub : Keys(c, at + c->string + ".")) k.insert(sub);
  }
  return k;
}

// US5 / SC-010: the health guide's example is a valid HealthCheckResponse with exactly the keys
// of a live healthy answer.
TEST_F(Guides, US5_HealthGuideExampleMatchesLiveAnswer) {
  REQUIRE_FILE(guide, "docs/operations/health-monitoring.md");
  std::string g = obs_test::ReadAll(guide);
  size_t a = g.find("```json\n"), b = g.find("```", a + 8);
  ASSERT_NE(a, std::string::npos) << "no ```json example in the guide";
  cJSON *ex = cJSON_Parse(g.substr(a + 8, b - a - 8).c_str());
  ASSERT_NE(ex, nullptr) << "the guide's example is not JSON";
  mdl_health h{};
  mdl_err e{};
  EXPECT_EQ(mdl_health_from_json(ex, &h, &e), MDL_OK) << e.field << ": " << e.msg;
  mdl_health_free(&h);
  std::string last;
  ASSERT_TRUE(obs_test::WaitHealth(
      stack()->wf(),
      [](const cJSON *j, long st) { return st == 200 && obs_test::JStr(j, "status") == "healthy"; },
      10000, &last))
      << last;
  cJSON *live = cJSON_Parse(obs_test::Get(stack()->wf() + "/health").body.c_str());
  ASSERT_NE(live, nullptr);
  EXPECT_EQ(Keys(ex, ""), Keys(live, "")) << "the guide's example and a live answer differ";
  // the guide's table names every key of the answer
  for (const std::string &k : Keys(live, "")) {
    std::string leaf = k.substr(k.rfind('.') == std::string::npos ? 0 : k.rfind('.') + 1);
    EXPECT_TRUE(g.find("`" + k) != std::string::npos || g.find("`" + leaf) != std::string::npos)
        << k << " is not explained in the guide";
  }
  cJSON_Delete(ex);
  cJSON_Delete(live);
}

// US5: the tuning guide's settings table names the servers' real flags and variables with their
// real defaults (as each binary's --help states them).
TEST_F(Guides, US5_TuningGuideSettingsMatchTheServersHelp) {
  REQUIRE_FILE(guide, "docs/operations/performance-tuning.md");
  REQUIRE_FILE(cb_bin, BENCH_CODEBASE_BIN);
  REQUIRE_FILE(wf_bin, BENCH_WORKFLOW_BIN);
  std::string help[2];
  const std::string *bins[2] = {&cb_bin, &wf_bin};
  for (int i = 0; i < 2; i++) {
    char out[32768];
    int status = 0;
    tst_err err{};
    const char *args[] = {"--help", nullptr};
    ASSERT_EQ(tst_run(bins[i]->c_str(), args, nullptr, 20000, &status, out, sizeof out, &err),
              TST_OK)
        << err.msg;
    help[i] = out;
  }
  std::string g = obs_test::ReadAll(guide);
  std::regex row("\\| `([A-Z_]+)` / `(--[a-z-]+)` \\| ([^|]+) \\|");
  std::regex two("codebase-mcp ([0-9]+), workflow-mcp ([0-9]+)"), one("^([0-9]+)");
  int rows = 0;
  for (std::sregex_iterator it(g.begin(), g.end(), row), end; it != end; ++it, rows++) {
    std::string var = (*it)[1], flag = (*it)[2], def = (*it)[3];
    std::smatch m;
    std::string want[2];
    if (std::regex_search(def, m, two)) {
      want[0] = m[1];
      want[1] = m[2];
    } else if (std::regex_search(def, m, one)) {
      want[0] = want[1] = m[1];
    }
    for (int i = 0; i < 2; i++) {
      EXPECT_NE(help[i].find(flag + " "), std::string::npos) << flag << " not in --help";
      if (!want[i].empty()) {
        EXPECT_NE(help[i].find("env " + var + ", default " + want[i]), std::string::npos)
            << (i ? "workflow" : "codebase") << "-mcp: " << var << " default is not " << want[i];
      }
    }
  }
  EXPECT_EQ(rows, 5) << "settings rows found in the guide";
}

}  // namespace
