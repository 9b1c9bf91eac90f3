// test_util.h — helpers for the //models gtest files (testonly): load fixtures, edit a JSON
// document at a dotted path, and assert that a record is rejected with a given code, field and rule
// text.
#ifndef MDL_TEST_UTIL_H
#define MDL_TEST_UTIL_H

#include <cjson/cJSON.h>
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "models/record_kind.h"

namespace mdltest {

// Contents of models/testdata/<name> (tests run from the runfiles root).
inline std::string ReadFixture(const std::string &name) {
  std::ifstream in("models/testdata/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing fixture " << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Owns a cJSON document.
struct Doc {
  cJSON *j = nullptr;
  explicit Doc(cJSON *p) : j(p) {}
  explicit Doc(const std::string &text) : j(cJSON_Parse(text.c_str())) {}
  Doc(const Doc &) = delete;
  Doc &operator=(const Doc &) = delete;
  ~Doc() {
    cJSON_Delete(j);
  }
  std::string Print() const {
    char *s = cJSON_PrintUnformatted(j);
    std::string out = s != nullptr ? s : "";
    cJSON_free(s);
    return out;
  }
};

inline std::unique_ptr<Doc> Fixture(const std::string &name) {
  std::unique_ptr<Doc> d(new Doc(ReadFixture(name)));
  EXPECT_NE(d->j, nullptr) << "fixture " << name << " is not JSON";
  return d;
}

// Finds the parent of a dotted path ("a.b[2].c") and its last key or index.
inline cJSON *Walk(cJSON *root, const std::string &path, std::string *last_key, int *last_index) {
  cJSON *cur = root;
  size_t i = 0;
  *last_index = -1;
  last_key->clear();
  while (i < path.size()) {
    std::string key;
    int index = -1;
    if (path[i] == '[') {
      size_t close = path.find(']', i);
      index = std::stoi(path.substr(i + 1, close - i - 1));
      i = close + 1;
    } else {
      size_t end = path.find_first_of(".[", i);
      if (end == std::string::npos) end = path.size();
      key = path.substr(i, end - i);
      i = end;
    }
    if (i < path.size() && path[i] == '.') i++;
    if (i >= path.size()) {
      *last_key = key;
      *last_index = index;
      return cur;
    }
    cur = index >= 0 ? cJSON_GetArrayItem(cur, index)
                     : cJSON_GetObjectItemCaseSensitive(cur, key.c_str());
    if (cur == nullptr) return nullptr;
  }
  return nullptr;
}

// Sets path to the JSON value `json_value` (text), or removes it when json_value is nullptr.
inline void Set(cJSON *root, const std::string &path, const char *json_value) {
  std::string key;
  int index;
  cJSON *parent = Walk(root, path, &key, &index);
  ASSERT_NE(parent, nullptr) << "no parent for " << path;
  if (json_value == nullptr) {
    if (index >= 0)
      cJSON_DeleteItemFromArray(parent, index);
    else
      cJSON_DeleteItemFromObjectCaseSensitive(parent, key.c_str());
    return;
  }
  cJSON *v = cJSON_Parse(json_value);
  ASSERT_NE(v, nullptr) << "bad test value " << json_value;
  if (index >= 0) {
    ASSERT_TRUE(cJSON_ReplaceItemInArray(parent, index, v)) << path;
  } else if (cJSON_GetObjectItemCaseSensitive(parent, key.c_str()) != nullptr) {
    ASSERT_TRUE(cJSON_ReplaceItemInObjectCaseSensitive(parent, key.c_str(), v)) << path;
  } else {
    cJSON_AddItemToObject(parent, key.c_str(), v);
  }
}

// Checks the document as kind k; returns the error (code MDL_OK when valid).
inline mdl_err Check(mdl_record_kind k, const cJSON *j) {
  mdl_err err;
  mdl_err_clear(&err);
  mdl_record_check(k, j, &err);
  return err;
}

}  // namespace mdltest

// Asserts that doc (a Doc*) is rejected as KIND with CODE on FIELD and a message containing RULE.
#define EXPECT_REJECTED(KIND, DOC, CODE, FIELD, RULE)                      \
  do {                                                                     \
    mdl_err e_ = mdltest::Check(KIND, (DOC)->j);                           \
    EXPECT_EQ(e_.code, CODE) << "field=" << e_.field << " msg=" << e_.msg; \
    EXPECT_STREQ(e_.field, FIELD) << e_.msg;                               \
    EXPECT_NE(std::string(e_.msg).find(RULE), std::string::npos)           \
        << "message \"" << e_.msg << "\" lacks \"" << RULE << "\"";        \
  } while (0)

#define EXPECT_ACCEPTED(KIND, DOC)                                           \
  do {                                                                       \
    mdl_err e_ = mdltest::Check(KIND, (DOC)->j);                             \
    EXPECT_EQ(e_.code, MDL_OK) << "field=" << e_.field << " msg=" << e_.msg; \
  } while (0)

#endif  // MDL_TEST_UTIL_H
