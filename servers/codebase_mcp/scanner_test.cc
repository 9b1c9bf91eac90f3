// Unit tests of the scanner (issue 5, "Scanner"): ignored folders, .gitignore, the size cap,
// root checks with INDEX_ROOTS, and binary detection.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

extern "C" {
#include "servers/codebase_mcp/scanner.h"
}

namespace {

std::string MakeTree() {
  const char *base = getenv("TEST_TMPDIR");
  std::string tmpl = std::string(base ? base : "/tmp") + "/scanXXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  EXPECT_NE(mkdtemp(buf.data()), nullptr);
  return std::string(buf.data());
}

void Write(const std::string &path, const std::string &content) {
  FILE *f = fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr) << path;
  fwrite(content.data(), 1, content.size(), f);
  fclose(f);
}

TEST(Scanner, SkipsIgnoredFoldersGitignoreAndOversizeFiles) {
  std::string root = MakeTree();
  for (const char *d : {"/src", "/src/pkg", "/node_modules", "/.git", "/build", "/src/__pycache__",
                        "/gen", "/docs"})
    mkdir((root + d).c_str(), 0755);
  Write(root + "/src/a.py", "x = 1\n");
  Write(root + "/src/pkg/b.js", "let y = 2;\n");
  Write(root + "/node_modules/c.js", "z\n");
  Write(root + "/.git/config", "z\n");
  Write(root + "/build/out.py", "z\n");
  Write(root + "/src/__pycache__/a.pyc", "z\n");
  Write(root + "/gen/g.py", "z\n");
  Write(root + "/docs/notes.log", "z\n");
  Write(root + "/docs/readme.md", "# hi\n");
  Write(root + "/big.txt", std::string(5000, 'x'));
  Write(root + "/.gitignore", "gen/\n*.log\n");
  symlink("/etc", (root + "/link").c_str());

  cb_scan_opts o = {2, 4096};
  cb_scan_result r = {};
  srv_err err = {};
  ASSERT_EQ(cb_scan(root.c_str(), &o, &r, &err), SRV_OK) << err.msg;
  std::vector<std::string> got;
  for (size_t i = 0; i < r.n; i++) got.push_back(r.files[i].path);
  EXPECT_EQ(got,
            (std::vector<std::string>{".gitignore", "docs/readme.md", "src/a.py", "src/pkg/b.js"}));
  ASSERT_EQ(r.nskipped, 1u);
  EXPECT_STREQ(r.skipped[0].path, "big.txt");
  EXPECT_NE(std::string(r.skipped[0].reason).find("4096-byte cap"), std::string::npos);
  cb_scan_free(&r);
}

TEST(Scanner, ManyDirectoriesWithSeveralThreads) {
  std::string root = MakeTree();
  int expected = 0;
  for (int i = 0; i < 30; i++) {
    std::string d = root + "/d" + std::to_string(i);
    mkdir(d.c_str(), 0755);
    for (int j = 0; j < 3; j++) {
      std::string e = d + "/e" + std::to_string(j);
      mkdir(e.c_str(), 0755);
      Write(e + "/f.py", "pass\n");
      expected++;
    }
  }
  cb_scan_opts o = {4, 0};
  cb_scan_result r = {};
  srv_err err = {};
  ASSERT_EQ(cb_scan(root.c_str(), &o, &r, &err), SRV_OK);
  EXPECT_EQ((int)r.n, expected);
  EXPECT_EQ(r.dirs, 120u);
  cb_scan_free(&r);
}

TEST(Scanner, ResolveRootErrorsNameRepoPath) {
  std::string root = MakeTree();
  Write(root + "/file.txt", "x");
  char out[4096];
  srv_err err = {};
  EXPECT_EQ(cb_scan_resolve_root("", nullptr, out, sizeof out, &err), SRV_EINVAL);
  EXPECT_NE(std::string(err.msg).find("repo_path"), std::string::npos);
  EXPECT_EQ(cb_scan_resolve_root("relative/dir", nullptr, out, sizeof out, &err), SRV_EINVAL);
  EXPECT_NE(std::string(err.msg).find("absolute"), std::string::npos);
  EXPECT_EQ(cb_scan_resolve_root((root + "/missing").c_str(), nullptr, out, sizeof out, &err),
            SRV_EINVAL);
  EXPECT_NE(std::string(err.msg).find("does not exist"), std::string::npos);
  EXPECT_EQ(cb_scan_resolve_root((root + "/file.txt").c_str(), nullptr, out, sizeof out, &err),
            SRV_EINVAL);
  EXPECT_NE(std::string(err.msg).find("not a directory"), std::string::npos);
  ASSERT_EQ(cb_scan_resolve_root((root + "/./").c_str(), nullptr, out, sizeof out, &err), SRV_OK);
  EXPECT_EQ(std::string(out), root);
}

