ALTER TABLE outbox DROP COLUMN headers;
ALTER TABLE outbox DROP COLUMN return_path;
ALTER TABLE newsletter_deliveries DROP COLUMN returned;
ALTER TABLE newsletter_deliveries DROP COLUMN number;
