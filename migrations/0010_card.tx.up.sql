-- The activity card: agencies and their caseworkers, programmes (ordninger), ticket offers
-- from providers, the people a card is for (minimised: no identity number, only a keyed
-- hash of it), cards, and the tickets claimed with them. Every table carries
-- municipality_id, and every reference is a composite foreign key on it, so nothing here
-- can point into another municipality. CHECK constraints hold every invariant, so bad data
-- cannot enter even through a bug. Failed PIN and door-code attempts are throttled in
-- login_failures (keyed hashes with their own purpose labels), not in a table of their own.

-- An agency (instans) whose caseworkers hand out cards: NAV, the school health service ...
CREATE TABLE card_agencies (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  name            text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  kind            text NOT NULL CHECK (kind IN ('NAV', 'SCHOOL_HEALTH', 'SCHOOL', 'CHILD_WELFARE', 'REFUGEE_SERVICE', 'OTHER')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (municipality_id, name),
  UNIQUE (municipality_id, id)
);

-- The agency a CASEWORKER works at: one each.
CREATE TABLE card_caseworkers (
  user_id         uuid PRIMARY KEY,
  municipality_id uuid NOT NULL,
  agency_id       uuid NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (municipality_id, user_id) REFERENCES users (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, agency_id) REFERENCES card_agencies (municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX card_caseworkers_agency_idx ON card_caseworkers (agency_id);

-- A programme (ordning), e.g. "Aktivitetskortet 2026": who is eligible, when cards are
-- valid, how many cards there are, the budget and each card's ticket allowance.
-- cards_issued counts the cards that are not revoked; it can never pass cards_available.
CREATE TABLE card_programmes (
  id                uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id   uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  min_age           integer NOT NULL CHECK (min_age BETWEEN 0 AND 120),
  max_age           integer NOT NULL CHECK (max_age BETWEEN 0 AND 120),
  valid_from        date NOT NULL,
  valid_to          date NOT NULL,
  cards_available   integer NOT NULL CHECK (cards_available >= 0),
  cards_issued      integer NOT NULL DEFAULT 0 CHECK (cards_issued >= 0),
  budget_ore        bigint NOT NULL DEFAULT 0 CHECK (budget_ore >= 0),
  default_allowance integer NOT NULL CHECK (default_allowance > 0),
  status            text NOT NULL DEFAULT 'DRAFT' CHECK (status IN ('DRAFT', 'ACTIVE', 'CLOSED')),
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CHECK (max_age >= min_age),
  CHECK (valid_to >= valid_from),
  CONSTRAINT card_programmes_cards_left_check CHECK (cards_issued <= cards_available),
  UNIQUE (municipality_id, id)
);
CREATE INDEX card_programmes_municipality_idx ON card_programmes (municipality_id, valid_from DESC);

CREATE TABLE card_programme_translations (
  programme_id    uuid NOT NULL,
  municipality_id uuid NOT NULL,
  locale          text NOT NULL,
  name            text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  description     text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
  eligibility     text NOT NULL DEFAULT '' CHECK (length(eligibility) <= 2000),
  PRIMARY KEY (programme_id, locale),
  FOREIGN KEY (municipality_id, programme_id) REFERENCES card_programmes (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, locale) REFERENCES locales (municipality_id, code) DEFERRABLE INITIALLY DEFERRED
);

-- The agencies whose caseworkers may issue cards in a programme.
CREATE TABLE card_programme_agencies (
  programme_id    uuid NOT NULL,
  agency_id       uuid NOT NULL,
  municipality_id uuid NOT NULL,
  PRIMARY KEY (programme_id, agency_id),
  FOREIGN KEY (municipality_id, programme_id) REFERENCES card_programmes (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, agency_id) REFERENCES card_agencies (municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX card_programme_agencies_agency_idx ON card_programme_agencies (agency_id);

-- An offer (tilbud): tickets a provider organisation makes available in programmes.
-- stock is the total, released what may be claimed so far (released in portions over the
-- year), claimed what has been taken: 0 <= claimed <= released <= stock always holds, and
-- a claim takes one with UPDATE ... SET claimed = claimed + 1 WHERE claimed < released.
CREATE TABLE card_offers (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  organisation_id uuid NOT NULL,
  category_id     uuid,
  min_age         integer CHECK (min_age BETWEEN 0 AND 120),
  max_age         integer CHECK (max_age BETWEEN 0 AND 120),
  stock           integer NOT NULL CHECK (stock >= 0),
  released        integer NOT NULL DEFAULT 0 CHECK (released >= 0),
  claimed         integer NOT NULL DEFAULT 0 CHECK (claimed >= 0),
  per_card_limit  integer NOT NULL DEFAULT 1 CHECK (per_card_limit >= 1),
  admits          integer NOT NULL DEFAULT 1 CHECK (admits BETWEEN 1 AND 20),
  valid_from      timestamptz NOT NULL,
  valid_to        timestamptz NOT NULL,
  event_at        timestamptz,
  value_ore       bigint NOT NULL DEFAULT 0 CHECK (value_ore >= 0),
  source          text NOT NULL CHECK (source IN ('DONATED', 'PURCHASED')),
  status          text NOT NULL DEFAULT 'DRAFT' CHECK (status IN ('DRAFT', 'PUBLISHED', 'PAUSED', 'ENDED')),
  created_by      uuid,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (min_age IS NULL OR max_age IS NULL OR max_age >= min_age),
  CONSTRAINT card_offers_released_within_stock CHECK (released <= stock),
  CONSTRAINT card_offers_claimed_within_released CHECK (claimed <= released),
  CHECK (valid_to > valid_from),
  CHECK (event_at IS NULL OR event_at >= valid_from),
  UNIQUE (municipality_id, id),
  FOREIGN KEY (municipality_id, organisation_id) REFERENCES organisations (municipality_id, id),
  FOREIGN KEY (municipality_id, category_id) REFERENCES categories (municipality_id, id) ON DELETE SET NULL (category_id),
  FOREIGN KEY (municipality_id, created_by) REFERENCES users (municipality_id, id) ON DELETE SET NULL (created_by)
);
CREATE INDEX card_offers_organisation_idx ON card_offers (organisation_id, status);
CREATE INDEX card_offers_municipality_idx ON card_offers (municipality_id, status, valid_from);

CREATE TABLE card_offer_translations (
  offer_id        uuid NOT NULL,
  municipality_id uuid NOT NULL,
  locale          text NOT NULL,
  title           text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
  description     text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
  how_to_use      text NOT NULL DEFAULT '' CHECK (length(how_to_use) <= 2000),
  PRIMARY KEY (offer_id, locale),
  FOREIGN KEY (municipality_id, offer_id) REFERENCES card_offers (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, locale) REFERENCES locales (municipality_id, code) DEFERRABLE INITIALLY DEFERRED
);

-- The programmes whose cards may claim an offer.
CREATE TABLE card_offer_programmes (
  offer_id        uuid NOT NULL,
  programme_id    uuid NOT NULL,
  municipality_id uuid NOT NULL,
  PRIMARY KEY (offer_id, programme_id),
  FOREIGN KEY (municipality_id, offer_id) REFERENCES card_offers (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, programme_id) REFERENCES card_programmes (municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX card_offer_programmes_programme_idx ON card_offer_programmes (programme_id);

-- A person a card is for, or a guardian of one, minimised: the given name and birth date of
-- a recipient (a guardian has neither), and the identity key, an HMAC-SHA256 of the national
-- identity number under the municipality's key, used only to recognise the same person
-- across agencies. The number itself is never stored. Erasing a person deletes the row:
-- their cards stay, anonymous, and the guardianships go with it.
CREATE TABLE card_persons (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  identity_key    bytea NOT NULL CHECK (octet_length(identity_key) = 32),
  given_name      text NOT NULL DEFAULT '' CHECK (length(given_name) <= 100),
  birth_date      date,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (birth_date IS NULL OR length(btrim(given_name)) >= 1),
  UNIQUE (municipality_id, identity_key),
  UNIQUE (municipality_id, id)
);

-- Guardian (foresatt) of a child.
CREATE TABLE card_guardianships (
  municipality_id uuid NOT NULL,
  guardian_id     uuid NOT NULL,
  child_id        uuid NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (guardian_id, child_id),
  CHECK (guardian_id <> child_id),
  FOREIGN KEY (municipality_id, guardian_id) REFERENCES card_persons (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, child_id) REFERENCES card_persons (municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX card_guardianships_child_idx ON card_guardianships (child_id);

-- A card in a programme. A PERSONAL card is issued by a caseworker of an agency to a
-- holder (the holder goes when their personal data is erased; the card, its age band and
-- its tickets stay for statistics). An ANONYMOUS card has no holder at all: its number and
-- PIN (kept only as a keyed hash) are the only way in. number is the canonical card code
-- (no separators). ended_at is when it stopped being usable (revoked or expired), from
-- which retention counts. The partial unique index below is the stopper of last resort:
-- one usable card per person per programme, however many caseworkers issue at once.
CREATE TABLE cards (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  programme_id    uuid NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('PERSONAL', 'ANONYMOUS')),
  holder_id       uuid,
  number          text NOT NULL CHECK (number ~ '^[0-9A-HJKMNP-TV-Z]{6,32}$'),
  pin_hash        bytea CHECK (octet_length(pin_hash) = 32),
  valid_from      date NOT NULL,
  valid_to        date NOT NULL,
  allowance       integer NOT NULL CHECK (allowance > 0),
  status          text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'SUSPENDED', 'REVOKED', 'EXPIRED')),
  issued_by       uuid,
  agency_id       uuid,
  issued_at       timestamptz NOT NULL DEFAULT now(),
  age_band        text CHECK (age_band IN ('0-5', '6-9', '10-12', '13-15', '16-17', '18-66', '67+')),
  override_reason text CHECK (length(btrim(override_reason)) BETWEEN 1 AND 2000),
  ended_at        timestamptz,
  CHECK (valid_to >= valid_from),
  CHECK ((kind = 'ANONYMOUS') = (pin_hash IS NOT NULL)),
  CHECK (kind = 'PERSONAL' OR (holder_id IS NULL AND override_reason IS NULL)),
  CHECK (kind = 'ANONYMOUS' OR agency_id IS NOT NULL),
  CHECK ((kind = 'PERSONAL') = (age_band IS NOT NULL)),
  CHECK ((status IN ('REVOKED', 'EXPIRED')) = (ended_at IS NOT NULL)),
  UNIQUE (municipality_id, number),
  UNIQUE (municipality_id, id),
  FOREIGN KEY (municipality_id, programme_id) REFERENCES card_programmes (municipality_id, id),
  FOREIGN KEY (municipality_id, holder_id) REFERENCES card_persons (municipality_id, id) ON DELETE SET NULL (holder_id),
  FOREIGN KEY (municipality_id, issued_by) REFERENCES users (municipality_id, id) ON DELETE SET NULL (issued_by),
  FOREIGN KEY (municipality_id, agency_id) REFERENCES card_agencies (municipality_id, id)
);
CREATE UNIQUE INDEX cards_one_per_holder_idx ON cards (programme_id, holder_id)
  WHERE status IN ('ACTIVE', 'SUSPENDED') AND holder_id IS NOT NULL;
CREATE INDEX cards_holder_idx ON cards (holder_id) WHERE holder_id IS NOT NULL;
CREATE INDEX cards_agency_idx ON cards (agency_id, issued_at DESC, id DESC) WHERE agency_id IS NOT NULL;
CREATE INDEX cards_programme_idx ON cards (programme_id, status);
CREATE INDEX cards_usable_until_idx ON cards (valid_to) WHERE status IN ('ACTIVE', 'SUSPENDED');
CREATE INDEX cards_ended_idx ON cards (ended_at) WHERE holder_id IS NOT NULL;

-- A ticket: one claim on an offer by a card, with the door code (canonical, no
-- separators). value_ore and source are copied from the offer when claimed, so the
-- settlement with the provider does not move when the offer changes afterwards.
-- allocated_by is the caseworker or coordinator who allocated it for the holder (NULL when
-- the holder claimed it); redeemed_by the user who checked it in.
CREATE TABLE card_tickets (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  card_id         uuid NOT NULL,
  offer_id        uuid NOT NULL,
  code            text NOT NULL CHECK (code ~ '^[0-9A-HJKMNP-TV-Z]{8,32}$'),
  admits          integer NOT NULL CHECK (admits BETWEEN 1 AND 20),
  status          text NOT NULL DEFAULT 'CLAIMED' CHECK (status IN ('CLAIMED', 'REDEEMED', 'CANCELLED', 'EXPIRED')),
  claimed_at      timestamptz NOT NULL DEFAULT now(),
  allocated_by    uuid,
  expires_at      timestamptz NOT NULL,
  redeemed_at     timestamptz,
  redeemed_by     uuid,
  cancelled_at    timestamptz,
  value_ore       bigint NOT NULL CHECK (value_ore >= 0),
  source          text NOT NULL CHECK (source IN ('DONATED', 'PURCHASED')),
  CHECK (expires_at > claimed_at),
  CHECK ((status = 'REDEEMED') = (redeemed_at IS NOT NULL)),
  CHECK (status = 'REDEEMED' OR redeemed_by IS NULL),
  CHECK (redeemed_at IS NULL OR redeemed_at >= claimed_at),
  CHECK ((status = 'CANCELLED') = (cancelled_at IS NOT NULL)),
  CHECK (cancelled_at IS NULL OR cancelled_at >= claimed_at),
  UNIQUE (municipality_id, code),
  UNIQUE (municipality_id, id),
  FOREIGN KEY (municipality_id, card_id) REFERENCES cards (municipality_id, id),
  FOREIGN KEY (municipality_id, offer_id) REFERENCES card_offers (municipality_id, id),
  FOREIGN KEY (municipality_id, allocated_by) REFERENCES users (municipality_id, id) ON DELETE SET NULL (allocated_by),
  FOREIGN KEY (municipality_id, redeemed_by) REFERENCES users (municipality_id, id) ON DELETE SET NULL (redeemed_by)
);
-- Per card and offer (the per-card limit), per card (the allowance), per offer and status
-- (statistics, settlement), and the claimed tickets by expiry (the expiry job).
CREATE INDEX card_tickets_card_offer_idx ON card_tickets (card_id, offer_id, status);
CREATE INDEX card_tickets_offer_idx ON card_tickets (offer_id, status, claimed_at);
CREATE INDEX card_tickets_expiry_idx ON card_tickets (expires_at) WHERE status = 'CLAIMED';
CREATE INDEX card_tickets_redeemed_idx ON card_tickets (municipality_id, redeemed_at) WHERE status = 'REDEEMED';