TEST(Scanner, IndexRootsRefusesPathsOutside) {
  std::string a = MakeTree(), b = MakeTree();
  char out[4096];
  srv_err err = {};
  std::string roots = "/nonexistent:" + a;
  EXPECT_EQ(cb_scan_resolve_root(a.c_str(), roots.c_str(), out, sizeof out, &err), SRV_OK);
  EXPECT_EQ(cb_scan_resolve_root(b.c_str(), roots.c_str(), out, sizeof out, &err), SRV_EINVAL);
  EXPECT_NE(std::string(err.msg).find("outside INDEX_ROOTS"), std::string::npos) << err.msg;
  // a sibling with a common prefix is outside too
  std::string sib = a + "x";
  mkdir(sib.c_str(), 0755);
  EXPECT_EQ(cb_scan_resolve_root(sib.c_str(), a.c_str(), out, sizeof out, &err), SRV_EINVAL);
}

TEST(Scanner, TextCheckFindsNulAndInvalidUtf8) {
  EXPECT_EQ(cb_text_check("plain ascii text, long enough for the fast path", 47), 0);
  EXPECT_EQ(cb_text_check("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14), 0);
  EXPECT_EQ(cb_text_check("abcdefghij\0klm", 14), 1);
  EXPECT_EQ(cb_text_check("abc\xff", 4), 2);
  EXPECT_EQ(cb_text_check("abc\xc3", 4), 2);       // truncated sequence
  EXPECT_EQ(cb_text_check("\xed\xa0\x80", 3), 2);  // surrogate
  EXPECT_EQ(cb_text_check("\xc0\xaf", 2), 2);      // overlong
}

}  // namespace

namespace {

bool Listed(const cb_scan_result &r, const std::string &path) {
  for (size_t i = 0; i < r.n; i++)
    if (path == r.files[i].path) return true;
  return false;
}

bool Skipped(const cb_scan_result &r, const std::string &path, const char *why) {
  for (size_t i = 0; i < r.nskipped; i++)
    if (path == r.skipped[i].path &&
        std::string(r.skipped[i].reason).find(why) != std::string::npos)
      return true;
  return false;
}

// Issue 12 finding 3: well-known secrets are never listed, and are reported as skipped.
TEST(Scanner, SecretsAreSkippedAndReported) {
  std::string root = MakeTree();
  for (const char *d : {"/.ssh", "/.aws", "/.gnupg", "/src", "/.github"})
    mkdir((root + d).c_str(), 0755);
  Write(root + "/.ssh/id_rsa", "-----BEGIN OPENSSH PRIVATE KEY-----\n");
  Write(root + "/.aws/credentials", "aws_secret_access_key = x\n");
  Write(root + "/.gnupg/pubring.kbx", "x");
  for (const char *f :
       {"/.pgpass", "/.env", "/.env.local", "/id_ed25519", "/id_rsa.pub", "/src/server.pem",
        "/src/tls.key", "/.netrc", "/src/credentials", "/.git-credentials"})
    Write(root + f, "secret\n");
  Write(root + "/src/main.py", "def main():\n    pass\n");
  Write(root + "/.github/ci.yml", "on: push\n");
  cb_scan_result r;
  srv_err err;
  ASSERT_EQ(cb_scan(root.c_str(), nullptr, &r, &err), SRV_OK) << err.msg;
  EXPECT_TRUE(Listed(r, "src/main.py"));
  EXPECT_TRUE(Listed(r, ".github/ci.yml"));  // dot-directories that hold no secrets are walked
  EXPECT_EQ(r.n, 2u);
  for (const char *d : {".ssh", ".aws", ".gnupg"})
    EXPECT_TRUE(Skipped(r, d, "secret location")) << d;
  for (const char *f :
       {".pgpass", ".env", ".env.local", "id_ed25519", "id_rsa.pub", "src/server.pem",
        "src/tls.key", ".netrc", "src/credentials", ".git-credentials"})
    EXPECT_TRUE(Skipped(r, f, "looks like a secret")) << f;
  EXPECT_EQ(r.secrets, 13u);
  cb_scan_free(&r);
}

// Issue 12 finding 4: a .gitignore that is a symlink to /dev/zero or a FIFO is not read (the scan
// used to spin or block forever); a regular one still applies.
TEST(Scanner, UntrustedGitignoreIsNotRead) {
  for (int kind = 0; kind < 3; kind++) {
    std::string root = MakeTree();
    Write(root + "/a.py", "x = 1\n");
    Write(root + "/skip.log", "x\n");
    if (kind == 0) {
      ASSERT_EQ(symlink("/dev/zero", (root + "/.gitignore").c_str()), 0);
    } else if (kind == 1) {
      ASSERT_EQ(mkfifo((root + "/.gitignore").c_str(), 0644), 0);
    }
    if (kind == 2) Write(root + "/.gitignore", "*.log\n");
    cb_scan_result r;
    srv_err err;
    ASSERT_EQ(cb_scan(root.c_str(), nullptr, &r, &err), SRV_OK) << err.msg;
    EXPECT_TRUE(Listed(r, "a.py")) << kind;
    EXPECT_EQ(Listed(r, "skip.log"), kind != 2) << kind;
    cb_scan_free(&r);
  }
}

// Issue 12 finding 3: INDEX_ROOTS is judged on the resolved path before anything else is said,
// the default roots are the home directory and the temporary directories, and a secret location
// is never a root.
TEST(Scanner, RootsCheckedFirstWithSafeDefaults) {
  std::string root = MakeTree();
  char out[4096];
  srv_err err;
  std::string roots = root;
  // outside the roots, a path that exists and one that does not get the same answer
  for (const char *p : {"/etc", "/etc/passwd", "/no/such/dir", "/tmp/../etc"}) {
    ASSERT_EQ(cb_scan_resolve_root(p, roots.c_str(), out, sizeof out, &err), SRV_EINVAL) << p;
    EXPECT_NE(std::string(err.msg).find("outside INDEX_ROOTS"), std::string::npos) << err.msg;
  }
  EXPECT_EQ(cb_scan_resolve_root((root + "/missing").c_str(), roots.c_str(), out, sizeof out, &err),
            SRV_EINVAL);
  EXPECT_NE(std::string(err.msg).find("does not exist"), std::string::npos) << err.msg;
  // a symlink inside the roots pointing outside is judged where it leads
  ASSERT_EQ(symlink("/etc", (root + "/etc-link").c_str()), 0);
  EXPECT_EQ(
      cb_scan_resolve_root((root + "/etc-link").c_str(), roots.c_str(), out, sizeof out, &err),
      SRV_EINVAL);
  EXPECT_NE(std::string(err.msg).find("outside INDEX_ROOTS"), std::string::npos) << err.msg;
  mkdir((root + "/.ssh").c_str(), 0700);
  EXPECT_EQ(cb_scan_resolve_root((root + "/.ssh").c_str(), roots.c_str(), out, sizeof out, &err),
            SRV_EINVAL);
  EXPECT_NE(std::string(err.msg).find("secret location"), std::string::npos) << err.msg;
  // the defaults: home and temporary directories, not the rest of the machine
  char defaults[3 * 4096];
  cb_scan_default_roots(defaults, sizeof defaults);
  EXPECT_NE(std::string(defaults).find("/tmp"), std::string::npos) << defaults;
  EXPECT_EQ(cb_scan_resolve_root("/etc", nullptr, out, sizeof out, &err), SRV_EINVAL);
  EXPECT_NE(std::string(err.msg).find("outside INDEX_ROOTS"), std::string::npos) << err.msg;
  EXPECT_EQ(cb_scan_resolve_root(root.c_str(), nullptr, out, sizeof out, &err), SRV_OK)
      << err.msg << " (defaults " << defaults << ")";
  EXPECT_EQ(cb_scan_resolve_root("/etc", "/", out, sizeof out, &err), SRV_OK) << err.msg;
}

}  // namespace
