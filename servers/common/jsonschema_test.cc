// Proves issue 4 item 2: "arguments are checked against the schema before the handler runs",
// with messages that name the path, the rule and the value.
#include "servers/common/jsonschema.h"

#include <gtest/gtest.h>

#include <string>

namespace {

struct Json {
  cJSON *v;
  explicit Json(const char *text) : v(cJSON_Parse(text)) {}
  ~Json() {
    cJSON_Delete(v);
  }
};

const char *kSchema = R"({
  "type": "object",
  "properties": {
    "query": {"type": "string", "minLength": 1, "maxLength": 10},
    "limit": {"type": "integer", "minimum": 1, "maximum": 50},
    "score": {"type": "number", "exclusiveMinimum": 0},
    "mode":  {"enum": ["fast", "full"]},
    "tags":  {"type": "array", "items": {"type": "string"}, "maxItems": 3},
    "flag":  {"type": "boolean"},
    "none":  {"type": "null"},
    "id":    {"type": "string", "pattern": "^[a-f0-9]{4}$"},
    "nested": {"type": "object", "properties": {"x": {"type": "integer"}},
               "required": ["x"], "additionalProperties": false}
  },
  "required": ["query"],
  "additionalProperties": false
})";

std::string Validate(const char *args) {
  Json schema(kSchema), value(args);
  EXPECT_NE(schema.v, nullptr);
  EXPECT_NE(value.v, nullptr) << args;
  srv_err err;
  srv_err_clear(&err);
  srv_code rc = srv_schema_validate(schema.v, value.v, "arguments", &err);
  if (rc == SRV_OK) return "ok";
  EXPECT_EQ(rc, SRV_EINVAL);
  return err.msg;
}

TEST(JsonSchema, ValidArgumentsPass) {
  EXPECT_EQ(Validate(R"({"query":"abc","limit":50,"score":0.5,"mode":"fast","tags":["a"],
                         "flag":true,"none":null,"id":"ab12","nested":{"x":1}})"),
            "ok");
}

TEST(JsonSchema, MaximumNamesPathRuleAndValue) {
  EXPECT_EQ(Validate(R"({"query":"a","limit":500})"), "arguments.limit must be <= 50 (got 500)");
  EXPECT_EQ(Validate(R"({"query":"a","limit":0})"), "arguments.limit must be >= 1 (got 0)");
  EXPECT_EQ(Validate(R"({"query":"a","score":0})"), "arguments.score must be > 0 (got 0)");
}

TEST(JsonSchema, TypeErrors) {
  EXPECT_EQ(Validate(R"({"query":"a","limit":2.5})"),
            "arguments.limit must be an integer (got 2.5)");
  EXPECT_EQ(Validate(R"({"query":"a","limit":"5"})"),
            "arguments.limit must be an integer (got \"5\")");
  EXPECT_EQ(Validate(R"({"query":7})"), "arguments.query must be a string (got 7)");
  EXPECT_EQ(Validate(R"({"query":"a","flag":1})"), "arguments.flag must be a boolean (got 1)");
  EXPECT_EQ(Validate(R"({"query":"a","none":false})"), "arguments.none must be a null (got false)");
  EXPECT_EQ(Validate(R"([1])"), "arguments must be an object (got array)");
}

TEST(JsonSchema, RequiredAndAdditionalProperties) {
  EXPECT_EQ(Validate(R"({})"), "arguments.query is required");
  std::string m = Validate(R"({"query":"a","limt":5})");
  EXPECT_EQ(m.rfind("arguments.limt is not an allowed property (allowed: query, limit", 0), 0u)
      << m;
  EXPECT_EQ(Validate(R"({"query":"a","nested":{}})"), "arguments.nested.x is required");
  EXPECT_EQ(Validate(R"({"query":"a","nested":{"x":1,"y":2}})"),
            "arguments.nested.y is not an allowed property (allowed: x)");
}

TEST(JsonSchema, StringLengthEnumPatternItems) {
  EXPECT_EQ(Validate(R"({"query":""})"),
            "arguments.query must be at least 1 characters long (got 0)");
  EXPECT_EQ(Validate(R"({"query":"abcdefghijk"})"),
            "arguments.query must be at most 10 characters long (got 11)");
  // Lengths count code points, not bytes: ten two-byte characters fit.
  EXPECT_EQ(
      Validate(
          "{\"query\":"
          "\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}"),
      "ok");
  EXPECT_EQ(Validate(R"({"query":"a","mode":"slow"})"),
            "arguments.mode must be one of \"fast\", \"full\" (got \"slow\")");
  EXPECT_EQ(Validate(R"({"query":"a","id":"zz"})"),
            "arguments.id must match the pattern ^[a-f0-9]{4}$ (got \"zz\")");
  EXPECT_EQ(Validate(R"({"query":"a","tags":["x",3]})"),
            "arguments.tags[1] must be a string (got 3)");
  EXPECT_EQ(Validate(R"({"query":"a","tags":["a","b","c","d"]})"),
            "arguments.tags must have at most 3 items (got 4)");
}

TEST(JsonSchema, DeepNestingIsBoundedNotACrash) {
  // A schema that recurses through additionalProperties, fed a 100-deep object.
  Json schema(R"({"type":"object","additionalProperties":{"type":"object",
                 "additionalProperties":{"type":"object","additionalProperties":true}}})");
  std::string deep;
  for (int i = 0; i < 100; i++) deep += "{\"a\":";
  deep += "1";
  for (int i = 0; i < 100; i++) deep += "}";
  Json value(deep.c_str());
  ASSERT_NE(value.v, nullptr);
  srv_err err;
  EXPECT_EQ(srv_schema_validate(schema.v, value.v, "arguments", &err), SRV_OK);
}

TEST(JsonSchema, SchemaCheckRejectsTypos) {
  srv_err err;
  Json bad_type(R"({"type":"obejct"})");
  EXPECT_EQ(srv_schema_check(bad_type.v, "inputSchema", &err), SRV_EINVAL);
  EXPECT_STREQ(err.msg, "schema inputSchema.type \"obejct\" is not a JSON Schema type");
  Json bad_max(R"({"type":"object","properties":{"n":{"type":"integer","maximum":"5"}}})");
  EXPECT_EQ(srv_schema_check(bad_max.v, "inputSchema", &err), SRV_EINVAL);
  EXPECT_STREQ(err.msg, "schema inputSchema.n.maximum must be a number");
  Json good(kSchema);
  EXPECT_EQ(srv_schema_check(good.v, "inputSchema", &err), SRV_OK);
}

}  // namespace
