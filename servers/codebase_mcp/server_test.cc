// codebase-mcp end to end: a real server process on its own PostgreSQL, driven over HTTP (REST)
// and MCP (issue 5: tools, scanner, chunker, indexer, search, tenants, errors).
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <set>
#include <string>

#include "servers/codebase_mcp/test_client.h"
#include "testing/mcp.h"

using tst::Num;
using tst::Str;
using tst::WriteFile;

namespace {

tst::PgServer *&g_env = tst::ServerSuite::env;

class Server : public tst::ServerSuite {
 protected:
  static void SetUpTestSuite() {
    StartSuite(cbtest::Spec());
  }
  tst::PgServer &env() {
    return *g_env;
  }
};

const char kInvoicePy[] =
    "import os\n"
    "\n"
    "# Parses the invoice header.\n"
    "def parse_invoice_header(raw):\n"
    "    \"\"\"Return the header fields of a raw invoice.\"\"\"\n"
    "    return raw.split(',')\n"
    "\n"
    "\n"
    "class LedgerStore:\n"
    "    \"\"\"Keeps ledger rows in memory.\"\"\"\n"
    "\n"
    "    def add_row(self, row):\n"
    "        self.rows.append(row)\n"
    "\n"
    "    def total_amount(self):\n"
    "        return sum(r.amount for r in self.rows)\n";

const char kRatesJs[] =
    "import { get } from './http';\n"
    "/** Fetches the exchange rate for a currency code. */\n"
    "export async function fetchExchangeRate(code) {\n"
    "  return get('/rates/' + code);\n"
    "}\n"
    "class RateCache {\n"
    "  // Looks a cached rate up.\n"
    "  lookupRate(code) { return this.m[code]; }\n"
    "}\n";

std::string MakeRepo(const char *name) {
  std::string root = tst::TempDir(name);
  WriteFile(root + "/billing/invoice.py", kInvoicePy);
  WriteFile(root + "/web/rates.js", kRatesJs);
  WriteFile(root + "/README.md", "# Billing\n\nInvoices and exchange rates.\n");
  WriteFile(root + "/node_modules/dep/index.js", "function vendoredThing() {}\n");
  return root;
}

cJSON *Search(tst::PgServer &e, const std::string &body, long *status) {
  cJSON *j = nullptr;
  *status = e.Post("/mcp/search", body, &j);
  return j;
}

TEST_F(Server, IndexStatusSearchOverHttp) {
  std::string repo = MakeRepo("cbrepo");
  cJSON *st = cbtest::Index(env(), repo, "http-proj");
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(Str(st, "status"), "completed") << cJSON_PrintUnformatted(st);
  EXPECT_EQ(Num(st, "files_total"), 3);  // node_modules is ignored
  EXPECT_EQ(Num(st, "files_indexed"), 3);
  EXPECT_EQ(Num(st, "files_skipped"), 0);
  EXPECT_EQ(Num(st, "percent"), 100);
  EXPECT_GE(Num(st, "chunks_created"), 8);
  EXPECT_GE(Num(st, "elapsed_ms"), 0);
  EXPECT_EQ(Num(st, "eta_ms"), 0);
  EXPECT_EQ(env().SqlInt("SELECT count(*) FROM code_chunks WHERE project_id = 'http-proj'"),
            (long long)Num(st, "chunks_created"));
  cJSON_Delete(st);

  long code = 0;
  cJSON *r =
      Search(env(), "{\"query\":\"parse invoice header\",\"project_id\":\"http-proj\"}", &code);
  ASSERT_EQ(code, 200);
  cJSON *results = cJSON_GetObjectItem(r, "results");
  ASSERT_GE(cJSON_GetArraySize(results), 1) << cJSON_PrintUnformatted(r);
  cJSON *top = cJSON_GetArrayItem(results, 0);
  EXPECT_EQ(Str(top, "symbol"), "parse_invoice_header");
  EXPECT_EQ(Str(top, "file_path"), "billing/invoice.py");
  EXPECT_EQ(Num(top, "start_line"), 3);
  EXPECT_EQ(Num(top, "end_line"), 6);
  EXPECT_EQ(Str(top, "language"), "python");
  EXPECT_EQ(Str(top, "context_before"), "import os\n\n");
  EXPECT_NE(Str(top, "content").find("def parse_invoice_header"), std::string::npos);
  EXPECT_GT(Num(top, "score"), 0);
  EXPECT_EQ(Str(top, "chunk_id").size(), 36u);
  EXPECT_NE(Str(top, "snippet").find("parse_invoice_header"), std::string::npos);
  EXPECT_GE(Num(r, "total_count"), 1);
  EXPECT_EQ(Str(r, "project_id"), "http-proj");
  EXPECT_GE(Num(r, "latency_ms"), 0);
  cJSON_Delete(r);

  // camelCase identifiers split; the doc comment is searchable; the language filter applies
  r = Search(env(),
             "{\"query\":\"exchange rate\",\"project_id\":\"http-proj\",\"language\":"
             "\"javascript\",\"limit\":5}",
             &code);
  ASSERT_EQ(code, 200);
  results = cJSON_GetObjectItem(r, "results");
  ASSERT_GE(cJSON_GetArraySize(results), 1);
  EXPECT_EQ(Str(cJSON_GetArrayItem(results, 0), "symbol"), "fetchExchangeRate");
  cJSON *it;
  cJSON_ArrayForEach(it, results) EXPECT_EQ(Str(it, "language"), "javascript");
  cJSON_Delete(r);

  // file_path_prefix restricts
  r = Search(env(),
             "{\"query\":\"rate\",\"project_id\":\"http-proj\",\"file_path_prefix\":"
             "\"billing/\"}",
             &code);
  ASSERT_EQ(code, 200);
  cJSON_ArrayForEach(it, cJSON_GetObjectItem(r, "results"))
      EXPECT_EQ(Str(it, "file_path").rfind("billing/", 0), 0u);
  cJSON_Delete(r);

  // search_code under its own REST name gives the same answer
  r = nullptr;
  code = env().Post("/mcp/search_code", "{\"query\":\"LedgerStore\",\"project_id\":\"http-proj\"}",
                    &r);
  ASSERT_EQ(code, 200);
  EXPECT_EQ(Str(cJSON_GetArrayItem(cJSON_GetObjectItem(r, "results"), 0), "symbol"), "LedgerStore");
  cJSON_Delete(r);

  // a typo still finds the symbol (vocabulary + pg_trgm)
  r = Search(env(), "{\"query\":\"parse_invoce_header\",\"project_id\":\"http-proj\"}", &code);
  ASSERT_EQ(code, 200);
  EXPECT_EQ(Str(r, "match_mode"), "corrected");
  ASSERT_GE(cJSON_GetArraySize(cJSON_GetObjectItem(r, "results")), 1);
  EXPECT_EQ(Str(cJSON_GetArrayItem(cJSON_GetObjectItem(r, "results"), 0), "symbol"),
            "parse_invoice_header");
  cJSON_Delete(r);
}

TEST_F(Server, IndexStatusSearchOverMcp) {
  std::string repo = MakeRepo("cbmcp");
  tst_mcp m;
  tst_err err = {};
  ASSERT_EQ(tst_mcp_open(&m, env().url.c_str(), 30000, &err), TST_OK) << err.msg;
  cJSON *res = nullptr;
  std::string args = "{\"repo_path\":\"" + repo + "\",\"project_id\":\"mcp-proj\"}";
  ASSERT_EQ(tst_mcp_call_tool(&m, "start_indexing_background", args.c_str(), &res, &err), TST_OK)
      << err.msg;
  ASSERT_FALSE(tst_mcp_is_error(res));
  cJSON *data = tst_mcp_tool_data(res);
  ASSERT_NE(data, nullptr);
  std::string job = Str(data, "job_id");
  EXPECT_EQ(Str(data, "project_id"), "mcp-proj");
  EXPECT_TRUE(Str(data, "status") == "pending" || Str(data, "status") == "running");
  cJSON_Delete(data);
  cJSON_Delete(res);

  std::string status;
  for (int i = 0; i < 500 && status != "completed" && status != "failed"; i++) {
    std::string a = "{\"job_id\":\"" + job + "\"}";
    ASSERT_EQ(tst_mcp_call_tool(&m, "get_indexing_status", a.c_str(), &res, &err), TST_OK);
    data = tst_mcp_tool_data(res);
    status = Str(data, "status");
    if (status == "completed") {
      EXPECT_EQ(Num(data, "files_indexed"), 3);
    }
    cJSON_Delete(data);
    cJSON_Delete(res);
    usleep(20000);
  }
  ASSERT_EQ(status, "completed");

  ASSERT_EQ(
      tst_mcp_call_tool(&m, "search_code",
                        "{\"query\":\"total amount\",\"project_id\":\"mcp-proj\"}", &res, &err),
      TST_OK);
  ASSERT_FALSE(tst_mcp_is_error(res));
  data = tst_mcp_tool_data(res);
  cJSON *top = cJSON_GetArrayItem(cJSON_GetObjectItem(data, "results"), 0);
  EXPECT_EQ(Str(top, "symbol"), "total_amount");
  EXPECT_EQ(Str(top, "kind"), "method");
  cJSON_Delete(data);
  cJSON_Delete(res);

  // a bad argument is a tool error over MCP, with the field named
  // (a schema violation is JSON-RPC error -32602 naming the field)
  res = nullptr;
  int rc = tst_mcp_call_tool(&m, "search_code", "{\"query\":\"x\",\"limit\":0}", &res, &err);
  EXPECT_EQ(rc, TST_EPROTO);
  EXPECT_NE(std::string(err.msg).find("limit"), std::string::npos) << err.msg;
  cJSON_Delete(res);
  // a handler-level error is a tool result with isError and the message
  ASSERT_EQ(tst_mcp_call_tool(&m, "search_code", "{\"query\":\"   \"}", &res, &err), TST_OK);
  EXPECT_TRUE(tst_mcp_is_error(res));
  char *txt = cJSON_PrintUnformatted(res);
  EXPECT_NE(std::string(txt).find("query is empty"), std::string::npos) << txt;
  free(txt);
  cJSON_Delete(res);
}

TEST_F(Server, BinaryAndUnparseableFilesSkippedWithWarnings) {
  std::string repo = tst::TempDir("cbbin");
  WriteFile(repo + "/good.py", "def fine_function():\n    return 1\n");
  WriteFile(repo + "/image.png", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
  WriteFile(repo + "/latin1.txt", "caf\xe9 cr\xe8me\n");
  WriteFile(repo + "/broken.py",
            "def broken(:\n    pass\n\ndef recovered_after_error():\n"
            "    return 2\n");
  cJSON *st = cbtest::Index(env(), repo, "bin-proj");
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(Str(st, "status"), "completed") << cJSON_PrintUnformatted(st);
  EXPECT_EQ(Num(st, "files_total"), 4);
  EXPECT_EQ(Num(st, "files_indexed"), 2);
  EXPECT_EQ(Num(st, "files_rejected"), 2);
  EXPECT_EQ(Num(st, "files_skipped"), 2);
  EXPECT_GE(Num(st, "warnings"), 3);
  cJSON_Delete(st);
  std::string log = env().Log();
  EXPECT_NE(log.find("\"level\":\"WARN\",\"request_id\""), std::string::npos);
  EXPECT_NE(log.find("image.png: binary"), std::string::npos);
  EXPECT_NE(log.find("latin1.txt: binary or non-UTF-8 file"), std::string::npos);
  EXPECT_NE(log.find("broken.py: the file has syntax errors"), std::string::npos);
  // the unparseable file's good part is still searchable
  long code = 0;
  cJSON *r =
      Search(env(), "{\"query\":\"recovered after error\",\"project_id\":\"bin-proj\"}", &code);
  ASSERT_EQ(code, 200);
  EXPECT_GE(cJSON_GetArraySize(cJSON_GetObjectItem(r, "results")), 1);
  cJSON_Delete(r);
}

std::set<std::string> ChunkIds(tst::PgServer &e, const std::string &project) {
  std::set<std::string> ids;
  PGconn *c = PQconnectdb(tst_pg_url(e.pg));
  std::string sql =
      "SELECT chunk_id::text || ' ' || file_path || ' ' || symbol FROM code_chunks "
      "WHERE project_id = '" +
      project + "'";
  PGresult *r = PQexec(c, sql.c_str());
  for (int i = 0; i < PQntuples(r); i++) ids.insert(PQgetvalue(r, i, 0));
  PQclear(r);
  PQfinish(c);
  return ids;
}

TEST_F(Server, ReindexKeepsUnchangedIdsAndDropsDeleted) {
  std::string repo = MakeRepo("cbre");
  WriteFile(repo + "/extra/gone.py", "def soon_deleted():\n    return 0\n");
  cJSON *st = cbtest::Index(env(), repo, "re-proj");
  ASSERT_NE(st, nullptr);
  ASSERT_EQ(Str(st, "status"), "completed");
  cJSON_Delete(st);
  std::set<std::string> before = ChunkIds(env(), "re-proj");

  // change one method, delete one file, leave the rest
  std::string inv = kInvoicePy;
  inv.replace(inv.find("self.rows.append(row)"), 21, "self.rows.insert(0, row)");
  WriteFile(repo + "/billing/invoice.py", inv);
  ASSERT_EQ(unlink((repo + "/extra/gone.py").c_str()), 0);
  st = cbtest::Index(env(), repo, "re-proj");
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(Str(st, "status"), "completed");
  EXPECT_EQ(Num(st, "files_indexed"), 1);
  EXPECT_EQ(Num(st, "files_unchanged"), 2);
  EXPECT_EQ(Num(st, "files_deleted"), 1);
  cJSON_Delete(st);
  std::set<std::string> after = ChunkIds(env(), "re-proj");

  int kept = 0, dropped = 0;
  std::string add_row_before, gone_id;
  for (const auto &s : before) {
    bool still = after.count(s) > 0;
    if (s.find(" add_row") != std::string::npos) {
      EXPECT_FALSE(still) << "changed method keeps its id: " << s;
      add_row_before = s.substr(0, 36);
    } else if (s.find("extra/gone.py") != std::string::npos) {
      EXPECT_FALSE(still) << "deleted file's chunk survives: " << s;
      gone_id = s.substr(0, 36);
      dropped++;
    } else {
      EXPECT_TRUE(still) << "unchanged chunk lost its id: " << s;
      kept++;
    }
  }
  EXPECT_GE(kept, 7);
  EXPECT_EQ(dropped, 1);
  EXPECT_EQ(after.size(), before.size() - 1);  // add_row replaced, gone.py removed

  // get_chunks reports exactly which ids still exist (workflow-mcp's stale check)
  std::string live = after.begin()->substr(0, 36);
  cJSON *r = nullptr;
  long code = env().Post("/mcp/get_chunks",
                         "{\"project_id\":\"re-proj\",\"chunk_ids\":[\"" + live + "\",\"" +
                             gone_id + "\",\"" + add_row_before + "\",\"not-a-uuid\"]}",
                         &r);
  ASSERT_EQ(code, 200);
  cJSON *found = cJSON_GetObjectItem(r, "found"), *missing = cJSON_GetObjectItem(r, "missing");
  ASSERT_EQ(cJSON_GetArraySize(found), 1);
  EXPECT_EQ(Str(cJSON_GetArrayItem(found, 0), "chunk_id"), live);
  ASSERT_EQ(cJSON_GetArraySize(missing), 3);
  EXPECT_EQ(std::string(cJSON_GetArrayItem(missing, 0)->valuestring), gone_id);
  // What happened to each: gone.py was deleted, add_row changed, "not-a-uuid" never existed.
  cJSON *det = cJSON_GetObjectItem(r, "missing_details");
  ASSERT_EQ(cJSON_GetArraySize(det), 3);
  EXPECT_EQ(Str(cJSON_GetArrayItem(det, 0), "reason"), "file_deleted");
  EXPECT_EQ(Str(cJSON_GetArrayItem(det, 1), "reason"), "changed");
  std::string add_row_after;
  for (const auto &s : after)
    if (s.find(" add_row") != std::string::npos) add_row_after = s.substr(0, 36);
  EXPECT_EQ(Str(cJSON_GetObjectItem(cJSON_GetArrayItem(det, 1), "likely_successor"), "chunk_id"),
            add_row_after)
      << "the changed method's new chunk is named as its likely successor";
  EXPECT_EQ(Str(cJSON_GetArrayItem(det, 2), "reason"), "unknown");
  cJSON_Delete(r);
  code = env().Get("/mcp/projects/re-proj/chunks/" + live, &r);
  EXPECT_EQ(code, 200);
  EXPECT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(r, "found")), 1);
  cJSON_Delete(r);
  // Tenant isolation: the same id looked up from another project is not found.
  code = env().Get("/mcp/chunks/" + live, &r);
  EXPECT_EQ(code, 404);
  cJSON_Delete(r);
  code = env().Get("/mcp/projects/re-proj/chunks/" + gone_id, &r);
  EXPECT_EQ(code, 404);
  cJSON_Delete(r);

