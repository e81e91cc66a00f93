-- The event calendar: dated events (by an organisation or by the municipality), umbrella
-- events and holiday programmes over others, recurring series whose occurrences are
-- materialised as event rows up to a horizon, and each municipality's closure calendar
-- (school and public holidays) that series and activities' weekly slots may pause in.

-- A series is an RFC 5545 rule with its time zone; template holds the fields and texts
-- each occurrence is made with. materialised_until is how far occurrences exist.
CREATE TABLE event_series (
  id                        uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id           uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  organisation_id           uuid,
  slug                      text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 80),
  rrule                     text NOT NULL DEFAULT '' CHECK (length(rrule) <= 500),
  rdates                    timestamptz[] NOT NULL DEFAULT '{}',
  exdates                   timestamptz[] NOT NULL DEFAULT '{}',
  tzid                      text NOT NULL,
  dtstart                   timestamptz NOT NULL,
  duration_seconds          integer NOT NULL CHECK (duration_seconds >= 0),
  pauses_in_school_holidays boolean NOT NULL DEFAULT false,
  pauses_on_public_holidays boolean NOT NULL DEFAULT false,
  template                  jsonb NOT NULL DEFAULT '{}',
  materialised_until        timestamptz NOT NULL,
  created_at                timestamptz NOT NULL DEFAULT now(),
  updated_at                timestamptz NOT NULL DEFAULT now(),
  UNIQUE (municipality_id, id),
  FOREIGN KEY (municipality_id, organisation_id) REFERENCES organisations (municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX event_series_horizon_idx ON event_series (materialised_until);

CREATE TABLE events (
  id                  uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id     uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  -- NULL: the municipality's own event.
  organisation_id     uuid,
  slug                text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 100),
  -- The umbrella event (a festival, a holiday programme) this event is part of.
  parent_id           uuid,
  holiday_programme   boolean NOT NULL DEFAULT false,
  -- An occurrence of a series: its series and the start the rule gave it (its
  -- RECURRENCE-ID), which stays when the occurrence is moved. overridden: changed on its
  -- own (THIS), so re-applying the rule keeps it as it is.
  series_id           uuid,
  recurrence_start    timestamptz,
  overridden          boolean NOT NULL DEFAULT false,
  venue_id            uuid,
  place               text NOT NULL DEFAULT '' CHECK (length(place) <= 300),
  starts_at           timestamptz NOT NULL,
  ends_at             timestamptz NOT NULL,
  all_day             boolean NOT NULL DEFAULT false,
  time_zone           text NOT NULL,
  status              text NOT NULL DEFAULT 'SCHEDULED'
                      CHECK (status IN ('SCHEDULED', 'CANCELLED', 'POSTPONED', 'RESCHEDULED')),
  publication         text NOT NULL DEFAULT 'DRAFT' CHECK (publication IN ('DRAFT', 'PUBLISHED')),
  target_groups       text[] NOT NULL DEFAULT '{}',
  age_min             smallint CHECK (age_min BETWEEN 0 AND 120),
  age_max             smallint CHECK (age_max BETWEEN 0 AND 120),
  accessibility       text[] NOT NULL DEFAULT '{}',
  price_ore           integer NOT NULL DEFAULT 0 CHECK (price_ore BETWEEN 0 AND 100000000),
  card_offer_id       uuid,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at >= starts_at),
  CHECK (age_min IS NULL OR age_max IS NULL OR age_min <= age_max),
  CHECK ((series_id IS NULL) = (recurrence_start IS NULL)),
  UNIQUE (municipality_id, id),
  UNIQUE (municipality_id, slug),
  UNIQUE (series_id, recurrence_start),
  FOREIGN KEY (municipality_id, organisation_id) REFERENCES organisations (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, parent_id) REFERENCES events (municipality_id, id) ON DELETE SET NULL (parent_id),
  FOREIGN KEY (municipality_id, series_id) REFERENCES event_series (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, venue_id) REFERENCES venues (municipality_id, id) ON DELETE SET NULL (venue_id),
  FOREIGN KEY (municipality_id, card_offer_id) REFERENCES card_offers (municipality_id, id)
    ON DELETE SET NULL (card_offer_id)
);
-- Date-range reads of the public calendar are index scans.
CREATE INDEX events_published_start_idx ON events (municipality_id, starts_at, id) WHERE publication = 'PUBLISHED';
CREATE INDEX events_start_idx ON events (municipality_id, starts_at, id);
CREATE INDEX events_series_idx ON events (series_id, starts_at) WHERE series_id IS NOT NULL;
CREATE INDEX events_parent_idx ON events (parent_id, starts_at) WHERE parent_id IS NOT NULL;
CREATE INDEX events_organisation_idx ON events (organisation_id, starts_at) WHERE organisation_id IS NOT NULL;
CREATE INDEX events_venue_idx ON events (venue_id) WHERE venue_id IS NOT NULL;
CREATE INDEX events_updated_idx ON events (municipality_id, updated_at);

-- Texts per language; description is the same rich text block tree as pages and
-- articles, rendered to HTML and plain text when saved.
CREATE TABLE event_translations (
  event_id         uuid NOT NULL,
  municipality_id  uuid NOT NULL,
  locale           text NOT NULL,
  title            text NOT NULL DEFAULT '' CHECK (length(title) <= 200),
  summary          text NOT NULL DEFAULT '' CHECK (length(summary) <= 1000),
  description      jsonb NOT NULL DEFAULT '{"blocks": []}',
  description_html text NOT NULL DEFAULT '',
  description_text text NOT NULL DEFAULT '',
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, locale),
  FOREIGN KEY (municipality_id, event_id) REFERENCES events (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, locale) REFERENCES locales (municipality_id, code) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE event_categories (
  event_id        uuid NOT NULL,
  category_id     uuid NOT NULL,
  municipality_id uuid NOT NULL,
  PRIMARY KEY (event_id, category_id),
  FOREIGN KEY (municipality_id, event_id) REFERENCES events (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, category_id) REFERENCES categories (municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX event_categories_category_idx ON event_categories (category_id);

-- The closure calendar: named date ranges (both days included) when activities pause.
CREATE TABLE closures (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  name            text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  kind            text NOT NULL CHECK (kind IN ('SCHOOL_HOLIDAY', 'PUBLIC_HOLIDAY')),
  starts_on       date NOT NULL,
  ends_on         date NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_on >= starts_on),
  UNIQUE (municipality_id, id)
);
CREATE INDEX closures_range_idx ON closures (municipality_id, starts_on, ends_on);

ALTER TABLE activities
  ADD COLUMN pauses_in_school_holidays boolean NOT NULL DEFAULT false,
  ADD COLUMN pauses_on_public_holidays boolean NOT NULL DEFAULT false;
