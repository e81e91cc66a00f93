-- A resident's own things: favourites, a neighbourhood and interests, kept for a device
-- without any account (by the hash of the token the app keeps; no personal data) or for a
-- person signed in with ID-porten (by the activity card's identity key, a keyed hash of the
-- identity number, never the number). Web Push subscriptions will hang on an owner later.
CREATE TABLE resident_owners (
  id               uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id  uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  token_hash       bytea UNIQUE,
  identity_key     bytea,
  neighbourhood_id uuid REFERENCES neighbourhoods ON DELETE SET NULL,
  category_ids     uuid[] NOT NULL DEFAULT '{}',
  age_groups       text[] NOT NULL DEFAULT '{}',
  languages        text[] NOT NULL DEFAULT '{}',
  created_at       timestamptz NOT NULL DEFAULT now(),
  last_used_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT resident_owners_one_kind CHECK ((token_hash IS NULL) <> (identity_key IS NULL)),
  CONSTRAINT resident_owners_person UNIQUE (municipality_id, identity_key)
);
-- Devices, and signed-in residents' things, unused for long are erased by a scheduled job.
CREATE INDEX resident_owners_idle_idx ON resident_owners (last_used_at);

CREATE TABLE resident_favourites (
  owner_id         uuid NOT NULL REFERENCES resident_owners ON DELETE CASCADE,
  municipality_id  uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  kind             text NOT NULL CHECK (kind IN ('ORGANISATION', 'ACTIVITY', 'EVENT')),
  item_id          uuid NOT NULL,
  notify_new_dates boolean NOT NULL DEFAULT false,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (owner_id, kind, item_id)
);
CREATE INDEX resident_favourites_item_idx ON resident_favourites (item_id);
