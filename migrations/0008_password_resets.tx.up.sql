-- Password reset links: a token per request, kept only as a keyed hash, good for an hour.
CREATE TABLE password_resets (
  token_hash      bytea PRIMARY KEY,
  municipality_id uuid NOT NULL,
  user_id         uuid NOT NULL,
  expires_at      timestamptz NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (municipality_id, user_id) REFERENCES users (municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX password_resets_user_idx ON password_resets (user_id);
