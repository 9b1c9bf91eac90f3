// pg_test — proves the ephemeral PostgreSQL of //testing (issue 3, "Done when" #1): start, use,
// leave no process or directory behind, fault hooks, DATABASE_URL mode.
#include "testing/pg.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>

namespace {

// Processes whose working directory is inside dir (the postmaster and every backend chdir to the
// data directory; a deleted one reads "<dir>/data (deleted)").
int CountClusterProcesses(const std::string &dir) {
  int n = 0;
  DIR *d = opendir("/proc");
  if (d == nullptr) return -1;
  while (struct dirent *e = readdir(d)) {
    char *end;
    long pid = strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    char target[512];
    ssize_t len =
        readlink((std::string("/proc/") + e->d_name + "/cwd").c_str(), target, sizeof target - 1);
    if (len <= 0) continue;
    target[len] = '\0';
    if (std::string(target).rfind(dir + "/", 0) == 0) n++;
  }
  closedir(d);
  return n;
}

bool DirExists(const std::string &p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0;
}

std::string QueryOne(PGconn *c, const char *sql) {
  PGresult *r = PQexec(c, sql);
  std::string v =
      PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "";
  PQclear(r);
  return v;
}

class PgEnv : public ::testing::Test {
 protected:
  void SetUp() override {
    if (getenv("DATABASE_URL") != nullptr) unsetenv("DATABASE_URL");
  }
};

TEST_F(PgEnv, StartWriteReadDestroyLeavesNothingUnder5s) {
  auto t0 = std::chrono::steady_clock::now();
  tst_err err{};
  tst_pg *pg = nullptr;
  ASSERT_EQ(TST_OK, tst_pg_start(&pg, &err)) << err.msg;
  std::string dir = tst_pg_dir(pg);
  pid_t pm = tst_pg_postmaster_pid(pg);
  ASSERT_GT(pm, 0);
  ASSERT_TRUE(DirExists(dir));
  EXPECT_EQ(0u, std::string(tst_pg_url(pg)).find("postgresql://postgres@127.0.0.1:"));

  PGconn *c = PQconnectdb(tst_pg_url(pg));
  ASSERT_EQ(CONNECTION_OK, PQstatus(c)) << PQerrorMessage(c);
  PGresult *r = PQexec(c,
                       "CREATE TABLE t (id int primary key, name text);"
                       "INSERT INTO t VALUES (1, 'invoice header')");
  ASSERT_EQ(PGRES_COMMAND_OK, PQresultStatus(r)) << PQerrorMessage(c);
  PQclear(r);
  EXPECT_EQ("invoice header", QueryOne(c, "SELECT name FROM t WHERE id = 1"));
  EXPECT_EQ("tst_main", QueryOne(c, "SELECT current_database()"));
  EXPECT_EQ("off", QueryOne(c, "SHOW fsync"));
  EXPECT_EQ("200", QueryOne(c, "SHOW max_connections"));
  EXPECT_GE(CountClusterProcesses(dir), 3);  // postmaster, this backend, auxiliaries
  PQfinish(c);

  tst_pg_destroy(pg);
  EXPECT_EQ(0, CountClusterProcesses(dir)) << "postgres processes of the cluster remain";
  EXPECT_EQ(-1, kill(pm, 0)) << "postmaster " << pm << " still alive";
  EXPECT_FALSE(DirExists(dir)) << dir << " was not removed";
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(secs, 5.0);
  printf("start+use+destroy took %.2f s\n", secs);
}

TEST_F(PgEnv, TerminateBackendsBreaksHeldConnection) {
  tst_err err{};
  tst_pg *pg = nullptr;
  ASSERT_EQ(TST_OK, tst_pg_start(&pg, &err)) << err.msg;
  PGconn *held = PQconnectdb(tst_pg_url(pg));
  ASSERT_EQ(CONNECTION_OK, PQstatus(held));
  EXPECT_EQ("1", QueryOne(held, "SELECT 1"));
  int n = 0;
  ASSERT_EQ(TST_OK, tst_pg_terminate_backends(pg, tst_pg_dbname(pg), &n, &err)) << err.msg;
  EXPECT_EQ(1, n);
  PGresult *r = PQexec(held, "SELECT 1");
  EXPECT_NE(PGRES_TUPLES_OK, PQresultStatus(r)) << "held connection survived termination";
  PQclear(r);
  EXPECT_EQ(CONNECTION_BAD, PQstatus(held));
  PQfinish(held);
  // A new connection works.
  PGconn *fresh = PQconnectdb(tst_pg_url(pg));
  EXPECT_EQ(CONNECTION_OK, PQstatus(fresh));
  PQfinish(fresh);
  tst_pg_destroy(pg);
}

TEST_F(PgEnv, StopThenRestartSamePortKeepsData) {
  tst_err err{};
  tst_pg *pg = nullptr;
  ASSERT_EQ(TST_OK, tst_pg_start(&pg, &err)) << err.msg;
  int port = tst_pg_port(pg);
  ASSERT_EQ(TST_OK,
            tst_pg_exec(pg, nullptr, "CREATE TABLE k (v int); INSERT INTO k VALUES (42)", &err))
      << err.msg;
  PGconn *held = PQconnectdb(tst_pg_url(pg));
  ASSERT_EQ(CONNECTION_OK, PQstatus(held));

  ASSERT_EQ(TST_OK, tst_pg_stop(pg, &err)) << err.msg;
  EXPECT_EQ(-1, tst_pg_postmaster_pid(pg));
  PGconn *down = PQconnectdb(tst_pg_url(pg));
  EXPECT_EQ(CONNECTION_BAD, PQstatus(down)) << "server still accepts connections after stop";
  PQfinish(down);
  PGresult *r = PQexec(held, "SELECT 1");
  EXPECT_NE(PGRES_TUPLES_OK, PQresultStatus(r));
  PQclear(r);

  ASSERT_EQ(TST_OK, tst_pg_restart(pg, &err)) << err.msg;
  EXPECT_EQ(port, tst_pg_port(pg));
  PQreset(held);
  ASSERT_EQ(CONNECTION_OK, PQstatus(held)) << PQerrorMessage(held);
  EXPECT_EQ("42", QueryOne(held, "SELECT v FROM k"));
  PQfinish(held);
  // Restart while running also works.
  ASSERT_EQ(TST_OK, tst_pg_restart(pg, &err)) << err.msg;
  EXPECT_EQ(port, tst_pg_port(pg));
  tst_pg_destroy(pg);
}

TEST_F(PgEnv, CreateDbGivesIndependentDatabases) {
  tst_err err{};
  tst_pg *pg = nullptr;
  ASSERT_EQ(TST_OK, tst_pg_start(&pg, &err)) << err.msg;
  char url[1024];
  ASSERT_EQ(TST_OK, tst_pg_create_db(pg, "second", url, sizeof url, &err)) << err.msg;
  ASSERT_EQ(TST_OK, tst_pg_exec(pg, url, "CREATE TABLE only_here (x int)", &err)) << err.msg;
  EXPECT_NE(TST_OK, tst_pg_exec(pg, nullptr, "SELECT * FROM only_here", &err));
  EXPECT_EQ(TST_EDB, err.code);
  EXPECT_EQ(TST_EINVAL, tst_pg_create_db(pg, "bad;name", url, sizeof url, &err));
  EXPECT_EQ(TST_EDB, tst_pg_create_db(pg, "second", url, sizeof url, &err));
  tst_pg_destroy(pg);
}

// The test process dies without cleaning up: the watchdog must stop the cluster and remove its dir.
TEST_F(PgEnv, KilledTestProcessLeavesNoOrphans) {
  int p[2];
  ASSERT_EQ(0, pipe(p));
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    tst_err err{};
    tst_pg *pg = nullptr;
    char msg[256] = "";
    if (tst_pg_start(&pg, &err) == TST_OK) {
      snprintf(msg, sizeof msg, "%d %s", (int)tst_pg_postmaster_pid(pg), tst_pg_dir(pg));
    }
    if (write(p[1], msg, strlen(msg) + 1) < 0) _exit(1);
    pause();
    _exit(0);
  }
  close(p[1]);
  char buf[256] = "";
  ASSERT_GT(read(p[0], buf, sizeof buf), 1);
  close(p[0]);
  int pm = 0;
  char dir[200] = "";
  ASSERT_EQ(2, sscanf(buf, "%d %199s", &pm, dir)) << buf;
  ASSERT_EQ(0, kill(pm, 0));
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  bool gone = false;
  for (int i = 0; i < 100 && !gone; i++) {
    gone = CountClusterProcesses(dir) == 0 && !DirExists(dir);
    if (!gone) usleep(100 * 1000);
  }
  EXPECT_TRUE(gone) << "cluster of a killed test process survived: postmaster " << pm << " dir "
                    << dir;
}

