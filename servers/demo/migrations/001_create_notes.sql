-- The demo server's one table: short notes, to exercise the pool and the REST routes.
CREATE TABLE notes (
  id bigserial PRIMARY KEY,
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
