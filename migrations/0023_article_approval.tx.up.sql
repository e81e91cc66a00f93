-- Municipal approval of organisations' articles.
--
-- When a municipality approves organisations' articles, an organisation's OWNER or EDITOR
-- who publishes or schedules one of its articles only asks for it: the language stays as
-- it was, with review_requested_at set, until the municipality's ADMIN or EDITOR sets its
-- status (publishing it approves it). Any status set clears the request.
ALTER TABLE municipalities ADD COLUMN approve_organisation_articles boolean NOT NULL DEFAULT false;
ALTER TABLE article_translations ADD COLUMN review_requested_at timestamptz;
