// Proves log.c: one JSON object per line with every FR-013 field, WARN for slow operations,
// thread-safe whole lines, nothing on stdout.
#include "servers/common/log.h"

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "models/uuid.h"

namespace {

std::string TempPath(const char *name) {
  const char *dir = getenv("TEST_TMPDIR");
  std::string p = std::string(dir ? dir : "/tmp") + "/" + name + std::to_string(getpid());
  unlink(p.c_str());
  return p;
}

std::vector<std::string> ReadLines(const std::string &path) {
  std::ifstream f(path);
  std::vector<std::string> out;
  std::string line;
  while (std::getline(f, line)) out.push_back(line);
  return out;
}

void InitTo(const std::string &path, srv_log_level min = SRV_LOG_DEBUG) {
  srv_log_config cfg = {"codebase-mcp", path.c_str(), 0, min};
  srv_err err;
  ASSERT_EQ(SRV_OK, srv_log_init(&cfg, &err)) << err.msg;
}

// Checks every FR-013 field of one line; returns the parsed object (caller deletes).
cJSON *CheckLine(const std::string &line) {
  cJSON *o = cJSON_Parse(line.c_str());
  EXPECT_NE(nullptr, o) << line;
  if (o == nullptr) return nullptr;
  const char *strings[] = {"timestamp", "level",     "request_id", "operation_name",
                           "outcome",   "server_id", "message"};
  for (const char *k : strings)
    EXPECT_TRUE(cJSON_IsString(cJSON_GetObjectItem(o, k))) << k << " in " << line;
  EXPECT_TRUE(cJSON_IsNumber(cJSON_GetObjectItem(o, "latency_ms"))) << line;
  EXPECT_TRUE(mdl_uuid_valid(cJSON_GetObjectItem(o, "request_id")->valuestring)) << line;
  std::string outcome = cJSON_GetObjectItem(o, "outcome")->valuestring;
  EXPECT_TRUE(outcome == "success" || outcome == "failure") << line;
  std::string ts = cJSON_GetObjectItem(o, "timestamp")->valuestring;
  EXPECT_EQ(24u, ts.size()) << ts;
  EXPECT_EQ('Z', ts.back());
  return o;
}

}  // namespace

TEST(Log, FR013_EveryLineIsJsonWithAllFields) {
  std::string path = TempPath("log_fields");
  InitTo(path);
  cJSON *ctx = cJSON_CreateObject();
  cJSON_AddStringToObject(ctx, "tool", "search_code");
  cJSON *details = cJSON_CreateObject();
  cJSON_AddStringToObject(details, "sqlstate", "57014");
  srv_log(SRV_LOG_ERROR, "0f8fad5b-d9cb-469f-a165-70867728950e", "search_code", "failure", 12.5,
          ctx, details, "query failed after %d ms", 12);
  srv_log_event(SRV_LOG_INFO, "startup", "listening on %d", 8020);
  srv_log_shutdown();
  cJSON_Delete(ctx);
  cJSON_Delete(details);

  auto lines = ReadLines(path);
  ASSERT_EQ(2u, lines.size());
  cJSON *a = CheckLine(lines[0]);
  ASSERT_NE(nullptr, a);
  EXPECT_STREQ("ERROR", cJSON_GetObjectItem(a, "level")->valuestring);
  EXPECT_STREQ("0f8fad5b-d9cb-469f-a165-70867728950e",
               cJSON_GetObjectItem(a, "request_id")->valuestring);
  EXPECT_STREQ("search_code", cJSON_GetObjectItem(a, "operation_name")->valuestring);
  EXPECT_STREQ("failure", cJSON_GetObjectItem(a, "outcome")->valuestring);
  EXPECT_STREQ("codebase-mcp", cJSON_GetObjectItem(a, "server_id")->valuestring);
  EXPECT_DOUBLE_EQ(12.5, cJSON_GetObjectItem(a, "latency_ms")->valuedouble);
  EXPECT_STREQ("query failed after 12 ms", cJSON_GetObjectItem(a, "message")->valuestring);
  EXPECT_STREQ("search_code",
               cJSON_GetObjectItem(cJSON_GetObjectItem(a, "context"), "tool")->valuestring);
  EXPECT_STREQ(
      "57014",
      cJSON_GetObjectItem(cJSON_GetObjectItem(a, "error_details"), "sqlstate")->valuestring);
  cJSON *b = CheckLine(lines[1]);
  ASSERT_NE(nullptr, b);
  EXPECT_STREQ("INFO", cJSON_GetObjectItem(b, "level")->valuestring);
  EXPECT_EQ(nullptr, cJSON_GetObjectItem(b, "error_details"));
  // A generated request id differs from line to line.
  EXPECT_STRNE(cJSON_GetObjectItem(a, "request_id")->valuestring,
               cJSON_GetObjectItem(b, "request_id")->valuestring);
  cJSON_Delete(a);
  cJSON_Delete(b);
}

