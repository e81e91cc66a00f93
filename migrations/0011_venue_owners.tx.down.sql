ALTER TABLE venues DROP COLUMN archived_at, DROP COLUMN organisation_id;
