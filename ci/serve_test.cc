// Proves ci/serve.sh (issue 20): the one command brings both servers up on a persistent embedded
// PostgreSQL; a second start finds the first running; the indexed project and the work items
// survive a --stop and a new start; --stop and Ctrl-C leave no process, pid or lock file behind;
// the official MCP SDK client lists both servers' tools over Streamable HTTP and over stdio with
// the configuration the command printed.
//
// The servers are the Bazel-built binaries of this build (--bin-dir), so the test needs no nested
// build; ports are free ones picked here (--codebase-port / --workflow-port), so it runs beside
// other tests and beside a ci/serve.sh on the default ports. Each test has its own data home in
// /tmp (as root, PostgreSQL runs as `postgres`, which must be able to enter it); a watchdog runs
// --stop and removes it if the test process dies.
#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "testing/http.h"
#include "testing/proc.h"
#include "testing/runfiles.h"
#include "testing/server.h"

namespace {

const char kWatchdog[] =
    "read line; [ \"$line\" = disarm ] && exit 0; "
    "MCP_SUITE_HOME=\"$1\" /bin/bash \"$2\" --stop >/dev/null 2>&1; rm -rf \"$1\"";

std::string Runfile(const char *rel) {
  char path[4096];
  EXPECT_EQ(0, tst_runfile(rel, path, sizeof path)) << "missing runfile " << path;
  return path;
}

std::string ReadFile(const std::string &path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

bool Exists(const std::string &path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

// A process is gone when /proc has no entry for it or only a zombie's.
bool ProcessGone(int pid) {
  std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  if (stat.empty()) return true;
  size_t close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z';
}

// Pids of live processes other than `except` whose command line mentions `needle`.
std::vector<int> ProcessesMentioning(const std::string &needle, int except) {
  std::vector<int> out;
  DIR *d = opendir("/proc");
  if (d == nullptr) return out;
  while (struct dirent *e = readdir(d)) {
    char *end = nullptr;
    long pid = strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0' || pid == getpid() || pid == except) continue;
    std::string cmd = ReadFile("/proc/" + std::string(e->d_name) + "/cmdline");
    for (char &c : cmd)
      if (c == '\0') c = ' ';
    if (cmd.find(needle) != std::string::npos && !ProcessGone((int)pid)) out.push_back((int)pid);
  }
  closedir(d);
  return out;
}

// Files under dir whose names end in .pid or .lock, or are PostgreSQL's socket (recursive).
void LeftoverFiles(const std::string &dir, std::vector<std::string> *out) {
  DIR *d = opendir(dir.c_str());
  if (d == nullptr) return;
  while (struct dirent *e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    std::string path = dir + "/" + name;
    struct stat st;
    if (lstat(path.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      LeftoverFiles(path, out);
      continue;
    }
    auto ends = [&](const char *suf) {
      size_t n = strlen(suf);
      return name.size() >= n && name.compare(name.size() - n, n, suf) == 0;
    };
    if (ends(".pid") || ends(".lock") || name.rfind(".s.PGSQL.", 0) == 0) out->push_back(path);
  }
  closedir(d);
}

class Serve : public ::testing::Test {
 protected:
  void SetUp() override {
    tst_err err{};
    char dir[512];
    ASSERT_EQ(TST_OK, tst_mkdtemp("mcp_serve_test.", 0, dir, sizeof dir, &err)) << err.msg;
    home_ = dir;
    chmod(home_.c_str(), 0755);  // the postgres user enters it when the test runs as root
    script_ = Runfile("ci/serve.sh");
    std::string cb = Runfile("servers/codebase_mcp/codebase-mcp");
    bin_dir_ = cb.substr(0, cb.size() - strlen("/servers/codebase_mcp/codebase-mcp"));
    ASSERT_EQ(TST_OK, tst_watchdog_start(kWatchdog, home_.c_str(), script_.c_str(), &wd_pid_,
                                         &wd_fd_, &err))
        << err.msg;
    cb_port_ = tst_free_port();
    wf_port_ = tst_free_port();
    while (wf_port_ == cb_port_) wf_port_ = tst_free_port();
  }

  void TearDown() override {
    std::string out;
    Run({"--stop"}, &out);
    if (!HasFailure()) {
      tst_watchdog_disarm(wd_pid_, wd_fd_);
      tst_rmtree(home_.c_str());
    } else {
      // Keep the data home for a look at its logs; the watchdog's --stop already ran above.
      fprintf(stderr, "data home kept for inspection: %s\n", home_.c_str());
      tst_watchdog_disarm(wd_pid_, wd_fd_);
    }
  }

  // Runs `bash ci/serve.sh ARGS` with MCP_SUITE_HOME; returns the exit code, *out the output.
  int Run(std::vector<std::string> args, std::string *out, int timeout_ms = 180000) {
    std::vector<const char *> argv{script_.c_str()};
    for (auto &a : args) argv.push_back(a.c_str());
    argv.push_back(nullptr);
    std::string env_home = "MCP_SUITE_HOME=" + home_;
    const char *env[] = {env_home.c_str(), nullptr};
    static char buf[1 << 16];
    int status = 0;
    tst_err err{};
    int rc = tst_run("/bin/bash", argv.data(), env, timeout_ms, &status, buf, sizeof buf, &err);
    *out = buf;
    if (rc != TST_OK) {
      *out += std::string("\n[tst_run: ") + err.msg + "]";
      return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  std::vector<std::string> StartArgs() {
    return {"--detach",
            "--bin-dir",
            bin_dir_,
            "--codebase-port",
            std::to_string(cb_port_),
            "--workflow-port",
            std::to_string(wf_port_)};
  }

  std::string Url(int port, const std::string &path) {
    return "http://127.0.0.1:" + std::to_string(port) + path;
  }

  // The pids ci/serve.sh runs now: both servers (run/*.pid) and the postmaster.
  std::vector<int> RunningPids() {
    std::vector<int> pids;
    for (const char *f : {"/run/codebase-mcp.pid", "/run/workflow-mcp.pid"}) {
      std::string s = ReadFile(home_ + f);
      if (!s.empty()) pids.push_back(std::stoi(s));
    }
    std::string pm = ReadFile(home_ + "/pg/postmaster.pid");
    if (!pm.empty()) pids.push_back(std::stoi(pm.substr(0, pm.find('\n'))));
    return pids;
  }

  // --stop: every process gone, no pid / lock / socket file left, the data kept.
  void ExpectStopLeavesNothing(const std::vector<int> &pids) {
    std::string out;
    ASSERT_EQ(0, Run({"--stop"}, &out)) << out;
    EXPECT_NE(std::string::npos, out.find("stopped:")) << out;
    for (int pid : pids) EXPECT_TRUE(ProcessGone(pid)) << "pid " << pid << " survived --stop";
    EXPECT_TRUE(ProcessesMentioning(home_, wd_pid_).empty()) << "a process still names " << home_;
    std::vector<std::string> left;
    LeftoverFiles(home_, &left);
    for (auto &f : left) ADD_FAILURE() << "left behind by --stop: " << f;
    EXPECT_FALSE(Exists(home_ + "/run")) << "run/ survived --stop";
    EXPECT_TRUE(Exists(home_ + "/pg/PG_VERSION")) << "--stop must keep the data";
    ASSERT_EQ(3, Run({"--status"}, &out)) << out;
  }

  // A small repository with one function a query can single out.
  std::string WriteRepo() {
    std::string repo = home_ + "/ledger-repo";
    mkdir(repo.c_str(), 0755);
    std::ofstream(repo + "/ledger.py")
        << "\"\"\"Ledger maths.\"\"\"\n\n\n"
           "def reconcile_ledger_totals(entries, opening_balance):\n"
           "    \"\"\"Sum the entries onto the opening balance, rounding to cents.\"\"\"\n"
           "    total = opening_balance\n"
           "    for entry in entries:\n"
           "        total += entry.amount\n"
           "    return round(total, 2)\n\n\n"
           "class InvoiceParser:\n"
           "    def parse_header(self, text):\n"
           "        return text.splitlines()[0]\n";
    std::ofstream(repo + "/README.md") << "# ledger\n\nReconciles ledgers.\n";
    return repo;
  }

  // search_code over REST; the chunk_id of the reconcile_ledger_totals chunk ("" if absent).
  std::string FindChunk() {
    tst_http_resp r{};
    tst_err err{};
    std::string id;
    EXPECT_EQ(TST_OK, tst_http_post_json(Url(cb_port_, "/mcp/search").c_str(),
                                         "{\"query\": \"reconcile ledger totals\", "
                                         "\"project_id\": \"ledger-repo\", \"limit\": 5}",
                                         10000, nullptr, &r, &err))
        << err.msg;
    EXPECT_EQ(200, r.status) << r.body;
    cJSON *results = cJSON_GetObjectItem(r.json, "results");
    cJSON *hit = nullptr;
    cJSON_ArrayForEach(hit, results) {
      cJSON *content = cJSON_GetObjectItem(hit, "content");
      if (cJSON_IsString(content) && strstr(content->valuestring, "def reconcile_ledger_totals")) {
        id = cJSON_GetStringValue(cJSON_GetObjectItem(hit, "chunk_id"));
        break;
      }
    }
    EXPECT_FALSE(id.empty()) << "no reconcile_ledger_totals chunk in " << r.body;
    tst_http_resp_free(&r);
    return id;
  }

  std::string home_, script_, bin_dir_;
  int cb_port_ = 0, wf_port_ = 0;
  pid_t wd_pid_ = -1;
  int wd_fd_ = -1;
};

}  // namespace

TEST_F(Serve, RestartKeepsIndexedProjectAndWorkItems_StopLeavesNothing) {
  std::string repo = WriteRepo(), out;
  std::vector<std::string> args = StartArgs();
  args.insert(args.end(), {"--index", repo});
  ASSERT_EQ(0, Run(args, &out)) << out;
  EXPECT_NE(std::string::npos, out.find("creating the PostgreSQL cluster")) << out;
  EXPECT_NE(std::string::npos, out.find(Url(cb_port_, "/mcp"))) << out;
  EXPECT_NE(std::string::npos, out.find(Url(wf_port_, "/mcp"))) << out;
  EXPECT_NE(std::string::npos, out.find("indexed " + repo)) << out;
  EXPECT_NE(std::string::npos, out.find("--stop")) << out;
  EXPECT_NE(std::string::npos, out.find(home_ + "/logs")) << out;

  std::string chunk = FindChunk();
  ASSERT_FALSE(chunk.empty());
  tst_http_resp r{};
  tst_err err{};
  ASSERT_EQ(TST_OK, tst_http_post_json(Url(wf_port_, "/mcp/projects").c_str(),
                                       "{\"name\": \"ledger-repo\"}", 10000, nullptr, &r, &err))
      << err.msg;
  // The first project becomes the active one; its name says in which codebase project its work
  // items' references are checked (servers/workflow_mcp/README.md, "Code references").
  ASSERT_EQ(201, r.status) << r.body;
  tst_http_resp_free(&r);
  std::string body =
      "{\"title\": \"Round reconcile_ledger_totals per entry\", \"item_type\": "
      "\"task\", \"entity_references\": [\"" +
      chunk + "\"]}";
  ASSERT_EQ(TST_OK, tst_http_post_json(Url(wf_port_, "/mcp/work_items").c_str(), body.c_str(),
                                       10000, nullptr, &r, &err))
      << err.msg;
  ASSERT_EQ(201, r.status) << r.body;
  std::string item = cJSON_GetStringValue(cJSON_GetObjectItem(r.json, "id"));
  tst_http_resp_free(&r);

  // A second start finds the first running, says so, and starts nothing.
  std::vector<int> pids = RunningPids();
  ASSERT_EQ(3u, pids.size());
  ASSERT_EQ(0, Run(StartArgs(), &out)) << out;
  EXPECT_NE(std::string::npos, out.find("already running")) << out;
  EXPECT_EQ(pids, RunningPids());
  ASSERT_EQ(0, Run({"--status"}, &out)) << out;
  EXPECT_NE(std::string::npos, out.find("health healthy")) << out;

  ExpectStopLeavesNothing(pids);
  if (HasFatalFailure()) return;

  // Start again on the same data: same chunk, same work item, reference still valid.
  ASSERT_EQ(0, Run(StartArgs(), &out)) << out;
  EXPECT_EQ(std::string::npos, out.find("creating the PostgreSQL cluster")) << out;
  EXPECT_EQ(chunk, FindChunk());
  ASSERT_EQ(TST_OK, tst_http_get(Url(wf_port_, "/mcp/work_items/" + item).c_str(), 10000, nullptr,
                                 &r, &err))
      << err.msg;
  ASSERT_EQ(200, r.status) << r.body;
  EXPECT_STREQ("Round reconcile_ledger_totals per entry",
               cJSON_GetStringValue(cJSON_GetObjectItem(r.json, "title")));
  cJSON *refs = cJSON_GetObjectItem(r.json, "entity_references");
  ASSERT_EQ(1, cJSON_GetArraySize(refs)) << r.body;
  EXPECT_EQ(0, cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "stale_references"))) << r.body;
  tst_http_resp_free(&r);
  ExpectStopLeavesNothing(RunningPids());
}

TEST_F(Serve, OfficialSdkListsToolsOverHttpAndStdioWithPrintedConfig) {
  std::string out;
  ASSERT_EQ(0, Run(StartArgs(), &out)) << out;
  std::string http_cfg = home_ + "/mcp-http.json", stdio_cfg = home_ + "/mcp-stdio.json";
  // What was printed is what the files hold.
  EXPECT_NE(std::string::npos, out.find(ReadFile(http_cfg).substr(0, 60))) << out;
  EXPECT_NE(std::string::npos, out.find(home_ + "/bin/codebase-mcp")) << out;

  std::string client = Runfile("ci/mcp_client/list_tools.mjs");
  char real[4096];
  ASSERT_NE(nullptr, realpath(client.c_str(), real));
  std::string sdk = std::string(real);
  sdk = sdk.substr(0, sdk.rfind('/')) + "/node_modules/@modelcontextprotocol/sdk/package.json";
  ASSERT_TRUE(Exists(sdk)) << "the MCP SDK is not fetched (" << sdk
                           << "): run bash ci/bootstrap.sh";
  const char *args[] = {client.c_str(), http_cfg.c_str(), stdio_cfg.c_str(), nullptr};
  static char buf[1 << 16];
  int status = 0;
  tst_err err{};
  ASSERT_EQ(TST_OK, tst_run("/usr/bin/node", args, nullptr, 120000, &status, buf, sizeof buf, &err))
      << err.msg;
  std::string listing = buf;
  printf("%s", listing.c_str());  // the listing, in test.log
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << listing;
  for (const char *want :
       {"codebase-mcp http 4 tools: start_indexing_background, get_indexing_status, search_code, "
        "get_chunks",
        "codebase-mcp stdio 4 tools: start_indexing_background",
        "workflow-mcp http 12 tools: create_project",
        "workflow-mcp stdio 12 tools: create_project"}) {
    EXPECT_NE(std::string::npos, listing.find(want)) << want << "\n" << listing;
  }
  for (const char *tool : {"create_work_item", "get_work_item", "query_work_items"})
    EXPECT_NE(std::string::npos, listing.find(tool)) << tool << "\n" << listing;
  ExpectStopLeavesNothing(RunningPids());
}

// Starts `ci/serve.sh` in the foreground (own session, as from a terminal) with its output in
// *log; returns its pid once it says it is running, or -1.
static pid_t StartForeground(const std::string &script, const std::string &bin_dir, int cb, int wf,
                             const std::string &home, const std::string &log) {
  std::string port_cb = std::to_string(cb), port_wf = std::to_string(wf),
              env_home = "MCP_SUITE_HOME=" + home;
  const char *argv[] = {
      "bash",          script.c_str(),    "--bin-dir",     bin_dir.c_str(), "--codebase-port",
      port_cb.c_str(), "--workflow-port", port_wf.c_str(), nullptr};
  const char *env[] = {env_home.c_str(), nullptr};
  tst_spawn_opts o = {"/bin/bash", argv, env, log.c_str(), home.c_str(), nullptr, 1};
  pid_t pid = -1;
  tst_err err{};
  if (tst_spawn(&o, &pid, &err) != TST_OK) return -1;
  double deadline = tst_now_ms() + 120000;
  while (ReadFile(log).find("running in the foreground") == std::string::npos &&
         tst_now_ms() < deadline && !ProcessGone(pid))
    usleep(200000);
  return ReadFile(log).find("running in the foreground") == std::string::npos ? -1 : pid;
}

TEST_F(Serve, ForegroundStopsEverythingOnCtrlCOrWhenAPartDies) {
  // A part dying: the foreground command reports it, stops the rest and exits 1.
  std::string log = home_ + "/foreground-1.log";
  pid_t pid = StartForeground(script_, bin_dir_, cb_port_, wf_port_, home_, log);
  ASSERT_GT(pid, 0) << ReadFile(log);
  std::vector<int> pids = RunningPids();
  ASSERT_EQ(3u, pids.size());
  kill(pids[1], SIGKILL);  // workflow-mcp
  int status = 0;
  ASSERT_EQ(TST_OK, tst_wait(pid, 120000, &status)) << ReadFile(log);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << ReadFile(log);
  EXPECT_NE(std::string::npos, ReadFile(log).find("workflow-mcp exited unexpectedly"))
      << ReadFile(log);
  for (int p : pids) EXPECT_TRUE(ProcessGone(p)) << "pid " << p << " survived";

  // Ctrl-C: SIGINT to the terminal's foreground process group; everything stops, exit 0.
  log = home_ + "/foreground-2.log";
  pid = StartForeground(script_, bin_dir_, cb_port_, wf_port_, home_, log);
  ASSERT_GT(pid, 0) << ReadFile(log);
  pids = RunningPids();
  ASSERT_EQ(3u, pids.size());
  kill(-pid, SIGINT);
  ASSERT_EQ(TST_OK, tst_wait(pid, 120000, &status)) << ReadFile(log);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << ReadFile(log);
  EXPECT_NE(std::string::npos, ReadFile(log).find("stopped:")) << ReadFile(log);
  for (int p : pids) EXPECT_TRUE(ProcessGone(p)) << "pid " << p << " survived Ctrl-C";
  EXPECT_TRUE(ProcessesMentioning(home_, wd_pid_).empty()) << "a process still names " << home_;
  std::vector<std::string> left;
  LeftoverFiles(home_, &left);
  for (auto &f : left) ADD_FAILURE() << "left behind by Ctrl-C: " << f;
}

TEST_F(Serve, HelpAndBadArgumentsAreClear) {
  std::string out;
  ASSERT_EQ(0, Run({"--help"}, &out)) << out;
  for (const char *want : {"--detach", "--index PATH", "--status", "--stop", "MCP_SUITE_HOME",
                           "state.env", "using-with-an-assistant.md"})
    EXPECT_NE(std::string::npos, out.find(want)) << want << "\n" << out;
  struct Case {
    std::vector<std::string> args;
    const char *message;
  } cases[] = {
      {{"--frobnicate"}, "unknown argument '--frobnicate'; see bash ci/serve.sh --help"},
      {{"--index", home_ + "/no-such-repo"}, "no such directory"},
      {{"--index"}, "--index needs a path"},
      {{"--codebase-port", "http"}, "--codebase-port must be 1-65515, got 'http'"},
      {{"--bin-dir", home_ + "/empty"}, "no codebase-mcp binary in"},
  };
  mkdir((home_ + "/empty").c_str(), 0755);
  for (const Case &c : cases) {
    EXPECT_EQ(1, Run(c.args, &out)) << c.args[0] << "\n" << out;
    EXPECT_NE(std::string::npos, out.find(c.message)) << c.message << "\n" << out;
  }
  // None of them started anything.
  EXPECT_EQ(3, Run({"--status"}, &out)) << out;
  EXPECT_FALSE(Exists(home_ + "/pg/PG_VERSION"));
}
