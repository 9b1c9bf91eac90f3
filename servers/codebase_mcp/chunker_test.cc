// Unit tests of the chunker (issue 5, "Chunker"): definitions with their docs and comments,
// module windows, parse errors, the parse timeout, and the line-window fallback.
#include <gtest/gtest.h>

#include <string>

extern "C" {
#include "servers/codebase_mcp/chunker.h"
}

namespace {

struct Chunker {
  cb_chunker *c = cb_chunker_new(0, 0);
  cb_chunks out = {};
  ~Chunker() {
    cb_chunks_free(&out);
    cb_chunker_free(c);
  }
  int Run(cb_lang lang, const std::string &src) {
    return cb_chunker_run(c, lang, src.data(), src.size(), &out);
  }
  std::string Text(size_t i, const std::string &src) {
    return src.substr(out.v[i].start_byte, out.v[i].end_byte - out.v[i].start_byte);
  }
};

const char kPy[] =
    "import os\n"                                  // 1
    "import sys\n"                                 // 2
    "\n"                                           // 3
    "# Parses the invoice header.\n"               // 4
    "def parse_invoice_header(raw):\n"             // 5
    "    \"\"\"Return the header fields.\"\"\"\n"  // 6
    "    return raw.split(',')\n"                  // 7
    "\n"                                           // 8
    "\n"                                           // 9
    "class LedgerStore:\n"                         // 10
    "    \"\"\"Keeps ledger rows.\"\"\"\n"         // 11
    "    limit = 10\n"                             // 12
    "\n"                                           // 13
    "    @property\n"                              // 14
    "    def size(self):\n"                        // 15
    "        return 1\n"                           // 16
    "\n"                                           // 17
    "    def add(self, row):\n"                    // 18
    "        pass\n"                               // 19
    "\n"                                           // 20
    "VALUE = 3\n";                                 // 21

TEST(Chunker, PythonFunctionsClassesMethodsAndModuleWindows) {
  Chunker k;
  ASSERT_NE(k.c, nullptr);
  ASSERT_EQ(k.Run(CB_LANG_PYTHON, kPy), 0);
  EXPECT_EQ(k.out.parse_errors, 0);
  ASSERT_EQ(k.out.n, 6u);
  EXPECT_STREQ(k.out.v[0].kind, "module");
  EXPECT_EQ(k.out.v[0].start_line, 1);
  EXPECT_EQ(k.out.v[0].end_line, 2);
  EXPECT_STREQ(k.out.v[1].kind, "function");
  EXPECT_STREQ(k.out.v[1].symbol, "parse_invoice_header");
  EXPECT_EQ(k.out.v[1].start_line, 4);  // leading comment included
  EXPECT_EQ(k.out.v[1].end_line, 7);
  EXPECT_STREQ(k.out.v[2].kind, "class");
  EXPECT_STREQ(k.out.v[2].symbol, "LedgerStore");
  EXPECT_EQ(k.out.v[2].start_line, 10);
  EXPECT_EQ(k.out.v[2].end_line, 12);  // header, docstring, attributes
  EXPECT_STREQ(k.out.v[3].kind, "method");
  EXPECT_STREQ(k.out.v[3].symbol, "size");
  EXPECT_STREQ(k.out.v[3].parent, "LedgerStore");
  EXPECT_EQ(k.out.v[3].start_line, 14);  // decorator included
  EXPECT_STREQ(k.out.v[4].symbol, "add");
  EXPECT_EQ(k.out.v[4].end_line, 19);
  EXPECT_STREQ(k.out.v[5].kind, "module");
  EXPECT_EQ(k.out.v[5].start_line, 21);
  EXPECT_EQ(k.Text(5, kPy), "VALUE = 3\n");
  size_t nlines = 0;
  const uint32_t *lines = cb_chunker_lines(k.c, &nlines);
  EXPECT_EQ(nlines, 21u);
  EXPECT_EQ(lines[3], 22u);
}

TEST(Chunker, JavascriptDeclarationsArrowsExportsAndMethods) {
  const std::string js =
      "import x from 'y';\n"                    // 1
      "/** Totals the ledger. */\n"             // 2
      "export function sumLedger(rows) {\n"     // 3
      "  return rows.length;\n"                 // 4
      "}\n"                                     // 5
      "const fetchRate = async (code) => {\n"   // 6
      "  return 1;\n"                           // 7
      "};\n"                                    // 8
      "class RateCache {\n"                     // 9
      "  constructor() { this.m = {}; }\n"      // 10
      "  // Looks a rate up.\n"                 // 11
      "  get(code) { return this.m[code]; }\n"  // 12
      "}\n";                                    // 13
  Chunker k;
  ASSERT_EQ(k.Run(CB_LANG_JAVASCRIPT, js), 0);
  EXPECT_EQ(k.out.parse_errors, 0);
  ASSERT_EQ(k.out.n, 6u);
  EXPECT_STREQ(k.out.v[0].kind, "module");
  EXPECT_STREQ(k.out.v[1].symbol, "sumLedger");
  EXPECT_EQ(k.out.v[1].start_line, 2);
  EXPECT_EQ(k.out.v[1].end_line, 5);
  EXPECT_STREQ(k.out.v[2].symbol, "fetchRate");
  EXPECT_STREQ(k.out.v[2].kind, "function");
  EXPECT_STREQ(k.out.v[3].symbol, "RateCache");
  EXPECT_EQ(k.out.v[3].end_line, 9);
  EXPECT_STREQ(k.out.v[4].symbol, "constructor");
  EXPECT_STREQ(k.out.v[5].symbol, "get");
  EXPECT_STREQ(k.out.v[5].parent, "RateCache");
  EXPECT_EQ(k.out.v[5].start_line, 11);
}

TEST(Chunker, FileWithSyntaxErrorsStillYieldsChunks) {
  const std::string py = "def good(a):\n    return a\n\ndef broken(:\n    pass\n";
  Chunker k;
  ASSERT_EQ(k.Run(CB_LANG_PYTHON, py), 0);
  EXPECT_EQ(k.out.parse_errors, 1);
  ASSERT_GE(k.out.n, 1u);
  EXPECT_STREQ(k.out.v[0].symbol, "good");
  EXPECT_EQ(k.out.v[k.out.n - 1].end_line, 5);
}

TEST(Chunker, TextFilesAreCutIntoLineWindows) {
  std::string txt;
  for (int i = 0; i < 95; i++) txt += "line " + std::to_string(i) + "\n";
  Chunker k;
  ASSERT_EQ(k.Run(CB_LANG_TEXT, txt), 0);
  ASSERT_EQ(k.out.n, 3u);
  EXPECT_EQ(k.out.v[0].start_line, 1);
  EXPECT_EQ(k.out.v[0].end_line, 40);
  EXPECT_EQ(k.out.v[2].end_line, 95);
  EXPECT_STREQ(k.out.v[2].kind, "lines");
}

TEST(Chunker, FR025_ParseOverTimeoutFallsBackToLines) {
  // A 1 microsecond budget cannot parse ~1 MB of Python.
  cb_chunker *c = cb_chunker_new(1, 0);
  ASSERT_NE(c, nullptr);
  std::string py;
  for (int i = 0; i < 20000; i++) py += "def f" + std::to_string(i) + "(a):\n    return a + 1\n";
  cb_chunks out = {};
  ASSERT_EQ(cb_chunker_run(c, CB_LANG_PYTHON, py.data(), py.size(), &out), 0);
  EXPECT_EQ(out.parse_timed_out, 1);
  ASSERT_GT(out.n, 0u);
  EXPECT_STREQ(out.v[0].kind, "lines");
  EXPECT_EQ(out.v[out.n - 1].end_line, 40000);
  // the parser is usable again afterwards
  cb_chunker_free(c);
  cb_chunks_free(&out);
}

TEST(Chunker, EmptyAndBlankFilesYieldNothing) {
  Chunker k;
  ASSERT_EQ(k.Run(CB_LANG_PYTHON, ""), 0);
  EXPECT_EQ(k.out.n, 0u);
  ASSERT_EQ(k.Run(CB_LANG_TEXT, "\n\n  \n"), 0);
  EXPECT_EQ(k.out.n, 0u);
}

TEST(Chunker, VeryLongDefinitionsAreSplit) {
  std::string py = "def huge():\n";
  for (int i = 0; i < 899; i++) py += "    x = " + std::to_string(i) + "\n";
  Chunker k;
  ASSERT_EQ(k.Run(CB_LANG_PYTHON, py), 0);
  ASSERT_EQ(k.out.n, 5u);  // 900 lines in pieces of 200
  for (size_t i = 0; i < k.out.n; i++) EXPECT_STREQ(k.out.v[i].symbol, "huge");
  EXPECT_EQ(k.out.v[4].start_line, 801);
  EXPECT_EQ(k.out.v[4].end_line, 900);
}

}  // namespace
