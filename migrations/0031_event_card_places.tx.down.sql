ALTER TABLE card_tickets DROP COLUMN event_signup_id;
