// promparse_test.cc — the strict 0.0.4 parser accepts the format and refuses each broken rule
// with the line at fault (so a /metrics test failure says where the exposition is wrong).
#include "observability/promparse.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>

namespace {

obs_code Parse(const std::string &t, obs_prom_doc *d, obs_err *e) {
  return obs_prom_parse(t.data(), t.size(), d, e);
}

const char *kGood =
    "# HELP x_requests_total Requests served, per route\n"
    "# TYPE x_requests_total counter\n"
    "x_requests_total{route=\"GET /health\"} 3\n"
    "x_requests_total{route=\"POST /mcp/\\\"q\\\"\\\\\"} 1 1700000000000\n"
    "\n"
    "# a comment\n"
    "# TYPE x_up gauge\n"
    "x_up -1.5e-3\n"
    "# HELP x_d_seconds Latency\\nsecond line\n"
    "# TYPE x_d_seconds histogram\n"
    "x_d_seconds_bucket{route=\"a\",le=\"0.1\"} 1\n"
    "x_d_seconds_bucket{route=\"a\",le=\"1\"} 2\n"
    "x_d_seconds_bucket{route=\"a\",le=\"+Inf\"} 2\n"
    "x_d_seconds_sum{route=\"a\"} 0.7\n"
    "x_d_seconds_count{route=\"a\"} 2\n"
    "untyped_thing NaN\n";

TEST(PromParse, US5_AcceptsTheFormat) {
  obs_prom_doc d{};
  obs_err e{};
  ASSERT_EQ(Parse(kGood, &d, &e), OBS_OK) << "line " << e.line << ": " << e.msg;
  ASSERT_EQ(d.n_families, 4u);
  const obs_prom_family *c = obs_prom_family_find(&d, "x_requests_total");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->type, OBS_PROM_COUNTER);
  EXPECT_STREQ(c->help, "Requests served, per route");
  ASSERT_EQ(c->n_samples, 2u);
  EXPECT_STREQ(obs_prom_label_value(&c->samples[1], "route"), "POST /mcp/\"q\"\\");
  EXPECT_TRUE(c->samples[1].has_timestamp);
  EXPECT_EQ(c->samples[1].timestamp_ms, 1700000000000LL);
  const char *kv[] = {"route", "a", "le", "+Inf", nullptr};
  const obs_prom_sample *inf = obs_prom_sample_find(&d, "x_d_seconds_bucket", kv);
  ASSERT_NE(inf, nullptr);
  EXPECT_EQ(inf->value, 2);
  EXPECT_STREQ(obs_prom_family_find(&d, "x_d_seconds")->help, "Latency\nsecond line");
  EXPECT_DOUBLE_EQ(obs_prom_sample_find(&d, "x_up", nullptr)->value, -1.5e-3);
  EXPECT_TRUE(std::isnan(obs_prom_sample_find(&d, "untyped_thing", nullptr)->value));
  EXPECT_EQ(obs_prom_family_find(&d, "untyped_thing")->type, OBS_PROM_UNTYPED);
  obs_prom_free(&d);
}

struct Bad {
  const char *text;
  int line;
  const char *rule;  // a piece of the message
};

TEST(PromParse, US5_RefusesEachBrokenRule) {
  const Bad cases[] = {
      {"a 1", 1, "newline"},
      {"a 1\r\n", 1, "\\r\\n"},
      {"1a 1\n", 1, "no metric name"},
      {"a{1b=\"x\"} 1\n", 1, "bad label name"},
      {"a{b=\"x\",b=\"y\"} 1\n", 1, "appears twice"},
      {"a{__b=\"x\"} 1\n", 1, "reserved"},
      {"a{b=\"x} 1\n", 1, "not closed"},
      {"a{b=\"\\q\"} 1\n", 1, "invalid escape"},
      {"a one\n", 1, "not a number"},
      {"a 1 12.5\n", 1, "timestamp"},
      {"a 1\nb 1\na 2\n", 3, "not contiguous"},
      {"a 1\na 2\n", 2, "appears twice"},
      {"# TYPE a counter\n# TYPE a counter\na 1\n", 2, "second # TYPE"},
      {"# HELP a x\n# HELP a y\na 1\n", 2, "second # HELP"},
      {"a 1\n# TYPE a gauge\n", 2, "after that family's samples"},
      {"# TYPE a widget\n", 1, "unknown type"},
      {"# TYPE a_total counter\na_total -1\n", 2, "counter"},
      {"# TYPE h histogram\nh 1\n", 2, "only _bucket"},
      {"# TYPE h histogram\nh_bucket 1\nh_sum 1\nh_count 1\n", 2, "no le"},
      {"# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"0.5\"} 1\n"
       "h_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
       3, "not above"},
      {"# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", 3,
       "cumulative"},
      {"# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n", 2, "+Inf"},
      {"# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n", 2, "_sum"},
      {"# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\n", 2, "_count"},
      {"# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 1\n", 2, "differs"},
      {"# TYPE h histogram\nh_bucket{le=\"x\"} 2\nh_sum 1\nh_count 1\n", 2, "not a number"},
  };
  for (const Bad &b : cases) {
    obs_prom_doc d{};
    obs_err e{};
    EXPECT_EQ(Parse(b.text, &d, &e), OBS_EPARSE) << b.text;
    EXPECT_EQ(e.line, b.line) << b.text << " -> " << e.msg;
    EXPECT_NE(strstr(e.msg, b.rule), nullptr) << b.text << " -> " << e.msg;
    EXPECT_EQ(d.n_families, 0u);
  }
}

}  // namespace
