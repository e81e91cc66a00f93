-- E-mail verification: a link token per new account, kept only as a keyed hash.
CREATE TABLE email_verifications (
  token_hash      bytea PRIMARY KEY,
  municipality_id uuid NOT NULL,
  user_id         uuid NOT NULL,
  expires_at      timestamptz NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (municipality_id, user_id) REFERENCES users (municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX email_verifications_user_idx ON email_verifications (user_id);
