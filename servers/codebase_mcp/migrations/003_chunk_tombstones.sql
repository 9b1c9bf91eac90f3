-- What happened to a chunk id that is gone: the indexer records every chunk it removes, so
-- get_chunks can say whether a stale reference's code was changed and re-indexed or its file was
-- deleted and re-indexed, and point at the likely successor (the same symbol under a new id).
-- One row per removed chunk id (an id removed again is updated); rows older than 30 days are
-- pruned at the end of each of the project's indexing jobs.
CREATE TABLE code_chunk_tombstones (
  chunk_id      uuid PRIMARY KEY,
  project_id    text NOT NULL,
  file_path     text NOT NULL,
  symbol        text NOT NULL DEFAULT '',
  parent_symbol text NOT NULL DEFAULT '',
  kind          text NOT NULL,
  reason        text NOT NULL CHECK (reason IN ('changed', 'file_deleted')),
  removed_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX code_chunk_tombstones_age ON code_chunk_tombstones (project_id, removed_at);
