-- Fuzzy identifiers through a per-project vocabulary of identifier pieces (a few thousand rows)
-- instead of a trigram index on every chunk's symbol: that index cost as much CPU during COPY as
-- the full-text GIN index itself (measured: +0.6 s per 52,000 chunks) for a rarely used path.
DROP INDEX IF EXISTS code_chunks_symbol_trgm;

CREATE TABLE code_terms (
  project_id text NOT NULL,
  term       text NOT NULL,
  PRIMARY KEY (project_id, term)
);
CREATE INDEX code_terms_trgm ON code_terms USING gin (term gin_trgm_ops);
