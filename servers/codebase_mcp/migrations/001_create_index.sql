-- codebase-mcp schema: indexing jobs, indexed files (the per-file checkpoint), search chunks.
-- Every row carries project_id; every query filters on it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;

CREATE TABLE index_jobs (
  job_id          uuid PRIMARY KEY,
  project_id      text NOT NULL CHECK (project_id ~ '^[a-z0-9_-]{1,64}$'),
  repo_path       text NOT NULL,
  force_reindex   boolean NOT NULL DEFAULT false,
  status          text NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'running', 'completed', 'failed')),
  files_total     integer NOT NULL DEFAULT 0,
  files_indexed   integer NOT NULL DEFAULT 0,
  files_skipped   integer NOT NULL DEFAULT 0,
  files_unchanged integer NOT NULL DEFAULT 0,
  files_deleted   integer NOT NULL DEFAULT 0,
  chunks_created  integer NOT NULL DEFAULT 0,
  error           text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  started_at      timestamptz,
  finished_at     timestamptz
);
CREATE INDEX index_jobs_project ON index_jobs (project_id, created_at DESC);

-- One row per indexed file. A file's row and its chunks are written in the same transaction,
-- so a row here means "this content is fully indexed": re-indexing skips it when content_hash
-- is unchanged, and a job resumed after a lost connection redoes only files without a row.
CREATE TABLE code_files (
  project_id   text NOT NULL,
  path         text NOT NULL,
  content_hash text NOT NULL,
  language     text NOT NULL,
  size_bytes   bigint NOT NULL,
  chunk_count  integer NOT NULL,
  job_id       uuid NOT NULL,
  indexed_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, path)
);
CREATE INDEX code_files_job ON code_files (job_id);
CREATE INDEX code_files_path_trgm ON code_files USING gin (path gin_trgm_ops);

-- tsv is built by the indexer in C (tsvector input text sent through COPY): a generated column
-- calling to_tsvector made COPY about 6x slower (issue 5).
CREATE TABLE code_chunks (
  chunk_id       uuid PRIMARY KEY,
  project_id     text NOT NULL,
  file_path      text NOT NULL,
  start_line     integer NOT NULL,
  end_line       integer NOT NULL,
  language       text NOT NULL,
  symbol         text NOT NULL DEFAULT '',
  parent_symbol  text NOT NULL DEFAULT '',
  kind           text NOT NULL,
  content        text NOT NULL,
  context_before text NOT NULL DEFAULT '',
  context_after  text NOT NULL DEFAULT '',
  tsv            tsvector NOT NULL
);
CREATE INDEX code_chunks_file ON code_chunks (project_id, file_path);
-- project_id inside the GIN index (btree_gin) so a tenant's query never scans other tenants.
CREATE INDEX code_chunks_tsv ON code_chunks USING gin (project_id, tsv);
CREATE INDEX code_chunks_symbol_trgm ON code_chunks USING gin (symbol gin_trgm_ops)
  WHERE symbol <> '';
