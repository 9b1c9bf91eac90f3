// Proves issue 12 against a real codebase-mcp process over real HTTP: every route refuses what a
// web page could send (foreign Origin 403, foreign Host 421, text/plain body 415) while curl-like
// clients pass; and the indexing limits (secrets skipped, safe roots, untrusted files, a global
// cap on concurrent jobs).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "servers/codebase_mcp/test_client.h"
#include "testing/http.h"

extern "C" {
#include "testing/probe.h"
}

namespace {

tst::PgServer *&g_env = tst::ServerSuite::env;

class Security : public tst::ServerSuite {
 protected:
  static void SetUpTestSuite() {
    StartSuite(cbtest::Spec());
  }
};

TEST_F(Security, EveryRouteRefusesForeignOriginHostAndTextPlain) {
  static const tst_probe_route extra[] = {
      {"POST", "/mcp/search"}, {"GET", "/mcp/chunks/{id}"}, {"GET", "/mcp/jobs/{job_id}"}};
  static char report[65536];
  size_t n = 0;
  tst_err err = {};
  int rc = tst_probe_routes(g_env->url.c_str(), extra, sizeof extra / sizeof extra[0], report,
                            sizeof report, &n, &err);
  tst_probe_save("codebase_probe.txt", report);
  printf("%s", report);
  EXPECT_EQ(rc, TST_OK) << err.msg;
  EXPECT_GE(n, 30u);
}

// The search results' contents joined, to look for a secret's text.
std::string SearchText(const std::string &project, const std::string &query) {
  cJSON *r = nullptr;
  long st = g_env->Post(
      "/mcp/search",
      "{\"query\":\"" + query + "\",\"project_id\":\"" + project + "\",\"limit\":50}", &r);
  EXPECT_EQ(st, 200);
  char *text = r ? cJSON_PrintUnformatted(r) : nullptr;
  std::string out = text ? text : "";
  free(text);
  cJSON_Delete(r);
  return out;
}

long StartStatus(const std::string &repo, const std::string &project, cJSON **body) {
  return g_env->Post("/mcp/start_indexing_background",
                     "{\"repo_path\":\"" + repo + "\",\"project_id\":\"" + project + "\"}", body);
}

std::string ErrorMessage(const cJSON *body) {
  const cJSON *m = cJSON_GetObjectItem(cJSON_GetObjectItem(body, "error"), "message");
  return cJSON_IsString(m) ? m->valuestring : "";
}

// Finding 3: keys, credentials and .env files in a repository are never indexed (so never
// searchable), the job says how many it skipped, and its log lines name them.
TEST_F(Security, SecretsAreNeverIndexed) {
  std::string repo = tst::TempDir("secrets");
  tst::WriteFile(repo + "/app/main.py", "def handler():\n    return 'zebracorn visible'\n");
  tst::WriteFile(repo + "/.ssh/id_rsa", "zebracorn private key material\n");
  tst::WriteFile(repo + "/.aws/credentials", "zebracorn aws_secret_access_key\n");
  tst::WriteFile(repo + "/.pgpass", "localhost:5432:*:app:zebracorn\n");
  tst::WriteFile(repo + "/.env", "API_TOKEN=zebracorn\n");
  tst::WriteFile(repo + "/deploy/server.pem", "zebracorn certificate key\n");
  tst::WriteFile(repo + "/id_ed25519", "zebracorn ed25519\n");
  cJSON *done = cbtest::Index(*g_env, repo, "secrets");
  ASSERT_NE(done, nullptr);
  EXPECT_EQ(tst::Str(done, "status"), "completed");
  EXPECT_EQ(tst::Num(done, "secrets_skipped"), 6) << cJSON_PrintUnformatted(done);
  EXPECT_GE(tst::Num(done, "warnings"), 6);
  cJSON_Delete(done);
  std::string hits = SearchText("secrets", "zebracorn");
  EXPECT_NE(hits.find("zebracorn visible"), std::string::npos) << hits;
  for (const char *leak :
       {"private key", "aws_secret", "5432", "API_TOKEN", "certificate", "ed25519"})
    EXPECT_EQ(hits.find(leak), std::string::npos) << leak << " leaked: " << hits;
  std::string log = g_env->Log();
  for (const char *p : {".ssh", ".aws", ".pgpass", ".env", "deploy/server.pem", "id_ed25519"})
    EXPECT_NE(log.find(std::string("\"path\":\"") + p + "\""), std::string::npos) << p;
}

// Finding 3: with no INDEX_ROOTS the roots are the home and temporary directories; outside them
// a path's existence is not revealed, and a secret location is never a root.
TEST_F(Security, DefaultRootsAndNoExistenceOracle) {
  cJSON *b = nullptr;
  for (const char *p : {"/etc", "/etc/passwd", "/no/such/place", "/proc/self"}) {
    EXPECT_EQ(StartStatus(p, "roots", &b), 400) << p;
    EXPECT_NE(ErrorMessage(b).find("outside INDEX_ROOTS"), std::string::npos) << ErrorMessage(b);
    cJSON_Delete(b);
  }
  std::string repo = tst::TempDir("rootsok");
  mkdir((repo + "/.ssh").c_str(), 0700);
  EXPECT_EQ(StartStatus(repo + "/.ssh", "roots", &b), 400);
  EXPECT_NE(ErrorMessage(b).find("secret location"), std::string::npos) << ErrorMessage(b);
  cJSON_Delete(b);
  EXPECT_EQ(StartStatus(repo + "/missing", "roots", &b), 400);
  EXPECT_NE(ErrorMessage(b).find("does not exist"), std::string::npos) << ErrorMessage(b);
  cJSON_Delete(b);
}

// Finding 4: a .gitignore that is a symlink to /dev/zero or a FIFO used to make the job spin or
// block forever (and shutdown hang); now the job completes and the file is not read.
TEST_F(Security, HostileGitignoreDoesNotHangTheJob) {
  for (int kind = 0; kind < 2; kind++) {
    std::string repo = tst::TempDir(kind ? "fifo" : "zero");
    tst::WriteFile(repo + "/a.py", "def alpha():\n    return 1\n");
    if (kind == 0) {
      ASSERT_EQ(symlink("/dev/zero", (repo + "/.gitignore").c_str()), 0);
    } else {
      ASSERT_EQ(mkfifo((repo + "/.gitignore").c_str(), 0644), 0);
    }
    ASSERT_EQ(mkfifo((repo + "/pipe.py").c_str(), 0644), 0);
    ASSERT_EQ(symlink("/dev/zero", (repo + "/zero.py").c_str()), 0);
    cJSON *done = cbtest::Index(*g_env, repo, kind ? "fifo" : "zero", false, 60000);
    ASSERT_NE(done, nullptr) << "the job hung";
    EXPECT_EQ(tst::Str(done, "status"), "completed") << cJSON_PrintUnformatted(done);
    EXPECT_EQ(tst::Num(done, "files_indexed"), 1) << cJSON_PrintUnformatted(done);
    cJSON_Delete(done);
  }
}

// Finding 5: the number of jobs running at once is capped across projects (INDEX_MAX_JOBS); the
// next start is a retry-later 503 with Retry-After naming the limit, and works once a job ends.
TEST(SecurityJobs, ConcurrentJobsAreCapped) {
  tst::PgServer env;
  double t0 = tst_now_ms();
  ASSERT_TRUE(env.Start(cbtest::Spec({"INDEX_MAX_JOBS=1", "ALLOWED_HOSTS=mcp.internal"})));
  printf("server started in %.0f ms\n", tst_now_ms() - t0);
  std::string repo = tst::TempDir("capped");
  tst_repogen_opts o = {};
  std::string out = repo + "/r";
  o.out_dir = out.c_str();
  o.files = 200;
  o.seed = 12;
  tst_repogen_stats st;
  tst_err err = {};
  ASSERT_EQ(tst_repogen_generate(&o, &st, &err), TST_OK) << err.msg;
  printf("fixture written at %.0f ms\n", tst_now_ms() - t0);
  cJSON *first = nullptr;
  ASSERT_EQ(env.Post("/mcp/start_indexing_background",
                     "{\"repo_path\":\"" + out + "\",\"project_id\":\"cap-a\"}", &first),
            200);
  std::string job = tst::Str(first, "job_id");
  cJSON_Delete(first);
  tst_http_resp r = {};
  ASSERT_EQ(tst_http_post_json((env.url + "/mcp/start_indexing_background").c_str(),
                               ("{\"repo_path\":\"" + out + "\",\"project_id\":\"cap-b\"}").c_str(),
                               30000, nullptr, &r, &err),
            TST_OK)
      << err.msg;
  printf("second start answered at %.0f ms\n", tst_now_ms() - t0);
  cJSON *done = cbtest::Wait(env, job, 300000);
  printf("first job done at %.0f ms\n", tst_now_ms() - t0);
  bool first_still_ran = done && tst::Num(done, "elapsed_ms") != 0;
  EXPECT_EQ(r.status, 503) << r.body << (first_still_ran ? "" : " (first job finished very fast)");
  EXPECT_NE(tst_http_header(&r, "Retry-After"), nullptr);
  EXPECT_NE(std::string(r.body).find("INDEX_MAX_JOBS=1"), std::string::npos) << r.body;
  tst_http_resp_free(&r);
  ASSERT_NE(done, nullptr);
  cJSON_Delete(done);
  cJSON *again = cbtest::Index(env, out, "cap-b");
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(tst::Str(again, "status"), "completed");
  cJSON_Delete(again);
  printf("second job done at %.0f ms\n", tst_now_ms() - t0);
  // ALLOWED_HOSTS widens the Host check (a reverse proxy's name), and only by that name
  for (const char *host : {"Host: mcp.internal", "Host: other.internal"}) {
    const char *h[] = {host, nullptr};
    tst_http_resp hr = {};
    ASSERT_EQ(tst_http_get((env.url + "/health").c_str(), 10000, h, &hr, &err), TST_OK) << err.msg;
    EXPECT_EQ(hr.status, strstr(host, "mcp.internal") ? 200 : 421) << host;
    tst_http_resp_free(&hr);
  }
  env.Stop();
  printf("stopped at %.0f ms\n", tst_now_ms() - t0);
}

// Finding 1: a non-loopback BIND refuses to start without the explicit ALLOW_REMOTE=1 opt-in.
TEST(SecurityBind, NonLoopbackBindNeedsAllowRemote) {
  std::string bin = tst::Runfile(cbtest::kBinary);
  const char *args[] = {"--port", "1", nullptr};
  const char *env[] = {"BIND=0.0.0.0", "DATABASE_URL=postgresql://nobody@127.0.0.1:1/none",
                       nullptr};
  int status = -1;
  char out[4096];
  tst_err err = {};
  ASSERT_EQ(tst_run(bin.c_str(), args, env, 30000, &status, out, sizeof out, &err), TST_OK)
      << err.msg;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << status << ": " << out;
  EXPECT_NE(std::string(out).find("ALLOW_REMOTE=1"), std::string::npos) << out;
}

}  // namespace