TEST_F(PgEnv, SweepRemovesUnguardedLeftoversOnly) {
  char stale[] = "/tmp/tst_pg.sweepXXXXXX";
  ASSERT_NE(nullptr, mkdtemp(stale));
  ASSERT_EQ(0, mkdir((std::string(stale) + "/data").c_str(), 0700));
  { std::ofstream(std::string(stale) + "/data/PG_VERSION") << "15\n"; }
  struct timeval old[2] = {{time(nullptr) - 3600, 0}, {time(nullptr) - 3600, 0}};
  ASSERT_EQ(0, utimes(stale, old));
  tst_err err{};
  tst_pg *live = nullptr;
  ASSERT_EQ(TST_OK, tst_pg_start(&live, &err)) << err.msg;
  std::string live_dir = tst_pg_dir(live);
  ASSERT_EQ(0, utimes(live_dir.c_str(), old));  // old, but guarded by its watchdog
  char young[] = "/tmp/tst_pg.sweepXXXXXX";
  ASSERT_NE(nullptr, mkdtemp(young));  // unguarded, but too young

  tst_pg_sweep(120);
  EXPECT_FALSE(DirExists(stale)) << "stale leftover not swept";
  EXPECT_TRUE(DirExists(live_dir)) << "a live cluster was swept";
  EXPECT_TRUE(DirExists(young)) << "a young directory was swept";
  EXPECT_EQ(TST_OK, tst_pg_exec(live, nullptr, "SELECT 1", &err)) << err.msg;
  rmdir(young);
  tst_pg_destroy(live);
}

