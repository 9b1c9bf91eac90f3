// repogen_cli_test — the `repogen` binary (issue 3, deliverable 4): --help, generation with
// --out/--files/--seed and progress on stderr, refusal of bad arguments.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>
#include <string>

#include "testing/runfiles.h"
#include "testing/server.h"

namespace {

std::string Bin() {
  char path[4096];
  EXPECT_EQ(0, tst_runfile("testing/repogen", path, sizeof path)) << path;
  return path;
}

TEST(RepogenCli, FR024_HelpDescribesOptions) {
  const char *args[] = {"--help", nullptr};
  char out[4096];
  int st = -1;
  tst_err err{};
  ASSERT_EQ(TST_OK, tst_run(Bin().c_str(), args, nullptr, 10000, &st, out, sizeof out, &err))
      << err.msg;
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  for (const char *flag : {"--out", "--files", "--seed", "--manifest"}) {
    EXPECT_NE(std::string::npos, std::string(out).find(flag)) << out;
  }
}

TEST(RepogenCli, FR024_GeneratesWithProgressAndManifest) {
  std::string dir =
      std::string(getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp") + "/cli_repo";
  const char *args[] = {"--out", dir.c_str(), "--files", "1500", "--seed", "11", nullptr};
  char out[8192];
  int st = -1;
  tst_err err{};
  ASSERT_EQ(TST_OK, tst_run(Bin().c_str(), args, nullptr, 60000, &st, out, sizeof out, &err))
      << err.msg;
  ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << out;
  std::string o = out;
  EXPECT_NE(std::string::npos, o.find("repogen: 1000/1500 files")) << o;
  EXPECT_NE(std::string::npos,
            o.find("1500 files (897 python, 599 javascript, 3 binary, 1 unparseable)"))
      << o;
  std::ifstream m(dir + ".manifest.tsv");
  std::string header;
  ASSERT_TRUE(std::getline(m, header));
  EXPECT_EQ("#symbol\tkind\tfile\tstart_line\tend_line\tlanguage\tparent\tdoc_words", header);
}

TEST(RepogenCli, FR024_RejectsBadArguments) {
  char out[4096];
  int st = -1;
  tst_err err{};
  const char *no_out[] = {"--files", "10", nullptr};
  ASSERT_EQ(TST_OK, tst_run(Bin().c_str(), no_out, nullptr, 10000, &st, out, sizeof out, &err));
  EXPECT_EQ(64, WEXITSTATUS(st));
  EXPECT_NE(std::string::npos, std::string(out).find("--out DIR is required")) << out;
  const char *bad_n[] = {"--out", "/tmp/x", "--files", "ten", nullptr};
  ASSERT_EQ(TST_OK, tst_run(Bin().c_str(), bad_n, nullptr, 10000, &st, out, sizeof out, &err));
  EXPECT_EQ(64, WEXITSTATUS(st));
}

}  // namespace
