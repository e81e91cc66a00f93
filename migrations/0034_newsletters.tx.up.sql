-- Newsletters: lists per municipality, subscribers with double opt-in and a consent record
-- pointing at the exact version of the consent text shown, the keyed hashes of addresses that
-- left (so that an import or an administrator cannot add them again), and campaigns sent
-- through the job queue at the municipality's rate.

-- How many list e-mails a municipality sends per minute.
ALTER TABLE municipalities ADD COLUMN newsletter_rate_per_minute integer NOT NULL DEFAULT 600
  CHECK (newsletter_rate_per_minute BETWEEN 1 AND 100000);

CREATE TABLE newsletter_lists (
  id                 uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id    uuid NOT NULL REFERENCES municipalities (id) ON DELETE CASCADE,
  audience           text NOT NULL CHECK (audience IN ('RESIDENTS', 'PROVIDERS')),
  -- The interests a subscriber may pick.
  category_ids       uuid[] NOT NULL DEFAULT '{}',
  neighbourhood_ids  uuid[] NOT NULL DEFAULT '{}',
  age_groups         text[] NOT NULL DEFAULT '{}',
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX newsletter_lists_municipality_idx ON newsletter_lists (municipality_id);

CREATE TABLE newsletter_list_translations (
  list_id         uuid NOT NULL REFERENCES newsletter_lists (id) ON DELETE CASCADE,
  municipality_id uuid NOT NULL,
  locale          text NOT NULL,
  name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description     text NOT NULL DEFAULT '' CHECK (length(description) <= 4000),
  PRIMARY KEY (list_id, locale)
);

-- Consent texts are versioned: a new text is a new row, and a consent points at the row shown.
CREATE TABLE newsletter_consent_texts (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id uuid NOT NULL,
  list_id         uuid NOT NULL REFERENCES newsletter_lists (id) ON DELETE CASCADE,
  locale          text NOT NULL,
  version         integer NOT NULL,
  body            text NOT NULL CHECK (length(body) BETWEEN 1 AND 8000),
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (list_id, locale, version)
);

CREATE TABLE newsletter_subscribers (
  id                uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id   uuid NOT NULL,
  list_id           uuid NOT NULL REFERENCES newsletter_lists (id) ON DELETE CASCADE,
  email             text NOT NULL,
  locale            text NOT NULL,
  category_ids      uuid[] NOT NULL DEFAULT '{}',
  neighbourhood_ids uuid[] NOT NULL DEFAULT '{}',
  age_groups        text[] NOT NULL DEFAULT '{}',
  status            text NOT NULL CHECK (status IN ('PENDING', 'CONFIRMED')),
  -- The consent record: the text version shown, where it came from and when. No IP address.
  consent_text_id   uuid REFERENCES newsletter_consent_texts (id) ON DELETE SET NULL,
  consent_source    text NOT NULL CHECK (consent_source IN ('FORM', 'ADMIN', 'IMPORT')),
  consent_given_at  timestamptz NOT NULL DEFAULT now(),
  confirmed_at      timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (list_id, email)
);
CREATE INDEX newsletter_subscribers_changed_idx ON newsletter_subscribers (list_id, updated_at, id);
CREATE INDEX newsletter_subscribers_email_idx ON newsletter_subscribers (municipality_id, email);

-- Addresses that left a list (list_id set) or every list (bounces, complaints: list_id NULL),
-- kept only as a keyed hash (HMAC-SHA256 with a per-municipality key).
CREATE TABLE newsletter_suppressions (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id uuid NOT NULL REFERENCES municipalities (id) ON DELETE CASCADE,
  list_id         uuid REFERENCES newsletter_lists (id) ON DELETE CASCADE,
  email_hash      bytea NOT NULL,
  reason          text NOT NULL CHECK (reason IN ('UNSUBSCRIBED', 'BOUNCED', 'COMPLAINED', 'ERASED')),
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX newsletter_suppressions_key ON newsletter_suppressions
  (municipality_id, coalesce(list_id, '00000000-0000-0000-0000-000000000000'), email_hash);

CREATE TABLE newsletter_campaigns (
  id                 uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id    uuid NOT NULL REFERENCES municipalities (id) ON DELETE CASCADE,
  list_id            uuid NOT NULL REFERENCES newsletter_lists (id) ON DELETE CASCADE,
  status             text NOT NULL DEFAULT 'DRAFT' CHECK (status IN ('DRAFT', 'SCHEDULED', 'SENDING', 'SENT')),
  -- The interests targeted: a subscriber with any of them (or none chosen) gets the issue.
  category_ids       uuid[] NOT NULL DEFAULT '{}',
  neighbourhood_ids  uuid[] NOT NULL DEFAULT '{}',
  age_groups         text[] NOT NULL DEFAULT '{}',
  scheduled_at       timestamptz,
  started_at         timestamptz,
  finished_at        timestamptz,
  unsubscribed       integer NOT NULL DEFAULT 0,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX newsletter_campaigns_list_idx ON newsletter_campaigns (municipality_id, list_id);

CREATE TABLE newsletter_campaign_translations (
  campaign_id     uuid NOT NULL REFERENCES newsletter_campaigns (id) ON DELETE CASCADE,
  municipality_id uuid NOT NULL,
  locale          text NOT NULL,
  subject         text NOT NULL CHECK (length(subject) BETWEEN 1 AND 300),
  body            jsonb NOT NULL,
  body_html       text NOT NULL,
  body_text       text NOT NULL,
  PRIMARY KEY (campaign_id, locale)
);

-- One row per recipient of a campaign: the subscriber's id alone (the address stays with the
-- subscriber) and whether the issue went out.
CREATE TABLE newsletter_deliveries (
  campaign_id     uuid NOT NULL REFERENCES newsletter_campaigns (id) ON DELETE CASCADE,
  subscriber_id   uuid NOT NULL,
  municipality_id uuid NOT NULL,
  status          text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SENT', 'FAILED', 'SKIPPED')),
  PRIMARY KEY (campaign_id, subscriber_id)
);
