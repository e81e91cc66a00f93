ALTER TABLE card_offers ADD COLUMN claimed integer NOT NULL DEFAULT 0 CHECK (claimed >= 0);
UPDATE card_offers o SET claimed = (SELECT coalesce(sum(s.claimed), 0) FROM card_offer_stock_slots s WHERE s.offer_id = o.id);
ALTER TABLE card_offers ADD CONSTRAINT card_offers_claimed_within_released CHECK (claimed <= released);
ALTER TABLE card_tickets DROP COLUMN stock_slot;
DROP TRIGGER card_offers_released_in_slots ON card_offers;
DROP TABLE card_offer_stock_slots;
DROP FUNCTION card_offer_released_in_slots();
