-- Work items: a per-project hierarchy (depth 0 at the root, at most 5) that may reference code
-- chunks of codebase-mcp by id. The composite foreign key keeps a parent in the same project.
CREATE TABLE work_items (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id        uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  parent_id         uuid,
  title             text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 500),
  item_type         text NOT NULL CHECK (item_type IN ('project', 'session', 'task', 'research')),
  status            text NOT NULL DEFAULT 'active',
  metadata          jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
  entity_references text[] NOT NULL DEFAULT '{}',
  version           integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  depth             integer NOT NULL DEFAULT 0 CHECK (depth BETWEEN 0 AND 5),
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (project_id, id),
  FOREIGN KEY (project_id, parent_id) REFERENCES work_items (project_id, id) ON DELETE CASCADE,
  CHECK (parent_id IS DISTINCT FROM id)
);

CREATE INDEX work_items_project_idx ON work_items (project_id, created_at, id);
CREATE INDEX work_items_parent_idx ON work_items (parent_id);
CREATE INDEX work_items_status_idx ON work_items (project_id, status, created_at);
CREATE INDEX work_items_refs_gin ON work_items USING gin (entity_references);
