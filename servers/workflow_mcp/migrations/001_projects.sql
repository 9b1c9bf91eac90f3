-- Projects (tenants) and the one active project, which persists across restarts.
CREATE TABLE projects (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL UNIQUE CHECK (char_length(name) BETWEEN 1 AND 100),
  description text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- A single row (singleton = true). Each switch is one atomic upsert that bumps switch_seq, so
-- concurrent switches serialise on this row and the last one to commit wins.
CREATE TABLE active_project (
  singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  project_id  uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  switch_seq  bigint NOT NULL DEFAULT 1,
  switched_at timestamptz NOT NULL DEFAULT now()
);
