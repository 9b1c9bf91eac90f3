-- Test migration 1: a table.
CREATE TABLE items (
  id serial PRIMARY KEY,
  body text NOT NULL
);
