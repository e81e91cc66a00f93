-- API keys for machine clients (newsletter tooling, integrations): shown once, stored as a
-- keyed hash, recognisable by a visible prefix, revocable.
CREATE TABLE api_keys (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  name            text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
  prefix          text NOT NULL UNIQUE,
  token_hash      bytea NOT NULL UNIQUE,
  scopes          text[] NOT NULL CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['catalogue:read', 'catalogue:write', 'subscribers:read']),
  created_by      uuid,
  created_at      timestamptz NOT NULL DEFAULT now(),
  last_used_at    timestamptz,
  revoked_at      timestamptz,
  UNIQUE (municipality_id, id)
);
CREATE INDEX api_keys_municipality_idx ON api_keys (municipality_id, created_at);
