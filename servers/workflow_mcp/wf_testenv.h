// wf_testenv.h — what the workflow-mcp gtest targets share: an ephemeral PostgreSQL, a real
// workflow-mcp process (migrated first), and small JSON-over-HTTP / MCP helpers.
//
// Everything is real: tst_pg starts PostgreSQL, tst_server runs the binary from runfiles, calls
// go over HTTP with libcurl. Test-only; not thread-safe except WfEnv::Call (one curl handle per
// call, usable from several threads).
#ifndef WF_TESTENV_H
#define WF_TESTENV_H

#include <cjson/cJSON.h>

#include <string>
#include <vector>

#include "testing/pg.h"
#include "testing/server.h"

// One HTTP answer: status, parsed JSON (owned), latency.
struct WfResp {
  long status = 0;
  cJSON *json = nullptr;
  double ms = 0;
  std::string body;
  WfResp() = default;
  WfResp(const WfResp &) = delete;
  WfResp &operator=(const WfResp &) = delete;
  WfResp(WfResp &&o) noexcept {
    *this = std::move(o);
  }
  WfResp &operator=(WfResp &&o) noexcept {
    std::swap(status, o.status);
    std::swap(json, o.json);
    std::swap(ms, o.ms);
    std::swap(body, o.body);
    return *this;
  }
  ~WfResp() {
    cJSON_Delete(json);
  }
  std::string Str(const char *key) const;  // json[key] as string ("" if absent)
  double Num(const char *key) const;       // json[key] as number (-1 if absent)
  const cJSON *Get(const char *key) const {
    return cJSON_GetObjectItemCaseSensitive(json, key);
  }
  std::string ErrorMessage() const;  // json.error.message
};

class WfServer {
 public:
  // Starts workflow-mcp against database url with extra env ("K=V"); migrates first.
  // On failure returns false and fills *why.
  bool Start(const std::string &db_url, const std::vector<std::string> &env, std::string *why);
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
  ~WfServer() {
    Stop();
  }

  WfResp Post(const std::string &path, const std::string &json, long timeout_ms = 10000) const;
  WfResp Get(const std::string &path, long timeout_ms = 10000) const;
  // MCP tools/call over Streamable HTTP; returns the tool's data (structuredContent) and
  // whether the result was an error (isError) in *is_error. NULL on transport failure.
  cJSON *Mcp(const std::string &tool, const std::string &args, bool *is_error,
             std::string *text = nullptr) const;

 private:
  tst_server *srv_ = nullptr;
  int port_ = 0;
  std::vector<std::string> env_;
  std::string db_url_;
};

// Starts a cluster once per process (lazily); returns nullptr and *why on failure.
tst_pg *WfSharedPg(std::string *why);

// A database URL for a fresh database named name (letters, digits, '_').
std::string WfNewDb(tst_pg *pg, const std::string &name, std::string *why);

// A unique suffix for names (pid + counter).
std::string WfUnique(const char *prefix);

// p-th percentile (0..100) by the suite's one method (models/stats.h: linear interpolation).
double WfPercentile(std::vector<double> v, double p);

#endif  // WF_TESTENV_H
