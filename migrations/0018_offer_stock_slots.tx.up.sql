-- An offer's released tickets are kept in stock slots, several rows per offer, so that
-- concurrent claims on one popular offer take from different rows. A claim holds the row
-- it takes from until its commit, through the commit's WAL flush; with one row per offer
-- every claim waited for the flush of the one before it.
--
-- card_offers.released stays the offer's total and always equals the sum of its slots'
-- released (checked at commit by the triggers below); claimed lives only in the slots (the
-- offer's claimed is their sum). 0 <= claimed <= released holds in every slot, so the
-- offer's own 0 <= claimed <= released <= stock still holds. A ticket records the slot it
-- was taken from, and a cancelled ticket returns its unit there.
CREATE TABLE card_offer_stock_slots (
  offer_id        uuid NOT NULL,
  slot            smallint NOT NULL CHECK (slot >= 0),
  municipality_id uuid NOT NULL,
  released        integer NOT NULL DEFAULT 0 CHECK (released >= 0),
  claimed         integer NOT NULL DEFAULT 0 CHECK (claimed >= 0),
  CONSTRAINT card_offer_stock_slots_claimed_within_released CHECK (claimed <= released),
  PRIMARY KEY (offer_id, slot),
  FOREIGN KEY (municipality_id, offer_id) REFERENCES card_offers (municipality_id, id) ON DELETE CASCADE
) WITH (fillfactor = 50); -- room for the in-place (HOT) updates every claim makes

-- Existing offers: what is claimed goes to slot 0 (their tickets are recorded there), and
-- what is left is spread over 16 slots.
INSERT INTO card_offer_stock_slots (offer_id, slot, municipality_id, released, claimed)
SELECT o.id, s.slot, o.municipality_id,
       CASE WHEN s.slot = 0 THEN o.claimed ELSE 0 END
         + (o.released - o.claimed) / 16 + CASE WHEN s.slot < (o.released - o.claimed) % 16 THEN 1 ELSE 0 END,
       CASE WHEN s.slot = 0 THEN o.claimed ELSE 0 END
FROM card_offers o CROSS JOIN generate_series(0, 15) AS s(slot)
WHERE o.released > 0;

ALTER TABLE card_tickets ADD COLUMN stock_slot smallint;
UPDATE card_tickets SET stock_slot = 0;
ALTER TABLE card_tickets ALTER COLUMN stock_slot SET NOT NULL,
  ADD FOREIGN KEY (offer_id, stock_slot) REFERENCES card_offer_stock_slots (offer_id, slot);

ALTER TABLE card_offers DROP COLUMN claimed;

-- The offer's released equals the sum over its slots, checked once per transaction that
-- changes either (claims change only claimed, so they do not fire these).
CREATE FUNCTION card_offer_released_in_slots() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  offer uuid;
BEGIN
  IF TG_TABLE_NAME = 'card_offers' THEN
    offer := NEW.id;
  ELSE
    offer := NEW.offer_id;
  END IF;
  IF EXISTS (SELECT 1 FROM card_offers o WHERE o.id = offer
      AND o.released <> (SELECT coalesce(sum(s.released), 0) FROM card_offer_stock_slots s WHERE s.offer_id = o.id)) THEN
    RAISE EXCEPTION 'the released stock of offer % differs from the sum of its slots', offer
      USING ERRCODE = 'check_violation', CONSTRAINT = 'card_offers_released_in_slots';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER card_offers_released_in_slots AFTER INSERT OR UPDATE OF released ON card_offers
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION card_offer_released_in_slots();
CREATE CONSTRAINT TRIGGER card_offer_stock_slots_released_in_offer AFTER INSERT OR UPDATE OF released ON card_offer_stock_slots
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION card_offer_released_in_slots();
