-- Web Push: a browser's or app's push subscription (RFC 8030 endpoint, RFC 8291 keys)
-- hangs on a resident's device, on a resident signed in with ID-porten (both rows of
-- resident_owners), or on an anonymous card (by its number and PIN): exactly one. It goes
-- with the device, the person or the card. The endpoint is https and public; the keys are
-- the subscription's P-256 public key (65 bytes) and its authentication secret (16 bytes).
CREATE TABLE push_subscriptions (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  owner_id        uuid REFERENCES resident_owners ON DELETE CASCADE,
  card_id         uuid REFERENCES cards ON DELETE CASCADE,
  endpoint        text NOT NULL CHECK (endpoint LIKE 'https://%' AND length(endpoint) <= 1024),
  p256dh          bytea NOT NULL CHECK (octet_length(p256dh) = 65),
  auth            bytea NOT NULL CHECK (octet_length(auth) = 16),
  -- The language the messages are written in: the request's when subscribing.
  locale          text NOT NULL CHECK (length(locale) BETWEEN 2 AND 35),
  created_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT push_subscriptions_one_anchor CHECK (num_nonnulls(owner_id, card_id) = 1)
);
CREATE UNIQUE INDEX push_subscriptions_owner_idx ON push_subscriptions (owner_id, endpoint) WHERE owner_id IS NOT NULL;
CREATE UNIQUE INDEX push_subscriptions_card_idx ON push_subscriptions (card_id, endpoint) WHERE card_id IS NOT NULL;
CREATE INDEX push_subscriptions_municipality_idx ON push_subscriptions (municipality_id);

-- A push message waiting to be sent: its job names it; it goes once delivered, given up,
-- or with its subscription. The payload is the small JSON pushed (title, body, url, kind),
-- never anything personal.
CREATE TABLE push_messages (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  subscription_id uuid NOT NULL REFERENCES push_subscriptions ON DELETE CASCADE,
  kind            text NOT NULL,
  payload         jsonb NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX push_messages_subscription_idx ON push_messages (subscription_id);
CREATE INDEX push_messages_created_idx ON push_messages (created_at);

-- What has been pushed about once (a new event, an article for a neighbourhood, a
-- cancelled event), so that the periodic scan tells of each item once however often it runs.
CREATE TABLE push_announced (
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  kind            text NOT NULL,
  item_id         uuid NOT NULL,
  announced_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kind, item_id)
);
CREATE INDEX push_announced_at_idx ON push_announced (announced_at);
