-- Changes to public articles held for the municipality's approval.
--
-- With approve_organisation_articles on, an organisation's OWNER or EDITOR who changes one
-- of its articles while a language of it is public or scheduled does not change what the
-- public sees: the article as it would be (the same snapshot a revision holds) waits here
-- until the municipality's ADMIN or EDITOR applies it or turns it down. One waiting change
-- per article; a further change builds on it.
CREATE TABLE article_pending_changes (
  article_id      uuid PRIMARY KEY REFERENCES articles ON DELETE CASCADE,
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  snapshot        jsonb NOT NULL,
  author_id       uuid REFERENCES users ON DELETE SET NULL,
  requested_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX article_pending_changes_municipality_idx ON article_pending_changes (municipality_id, requested_at);
