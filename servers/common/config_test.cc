// Proves config.c: defaults per server (FR-015 pool sizes), env then flags precedence, and clear
// errors for bad values (US4: clear start-up messages).
#include "servers/common/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace {

const srv_config_defaults kCodebase = {"codebase-mcp", "code search", 8020, 5, 20};
const char *kVars[] = {
    "PORT",        "BIND",         "DATABASE_URL",       "LOG_FILE",         "LOG_LEVEL",
    "POOL_MIN",    "POOL_MAX",     "REQUEST_TIMEOUT_MS", "BODY_LIMIT_BYTES", "CODEBASE_MCP_URL",
    "INDEX_ROOTS", "HTTP_THREADS", "HTTP_WORKERS",       "ALLOW_REMOTE",     "ALLOWED_HOSTS"};

class Config : public ::testing::Test {
 protected:
  // Every test gets an empty MCP_SUITE_HOME, so a state file of ci/serve.sh on this machine
  // never leaks into the defaults.
  void SetUp() override {
    for (const char *v : kVars) unsetenv(v);
    const char *tmp = getenv("TEST_TMPDIR");
    home_ = std::string(tmp ? tmp : "/tmp") + "/config_test.XXXXXX";
    ASSERT_NE(nullptr, mkdtemp(&home_[0]));
    setenv("MCP_SUITE_HOME", home_.c_str(), 1);
  }
  void TearDown() override {
    for (const char *v : kVars) unsetenv(v);
    unsetenv("MCP_SUITE_HOME");
    unlink((home_ + "/state.env").c_str());
    rmdir(home_.c_str());
  }
  void WriteState(const std::string &text) {
    FILE *f = fopen((home_ + "/state.env").c_str(), "w");
    ASSERT_NE(nullptr, f);
    fputs(text.c_str(), f);
    fclose(f);
  }
  // The --help text of codebase-mcp.
  static std::string Usage() {
    char *buf = nullptr;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    srv_config_usage(&kCodebase, f);
    fclose(f);
    std::string usage(buf, len);
    free(buf);
    return usage;
  }
  std::string home_;
  srv_code Load(std::vector<std::string> args, srv_config *c, srv_err *e) {
    std::vector<char *> argv;
    argv.push_back(const_cast<char *>("codebase-mcp"));
    for (auto &a : args) argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);
    return srv_config_load(&kCodebase, (int)args.size() + 1, argv.data(), c, e);
  }
};

}  // namespace

TEST_F(Config, FR015_DefaultsPerServer) {
  srv_config c;
  srv_err e;
  ASSERT_EQ(SRV_OK, Load({}, &c, &e)) << e.msg;
  EXPECT_EQ(SRV_CMD_SERVE, c.subcommand);
  EXPECT_EQ(8020, c.port);
  EXPECT_STREQ("127.0.0.1", c.bind);
  EXPECT_STREQ("postgresql:///codebase_mcp", c.database_url);
  EXPECT_EQ(5, c.pool_min);
  EXPECT_EQ(20, c.pool_max);
  EXPECT_EQ(30000, c.request_timeout_ms);
  EXPECT_EQ(1048576u, c.body_limit_bytes);
  EXPECT_STREQ("http://127.0.0.1:8020", c.codebase_mcp_url);
  EXPECT_STREQ("", c.log_file);
  EXPECT_EQ(SRV_LOG_INFO, c.log_level);
  EXPECT_EQ(0, c.stdio);
  EXPECT_EQ(4, c.http_threads);
  EXPECT_EQ(64, c.http_workers);
}

TEST_F(Config, EnvironmentThenFlagsOverride) {
  setenv("PORT", "9100", 1);
  setenv("DATABASE_URL", "postgresql://u@h/db", 1);
  setenv("POOL_MAX", "7", 1);
  setenv("LOG_LEVEL", "debug", 1);
  setenv("INDEX_ROOTS", "/src:/work", 1);
  setenv("HTTP_THREADS", "2", 1);
  setenv("HTTP_WORKERS", "16", 1);
  srv_config c;
  srv_err e;
  ASSERT_EQ(SRV_OK, Load({"--port", "9200", "--pool-min=3", "--log-file", "/tmp/x.log", "--stdio",
                          "--http-workers=8"},
                         &c, &e))
      << e.msg;
  EXPECT_EQ(9200, c.port);
  EXPECT_STREQ("postgresql://u@h/db", c.database_url);
  EXPECT_EQ(3, c.pool_min);
  EXPECT_EQ(7, c.pool_max);
  EXPECT_EQ(SRV_LOG_DEBUG, c.log_level);
  EXPECT_STREQ("/tmp/x.log", c.log_file);
  EXPECT_STREQ("/src:/work", c.index_roots);
  EXPECT_EQ(1, c.stdio);
  EXPECT_EQ(2, c.http_threads);
  EXPECT_EQ(8, c.http_workers);
}

