DROP TABLE resident_question_reports;
DROP TABLE resident_questions;
DROP FUNCTION resident_questions_anonymise();
DROP TABLE neighbourhood_notice_texts;
DROP TABLE neighbourhood_notices;
DROP TABLE organisation_questions_closed;
ALTER TABLE municipalities DROP COLUMN questions_enabled, DROP COLUMN question_hold_reports;
