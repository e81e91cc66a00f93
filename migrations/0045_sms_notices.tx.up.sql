-- Text messages beside e-mail: the outbox carries both, a message's channel saying which
-- (SMS: to_address is a phone number in E.164 form), and a card's notices may go to a
-- phone number instead of an e-mail address, exactly one of the two.
ALTER TABLE outbox ADD COLUMN channel text NOT NULL DEFAULT 'EMAIL' CHECK (channel IN ('EMAIL', 'SMS'));
ALTER TABLE outbox ADD CONSTRAINT outbox_sms_number_check CHECK (channel <> 'SMS' OR to_address ~ '^\+[1-9][0-9]{6,14}$');

ALTER TABLE card_notice_contacts ALTER COLUMN email DROP NOT NULL;
ALTER TABLE card_notice_contacts ADD COLUMN phone text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$');
ALTER TABLE card_notice_contacts ADD CONSTRAINT card_notice_contacts_one_address_check
  CHECK (num_nonnulls(email, phone) = 1);
