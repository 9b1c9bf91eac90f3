// uuid_timestamp_test.cc — the shared id and time helpers: "IDs are UUID strings", "times are
// ISO 8601 UTC"; canonical formatting makes record round trips byte-stable.
#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <string>

#include "models/timestamp.h"
#include "models/uuid.h"

namespace {

TEST(Uuid, Valid_AcceptsBothCasesRejectsMalformed) {
  EXPECT_TRUE(mdl_uuid_valid("550e8400-e29b-41d4-a716-446655440000"));
  EXPECT_TRUE(mdl_uuid_valid("550E8400-E29B-41D4-A716-446655440000"));
  EXPECT_FALSE(mdl_uuid_valid(nullptr));
  EXPECT_FALSE(mdl_uuid_valid(""));
  EXPECT_FALSE(mdl_uuid_valid("550e8400e29b41d4a716446655440000"));       // no dashes
  EXPECT_FALSE(mdl_uuid_valid("550e8400-e29b-41d4-a716-44665544000"));    // short
  EXPECT_FALSE(mdl_uuid_valid("550e8400-e29b-41d4-a716-4466554400000"));  // long
  EXPECT_FALSE(mdl_uuid_valid("550e8400-e29b-41d4-a716-44665544000g"));   // not hex
  EXPECT_FALSE(mdl_uuid_valid("550e8400-e29b-41d4-a716_446655440000"));   // wrong separator
}

TEST(Uuid, Canonical_LowerCases) {
  char out[MDL_UUID_LEN];
  ASSERT_EQ(mdl_uuid_canonical("550E8400-E29B-41D4-A716-446655440ABC", out, nullptr), MDL_OK);
  EXPECT_STREQ(out, "550e8400-e29b-41d4-a716-446655440abc");
  mdl_err err;
  EXPECT_EQ(mdl_uuid_canonical("nope", out, &err), MDL_ERANGE);
}

TEST(Uuid, V4_IsValidVersion4AndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; i++) {
    char id[MDL_UUID_LEN];
    ASSERT_EQ(mdl_uuid_v4(id, nullptr), MDL_OK);
    ASSERT_TRUE(mdl_uuid_valid(id)) << id;
    EXPECT_EQ(id[14], '4') << id;                                          // version nibble
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;  // RFC 4122 variant
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Uuid, V4Format_SetsVersionAndVariantBitsOfTheGivenBytes) {
  unsigned char b[16];
  char id[MDL_UUID_LEN];
  for (int i = 0; i < 16; i++) b[i] = 0xff;
  mdl_uuid_v4_format(b, id);
  EXPECT_STREQ(id, "ffffffff-ffff-4fff-bfff-ffffffffffff");
  for (int i = 0; i < 16; i++) b[i] = (unsigned char)(i * 0x11);
  mdl_uuid_v4_format(b, id);
  EXPECT_STREQ(id, "00112233-4455-4677-8899-aabbccddeeff");
}

TEST(Uuid, FormatAndParse_RoundTripAnyVersionAndRejectMalformed) {
  unsigned char b[16], back[16];
  char id[MDL_UUID_LEN];
  for (int i = 0; i < 16; i++) b[i] = (unsigned char)(i * 0x11);
  mdl_uuid_format(b, id);
  EXPECT_STREQ(id, "00112233-4455-6677-8899-aabbccddeeff");  // bytes as they are, no v4 bits
  ASSERT_TRUE(mdl_uuid_parse("00112233-4455-6677-8899-AABBCCDDEEFF", back));
  EXPECT_EQ(memcmp(b, back, sizeof b), 0);
  EXPECT_FALSE(mdl_uuid_parse("00112233-4455-6677-8899-aabbccddeef", back));
  EXPECT_FALSE(mdl_uuid_parse("0011223304455-6677-8899-aabbccddeeff", back));
  EXPECT_FALSE(mdl_uuid_parse("00112233-4455-6677-8899-aabbccddeefg", back));
  EXPECT_FALSE(mdl_uuid_parse(nullptr, back));
}

TEST(Timestamp, Parse_KnownInstant) {
  int64_t us = 0;
  ASSERT_EQ(mdl_time_parse("2025-10-13T10:30:00Z", &us, nullptr), MDL_OK);
  EXPECT_EQ(us, INT64_C(1760351400) * 1000000);  // date -u -d 2025-10-13T10:30:00Z +%s
  ASSERT_EQ(mdl_time_parse("1970-01-01T00:00:00Z", &us, nullptr), MDL_OK);
  EXPECT_EQ(us, 0);
  ASSERT_EQ(mdl_time_parse("2024-02-29T23:59:59.5+00:00", &us, nullptr), MDL_OK);
  EXPECT_EQ(us, INT64_C(1709251199) * 1000000 + 500000);
}

TEST(Timestamp, Format_CanonicalForms) {
  char out[MDL_TIME_LEN];
  mdl_time_format(INT64_C(1760351400) * 1000000, out);
  EXPECT_STREQ(out, "2025-10-13T10:30:00Z");
  mdl_time_format(INT64_C(1760351400) * 1000000 + 123000, out);
  EXPECT_STREQ(out, "2025-10-13T10:30:00.123Z");
  mdl_time_format(INT64_C(1760351400) * 1000000 + 123456, out);
  EXPECT_STREQ(out, "2025-10-13T10:30:00.123456Z");
  mdl_time_format(-1, out);
  EXPECT_STREQ(out, "1969-12-31T23:59:59.999999Z");
}

TEST(Timestamp, Canonical_RoundTripIsStable) {
  const char *inputs[] = {"2025-10-13T10:30:00Z", "2025-10-13T10:30:00.120+00:00",
                          "2000-01-01T00:00:00.000001Z", "9999-12-31T23:59:59.999999999Z"};
  for (const char *in : inputs) {
    char a[MDL_TIME_LEN], b[MDL_TIME_LEN];
    ASSERT_EQ(mdl_time_canonical(in, a, nullptr), MDL_OK) << in;
    ASSERT_EQ(mdl_time_canonical(a, b, nullptr), MDL_OK) << a;
    EXPECT_STREQ(a, b);
  }
}

TEST(Timestamp, Parse_RejectsNonUtcAndMalformed) {
  const char *bad[] = {"",
                       "2025-10-13",
                       "2025-10-13 10:30:00Z",
                       "2025-10-13T10:30:00",        // no zone
                       "2025-10-13T10:30:00+02:00",  // not UTC
                       "2025-13-13T10:30:00Z",       // month 13
                       "2025-02-29T10:30:00Z",       // not a leap year
                       "2025-10-13T24:00:00Z",
                       "2025-10-13T10:60:00Z",
                       "2025-10-13T10:30:00.Z",
                       "2025-10-13T10:30:00.1234567890Z",
                       "2025-10-13T10:30:00Zjunk",
                       "0000-01-01T00:00:00Z"};
  for (const char *s : bad) {
    int64_t us = 77;
    mdl_err err;
    EXPECT_EQ(mdl_time_parse(s, &us, &err), MDL_ERANGE) << s;
    EXPECT_EQ(us, 77) << s;
    EXPECT_NE(std::string(err.msg).find("ISO 8601"), std::string::npos) << err.msg;
  }
}

TEST(Timestamp, Now_IsRecentAndMillisecondPrecise) {
  char out[MDL_TIME_LEN];
  mdl_time_now(out);
  int64_t us = 0;
  ASSERT_EQ(mdl_time_parse(out, &us, nullptr), MDL_OK) << out;
  EXPECT_EQ(us % 1000, 0);
  EXPECT_LT(mdl_time_now_us() - us, INT64_C(5000000));
  EXPECT_GT(us, INT64_C(1700000000) * 1000000);
}

}  // namespace
