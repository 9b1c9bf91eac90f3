// Unit tests of entity type schemas: registration check and write-time validation messages that
// name the failing path (issue 6: "data.amount must be >= 0 (got -5)").
#include "servers/workflow_mcp/entity_schema.h"

#include <cjson/cJSON.h>
#include <gtest/gtest.h>

#include <string>

namespace {

const char *kInvoice = R"({"type":"object","required":["amount","currency"],
  "properties":{"amount":{"type":"number","minimum":0,"maximum":1000000},
                "currency":{"type":"string","enum":["EUR","USD"]},
                "lines":{"type":"array","items":{"type":"object","required":["sku"],
                         "properties":{"sku":{"type":"string"},"qty":{"type":"integer","minimum":1}}}},
                "vendor":{"type":"object","properties":{"name":{"type":"string"}}}}})";

std::string Validate(const char *schema, const char *data, srv_code *rc) {
  cJSON *s = cJSON_Parse(schema);
  cJSON *d = cJSON_Parse(data);
  srv_err err;
  srv_err_clear(&err);
  *rc = wf_entity_validate(s, d, &err);
  cJSON_Delete(s);
  cJSON_Delete(d);
  return err.msg;
}

TEST(EntitySchema, ValidDataPasses) {
  srv_code rc;
  Validate(kInvoice, R"({"amount":5,"currency":"EUR","lines":[{"sku":"a","qty":2}]})", &rc);
  EXPECT_EQ(rc, SRV_OK);
}

TEST(EntitySchema, MessagesNameThePath) {
  srv_code rc;
  EXPECT_EQ(Validate(kInvoice, R"({"amount":-5,"currency":"EUR"})", &rc),
            "data.amount must be >= 0 (got -5)");
  EXPECT_EQ(rc, SRV_EINVAL);
  std::string m = Validate(kInvoice, R"({"amount":1})", &rc);
  EXPECT_EQ(rc, SRV_EINVAL);
  EXPECT_NE(m.find("currency"), std::string::npos) << m;
  m = Validate(kInvoice, R"({"amount":1,"currency":"GBP"})", &rc);
  EXPECT_EQ(rc, SRV_EINVAL);
  EXPECT_NE(m.find("data.currency"), std::string::npos) << m;
  m = Validate(kInvoice,
               R"({"amount":1,"currency":"EUR","lines":[{"sku":"a"},{"sku":"b","qty":0}]})", &rc);
  EXPECT_EQ(rc, SRV_EINVAL);
  EXPECT_NE(m.find("data.lines[1].qty"), std::string::npos) << m;
  m = Validate(kInvoice, R"({"amount":1,"currency":"EUR","vendor":{"name":7}})", &rc);
  EXPECT_EQ(rc, SRV_EINVAL);
  EXPECT_NE(m.find("data.vendor.name"), std::string::npos) << m;
  m = Validate(kInvoice, R"([1])", &rc);
  EXPECT_EQ(rc, SRV_EINVAL);
  EXPECT_NE(m.find("data must be a JSON object"), std::string::npos) << m;
}

TEST(EntitySchema, RegistrationRejectsMalformedSchemas) {
  srv_err err;
  cJSON *s = cJSON_Parse(R"({"type":"array"})");
  EXPECT_EQ(wf_entity_schema_check(s, &err), SRV_EINVAL);
  EXPECT_NE(std::string(err.msg).find("schema.type must be \"object\""), std::string::npos);
  cJSON_Delete(s);
  s = cJSON_Parse(R"({"type":"object","properties":{"a":{"type":"numbr"}}})");
  EXPECT_EQ(wf_entity_schema_check(s, &err), SRV_EINVAL);
  EXPECT_NE(std::string(err.msg).find("a.type \"numbr\""), std::string::npos) << err.msg;
  cJSON_Delete(s);
  s = cJSON_Parse(kInvoice);
  EXPECT_EQ(wf_entity_schema_check(s, &err), SRV_OK) << err.msg;
  cJSON_Delete(s);
}

}  // namespace
