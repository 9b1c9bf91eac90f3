// US4 / issue 5 "Indexer": a job whose database connections are killed mid-index
// (pg_terminate_backend) resumes when the database answers again and ends with exactly the rows
// of an undisturbed run — no chunk lost, none doubled.
#include <gtest/gtest.h>

#include <string>

#include "servers/codebase_mcp/test_client.h"

using tst::Num;
using tst::Str;

namespace {

std::string MakeBigRepo(int files) {
  std::string root = tst::TempDir("cbbig");
  for (int i = 0; i < files; i++) {
    std::string s = "import os\n\n";
    for (int f = 0; f < 12; f++) {
      std::string n = std::to_string(i) + "_" + std::to_string(f);
      s += "def compute_ledger_total_" + n + "(rows, rate):\n    \"\"\"Totals ledger rows " + n +
           " at a rate.\"\"\"\n    acc = 0\n    for r in rows:\n        acc += r * rate\n"
           "    return acc\n\n\n";
    }
    tst::WriteFile(root + "/pkg" + std::to_string(i % 50) + "/mod" + std::to_string(i) + ".py", s);
  }
  return root;
}

TEST(Resume, SC008_JobSurvivesTerminatedBackendsWithExactCounts) {
  tst::PgServer env;
  ASSERT_TRUE(env.Start(cbtest::Spec()));
  const int kFiles = 4000;
  std::string repo = MakeBigRepo(kFiles);

  cJSON *clean = cbtest::Index(env, repo, "clean");
  ASSERT_NE(clean, nullptr);
  ASSERT_EQ(Str(clean, "status"), "completed");
  double files = Num(clean, "files_indexed"), chunks = Num(clean, "chunks_created");
  EXPECT_EQ(files, kFiles);
  EXPECT_EQ(chunks, kFiles * 13);  // 12 functions + the import window per file
  printf("clean run: %.0f files, %.0f chunks in %.0f ms\n", files, chunks,
         Num(clean, "elapsed_ms"));
  cJSON_Delete(clean);

  int killed_total = 0;  // kill every backend a few times once the first batch committed
  std::string job = cbtest::IndexInterrupted(env, repo, "faulty", &killed_total);
  ASSERT_FALSE(job.empty());
  cJSON *st = cbtest::Wait(env, job);
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(Str(st, "status"), "completed") << cJSON_PrintUnformatted(st);
  EXPECT_EQ(Num(st, "files_indexed"), files);
  EXPECT_EQ(Num(st, "chunks_created"), chunks);
  cJSON_Delete(st);
  EXPECT_EQ(env.SqlInt("SELECT count(*) FROM code_chunks WHERE project_id = 'faulty'"),
            (long long)chunks);
  EXPECT_EQ(env.SqlInt("SELECT count(*) FROM code_files WHERE project_id = 'faulty'"),
            (long long)files);
  // the same chunks, position by position
  EXPECT_EQ(env.SqlInt("SELECT count(*) FROM (SELECT file_path, start_line, end_line, symbol FROM "
                       "code_chunks WHERE project_id = 'clean' EXCEPT ALL SELECT file_path, "
                       "start_line, end_line, symbol FROM code_chunks WHERE project_id = "
                       "'faulty') d"),
            0);
  std::string log = env.Log();
  size_t retries = 0;
  for (size_t p = log.find("index_batch_retry"); p != std::string::npos;
       p = log.find("index_batch_retry", p + 1))
    retries++;
  printf("backends terminated: %d, batches retried: %zu\n", killed_total, retries);
  EXPECT_GT(killed_total, 0);
  EXPECT_GE(retries, 1u) << "no batch was interrupted: the fault missed the writes";
  env.Stop();
}

}  // namespace
