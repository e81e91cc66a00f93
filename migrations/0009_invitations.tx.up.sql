-- Invitations to join an organisation with a role: a link e-mailed to the address, kept
-- only as a keyed hash, good for a week.
CREATE TABLE invitations (
  token_hash      bytea PRIMARY KEY,
  municipality_id uuid NOT NULL,
  organisation_id uuid NOT NULL,
  email           text NOT NULL CHECK (email = lower(email)),
  role            text NOT NULL CHECK (role IN ('OWNER', 'EDITOR', 'TICKET_CHECKER')),
  invited_by      uuid,
  expires_at      timestamptz NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (municipality_id, organisation_id) REFERENCES organisations (municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX invitations_organisation_idx ON invitations (organisation_id);
