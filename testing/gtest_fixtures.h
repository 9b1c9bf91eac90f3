// gtest_fixtures.h — the gtest fixtures every PostgreSQL or server test shares (C++, test-only):
// a PostgreSQL suite (one ephemeral cluster per test suite), a server suite (that cluster plus one
// migrated server binary from runfiles), the server handle they hand out, and the small helpers
// their tests repeat (temp files, JSON fields, one SQL integer, unique names, percentiles).
//
// Everything is real: tst_pg starts PostgreSQL, tst_server runs the binary, calls go over HTTP
// with libcurl (testing/http.h) or MCP over Streamable HTTP (testing/mcp.h). Not thread-safe
// except Server's calls (one curl handle per call, usable from several threads).
//
//   class Tools : public tst::ServerSuite {
//    protected:
//     static void SetUpTestSuite() { StartSuite({"servers/workflow_mcp/workflow-mcp", {"K=V"}}); }
//   };
//   TEST_F(Tools, X) { tst::Resp r = env->Post("/mcp/list_projects", "{}"); ... }
#ifndef TST_GTEST_FIXTURES_H
#define TST_GTEST_FIXTURES_H

#include <cjson/cJSON.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "testing/pg.h"
#include "testing/server.h"

namespace tst {

// ---- small helpers -----------------------------------------------------------------------------

// Absolute path of a runfile (e.g. "servers/codebase_mcp/codebase-mcp"; a gtest failure if absent).
std::string Runfile(const std::string &path);

// A new private directory under $TEST_TMPDIR named prefix.XXXXXX (a gtest failure if it cannot).
std::string TempDir(const char *prefix);

// Writes content to path, creating its parent directories (a fatal gtest failure if it cannot).
void WriteFile(const std::string &path, const std::string &content);

// The whole file, or "" when it cannot be read.
std::string ReadFile(const std::string &path);

// o[k] as a string ("" when absent or not a string) / as a number (dflt when absent).
std::string Str(const cJSON *o, const char *k);
double Num(const cJSON *o, const char *k, double dflt = -1);

// One integer from one SQL query on the database at url (-1 and a gtest failure otherwise).
long long SqlInt(const std::string &url, const std::string &sql);

// A database URL for a fresh database named name on pg (letters, digits, '_'); "" and *why on
// failure.
std::string NewDb(tst_pg *pg, const std::string &name, std::string *why);

// A unique suffix for names: prefix-<pid>-<counter>.
std::string Unique(const char *prefix);

// p-th percentile (0..100) by the suite's one method (models/stats.h: linear interpolation).
double Percentile(std::vector<double> v, double p);

// ---- a server under test -----------------------------------------------------------------------

// One HTTP answer: status (0 on a transport failure, then body says why), parsed JSON (owned),
// latency, raw body.
struct Resp {
  long status = 0;
  cJSON *json = nullptr;
  double ms = 0;
  std::string body;
  Resp() = default;
  Resp(const Resp &) = delete;
  Resp &operator=(const Resp &) = delete;
  Resp(Resp &&o) noexcept {
    *this = std::move(o);
  }
  Resp &operator=(Resp &&o) noexcept {
    std::swap(status, o.status);
    std::swap(json, o.json);
    std::swap(ms, o.ms);
    std::swap(body, o.body);
    return *this;
  }
  ~Resp() {
    cJSON_Delete(json);
  }
  std::string Str(const char *key) const;  // json[key] as string ("" if absent)
  double Num(const char *key) const;       // json[key] as number (-1 if absent)
  const cJSON *Get(const char *key) const {
    return cJSON_GetObjectItemCaseSensitive(json, key);
  }
  std::string ErrorMessage() const;  // json.error.message, else the body
};

// What to launch: a binary from runfiles, its extra environment, and whether it logs to a file.
struct ServerSpec {
  std::string runfile;           // e.g. "servers/codebase_mcp/codebase-mcp"
  std::vector<std::string> env;  // "KEY=VALUE" added to DATABASE_URL
  bool log_file = false;         // LOG_FILE=<a temp dir>/<binary>.log, read back by Log()
};

// A server process: migrated (`<binary> migrate`) and launched on a database.
class Server {
 public:
  // Runs `<binary> migrate` then starts the binary with DATABASE_URL=db_url and spec.env; a
  // restart (Start after Stop) keeps the port. On failure returns false and fills *why.
  bool Start(const ServerSpec &spec, const std::string &db_url, std::string *why);
  void Stop();
  bool Running() const {
    return srv_ != nullptr;
  }
  const char *Url() const {
    return tst_server_url(srv_);
  }
  tst_server *Raw() {
    return srv_;
  }
  // What the server wrote to its LOG_FILE (spec.log_file), "" otherwise.
  std::string Log() const;
  Server() = default;
  Server(const Server &) = delete;
  Server &operator=(const Server &) = delete;
  virtual ~Server() {
    Stop();
  }

  Resp Post(const std::string &path, const std::string &json, long timeout_ms = 10000) const;
  Resp Get(const std::string &path, long timeout_ms = 10000) const;
  // The same with a 30 s deadline, a gtest failure on a transport error, the status returned and
  // the parsed body in *json (owned by the caller; NULL when not JSON).
  long Post(const std::string &path, const std::string &json_body, cJSON **json) const;
  long Get(const std::string &path, cJSON **json) const;
  // MCP tools/call over Streamable HTTP; returns the tool's data (structuredContent) and
  // whether the result was an error (isError) in *is_error. NULL on transport failure.
  cJSON *Mcp(const std::string &tool, const std::string &args, bool *is_error,
             std::string *text = nullptr) const;

 private:
  tst_server *srv_ = nullptr;
  int port_ = 0;
  std::vector<std::string> env_;
  std::string log_path_;
};

// One ephemeral PostgreSQL and one server migrated and running on its database; stopped by the
// destructor. For a test that needs its own (a suite shares one through ServerSuite).
class PgServer : public Server {
 public:
  tst_pg *pg = nullptr;
  std::string url;  // the server's base URL once started

  // Starts both; on failure adds a gtest failure saying why and returns false. Stop() and
  // Start(spec, db_url, why) stop and restart the server alone; the destructor stops both.
  bool Start(const ServerSpec &spec);
  using Server::Start;
  // One integer from SQL on the server's database.
  long long SqlInt(const std::string &sql) const {
    return tst::SqlInt(tst_pg_url(pg), sql);
  }
  ~PgServer() override;
};

// ---- suite fixtures ----------------------------------------------------------------------------

// One PostgreSQL cluster shared by every test of a suite: started before its first test,
// destroyed after its last. A suite that also starts servers on it calls
// PgSuite::SetUpTestSuite() first from its own.
class PgSuite : public ::testing::Test {
 public:
  static inline tst_pg *pg = nullptr;

 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override {
    ASSERT_NE(pg, nullptr) << "the suite's PostgreSQL did not start";
  }
};

// One PostgreSQL plus one server (a PgServer) shared by every test of a suite. The suite's own
// SetUpTestSuite() calls StartSuite(spec); the server is stopped after the suite's last test.
class ServerSuite : public ::testing::Test {
 public:
  static inline PgServer *env = nullptr;

 protected:
  static void StartSuite(const ServerSpec &spec);
  static void TearDownTestSuite();
  void SetUp() override {
    ASSERT_NE(env, nullptr) << "the suite's server did not start";
  }
};

}  // namespace tst

#endif  // TST_GTEST_FIXTURES_H
