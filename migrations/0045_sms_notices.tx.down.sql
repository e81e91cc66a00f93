DELETE FROM card_notice_contacts WHERE email IS NULL;
ALTER TABLE card_notice_contacts DROP CONSTRAINT card_notice_contacts_one_address_check;
ALTER TABLE card_notice_contacts DROP COLUMN phone;
ALTER TABLE card_notice_contacts ALTER COLUMN email SET NOT NULL;
DELETE FROM outbox WHERE channel = 'SMS';
ALTER TABLE outbox DROP COLUMN channel;