TEST(Log, FR013_SlowOperationOverOneSecondIsWarn) {
  std::string path = TempPath("log_slow");
  InitTo(path, SRV_LOG_INFO);
  srv_log_request("0f8fad5b-d9cb-469f-a165-70867728950e", "search_code", SRV_OK, 999.0, nullptr,
                  nullptr, nullptr);
  srv_log_request(nullptr, "search_code", SRV_OK, 1000.5, nullptr, nullptr, "slow search");
  srv_log_request(nullptr, "create_work_item", SRV_EBUSY, 30000.0, nullptr, nullptr,
                  "connection pool exhausted");
  srv_log_request(nullptr, "get_work_item", SRV_ENOTFOUND, 3.0, nullptr, nullptr, nullptr);
  srv_log_shutdown();
  auto lines = ReadLines(path);
  ASSERT_EQ(4u, lines.size());
  cJSON *fast = CheckLine(lines[0]);
  cJSON *slow = CheckLine(lines[1]);
  cJSON *busy = CheckLine(lines[2]);
  cJSON *nf = CheckLine(lines[3]);
  ASSERT_TRUE(fast && slow && busy && nf);
  EXPECT_STREQ("INFO", cJSON_GetObjectItem(fast, "level")->valuestring);
  EXPECT_STREQ("search_code ok", cJSON_GetObjectItem(fast, "message")->valuestring);
  EXPECT_STREQ("WARN", cJSON_GetObjectItem(slow, "level")->valuestring);
  EXPECT_STREQ("success", cJSON_GetObjectItem(slow, "outcome")->valuestring);
  EXPECT_TRUE(
      cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(slow, "context"), "slow_operation")));
  EXPECT_STREQ("WARN", cJSON_GetObjectItem(busy, "level")->valuestring);
  EXPECT_STREQ("failure", cJSON_GetObjectItem(busy, "outcome")->valuestring);
  cJSON *ed = cJSON_GetObjectItem(busy, "error_details");
  ASSERT_NE(nullptr, ed);
  EXPECT_STREQ("pool_exhausted", cJSON_GetObjectItem(ed, "code")->valuestring);
  EXPECT_EQ(503, cJSON_GetObjectItem(ed, "http_status")->valueint);
  EXPECT_STREQ("INFO", cJSON_GetObjectItem(nf, "level")->valuestring);
  EXPECT_STREQ("get_work_item failed: not_found", cJSON_GetObjectItem(nf, "message")->valuestring);
  for (cJSON *o : {fast, slow, busy, nf}) cJSON_Delete(o);
}

TEST(Log, MinimumLevelFilters) {
  std::string path = TempPath("log_level");
  InitTo(path, SRV_LOG_WARN);
  EXPECT_FALSE(srv_log_enabled(SRV_LOG_INFO));
  EXPECT_TRUE(srv_log_enabled(SRV_LOG_ERROR));
  srv_log_event(SRV_LOG_INFO, "dropped", "not written");
  srv_log_event(SRV_LOG_WARN, "kept", "written");
  srv_log_shutdown();
  auto lines = ReadLines(path);
  ASSERT_EQ(1u, lines.size());
  EXPECT_NE(std::string::npos, lines[0].find("\"kept\""));
  srv_log_level l;
  EXPECT_EQ(0, srv_log_parse_level("warning", &l));
  EXPECT_EQ(SRV_LOG_WARN, l);
  EXPECT_EQ(0, srv_log_parse_level("debug", &l));
  EXPECT_EQ(SRV_LOG_DEBUG, l);
  EXPECT_EQ(-1, srv_log_parse_level("loud", &l));
}

TEST(Log, FR013_ConcurrentWritersNeverInterleaveLines) {
  std::string path = TempPath("log_threads");
  InitTo(path);
  const int kThreads = 8, kLines = 500;
  std::string payload(300, 'p');  // long enough that torn writes would show
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; t++) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < kLines; i++) {
        srv_log(SRV_LOG_INFO, nullptr, "worker", "success", i, nullptr, nullptr, "t%d i%d %s", t, i,
                payload.c_str());
      }
    });
  }
  for (auto &t : ts) t.join();
  srv_log_shutdown();
  auto lines = ReadLines(path);
  ASSERT_EQ((size_t)kThreads * kLines, lines.size());
  for (const auto &l : lines) {
    cJSON *o = cJSON_Parse(l.c_str());
    ASSERT_NE(nullptr, o) << l;
    cJSON_Delete(o);
  }
}

TEST(Log, NeverWritesToStdout) {
  std::string out_path = TempPath("log_stdout");
  std::string log_path = TempPath("log_file");
  fflush(stdout);
  int saved = dup(STDOUT_FILENO);
  int fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  dup2(fd, STDOUT_FILENO);
  srv_log_config cfg = {"workflow-mcp", log_path.c_str(), 1, SRV_LOG_DEBUG};
  srv_err err;
  ASSERT_EQ(SRV_OK, srv_log_init(&cfg, &err));
  srv_log_event(SRV_LOG_ERROR, "boom", "to file and stderr only");
  srv_log_shutdown();
  srv_log_event(SRV_LOG_ERROR, "boom", "default goes to stderr");
  fflush(stdout);
  dup2(saved, STDOUT_FILENO);
  close(saved);
  close(fd);
  EXPECT_EQ(0u, ReadLines(out_path).size());
  EXPECT_EQ(1u, ReadLines(log_path).size());
}

TEST(Log, UnwritableFileIsAClearError) {
  srv_log_config cfg = {"codebase-mcp", "/nonexistent-dir/x.log", 0, SRV_LOG_INFO};
  srv_err err;
  EXPECT_EQ(SRV_EIO, srv_log_init(&cfg, &err));
  EXPECT_NE(nullptr, strstr(err.msg, "/nonexistent-dir/x.log")) << err.msg;
  EXPECT_NE(nullptr, strstr(err.msg, "LOG_FILE")) << err.msg;
}
