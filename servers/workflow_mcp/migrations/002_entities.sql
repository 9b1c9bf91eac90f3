-- Entity types (a JSON Schema per type and project) and entities with JSONB data.
CREATE TABLE entity_types (
  project_id  uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  name        text NOT NULL,
  schema      jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, name)
);

CREATE TABLE entities (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id  uuid NOT NULL,
  entity_type text NOT NULL,
  data        jsonb NOT NULL CHECK (jsonb_typeof(data) = 'object'),
  tags        text[] NOT NULL DEFAULT '{}',
  version     integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (project_id, entity_type) REFERENCES entity_types (project_id, name)
    ON DELETE CASCADE
);

-- Listing by project and type in creation order; containment filters; tag filters.
CREATE INDEX entities_project_type_idx ON entities (project_id, entity_type, created_at, id);
CREATE INDEX entities_project_created_idx ON entities (project_id, created_at, id);
CREATE INDEX entities_data_gin ON entities USING gin (data jsonb_path_ops);
CREATE INDEX entities_tags_gin ON entities USING gin (tags);
