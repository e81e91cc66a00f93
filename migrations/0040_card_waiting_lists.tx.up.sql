-- Tickets that get used, waiting lists on sold-out offers, and notices to holders who ask
-- for them.
--
-- An offer may expire its unused tickets a number of days before it ends, so their stock
-- goes back (to the waiting list first) while others can still use it; may set a deadline
-- for cancelling, in hours before the event (or the end of the offer); and says how long a
-- place from its waiting list is held for the card first in line. announced_at is when the
-- offer was first published and its news sent to the holders who asked for new offers.
ALTER TABLE card_offers
  ADD COLUMN expire_unused_days_before integer CHECK (expire_unused_days_before BETWEEN 0 AND 365),
  ADD COLUMN cancel_hours_before integer CHECK (cancel_hours_before BETWEEN 0 AND 8760),
  ADD COLUMN waiting_hold_hours integer NOT NULL DEFAULT 48 CHECK (waiting_hold_hours BETWEEN 1 AND 336),
  ADD COLUMN announced_at timestamptz;

-- When the holder was reminded that the ticket is about to expire (NULL: not yet).
ALTER TABLE card_tickets ADD COLUMN reminded_at timestamptz;

-- A card's place in the waiting list of a sold-out offer, first come first served. A unit
-- of stock that comes back (a cancelled ticket, one expired before the offer ends, new
-- stock released) goes to the first card WAITING: the place is OFFERED to it and held
-- until hold_until. The unit stays counted as claimed in its stock slot (stock_slot) while
-- held, so nobody else can claim it; accepting turns it into a ticket (ACCEPTED), and a
-- place declined (LEFT), not taken in time (LAPSED) or whose card ended (DROPPED) goes to
-- the next in line, or back to the stock. One place per card and offer at a time.
CREATE TABLE card_waiting_places (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  offer_id        uuid NOT NULL,
  card_id         uuid NOT NULL,
  status          text NOT NULL DEFAULT 'WAITING'
                  CHECK (status IN ('WAITING', 'OFFERED', 'ACCEPTED', 'LEFT', 'LAPSED', 'DROPPED')),
  joined_at       timestamptz NOT NULL DEFAULT now(),
  offered_at      timestamptz,
  hold_until      timestamptz,
  stock_slot      smallint CHECK (stock_slot >= 0),
  ticket_id       uuid,
  ended_at        timestamptz,
  CHECK ((status = 'OFFERED') = (stock_slot IS NOT NULL)),
  CHECK (status <> 'OFFERED' OR (offered_at IS NOT NULL AND hold_until IS NOT NULL)),
  CHECK ((status = 'ACCEPTED') = (ticket_id IS NOT NULL)),
  CHECK ((status IN ('WAITING', 'OFFERED')) = (ended_at IS NULL)),
  UNIQUE (municipality_id, id),
  FOREIGN KEY (municipality_id, offer_id) REFERENCES card_offers (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, card_id) REFERENCES cards (municipality_id, id),
  FOREIGN KEY (municipality_id, ticket_id) REFERENCES card_tickets (municipality_id, id)
);
CREATE UNIQUE INDEX card_waiting_places_one_per_card_idx ON card_waiting_places (offer_id, card_id)
  WHERE status IN ('WAITING', 'OFFERED');
CREATE INDEX card_waiting_places_queue_idx ON card_waiting_places (offer_id, joined_at, id) WHERE status = 'WAITING';
CREATE INDEX card_waiting_places_held_idx ON card_waiting_places (hold_until) WHERE status = 'OFFERED';
CREATE INDEX card_waiting_places_card_idx ON card_waiting_places (card_id, joined_at);

-- The e-mail address a holder or guardian left for a card's notices, and which notices:
-- one address per card, kept only while it is confirmed or waiting to be (the hash of the
-- link's token, for a few days). Erased with the card's personal data, and when the card
-- has ended longer ago than the retention period. No phone number is kept: there is no
-- SMS gateway.
CREATE TABLE card_notice_contacts (
  card_id          uuid PRIMARY KEY,
  municipality_id  uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  email            text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
  locale           text NOT NULL CHECK (length(locale) BETWEEN 2 AND 35),
  notices          text[] NOT NULL
                   CHECK (notices <@ ARRAY['NEW_OFFERS', 'TICKET_EXPIRING', 'WAITING_PLACE', 'REFILL']::text[]),
  token_hash       bytea CHECK (octet_length(token_hash) = 32),
  token_expires_at timestamptz,
  confirmed_at     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CHECK ((token_hash IS NULL) = (token_expires_at IS NULL)),
  CHECK (confirmed_at IS NOT NULL OR token_hash IS NOT NULL),
  FOREIGN KEY (municipality_id, card_id) REFERENCES cards (municipality_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX card_notice_contacts_token_idx ON card_notice_contacts (token_hash) WHERE token_hash IS NOT NULL;
