// json_oom_test.cc — out of memory while building JSON: every record kind, with cJSON's allocator
// failing at its 1st, 2nd, ... allocation, either serialises exactly as it does with memory to
// spare or reports MDL_ENOMEM (no partial record, no crash; under --config=asan, no leak).
#include <cjson/cJSON.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "models/record_kind.h"
#include "models/test_util.h"

namespace {

// cJSON's allocator: fails every allocation after the first `budget` ones.
long g_budget = -1;  // < 0: never fail
long g_failures = 0;

void *FailingMalloc(size_t n) {
  if (g_budget >= 0 && g_budget-- == 0) {
    g_failures++;
    g_budget = 0;  // and every one after it
    return nullptr;
  }
  return malloc(n);
}

class JsonOom : public ::testing::TestWithParam<mdl_record_kind> {
 protected:
  void SetUp() override {
    cJSON_Hooks hooks = {FailingMalloc, free};
    cJSON_InitHooks(&hooks);
  }
  void TearDown() override {
    g_budget = -1;
    cJSON_InitHooks(nullptr);
  }
};

const char *FixtureOf(mdl_record_kind k) {
  switch (k) {
    case MDL_REC_BENCHMARK_RESULT:
      return "benchmark_result.json";
    case MDL_REC_INTEGRATION_CASE:
      return "integration_case.json";
    case MDL_REC_LOAD_RESULT:
      return "load_result.json";
    case MDL_REC_HEALTH:
      return "health.json";
    case MDL_REC_METRICS:
      return "metrics.json";
    default:
      return "histogram.json";
  }
}

std::string Canonical(mdl_record_kind k, const cJSON *j, mdl_err *err) {
  cJSON *c = mdl_record_canonical(k, j, err);
  if (c == nullptr) return "";
  mdltest::Doc d(c);
  return d.Print();
}

TEST_P(JsonOom, EachFailedAllocationIsReportedAsOutOfMemory) {
  mdl_record_kind k = GetParam();
  auto doc = mdltest::Fixture(FixtureOf(k));
  mdl_err err;
  const std::string want = Canonical(k, doc->j, &err);
  ASSERT_FALSE(want.empty()) << err.field << ": " << err.msg;

  long failed_runs = 0;
  bool succeeded = false;
  for (long budget = 0; budget < 100000 && !succeeded; budget++) {
    g_failures = 0;
    g_budget = budget;
    mdl_err_clear(&err);
    cJSON *c = mdl_record_canonical(k, doc->j, &err);
    bool hit = g_failures > 0;
    g_budget = -1;
    if (c == nullptr) {
      ASSERT_TRUE(hit) << "budget " << budget << ": NULL without a failed allocation: " << err.msg;
      EXPECT_EQ(err.code, MDL_ENOMEM)
          << "budget " << budget << ": " << err.field << ": " << err.msg;
      failed_runs++;
      continue;
    }
    mdltest::Doc got(c);
    if (hit) {
      // A failed allocation the code recovered from must not change the record.
      EXPECT_EQ(got.Print(), want) << "budget " << budget;
      continue;
    }
    EXPECT_EQ(got.Print(), want);
    succeeded = true;
  }
  EXPECT_TRUE(succeeded) << "never serialised with enough memory";
  EXPECT_GT(failed_runs, 0) << "no allocation failure reached the serialiser";
}

INSTANTIATE_TEST_SUITE_P(AllKinds, JsonOom,
                         ::testing::Values(MDL_REC_BENCHMARK_RESULT, MDL_REC_INTEGRATION_CASE,
                                           MDL_REC_LOAD_RESULT, MDL_REC_HEALTH, MDL_REC_METRICS,
                                           MDL_REC_HISTOGRAM),
                         [](const ::testing::TestParamInfo<mdl_record_kind> &i) {
                           return std::string(mdl_record_kind_name(i.param));
                         });

}  // namespace