TEST_F(Config, SubcommandsAndHelp) {
  srv_config c;
  srv_err e;
  ASSERT_EQ(SRV_OK, Load({"migrate", "--database-url", "postgresql:///x"}, &c, &e));
  EXPECT_EQ(SRV_CMD_MIGRATE, c.subcommand);
  ASSERT_EQ(SRV_OK, Load({"--help"}, &c, &e));
  EXPECT_EQ(SRV_CMD_HELP, c.subcommand);
  std::string usage = Usage();
  for (const char *want : {"codebase-mcp migrate", "--port N", "PORT", "8020", "DATABASE_URL",
                           "POOL_MIN", "--stdio", "LOG_FILE", "--http-threads N", "HTTP_WORKERS"}) {
    EXPECT_NE(std::string::npos, usage.find(want)) << want << "\n" << usage;
  }
}

TEST_F(Config, SC014_InvalidValuesGiveClearErrors) {
  srv_config c;
  srv_err e;
  setenv("PORT", "abc", 1);
  EXPECT_EQ(SRV_EINVAL, Load({}, &c, &e));
  EXPECT_STREQ("PORT must be 1-65535, got 'abc'", e.msg);
  unsetenv("PORT");
  EXPECT_EQ(SRV_EINVAL, Load({"--port", "70000"}, &c, &e));
  EXPECT_STREQ("--port must be 1-65535, got '70000'", e.msg);
  EXPECT_EQ(SRV_EINVAL, Load({"--port"}, &c, &e));
  EXPECT_NE(nullptr, strstr(e.msg, "--port needs a value")) << e.msg;
  EXPECT_EQ(SRV_EINVAL, Load({"--prot", "1"}, &c, &e));
  EXPECT_STREQ("unknown option '--prot'; see codebase-mcp --help", e.msg);
  EXPECT_EQ(SRV_EINVAL, Load({"serve", "extra"}, &c, &e));
  EXPECT_NE(nullptr, strstr(e.msg, "unexpected argument 'extra'")) << e.msg;
  EXPECT_EQ(SRV_EINVAL, Load({"--pool-min", "9", "--pool-max", "4"}, &c, &e));
  EXPECT_NE(nullptr, strstr(e.msg, "must not exceed")) << e.msg;
  setenv("LOG_LEVEL", "loud", 1);
  EXPECT_EQ(SRV_EINVAL, Load({}, &c, &e));
  EXPECT_STREQ("LOG_LEVEL must be DEBUG, INFO, WARN or ERROR, got 'loud'", e.msg);
  unsetenv("LOG_LEVEL");
  setenv("POOL_MAX", "12x", 1);
  EXPECT_EQ(SRV_EINVAL, Load({}, &c, &e));
  EXPECT_STREQ("POOL_MAX must be 1-1000, got '12x'", e.msg);
  unsetenv("POOL_MAX");
  EXPECT_EQ(SRV_EINVAL, Load({"--http-threads", "0"}, &c, &e));
  EXPECT_STREQ("--http-threads must be 1-256, got '0'", e.msg);
}

