ALTER TABLE article_translations DROP COLUMN review_requested_at;
ALTER TABLE municipalities DROP COLUMN approve_organisation_articles;
