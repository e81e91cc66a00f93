DROP TABLE card_notice_contacts;
DROP TABLE card_waiting_places;
ALTER TABLE card_tickets DROP COLUMN reminded_at;
ALTER TABLE card_offers DROP COLUMN expire_unused_days_before, DROP COLUMN cancel_hours_before,
  DROP COLUMN waiting_hold_hours, DROP COLUMN announced_at;