  // force_reindex re-indexes everything, ids still the same
  st = cbtest::Index(env(), repo, "re-proj", true);
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(Num(st, "files_indexed"), 3);
  EXPECT_EQ(Num(st, "files_unchanged"), 0);
  cJSON_Delete(st);
  EXPECT_EQ(ChunkIds(env(), "re-proj"), after);
}

TEST_F(Server, TenantIsolationAndConcurrentProjects) {
  std::string a = tst::TempDir("cbta"), b = tst::TempDir("cbtb");
  for (int i = 0; i < 40; i++) {
    WriteFile(a + "/m" + std::to_string(i) + ".py",
              "def alpha_only_function_" + std::to_string(i) + "():\n    return 'shared word'\n");
    WriteFile(b + "/m" + std::to_string(i) + ".js",
              "function betaOnlyFunction" + std::to_string(i) + "() { return 'shared word'; }\n");
  }
  // both jobs at once
  cJSON *ja = nullptr, *jb = nullptr;
  ASSERT_EQ(env().Post("/mcp/start_indexing_background",
                       "{\"repo_path\":\"" + a + "\",\"project_id\":\"tenant-a\"}", &ja),
            200);
  ASSERT_EQ(env().Post("/mcp/start_indexing_background",
                       "{\"repo_path\":\"" + b + "\",\"project_id\":\"tenant-b\"}", &jb),
            200);
  cJSON *sa = cbtest::Wait(env(), Str(ja, "job_id")), *sb = cbtest::Wait(env(), Str(jb, "job_id"));
  ASSERT_NE(sa, nullptr);
  ASSERT_NE(sb, nullptr);
  EXPECT_EQ(Str(sa, "status"), "completed");
  EXPECT_EQ(Str(sb, "status"), "completed");
  EXPECT_EQ(Num(sa, "files_indexed"), 40);
  EXPECT_EQ(Num(sb, "files_indexed"), 40);
  for (cJSON *x : {ja, jb, sa, sb}) cJSON_Delete(x);

  long code = 0;
  cJSON *r =
      Search(env(), "{\"query\":\"shared word\",\"project_id\":\"tenant-a\",\"limit\":50}", &code);
  ASSERT_EQ(code, 200);
  EXPECT_EQ(Num(r, "total_count"), 40);
  cJSON *it;
  cJSON_ArrayForEach(it, cJSON_GetObjectItem(r, "results")) {
    EXPECT_EQ(Str(it, "project_id"), "tenant-a");
    EXPECT_EQ(Str(it, "language"), "python");
  }
  cJSON_Delete(r);
  r = Search(env(), "{\"query\":\"betaOnlyFunction7\",\"project_id\":\"tenant-a\"}", &code);
  ASSERT_EQ(code, 200);
  EXPECT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(r, "results")), 0);
  cJSON_Delete(r);
  r = Search(env(), "{\"query\":\"betaOnlyFunction7\",\"project_id\":\"tenant-b\"}", &code);
  ASSERT_EQ(code, 200);
  ASSERT_GE(cJSON_GetArraySize(cJSON_GetObjectItem(r, "results")), 1);
  EXPECT_EQ(Str(cJSON_GetArrayItem(cJSON_GetObjectItem(r, "results"), 0), "symbol"),
            "betaOnlyFunction7");
  cJSON_Delete(r);
  // the default project has none of them
  r = Search(env(), "{\"query\":\"shared word\"}", &code);
  ASSERT_EQ(code, 200);
  EXPECT_EQ(Str(r, "project_id"), "default");
  EXPECT_EQ(Num(r, "total_count"), 0);
  cJSON_Delete(r);
}

