-- The transactional outbox: e-mails written in the same transaction as the change that
-- causes them, sent by the sender worker, and deleted once sent (the recipient's address
-- is kept no longer than needed).
CREATE TABLE outbox (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  template        text NOT NULL CHECK (template ~ '^[A-Za-z]+$'),
  to_address      text NOT NULL CHECK (length(to_address) BETWEEN 3 AND 254),
  locale          text NOT NULL,
  data            jsonb NOT NULL DEFAULT '{}',
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text NOT NULL DEFAULT '',
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at);
