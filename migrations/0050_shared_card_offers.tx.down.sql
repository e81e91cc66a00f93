DROP INDEX card_tickets_code_idx;
DROP TRIGGER card_offer_home ON card_offers;
DROP FUNCTION card_offer_home();
DELETE FROM card_offers WHERE organisation_home_id <> municipality_id;
DROP INDEX card_offers_shared_idx;
ALTER TABLE card_offers DROP CONSTRAINT card_offers_shared_home, DROP CONSTRAINT card_offers_organisation_fkey,
  ADD FOREIGN KEY (municipality_id, organisation_id) REFERENCES organisations (municipality_id, id),
  DROP COLUMN shared_offer_id, DROP COLUMN organisation_home_id;
DROP TABLE card_shared_offer_placements;
DROP TABLE card_shared_offer_translations;
DROP TABLE card_shared_offers;
