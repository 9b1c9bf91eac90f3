// workgen_test — proves the workflow data generator (issue 3, deliverable 5; SPEC US1 figures:
// 1,000 entities over 5 projects, 10-20 work items each), and that every entity it produces is
// valid under its entity type's schema per servers/common's validator (the one workflow-mcp uses).
#include "testing/workgen.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "servers/common/jsonschema.h"

namespace {

cJSON *Gen(uint64_t seed, const char *const *chunks = nullptr, size_t n_chunks = 0) {
  tst_workgen_opts o{};
  o.seed = seed;
  o.chunk_ids = chunks;
  o.n_chunk_ids = n_chunks;
  cJSON *out = nullptr;
  tst_err err{};
  EXPECT_EQ(TST_OK, tst_workgen_generate(&o, &out, &err)) << err.msg;
  return out;
}

std::string Print(const cJSON *j) {
  char *s = cJSON_PrintUnformatted(j);
  std::string r = s;
  free(s);
  return r;
}

TEST(Workgen, SC004_FiveProjectsThousandEntitiesTenToTwentyWorkItems) {
  cJSON *d = Gen(1);
  ASSERT_NE(nullptr, d);
  cJSON *projects = cJSON_GetObjectItem(d, "projects");
  ASSERT_EQ(5, cJSON_GetArraySize(projects));
  int total = 0, min_e = 1 << 30, max_e = 0;
  std::set<std::string> names, types_used;
  cJSON *p;
  cJSON_ArrayForEach(p, projects) {
    names.insert(cJSON_GetObjectItem(cJSON_GetObjectItem(p, "project"), "name")->valuestring);
    int ne = cJSON_GetArraySize(cJSON_GetObjectItem(p, "entities"));
    total += ne;
    min_e = std::min(min_e, ne);
    max_e = std::max(max_e, ne);
    cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(p, "entities")) {
      types_used.insert(cJSON_GetObjectItem(e, "entity_type")->valuestring);
      EXPECT_GE(cJSON_GetArraySize(cJSON_GetObjectItem(e, "tags")), 1);
    }
    cJSON *items = cJSON_GetObjectItem(p, "work_items");
    int n = cJSON_GetArraySize(items);
    EXPECT_GE(n, 10);
    EXPECT_LE(n, 20);
    int idx = 0, roots = 0;
    cJSON *w;
    cJSON_ArrayForEach(w, items) {
      cJSON *args = cJSON_GetObjectItem(w, "args");
      ASSERT_NE(nullptr, args);
      EXPECT_TRUE(cJSON_IsString(cJSON_GetObjectItem(args, "title")));
      std::string type = cJSON_GetObjectItem(args, "item_type")->valuestring;
      EXPECT_TRUE(type == "project" || type == "session" || type == "task" || type == "research")
          << type;
      EXPECT_EQ(nullptr, cJSON_GetObjectItem(args, "parent_id"));
      EXPECT_EQ(nullptr, cJSON_GetObjectItem(args, "entity_references"));  // no chunk ids given
      cJSON *pi = cJSON_GetObjectItem(w, "parent_index");
      if (pi != nullptr) {
        EXPECT_GE(pi->valueint, 0);
        EXPECT_LT(pi->valueint, idx);
      } else {
        roots++;
      }
      idx++;
    }
    EXPECT_GE(roots, 1);
    EXPECT_LT(roots, n);  // there is a hierarchy
  }
  EXPECT_EQ(1000, total);
  EXPECT_EQ(5u, names.size());
  EXPECT_GE(min_e, 150);  // spread over the projects, none starved
  EXPECT_LE(max_e, 260);
  EXPECT_EQ((std::set<std::string>{"invoice", "ticket", "vendor"}), types_used);
  cJSON_Delete(d);
}