TEST(PgExternal, DatabaseUrlModeCreatesAndDropsOwnDatabase) {
  // Use one ephemeral cluster as "the server DATABASE_URL points to".
  unsetenv("DATABASE_URL");
  tst_err err{};
  tst_pg *server = nullptr;
  ASSERT_EQ(TST_OK, tst_pg_start(&server, &err)) << err.msg;
  setenv("DATABASE_URL", tst_pg_admin_url(server), 1);
  tst_pg *a = nullptr, *b = nullptr;
  ASSERT_EQ(TST_OK, tst_pg_start(&a, &err)) << err.msg;
  ASSERT_EQ(TST_OK, tst_pg_start(&b, &err)) << err.msg;
  unsetenv("DATABASE_URL");
  EXPECT_EQ(nullptr, tst_pg_dir(a));
  EXPECT_STRNE(tst_pg_dbname(a), tst_pg_dbname(b));
  EXPECT_EQ(tst_pg_port(server), tst_pg_port(a));
  ASSERT_EQ(TST_OK, tst_pg_exec(a, nullptr, "CREATE TABLE t (x int)", &err)) << err.msg;
  ASSERT_NE(TST_OK, tst_pg_exec(b, nullptr, "SELECT * FROM t", &err));
  char url[1024];
  ASSERT_EQ(TST_OK, tst_pg_create_db(a, "extra", url, sizeof url, &err)) << err.msg;
  EXPECT_EQ(TST_EUNSUPPORTED, tst_pg_stop(a, &err));
  std::string dba = tst_pg_dbname(a);
  tst_pg_destroy(a);
  tst_pg_destroy(b);
  PGconn *c = PQconnectdb(tst_pg_admin_url(server));
  ASSERT_EQ(CONNECTION_OK, PQstatus(c));
  EXPECT_EQ("0", QueryOne(c, ("SELECT count(*) FROM pg_database WHERE datname LIKE '" +
                              dba.substr(0, dba.size() - 5) + "%'")
                                 .c_str()));
  EXPECT_EQ(
      "0",
      QueryOne(
          c,
          "SELECT count(*) FROM pg_database WHERE datname LIKE 'tst_%' AND datname <> 'tst_main'"));
  PQfinish(c);

  // A test process killed in DATABASE_URL mode: its watchdog drops its databases.
  int p[2];
  ASSERT_EQ(0, pipe(p));
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    setenv("DATABASE_URL", tst_pg_admin_url(server), 1);
    tst_err e{};
    tst_pg *mine = nullptr;
    char name[64] = "";
    if (tst_pg_start(&mine, &e) == TST_OK) snprintf(name, sizeof name, "%s", tst_pg_dbname(mine));
    if (write(p[1], name, sizeof name) < 0) _exit(1);
    pause();
    _exit(0);
  }
  close(p[1]);
  char name[64] = "";
  ASSERT_EQ((ssize_t)sizeof name, read(p[0], name, sizeof name));
  close(p[0]);
  ASSERT_NE('\0', name[0]);
  c = PQconnectdb(tst_pg_admin_url(server));
  std::string q = std::string("SELECT count(*) FROM pg_database WHERE datname = '") + name + "'";
  EXPECT_EQ("1", QueryOne(c, q.c_str()));
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  std::string left = "1";
  for (int i = 0; i < 100 && left != "0"; i++) {
    usleep(100 * 1000);
    left = QueryOne(c, q.c_str());
  }
  EXPECT_EQ("0", left) << "database " << name << " of a killed test process was not dropped";
  PQfinish(c);
  tst_pg_destroy(server);
}

}  // namespace
