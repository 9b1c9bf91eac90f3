// test_util.h — small C++ helpers the resilience test targets share (header-only, testonly):
// SQL through libpq, REST tool calls that return parsed JSON, and the fault clock (the wall
// time a fault began and ended, compared with the servers' log timestamps).
#ifndef RS_TEST_UTIL_H
#define RS_TEST_UTIL_H

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <initializer_list>
#include <string>
#include <vector>

extern "C" {
#include "resilience/logscan.h"
#include "resilience/netfault.h"
#include "resilience/rig.h"
#include "testing/http.h"
#include "testing/pg.h"
#include "testing/proc.h"
#include "testing/server.h"
}

namespace rs {

// Rows of a query, each row its columns joined by '|'. Fails the test on error.
inline std::vector<std::string> Rows(const std::string &url, const std::string &sql) {
  std::vector<std::string> out;
  PGconn *c = PQconnectdb(url.c_str());
  EXPECT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
  PGresult *r = PQexec(c, sql.c_str());
  EXPECT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << sql << ": " << PQerrorMessage(c);
  for (int i = 0; i < PQntuples(r); i++) {
    std::string row;
    for (int j = 0; j < PQnfields(r); j++) {
      if (j) row += '|';
      row += PQgetvalue(r, i, j);
    }
    out.push_back(row);
  }
  PQclear(r);
  PQfinish(c);
  return out;
}

inline long long Int(const std::string &url, const std::string &sql) {
  std::vector<std::string> r = Rows(url, sql);
  return r.empty() ? -1 : strtoll(r[0].c_str(), nullptr, 10);
}

// POST a tool; returns the HTTP status (0 on a transport failure) and the parsed body in *out.
inline long Post(const std::string &base, const std::string &tool, const std::string &body,
                 cJSON **out = nullptr, long timeout_ms = 10000) {
  tst_http_resp resp{};
  tst_err err{};
  if (out) *out = nullptr;
  if (rs_post(base.c_str(), tool.c_str(), body.c_str(), timeout_ms, &resp, &err) != TST_OK)
    return 0;
  long st = resp.status;
  if (out) {
    *out = resp.json;
    resp.json = nullptr;
  }
  tst_http_resp_free(&resp);
  return st;
}

inline std::string Str(const cJSON *o, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsString(v) ? v->valuestring : "";
}

inline double Num(const cJSON *o, const char *k, double dflt = -1) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

// GET /health: status code, and the "status" field in *status.
inline long Health(const std::string &base, std::string *status = nullptr, long timeout_ms = 2000) {
  tst_http_resp resp{};
  tst_err err{};
  if (tst_http_get((base + "/health").c_str(), timeout_ms, nullptr, &resp, &err) != TST_OK)
    return 0;
  long st = resp.status;
  if (status) *status = Str(resp.json, "status");
  tst_http_resp_free(&resp);
  return st;
}

inline void SleepMs(int ms) {
  usleep((useconds_t)ms * 1000);
}

// First event of any of `ops` at or after since (Unix ms), or nullptr.
inline const rs_event *FirstOf(const rs_log &log, std::initializer_list<const char *> ops,
                               int64_t since) {
  const rs_event *best = nullptr;
  for (const char *op : ops) {
    const rs_event *e = rs_log_find(&log, op, since, nullptr);
    if (e && (!best || e->wall_ms < best->wall_ms)) best = e;
  }
  return best;
}

// Loads the server's log into *log, waiting up to timeout_ms for an event of any of `ops` at or
// after since to appear (a line is written a moment after the state it reports is visible);
// returns the first such event, or nullptr.
inline const rs_event *LoadUntil(tst_server *s, rs_log *log,
                                 std::initializer_list<const char *> ops, int64_t since,
                                 int timeout_ms = 3000) {
  double until = tst_now_ms() + timeout_ms;
  for (;;) {
    tst_err err{};
    rs_log_free(log);
    EXPECT_EQ(rs_log_load(tst_server_log_path(s), log, &err), TST_OK) << err.msg;
    const rs_event *e = FirstOf(*log, ops, since);
    if (e != nullptr || tst_now_ms() >= until) return e;
    SleepMs(50);
  }
}

inline const rs_event *LoadUntil(tst_server *s, rs_log *log, const char *op, int64_t since,
                                 int timeout_ms = 3000) {
  return LoadUntil(s, log, {op}, since, timeout_ms);
}

inline std::string OutputsDir() {
  const char *d = getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  return d ? d : "";
}

}  // namespace rs

#endif  // RS_TEST_UTIL_H