void ExpectBadRequest(tst::PgServer &e, const std::string &path, const std::string &body,
                      const std::string &field) {
  cJSON *r = nullptr;
  long code = e.Post(path, body, &r);
  EXPECT_EQ(code, 400) << body;
  char *txt = r ? cJSON_PrintUnformatted(r) : nullptr;
  std::string s = txt ? txt : "";
  free(txt);
  EXPECT_NE(s.find(field), std::string::npos) << body << " -> " << s;
  cJSON_Delete(r);
}

TEST_F(Server, BadArgumentsGetClearErrors) {
  std::string file = tst::TempDir("cbbad") + "/f.txt";
  WriteFile(file, "x");
  const std::string s = "/mcp/start_indexing_background";
  // under the index roots a missing path is named as such (outside them: security_test)
  std::string missing = file.substr(0, file.rfind('/')) + "/no/such/dir";
  ExpectBadRequest(env(), s, "{\"repo_path\":\"" + missing + "\"}",
                   "repo_path '" + missing + "' does not exist");
  ExpectBadRequest(env(), s, "{\"repo_path\":\"relative/path\"}", "repo_path");
  ExpectBadRequest(env(), s, "{\"repo_path\":\"" + file + "\"}", "is not a directory");
  ExpectBadRequest(env(), s, "{\"repo_path\":\"\"}", "repo_path");
  ExpectBadRequest(env(), s, "{\"repo_path\":\"/tmp\",\"project_id\":\"Bad Project!\"}",
                   "project_id 'Bad Project!' is invalid");
  ExpectBadRequest(env(), s,
                   "{\"repo_path\":\"/tmp\",\"project_id\":\"" + std::string(65, 'a') + "\"}",
                   "project_id");
  const std::string q = "/mcp/search";
  ExpectBadRequest(env(), q, "{\"query\":\"\"}", "query");
  ExpectBadRequest(env(), q, "{\"query\":\"   \"}", "query is empty");
  ExpectBadRequest(env(), q, "{\"query\":\"x\",\"limit\":0}", "limit");
  ExpectBadRequest(env(), q, "{\"query\":\"x\",\"limit\":500}", "limit");
  ExpectBadRequest(env(), q, "{\"query\":\"x\",\"project_id\":\"UPPER\"}", "project_id");
  ExpectBadRequest(env(), q, "{\"query\":\"x\",\"language\":\"klingon\"}", "language");
  ExpectBadRequest(env(), "/mcp/get_indexing_status", "{\"job_id\":\"nope\"}", "job_id");
  ExpectBadRequest(env(), "/mcp/get_chunks", "{}", "chunk_ids");
  cJSON *r = nullptr;
  EXPECT_EQ(env().Post("/mcp/get_indexing_status",
                       "{\"job_id\":\"00000000-0000-4000-8000-000000000000\"}", &r),
            404);
  cJSON_Delete(r);
  // none of these created a job
  EXPECT_EQ(env().SqlInt("SELECT count(*) FROM index_jobs WHERE repo_path LIKE '/no/%' OR "
                         "repo_path LIKE 'relative%'"),
            0);
}

TEST(IndexRoots, PathOutsideIndexRootsIsRefused) {
  std::string allowed = tst::TempDir("cbroot"), other = MakeRepo("cbout");
  WriteFile(allowed + "/inside/a.py", "def inside_root():\n    return 1\n");
  tst::PgServer e;
  ASSERT_TRUE(e.Start(cbtest::Spec({"INDEX_ROOTS=/nonexistent," + allowed})));
  ExpectBadRequest(e, "/mcp/start_indexing_background", "{\"repo_path\":\"" + other + "\"}",
                   "outside INDEX_ROOTS");
  cJSON *st = cbtest::Index(e, allowed + "/inside", "roots");
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(Str(st, "status"), "completed");
  EXPECT_EQ(Num(st, "files_indexed"), 1);
  cJSON_Delete(st);
  e.Stop();
}

}  // namespace
