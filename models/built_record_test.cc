// built_record_test.cc — records the servers build in C (not parsed from JSON): each
// mdl_*_validate rejects a bad field with its code, path and rule; the enum names parse back; the
// maps' own rules (key length, replace, finite floats); mdl_strerror's stable code names.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "models/benchmark_result.h"
#include "models/error.h"
#include "models/health_response.h"
#include "models/integration_case.h"
#include "models/load_result.h"
#include "models/maps.h"
#include "models/test_util.h"

namespace {

using mdltest::Fixture;

// Asserts err holds code, field and a message containing rule.
void ExpectErr(mdl_code rc, const mdl_err &err, mdl_code code, const char *field,
               const std::string &rule) {
  EXPECT_EQ(rc, code) << err.field << ": " << err.msg;
  EXPECT_EQ(err.code, code);
  EXPECT_STREQ(err.field, field) << err.msg;
  EXPECT_NE(std::string(err.msg).find(rule), std::string::npos)
      << "message \"" << err.msg << "\" lacks \"" << rule << "\"";
}

TEST(ErrorNames, EveryCodeHasItsStableName) {
  const struct {
    mdl_code code;
    const char *name;
  } want[] = {{MDL_OK, "ok"},
              {MDL_EJSON, "not_json"},
              {MDL_ETYPE, "wrong_type"},
              {MDL_EMISSING, "missing_field"},
              {MDL_EENUM, "unknown_enum_value"},
              {MDL_ERANGE, "out_of_range"},
              {MDL_ERULE, "rule_violated"},
              {MDL_ENOMEM, "out_of_memory"},
              {MDL_EIO, "io_error"}};
  for (const auto &w : want) EXPECT_STREQ(mdl_strerror(w.code), w.name) << (int)w.code;
  EXPECT_STREQ(mdl_strerror(MDL_ECODE_COUNT), "unknown_error");
  EXPECT_STREQ(mdl_strerror((mdl_code)99), "unknown_error");
}

TEST(EnumNames, EveryNameParsesBackAndUnknownNamesAreRefused) {
  for (int i = 0; i < MDL_OP_COUNT; i++) {
    mdl_operation_type t = MDL_OP_COUNT;
    ASSERT_TRUE(mdl_operation_type_parse(mdl_operation_type_name((mdl_operation_type)i), &t));
    EXPECT_EQ(t, i);
  }
  for (int i = 0; i < MDL_STATUS_COUNT; i++) {
    mdl_pass_status s = MDL_STATUS_COUNT;
    ASSERT_TRUE(mdl_pass_status_parse(mdl_pass_status_name((mdl_pass_status)i), &s));
    EXPECT_EQ(s, i);
  }
  for (int i = 0; i < MDL_HEALTH_COUNT; i++) {
    mdl_health_status s = MDL_HEALTH_COUNT;
    ASSERT_TRUE(mdl_health_status_parse(mdl_health_status_name((mdl_health_status)i), &s));
    EXPECT_EQ(s, i);
  }
  for (int i = 0; i < MDL_DB_COUNT; i++) {
    mdl_db_status s = MDL_DB_COUNT;
    ASSERT_TRUE(mdl_db_status_parse(mdl_db_status_name((mdl_db_status)i), &s));
    EXPECT_EQ(s, i);
  }
  for (int i = 0; i < MDL_RUN_COUNT; i++) {
    mdl_run_status s = MDL_RUN_COUNT;
    ASSERT_TRUE(mdl_run_status_parse(mdl_run_status_name((mdl_run_status)i), &s));
    EXPECT_EQ(s, i);
  }
  EXPECT_STREQ(mdl_operation_type_name(MDL_OP_SEARCH), "search");
  EXPECT_STREQ(mdl_pass_status_name(MDL_STATUS_WARNING), "warning");
  EXPECT_STREQ(mdl_health_status_name(MDL_HEALTH_UNHEALTHY), "unhealthy");
  EXPECT_STREQ(mdl_db_status_name(MDL_DB_DISCONNECTED), "disconnected");
  EXPECT_STREQ(mdl_run_status_name(MDL_RUN_SKIPPED), "skipped");
  mdl_operation_type t = MDL_OP_INDEX;
  mdl_pass_status p = MDL_STATUS_PASS;
  mdl_health_status h = MDL_HEALTH_HEALTHY;
  mdl_db_status d = MDL_DB_CONNECTED;
  mdl_run_status r = MDL_RUN_PASS;
  EXPECT_FALSE(mdl_operation_type_parse("Search", &t));  // names are case-sensitive
  EXPECT_FALSE(mdl_operation_type_parse(nullptr, &t));
  EXPECT_FALSE(mdl_pass_status_parse("passed", &p));
  EXPECT_FALSE(mdl_health_status_parse("ok", &h));
  EXPECT_FALSE(mdl_db_status_parse("", &d));
  EXPECT_FALSE(mdl_run_status_parse(nullptr, &r));
  // A refused name leaves the output alone.
  EXPECT_EQ(t, MDL_OP_INDEX);
  EXPECT_EQ(p, MDL_STATUS_PASS);
  EXPECT_EQ(h, MDL_HEALTH_HEALTHY);
  EXPECT_EQ(d, MDL_DB_CONNECTED);
  EXPECT_EQ(r, MDL_RUN_PASS);
}

class BuiltBenchmark : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = Fixture("benchmark_result.json");
    mdl_err err;
    ASSERT_EQ(mdl_benchmark_result_from_json(d->j, &r, &err), MDL_OK) << err.msg;
    ASSERT_EQ(mdl_benchmark_result_validate(&r, &err), MDL_OK) << err.msg;
  }
  void TearDown() override {
    mdl_benchmark_result_free(&r);
  }
  mdl_benchmark_result r;
};

