-- Revisions: a JSON snapshot of an organisation or activity after each change, with its
-- author and time; the latest few per item are kept.
CREATE TABLE revisions (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  item_type       text NOT NULL CHECK (item_type IN ('Organisation', 'Activity')),
  item_id         uuid NOT NULL,
  snapshot        jsonb NOT NULL,
  author_id       uuid,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX revisions_item_idx ON revisions (item_id, created_at DESC, id DESC);
