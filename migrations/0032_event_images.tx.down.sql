ALTER TABLE events DROP COLUMN image_ids;