TEST(Workgen, SC004_EveryEntityValidatesAgainstItsRegisteredSchema) {
  cJSON *d = Gen(2);
  ASSERT_NE(nullptr, d);
  cJSON *types = cJSON_GetObjectItem(d, "entity_types");
  ASSERT_EQ(3, cJSON_GetArraySize(types));
  cJSON *t;
  cJSON_ArrayForEach(t, types) {
    srv_err err{};
    EXPECT_EQ(SRV_OK, srv_schema_check(cJSON_GetObjectItem(t, "schema"), "schema", &err))
        << err.msg;
  }
  int checked = 0;
  cJSON *p;
  cJSON_ArrayForEach(p, cJSON_GetObjectItem(d, "projects")) {
    cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(p, "entities")) {
      const char *type = cJSON_GetObjectItem(e, "entity_type")->valuestring;
      const cJSON *schema = nullptr;
      cJSON_ArrayForEach(t, types) {
        if (std::string(cJSON_GetObjectItem(t, "name")->valuestring) == type)
          schema = cJSON_GetObjectItem(t, "schema");
      }
      ASSERT_NE(nullptr, schema) << type;
      srv_err err{};
      ASSERT_EQ(SRV_OK, srv_schema_validate(schema, cJSON_GetObjectItem(e, "data"), "data", &err))
          << err.msg << " in " << Print(e);
      checked++;
    }
  }
  EXPECT_EQ(1000, checked);
  // The validator is not a pushover: a broken invoice fails.
  cJSON *bad = cJSON_Parse(
      "{\"number\":\"x\",\"vendor_name\":\"v\",\"amount\":-5,\"currency\":\"USD\",\"status\":"
      "\"paid\"}");
  srv_err err{};
  const cJSON *inv = nullptr;
  cJSON_ArrayForEach(t, types) {
    if (std::string(cJSON_GetObjectItem(t, "name")->valuestring) == "invoice")
      inv = cJSON_GetObjectItem(t, "schema");
  }
  EXPECT_EQ(SRV_EINVAL, srv_schema_validate(inv, bad, "data", &err));
  cJSON_Delete(bad);
  cJSON_Delete(d);
}

TEST(Workgen, US2_SomeWorkItemsReferenceGivenChunkIds) {
  const char *chunks[] = {"chunk-a", "chunk-b", "chunk-c", "chunk-d"};
  cJSON *d = Gen(3, chunks, 4);
  ASSERT_NE(nullptr, d);
  int items = 0, with_refs = 0;
  cJSON *p;
  cJSON_ArrayForEach(p, cJSON_GetObjectItem(d, "projects")) {
    cJSON *w;
    cJSON_ArrayForEach(w, cJSON_GetObjectItem(p, "work_items")) {
      items++;
      cJSON *refs = cJSON_GetObjectItem(cJSON_GetObjectItem(w, "args"), "entity_references");
      if (refs == nullptr) continue;
      with_refs++;
      EXPECT_GE(cJSON_GetArraySize(refs), 1);
      cJSON *r;
      cJSON_ArrayForEach(r, refs) {
        std::string id = r->valuestring;
        EXPECT_TRUE(id == "chunk-a" || id == "chunk-b" || id == "chunk-c" || id == "chunk-d") << id;
      }
    }
  }
  EXPECT_GT(with_refs, items / 10);
  EXPECT_LT(with_refs, items * 6 / 10);
  cJSON_Delete(d);
}

TEST(Workgen, SC004_DeterministicPerSeed) {
  cJSON *a = Gen(9), *b = Gen(9), *c = Gen(10);
  EXPECT_EQ(Print(a), Print(b));
  EXPECT_NE(Print(a), Print(c));
  cJSON_Delete(a);
  cJSON_Delete(b);
  cJSON_Delete(c);
  tst_workgen_opts o{};
  o.min_items = 5;
  o.max_items = 3;
  cJSON *out = nullptr;
  tst_err err{};
  EXPECT_EQ(TST_EINVAL, tst_workgen_generate(&o, &out, &err));
  EXPECT_EQ(nullptr, out);
}

}  // namespace