TEST_F(BuiltBenchmark, BadBenchmarkIdIsOutOfRange) {
  mdl_err err;
  snprintf(r.benchmark_id, sizeof r.benchmark_id, "not-a-uuid");
  ExpectErr(mdl_benchmark_result_validate(&r, &err), err, MDL_ERANGE, "benchmark_id",
            "benchmark_id must be a UUID");
}

TEST_F(BuiltBenchmark, UnknownServerIdIsAnEnumError) {
  mdl_err err;
  r.server_id = MDL_SERVER_COUNT;
  ExpectErr(mdl_benchmark_result_validate(&r, &err), err, MDL_EENUM, "server_id",
            "server_id must be \"codebase-mcp\" or \"workflow-mcp\"");
}

TEST_F(BuiltBenchmark, BadTimestampIsOutOfRange) {
  mdl_err err;
  snprintf(r.timestamp, sizeof r.timestamp, "yesterday");
  ExpectErr(mdl_benchmark_result_validate(&r, &err), err, MDL_ERANGE, "timestamp",
            "timestamp must be an ISO 8601 UTC time");
}

TEST_F(BuiltBenchmark, UnknownPassStatusIsAnEnumError) {
  mdl_err err;
  r.pass_status = MDL_STATUS_COUNT;
  ExpectErr(mdl_benchmark_result_validate(&r, &err), err, MDL_EENUM, "pass_status",
            "pass_status must be one of");
}

class BuiltHealth : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = Fixture("health.json");
    mdl_err err;
    ASSERT_EQ(mdl_health_from_json(d->j, &h, &err), MDL_OK) << err.msg;
    ASSERT_EQ(mdl_health_validate(&h, &err), MDL_OK) << err.msg;
  }
  void TearDown() override {
    mdl_health_free(&h);
  }
  mdl_health h;
};

TEST_F(BuiltHealth, UnknownStatusIsAnEnumError) {
  mdl_err err;
  h.status = MDL_HEALTH_COUNT;
  ExpectErr(mdl_health_validate(&h, &err), err, MDL_EENUM, "status", "status must be one of");
}

TEST_F(BuiltHealth, BadTimestampIsOutOfRange) {
  mdl_err err;
  h.timestamp[0] = '\0';
  ExpectErr(mdl_health_validate(&h, &err), err, MDL_ERANGE, "timestamp",
            "timestamp must be an ISO 8601 UTC time");
}

TEST_F(BuiltHealth, UnknownDatabaseStatusIsAnEnumError) {
  mdl_err err;
  h.database_status = MDL_DB_COUNT;
  ExpectErr(mdl_health_validate(&h, &err), err, MDL_EENUM, "database_status",
            "database_status must be one of");
}

class BuiltLoad : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = Fixture("load_result.json");
    mdl_err err;
    ASSERT_EQ(mdl_load_result_from_json(d->j, &r, &err), MDL_OK) << err.msg;
    ASSERT_EQ(mdl_load_result_validate(&r, &err), MDL_OK) << err.msg;
  }
  void TearDown() override {
    mdl_load_result_free(&r);
  }
  mdl_load_result r;
};

TEST_F(BuiltLoad, BadTestIdIsOutOfRange) {
  mdl_err err;
  r.test_id[8] = 'x';
  ExpectErr(mdl_load_result_validate(&r, &err), err, MDL_ERANGE, "test_id",
            "test_id must be a UUID");
}

TEST_F(BuiltLoad, UnknownServerIdIsAnEnumError) {
  mdl_err err;
  r.server_id = (mdl_server_id)-1;
  ExpectErr(mdl_load_result_validate(&r, &err), err, MDL_EENUM, "server_id",
            "server_id must be \"codebase-mcp\" or \"workflow-mcp\"");
}

