ALTER TABLE search_items DROP COLUMN title;
