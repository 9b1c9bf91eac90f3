-- Issue 13: a generation per project, bumped by the final transaction of every indexing job that
-- ended (completed or failed: either may have changed rows) and by the start-up recovery of jobs
-- an earlier process left running. The memory search engine keeps one index per project built
-- from that generation's rows; each search reads the generation with its rows, and a different
-- one means another instance (or a newer job) re-indexed the project: reload.
CREATE TABLE code_index_generations (
  project_id text PRIMARY KEY,
  generation bigint NOT NULL
);
