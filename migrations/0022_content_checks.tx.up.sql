-- Checks at publish time and stale translations of pages and articles.
--
-- A municipality's readability target (LIX, for Norwegian text) and the check codes it
-- makes errors that block publishing; the other findings are warnings.
ALTER TABLE municipalities
    ADD COLUMN lix_target integer NOT NULL DEFAULT 40 CHECK (lix_target BETWEEN 20 AND 80),
    ADD COLUMN content_check_errors text[] NOT NULL DEFAULT '{}'
        CHECK (content_check_errors <@ ARRAY['HEADING_SKIPPED', 'IMAGE_WITHOUT_ALT', 'VAGUE_LINK_TEXT', 'LIX_TOO_HIGH']);

-- The fingerprints of the default language's blocks as they were when another language's
-- body was last saved, by position; NULL for the default language and for bodies saved
-- before fingerprints were kept.
ALTER TABLE page_translations ADD COLUMN source_hashes text[];
ALTER TABLE article_translations ADD COLUMN source_hashes text[];
