DROP TABLE card_applications;
ALTER TABLE card_programmes DROP COLUMN application_mode, DROP COLUMN applications_only;
