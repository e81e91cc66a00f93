DROP TABLE card_attachment_deletions;
DROP TABLE card_application_attachments;
DROP FUNCTION card_attachment_deleted();
DROP TABLE card_applications;
ALTER TABLE card_programmes DROP COLUMN application_mode, DROP COLUMN applications_only;
