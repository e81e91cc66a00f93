-- Sign-up (påmelding) for events: an event's settings (places, a waiting list, the group
-- size, the window, ages, the questions asked, places kept for activity-card holders) and
-- its sign-ups. taken, card_taken and waiting count participants; they change only with
-- the settings row locked, so places are never given twice.
CREATE TABLE event_signup_settings (
  event_id           uuid PRIMARY KEY,
  municipality_id    uuid NOT NULL,
  places             integer NOT NULL CHECK (places BETWEEN 1 AND 100000),
  card_places        integer NOT NULL DEFAULT 0 CHECK (card_places >= 0 AND card_places <= places),
  waiting_list_size  integer NOT NULL DEFAULT 0 CHECK (waiting_list_size BETWEEN 0 AND 100000),
  group_size_limit   smallint NOT NULL DEFAULT 1 CHECK (group_size_limit BETWEEN 1 AND 50),
  opens_at           timestamptz,
  closes_at          timestamptz,
  age_min            smallint CHECK (age_min BETWEEN 0 AND 120),
  age_max            smallint CHECK (age_max BETWEEN 0 AND 120),
  ask_name           boolean NOT NULL DEFAULT false,
  ask_guardian_phone boolean NOT NULL DEFAULT false,
  ask_needs          boolean NOT NULL DEFAULT false,
  taken              integer NOT NULL DEFAULT 0 CHECK (taken >= 0),
  card_taken         integer NOT NULL DEFAULT 0 CHECK (card_taken >= 0),
  waiting            integer NOT NULL DEFAULT 0 CHECK (waiting >= 0),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CHECK (opens_at IS NULL OR closes_at IS NULL OR opens_at < closes_at),
  CHECK (age_min IS NULL OR age_max IS NULL OR age_min <= age_max),
  CHECK (taken + card_taken <= places AND card_taken <= card_places),
  CHECK (waiting <= waiting_list_size),
  FOREIGN KEY (municipality_id, event_id) REFERENCES events (municipality_id, id) ON DELETE CASCADE
);

-- One sign-up: a contact e-mail and one to group_size_limit participants, CONFIRMED or
-- WAITING (in seq order). Cancelled sign-ups are deleted. A card place names no card:
-- the card's ticket holds the link, so the organiser's list shows only "card place".
CREATE TABLE event_signups (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id uuid NOT NULL,
  event_id        uuid NOT NULL,
  seq             bigint GENERATED ALWAYS AS IDENTITY,
  status          text NOT NULL CHECK (status IN ('CONFIRMED', 'WAITING')),
  group_size      smallint NOT NULL CHECK (group_size BETWEEN 1 AND 50),
  contact_email   text NOT NULL CHECK (length(contact_email) <= 254),
  locale          text NOT NULL,
  token_hash      bytea NOT NULL UNIQUE,
  card_place      boolean NOT NULL DEFAULT false,
  attended        boolean,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (municipality_id, id),
  FOREIGN KEY (municipality_id, event_id) REFERENCES events (municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX event_signups_event_idx ON event_signups (event_id, status, seq);
CREATE INDEX event_signups_contact_idx ON event_signups (municipality_id, lower(contact_email));

-- The participants of a sign-up, only the answers the organiser asked for.
CREATE TABLE event_signup_participants (
  signup_id       uuid NOT NULL,
  municipality_id uuid NOT NULL,
  n               smallint NOT NULL,
  name            text NOT NULL DEFAULT '' CHECK (length(name) <= 100),
  guardian_phone  text NOT NULL DEFAULT '' CHECK (length(guardian_phone) <= 30),
  needs           text NOT NULL DEFAULT '' CHECK (length(needs) <= 1000),
  age             smallint CHECK (age BETWEEN 0 AND 120),
  PRIMARY KEY (signup_id, n),
  FOREIGN KEY (municipality_id, signup_id) REFERENCES event_signups (municipality_id, id) ON DELETE CASCADE
);
