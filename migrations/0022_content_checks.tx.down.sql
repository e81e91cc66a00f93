ALTER TABLE article_translations DROP COLUMN source_hashes;
ALTER TABLE page_translations DROP COLUMN source_hashes;
ALTER TABLE municipalities DROP COLUMN content_check_errors, DROP COLUMN lix_target;