TEST_F(BuiltLoad, BadTimestampIsOutOfRange) {
  mdl_err err;
  snprintf(r.timestamp, sizeof r.timestamp, "2025-13-45T99:00:00Z");
  ExpectErr(mdl_load_result_validate(&r, &err), err, MDL_ERANGE, "timestamp",
            "timestamp must be an ISO 8601 UTC time");
}

TEST_F(BuiltLoad, ErrorBreakdownHoldsAtMost1024Types) {
  mdl_err err;
  for (int i = 0; r.error_breakdown_count < 1024; i++) {
    std::string type = "e" + std::to_string(i);
    ASSERT_EQ(mdl_load_result_add_error(&r, type.c_str(), 0, 0, &err), MDL_OK) << err.msg;
  }
  EXPECT_EQ(mdl_load_result_validate(&r, &err), MDL_OK) << err.field << ": " << err.msg;
  mdltest::Doc at_cap(mdl_load_result_to_json(&r));
  ASSERT_EQ(mdl_load_result_add_error(&r, "one_more", 0, 0, &err), MDL_OK) << err.msg;
  ExpectErr(mdl_load_result_validate(&r, &err), err, MDL_ERANGE, "error_breakdown",
            "error_breakdown must have at most 1024 entries");
  // Parsing refuses the same document, and accepts it at the cap.
  mdltest::Doc over(mdl_load_result_to_json(&r));
  ASSERT_NE(over.j, nullptr);
  mdl_load_result back;
  ExpectErr(mdl_load_result_from_json(over.j, &back, &err), err, MDL_ERANGE, "error_breakdown",
            "error_breakdown must have at most 1024 entries");
  ASSERT_NE(at_cap.j, nullptr);
  ASSERT_EQ(mdl_load_result_from_json(at_cap.j, &back, &err), MDL_OK) << err.field << err.msg;
  EXPECT_EQ(back.error_breakdown_count, 1024u);
  mdl_load_result_free(&back);
}

class BuiltCase : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = Fixture("integration_case.json");
    mdl_err err;
    ASSERT_EQ(mdl_integration_case_from_json(d->j, &c, &err), MDL_OK) << err.msg;
    ASSERT_EQ(mdl_integration_case_validate(&c, &err), MDL_OK) << err.msg;
    ASSERT_GE(c.workflow_steps.count, 1u);
  }
  void TearDown() override {
    mdl_integration_case_free(&c);
  }
  mdl_integration_case c;
};

TEST_F(BuiltCase, BadTestIdIsOutOfRange) {
  mdl_err err;
  c.test_id[0] = 'g';
  ExpectErr(mdl_integration_case_validate(&c, &err), err, MDL_ERANGE, "test_id",
            "test_id must be a UUID");
}

TEST_F(BuiltCase, RequiredServersCountIsBounded) {
  mdl_err err;
  size_t was = c.required_server_count;
  c.required_server_count = 0;
  ExpectErr(mdl_integration_case_validate(&c, &err), err, MDL_ERANGE, "required_servers",
            "required_servers must list 1-2 server ids (got 0)");
  c.required_server_count = was;
}

TEST_F(BuiltCase, UnknownRequiredServerIsAnEnumError) {
  mdl_err err;
  mdl_server_id was = c.required_servers[0];
  c.required_servers[0] = MDL_SERVER_COUNT;
  ExpectErr(mdl_integration_case_validate(&c, &err), err, MDL_EENUM, "required_servers[0]",
            "required_servers entries must be");
  c.required_servers[0] = was;
}

TEST_F(BuiltCase, UnknownLastRunStatusIsAnEnumError) {
  mdl_err err;
  c.last_run_status = MDL_RUN_COUNT;
  ExpectErr(mdl_integration_case_validate(&c, &err), err, MDL_EENUM, "last_run_status",
            "last_run_status must be one of");
}

TEST_F(BuiltCase, BadLastRunTimestampIsOutOfRange) {
  mdl_err err;
  c.has_last_run_timestamp = true;
  snprintf(c.last_run_timestamp, sizeof c.last_run_timestamp, "soon");
  ExpectErr(mdl_integration_case_validate(&c, &err), err, MDL_ERANGE, "last_run_timestamp",
            "last_run_timestamp must be an ISO 8601 UTC time");
}

TEST_F(BuiltCase, StepWithUnknownServerIsAnEnumError) {
  mdl_err err;
  mdl_integration_step *s = &c.workflow_steps.items[0];
  mdl_server_id was = s->server;
  s->server = MDL_SERVER_COUNT;
  ExpectErr(mdl_integration_case_validate(&c, &err), err, MDL_EENUM, "workflow_steps[0].server",
            "server must be \"codebase-mcp\" or \"workflow-mcp\"");
  s->server = was;
}

