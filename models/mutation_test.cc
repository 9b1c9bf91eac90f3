// mutation_test.cc — robustness: thousands of mutated JSON documents (types flipped, fields dropped
// or duplicated, numbers swapped or pushed out of range, text truncated, random bytes) are fed to
// every record kind. Requirements: no crash, no leak (run under --config=asan), every rejection
// carries a rule message, and every accepted document has a byte-stable canonical form.
// Seeded PRNG: the seed is fixed (MDL_MUTATION_SEED overrides it) so a failure reproduces.
#include <cjson/cJSON.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "models/record_kind.h"
#include "models/test_util.h"

namespace {

struct KindFixture {
  mdl_record_kind kind;
  const char *file;
};

const KindFixture kAll[] = {
    {MDL_REC_BENCHMARK_RESULT, "benchmark_result.json"},
    {MDL_REC_INTEGRATION_CASE, "integration_case.json"},
    {MDL_REC_LOAD_RESULT, "load_result.json"},
    {MDL_REC_HEALTH, "health.json"},
    {MDL_REC_METRICS, "metrics.json"},
    {MDL_REC_HISTOGRAM, "histogram.json"},
};

uint64_t Seed() {
  const char *s = std::getenv("MDL_MUTATION_SEED");
  return s != nullptr ? std::strtoull(s, nullptr, 10) : 20251128ULL;
}

const char *const kValues[] = {"null",
                               "true",
                               "false",
                               "0",
                               "-1",
                               "1",
                               "2.5",
                               "-0.0",
                               "1e308",
                               "-1e-300",
                               "9007199254740993",
                               "1e999",
                               "\"\"",
                               "\"x\"",
                               "\"+Inf\"",
                               "\"550e8400-e29b-41d4-a716-446655440000\"",
                               "\"2025-10-13T10:30:00Z\"",
                               "\"codebase-mcp\"",
                               "\"workflow-mcp\"",
                               "\"pass\"",
                               "\"connected\"",
                               "[]",
                               "{}",
                               "[1,2]",
                               "{\"a\":1}",
                               "[[1,1]]",
                               "[{\"bucket_le\":1,\"count\":1}]",
                               "{\"step_number\":1,\"server\":\"codebase-mcp\",\"action\":\"a\"}",
                               "\"\\u0000\"",
                               "\"\\ud800\"",
                               "[null]",
                               "{\"\":1}"};

struct Node {
  cJSON *item;
  cJSON *parent;
};

void Collect(cJSON *item, cJSON *parent, std::vector<Node> *out) {
  out->push_back({item, parent});
  for (cJSON *c = item->child; c != nullptr; c = c->next) Collect(c, item, out);
}

cJSON *RandomValue(std::mt19937_64 &rng) {
  if (rng() % 8 == 0)
    return cJSON_CreateString(std::string(rng() % 400, 'a' + (char)(rng() % 26)).c_str());
  return cJSON_Parse(kValues[rng() % (sizeof kValues / sizeof kValues[0])]);
}

// Replaces node with v, keeping its key when the parent is an object.
void Replace(const Node &n, cJSON *v) {
  if (v == nullptr) return;
  if (n.item->string != nullptr) v->string = strdup(n.item->string);
  cJSON_ReplaceItemViaPointer(n.parent, n.item, v);
}

void MutateTree(cJSON *root, std::mt19937_64 &rng) {
  std::vector<Node> nodes;
  Collect(root, nullptr, &nodes);
  if (nodes.size() < 2) return;
  const Node &n = nodes[1 + rng() % (nodes.size() - 1)];
  switch (rng() % 7) {
    case 0:  // flip the type / value
      Replace(n, RandomValue(rng));
      break;
    case 1:  // drop the field or element
      cJSON_Delete(cJSON_DetachItemViaPointer(n.parent, n.item));
      break;
    case 2:  // numbers: swap with another number, or push out of range
      if (cJSON_IsNumber(n.item)) {
        static const double kNums[] = {-1,  0,   1e-9, 0.005, 99.999, 100.001,
                                       255, 256, 1e15, -1e15, 4e18};
        std::vector<double> others;
        for (const Node &m : nodes)
          if (cJSON_IsNumber(m.item)) others.push_back(m.item->valuedouble);
        double v = rng() % 2 ? others[rng() % others.size()]
                             : kNums[rng() % (sizeof kNums / sizeof kNums[0])];
        cJSON_SetNumberValue(n.item, v);
      } else {
        Replace(n, cJSON_CreateNumber((double)(rng() % 1000) - 500));
      }
      break;
    case 3:  // duplicate a member (duplicate keys) or element
      if (cJSON *dup = cJSON_Duplicate(n.item, 1)) {
        if (cJSON_IsObject(n.parent) && n.item->string != nullptr)
          cJSON_AddItemToObject(n.parent, n.item->string, dup);
        else
          cJSON_AddItemToArray(n.parent, dup);
      }
      break;
    case 4:  // strings: truncate / empty / long
      if (cJSON_IsString(n.item)) {
        std::string s = n.item->valuestring;
        s = s.substr(0, s.empty() ? 0 : rng() % s.size());
        Replace(n, cJSON_CreateString(s.c_str()));
      } else {
        Replace(n, cJSON_CreateString(""));
      }
      break;
    case 5:  // wrap into an array / object
      if (cJSON *dup = cJSON_Duplicate(n.item, 1)) {
        cJSON *wrap = rng() % 2 ? cJSON_CreateArray() : cJSON_CreateObject();
        if (cJSON_IsArray(wrap))
          cJSON_AddItemToArray(wrap, dup);
        else
          cJSON_AddItemToObject(wrap, "v", dup);
        Replace(n, wrap);
      }
      break;
    default:  // rename a key
      if (n.item->string != nullptr && cJSON_IsObject(n.parent)) {
        cJSON *dup = cJSON_Duplicate(n.item, 1);
        if (dup != nullptr) {
          std::string key = std::string(n.item->string) + (rng() % 2 ? "_x" : "");
          key = rng() % 3 == 0 ? std::string("") : key.substr(0, 1 + rng() % key.size());
          cJSON_Delete(cJSON_DetachItemViaPointer(n.parent, n.item));
          cJSON_AddItemToObject(n.parent, key.c_str(), dup);
        }
      }
      break;
  }
}

void MutateText(std::string *t, std::mt19937_64 &rng) {
  if (t->empty()) return;
  switch (rng() % 4) {
    case 0:  // truncate
      t->resize(rng() % t->size());
      break;
    case 1:  // flip random bytes
      for (int i = 0, n = 1 + (int)(rng() % 4); i < n; i++)
        (*t)[rng() % t->size()] = (char)(rng() % 256);
      break;
    case 2:  // insert random bytes
      t->insert(rng() % t->size(), std::string(1 + rng() % 8, (char)(rng() % 256)));
      break;
    default:  // delete a range
      t->erase(rng() % t->size(), 1 + rng() % 16);
      break;
  }
}

struct Tally {
  int accepted = 0, rejected = 0;
};

void CheckOne(mdl_record_kind k, const std::string &text, Tally *tally) {
  mdl_err err;
  char *c = mdl_record_canonical_text(k, text.data(), text.size(), &err);
  if (c == nullptr) {
    tally->rejected++;
    ASSERT_NE(err.code, MDL_OK);
    ASSERT_GT(std::strlen(err.msg), 0u)
        << "rejection without a rule message (field " << err.field << ")";
    return;
  }
  tally->accepted++;
  std::string first = c;
  free(c);
  char *again = mdl_record_canonical_text(k, first.data(), first.size(), &err);
  ASSERT_NE(again, nullptr) << "canonical form rejected: " << err.field << ": " << err.msg << "\n"
                            << first;
  EXPECT_EQ(first, std::string(again)) << "canonical form not byte-stable";
  free(again);
}

TEST(Mutation, RandomizedDocuments_NoCrashNoLeakStableWhenAccepted) {
  std::mt19937_64 rng(Seed());
  Tally tally;
  const int kPerFixture = 2000;
  for (const KindFixture &f : kAll) {
    const std::string base = mdltest::ReadFixture(f.file);
    for (int i = 0; i < kPerFixture; i++) {
      std::string text;
      if (rng() % 4 == 0) {
        text = base;
        MutateText(&text, rng);
      } else {
        mdltest::Doc d(base);
        ASSERT_NE(d.j, nullptr);
        for (int m = 0, n = 1 + (int)(rng() % 3); m < n; m++) MutateTree(d.j, rng);
        text = d.Print();
        if (rng() % 10 == 0) MutateText(&text, rng);
      }
      CheckOne(f.kind, text, &tally);
      // Also feed the document to another kind: wrong-record inputs must be rejected cleanly.
      CheckOne(kAll[rng() % (sizeof kAll / sizeof kAll[0])].kind, text, &tally);
      if (HasFatalFailure()) return;
    }
  }
  EXPECT_EQ(tally.accepted + tally.rejected, 2 * kPerFixture * 6);
  // The mutations must exercise both paths, or the test proves nothing.
  EXPECT_GT(tally.rejected, kPerFixture);
  EXPECT_GT(tally.accepted, 100);
  std::printf("mutation: %d accepted, %d rejected\n", tally.accepted, tally.rejected);
}

TEST(Mutation, PathologicalInputs_RejectedCleanly) {
  std::vector<std::string> inputs = {std::string(5000, '['),  // deep nesting (cJSON's limit)
                                     std::string(5000, '[') + std::string(5000, ']'),
                                     "\"" + std::string(100000, 'x') + "\"",  // a huge string
                                     "{\"benchmark_id\":" + std::string(3000, '9') + "}",
                                     [] {
                                       std::string many = "[";
                                       for (int i = 0; i < 10000; i++) many += "1,";
                                       return many + "1]";
                                     }(),
                                     "null",
                                     "{}",
                                     "[[]]",
                                     "[{}]",
                                     "\xff\xfe",
                                     "{\"a\":\"\\uD83D\"}"};
  Tally tally;
  for (const std::string &in : inputs)
    for (const KindFixture &f : kAll) CheckOne(f.kind, in, &tally);
  EXPECT_EQ(tally.accepted, 0);
}

}  // namespace