// Issue 12 finding 1: a non-loopback bind needs the explicit ALLOW_REMOTE=1 opt-in.
TEST_F(Config, NonLoopbackBindNeedsExplicitOptIn) {
  srv_config c;
  srv_err e;
  for (const char *lo : {"127.0.0.1", "::1", "127.0.0.5", "localhost"}) {
    EXPECT_EQ(SRV_OK, Load({"--bind", lo}, &c, &e)) << lo << ": " << e.msg;
  }
  for (const char *remote : {"0.0.0.0", "::", "192.168.1.5"}) {
    ASSERT_EQ(SRV_EINVAL, Load({"--bind", remote}, &c, &e)) << remote;
    EXPECT_NE(std::string(e.msg).find("ALLOW_REMOTE=1"), std::string::npos) << e.msg;
    EXPECT_NE(std::string(e.msg).find(remote), std::string::npos) << e.msg;
  }
  setenv("BIND", "0.0.0.0", 1);
  EXPECT_EQ(SRV_EINVAL, Load({}, &c, &e));
  setenv("ALLOW_REMOTE", "1", 1);
  setenv("ALLOWED_HOSTS", "mcp.internal", 1);
  ASSERT_EQ(SRV_OK, Load({}, &c, &e)) << e.msg;
  EXPECT_EQ(1, c.allow_remote);
  EXPECT_STREQ("mcp.internal", c.allowed_hosts);
  EXPECT_EQ(SRV_EINVAL, Load({"--allow-remote", "2"}, &c, &e));
  EXPECT_EQ(SRV_EINVAL, Load({"--allow-remote", "0"}, &c, &e));
}

// Issue 20: `codebase-mcp --stdio` started by an MCP client finds ci/serve.sh's cluster through
// the state file when DATABASE_URL is unset; the environment and flags still win over it.
TEST_F(Config, StateFileGivesDatabaseWhenDatabaseUrlUnset) {
  WriteState(
      "# written by ci/serve.sh\n"
      "\n"
      "CODEBASE_MCP_DATABASE_URL=postgresql:///codebase_mcp?host=/srv/pg&user=postgres\n"
      "DATABASE_URL=postgresql:///plain\n"
      "WORKFLOW_MCP_DATABASE_URL=postgresql:///workflow_mcp?host=/srv/pg&user=postgres\n"
      "CODEBASE_MCP_URL=http://127.0.0.1:8021\n"
      "SOMETHING_ELSE=ignored\n");
  srv_config c;
  srv_err e;
  ASSERT_EQ(SRV_OK, Load({"--stdio"}, &c, &e)) << e.msg;
  // The server's own key wins over the plain one, whatever their order.
  EXPECT_STREQ("postgresql:///codebase_mcp?host=/srv/pg&user=postgres", c.database_url);
  EXPECT_STREQ("http://127.0.0.1:8021", c.codebase_mcp_url);
  EXPECT_EQ(8020, c.port);
  setenv("DATABASE_URL", "postgresql://u@h/env", 1);
  ASSERT_EQ(SRV_OK, Load({}, &c, &e)) << e.msg;
  EXPECT_STREQ("postgresql://u@h/env", c.database_url);
  ASSERT_EQ(SRV_OK, Load({"--database-url", "postgresql:///flag"}, &c, &e)) << e.msg;
  EXPECT_STREQ("postgresql:///flag", c.database_url);
  unsetenv("DATABASE_URL");
  WriteState("DATABASE_URL=postgresql:///plain\n");
  ASSERT_EQ(SRV_OK, Load({}, &c, &e)) << e.msg;
  EXPECT_STREQ("postgresql:///plain", c.database_url);
}

TEST_F(Config, StateFileMissingOrBrokenIsClear) {
  srv_config c;
  srv_err e;
  ASSERT_EQ(SRV_OK, Load({}, &c, &e)) << e.msg;  // no file: the built-in default
  EXPECT_STREQ("postgresql:///codebase_mcp", c.database_url);
  WriteState("CODEBASE_MCP_URL=http://127.0.0.1:8020\nthis line has no equals sign\n");
  EXPECT_EQ(SRV_EINVAL, Load({}, &c, &e));
  EXPECT_NE(nullptr, strstr(e.msg, (home_ + "/state.env line 2 is not KEY=VALUE").c_str()))
      << e.msg;
  // Only where the databases and codebase-mcp are: nothing that widens what a server accepts.
  WriteState("CODEBASE_MCP_BIND=0.0.0.0\nALLOW_REMOTE=1\nPOOL_MAX=lots\nCODEBASE_MCP_PORT=1\n");
  ASSERT_EQ(SRV_OK, Load({}, &c, &e)) << e.msg;
  EXPECT_STREQ("127.0.0.1", c.bind);
  EXPECT_EQ(0, c.allow_remote);
  EXPECT_EQ(20, c.pool_max);
  EXPECT_EQ(8020, c.port);
  std::string usage = Usage();
  EXPECT_NE(std::string::npos, usage.find("Here: " + home_ + "/state.env (present)")) << usage;
  EXPECT_NE(std::string::npos, usage.find("CODEBASE_MCP_DATABASE_URL")) << usage;
}
