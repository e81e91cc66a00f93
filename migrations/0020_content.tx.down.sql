DELETE FROM revisions WHERE item_type IN ('Page', 'Article');
ALTER TABLE revisions DROP CONSTRAINT revisions_item_type_check;
ALTER TABLE revisions ADD CONSTRAINT revisions_item_type_check CHECK (item_type IN ('Organisation', 'Activity'));
DROP TABLE article_translations, page_translations, article_neighbourhoods, article_categories, articles, pages;
