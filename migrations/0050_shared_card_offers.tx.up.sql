-- One offer into several municipalities' card programmes. A shared provider (migration
-- 0049) keeps a shared offer in its home municipality: its texts, what a ticket is worth
-- and admits, the window, and the whole stock split among the municipalities that accepted
-- the provider (placements). Each municipality's card coordinator accepts its placement,
-- which makes an ordinary offer of that municipality (its own stock = the share, its own
-- release, limits, validity within the shared window, programmes); claims, check-in and
-- settlement stay per municipality, so each pays only for what its own cards used.

CREATE TABLE card_shared_offers (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  organisation_id uuid NOT NULL,
  min_age         integer CHECK (min_age BETWEEN 0 AND 120),
  max_age         integer CHECK (max_age BETWEEN 0 AND 120),
  admits          integer NOT NULL DEFAULT 1 CHECK (admits BETWEEN 1 AND 20),
  valid_from      timestamptz NOT NULL,
  valid_to        timestamptz NOT NULL,
  event_at        timestamptz,
  value_ore       bigint NOT NULL DEFAULT 0 CHECK (value_ore >= 0),
  source          text NOT NULL CHECK (source IN ('DONATED', 'PURCHASED')),
  stock           integer NOT NULL CHECK (stock BETWEEN 0 AND 1000000),
  created_by      uuid,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (min_age IS NULL OR max_age IS NULL OR max_age >= min_age),
  CHECK (valid_to > valid_from),
  CHECK (event_at IS NULL OR event_at >= valid_from),
  UNIQUE (municipality_id, id),
  FOREIGN KEY (municipality_id, organisation_id) REFERENCES organisations (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, created_by) REFERENCES users (municipality_id, id) ON DELETE SET NULL (created_by)
);
CREATE INDEX card_shared_offers_organisation_idx ON card_shared_offers (organisation_id, created_at);

CREATE TABLE card_shared_offer_translations (
  shared_offer_id uuid NOT NULL REFERENCES card_shared_offers ON DELETE CASCADE,
  locale          text NOT NULL,
  title           text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
  description     text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
  how_to_use      text NOT NULL DEFAULT '' CHECK (length(how_to_use) <= 2000),
  PRIMARY KEY (shared_offer_id, locale)
);

-- A municipality's share: OFFERED by the provider, ACCEPTED or DECLINED by the
-- municipality's card coordinator, WITHDRAWN by the provider after an acceptance (the
-- municipality's offer then ends; tickets already claimed stay good).
CREATE TABLE card_shared_offer_placements (
  shared_offer_id uuid NOT NULL REFERENCES card_shared_offers ON DELETE CASCADE,
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  stock           integer NOT NULL CHECK (stock BETWEEN 0 AND 1000000),
  status          text NOT NULL DEFAULT 'OFFERED' CHECK (status IN ('OFFERED', 'ACCEPTED', 'DECLINED', 'WITHDRAWN')),
  reason          text CHECK (length(reason) <= 1000),
  offered_at      timestamptz NOT NULL DEFAULT now(),
  decided_at      timestamptz,
  PRIMARY KEY (shared_offer_id, municipality_id)
);
CREATE INDEX card_shared_offer_placements_municipality_idx ON card_shared_offer_placements (municipality_id, status);

-- An offer's provider may be kept in another municipality: organisation_home_id is where
-- (the offer's own municipality for every offer but an accepted placement, filled in by
-- the trigger below when not given). shared_offer_id links a placement's offer to the
-- shared offer, one live (not ENDED) offer per municipality: a share withdrawn and offered
-- again makes a new one.
ALTER TABLE card_offers
  ADD COLUMN organisation_home_id uuid,
  ADD COLUMN shared_offer_id uuid REFERENCES card_shared_offers ON DELETE SET NULL;
UPDATE card_offers SET organisation_home_id = municipality_id;
ALTER TABLE card_offers ALTER COLUMN organisation_home_id SET NOT NULL,
  DROP CONSTRAINT card_offers_municipality_id_organisation_id_fkey,
  ADD CONSTRAINT card_offers_organisation_fkey FOREIGN KEY (organisation_home_id, organisation_id)
    REFERENCES organisations (municipality_id, id),
  ADD CONSTRAINT card_offers_shared_home CHECK (shared_offer_id IS NOT NULL OR organisation_home_id = municipality_id);
CREATE UNIQUE INDEX card_offers_shared_idx ON card_offers (shared_offer_id, municipality_id)
  WHERE shared_offer_id IS NOT NULL AND status <> 'ENDED';

CREATE FUNCTION card_offer_home() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.organisation_home_id := coalesce(NEW.organisation_home_id, NEW.municipality_id);
  RETURN NEW;
END
$$;
CREATE TRIGGER card_offer_home BEFORE INSERT ON card_offers FOR EACH ROW EXECUTE FUNCTION card_offer_home();

-- The door finds a typed code among the tickets of every municipality a provider serves.
CREATE INDEX card_tickets_code_idx ON card_tickets (code);