TEST_F(BuiltCase, StepAssertionsMustBeNonEmpty) {
  mdl_err err;
  mdl_integration_step *s = &c.workflow_steps.items[0];
  char empty[] = "";
  char *one[] = {empty};
  char **was = s->assertions;
  size_t was_n = s->assertion_count;
  s->assertions = one;
  s->assertion_count = 1;
  ExpectErr(mdl_integration_case_validate(&c, &err), err, MDL_ERANGE,
            "workflow_steps[0].assertions[0]", "assertions must be non-empty strings");
  // Too many assertions: refused before any is looked at (the count alone is over the cap).
  s->assertion_count = 100000;
  ExpectErr(mdl_integration_case_validate(&c, &err), err, MDL_ERANGE,
            "workflow_steps[0].assertions", "assertions must have at most");
  s->assertions = was;
  s->assertion_count = was_n;
  EXPECT_EQ(mdl_integration_case_validate(&c, &err), MDL_OK) << err.msg;
}

TEST(Params, KeysMustBeNonEmptyAndAtMost255Bytes) {
  mdl_params p = {};
  mdl_err err;
  ExpectErr(mdl_params_set_int(&p, "", 1, &err), err, MDL_ERANGE, "", "key must not be empty");
  ExpectErr(mdl_params_set_string(&p, std::string(256, 'k').c_str(), "v", &err), err, MDL_ERANGE,
            "", "key must be at most 255 bytes");
  EXPECT_EQ(mdl_params_set_int(&p, std::string(255, 'k').c_str(), 1, &err), MDL_OK) << err.msg;
  EXPECT_EQ(p.count, 1u);
  mdl_params_free(&p);
}

TEST(Params, SettingAKeyAgainReplacesItsValueAndKind) {
  mdl_params p = {};
  mdl_err err;
  ASSERT_EQ(mdl_params_set_string(&p, "mode", "fast", &err), MDL_OK);
  ASSERT_EQ(mdl_params_set_int(&p, "n", 3, &err), MDL_OK);
  ASSERT_EQ(mdl_params_set_float(&p, "mode", 2.5, &err), MDL_OK);
  ASSERT_EQ(p.count, 2u);  // replaced, not appended
  const mdl_param *m = mdl_params_get(&p, "mode");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->kind, MDL_PARAM_FLOAT);
  EXPECT_DOUBLE_EQ(m->f, 2.5);
  EXPECT_EQ(p.items[0].key, m->key);  // the entry keeps its place
  ASSERT_EQ(mdl_params_set_string(&p, "n", "three", &err), MDL_OK);
  EXPECT_STREQ(mdl_params_get(&p, "n")->str, "three");
  mdl_params_free(&p);
}

TEST(Params, FloatsMustBeFiniteAndAFailureLeavesTheMapUnchanged) {
  mdl_params p = {};
  mdl_err err;
  ASSERT_EQ(mdl_params_set_float(&p, "x", 1.0, &err), MDL_OK);
  ExpectErr(mdl_params_set_float(&p, "x", NAN, &err), err, MDL_ERANGE, "",
            "parameter x must be a finite number");
  ExpectErr(mdl_params_set_float(&p, "y", INFINITY, &err), err, MDL_ERANGE, "",
            "parameter y must be a finite number");
  ASSERT_EQ(p.count, 1u);
  EXPECT_DOUBLE_EQ(mdl_params_get(&p, "x")->f, 1.0);
  // A string under a bad key is refused and not kept (ASan's leak check sees a lost copy).
  EXPECT_EQ(mdl_params_set_string(&p, "", "v", &err), MDL_ERANGE);
  EXPECT_EQ(p.count, 1u);
  mdl_params_free(&p);
}

TEST(StrMap, SettingAKeyAgainReplacesItsValue) {
  mdl_strmap m = {};
  mdl_err err;
  ASSERT_EQ(mdl_strmap_set(&m, "db", "ok", &err), MDL_OK);
  ASSERT_EQ(mdl_strmap_set(&m, "cache", "cold", &err), MDL_OK);
  ASSERT_EQ(mdl_strmap_set(&m, "db", "down", &err), MDL_OK);
  EXPECT_EQ(m.count, 2u);
  EXPECT_STREQ(mdl_strmap_get(&m, "db"), "down");
  EXPECT_STREQ(m.items[0].key, "db");  // the entry keeps its place
  ExpectErr(mdl_strmap_set(&m, "", "x", &err), err, MDL_ERANGE, "", "key must not be empty");
  EXPECT_EQ(m.count, 2u);
  mdl_strmap_free(&m);
}

}  // namespace
