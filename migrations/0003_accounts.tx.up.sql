-- Accounts: users of a municipality, their sessions and roles, the throttle on failed
-- logins, and the append-only audit log.

CREATE TABLE users (
  id                uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id   uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  email             text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
  display_name      text NOT NULL DEFAULT '' CHECK (length(display_name) <= 200),
  password_hash     text,
  email_verified_at timestamptz,
  disabled_at       timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (municipality_id, email),
  UNIQUE (municipality_id, id)
);

-- Only a keyed hash of a session token is stored; the token itself is shown once.
CREATE TABLE sessions (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id uuid NOT NULL,
  user_id         uuid NOT NULL,
  token_hash      bytea NOT NULL UNIQUE,
  created_at      timestamptz NOT NULL DEFAULT now(),
  last_seen_at    timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL,
  FOREIGN KEY (municipality_id, user_id) REFERENCES users (municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE municipal_roles (
  municipality_id uuid NOT NULL,
  user_id         uuid NOT NULL,
  role            text NOT NULL CHECK (role IN ('ADMIN', 'EDITOR', 'CARD_COORDINATOR', 'CASEWORKER')),
  PRIMARY KEY (user_id, role),
  FOREIGN KEY (municipality_id, user_id) REFERENCES users (municipality_id, id) ON DELETE CASCADE
);

CREATE TABLE organisation_members (
  municipality_id uuid NOT NULL,
  organisation_id uuid NOT NULL,
  user_id         uuid NOT NULL,
  role            text NOT NULL CHECK (role IN ('OWNER', 'EDITOR', 'TICKET_CHECKER')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organisation_id, user_id),
  FOREIGN KEY (municipality_id, organisation_id) REFERENCES organisations (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, user_id) REFERENCES users (municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX organisation_members_user_idx ON organisation_members (user_id);

-- Failed logins, keyed by a keyed hash of the account or the client address (never the
-- address itself), for throttling. Old rows are pruned as new ones come.
CREATE TABLE login_failures (
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  key_hash        bytea NOT NULL,
  failed_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key_idx ON login_failures (key_hash, failed_at);

-- Who did what to which item, and which fields changed (never their values).
CREATE TABLE audit_log (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id uuid NOT NULL REFERENCES municipalities,
  actor_id        uuid,
  action          text NOT NULL,
  item_type       text NOT NULL DEFAULT '',
  item_id         uuid,
  fields          text[] NOT NULL DEFAULT '{}',
  request_id      text NOT NULL DEFAULT '',
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_municipality_idx ON audit_log (municipality_id, created_at DESC, id DESC);

CREATE FUNCTION audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
