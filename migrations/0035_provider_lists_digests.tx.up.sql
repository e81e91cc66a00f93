-- Provider lists that keep themselves and digest lists that write themselves.
--
-- A PROVIDERS list may keep itself from fritid's own data: the contact addresses of the
-- published organisations, the addresses of their owners who asked for the municipality's
-- information for providers, and the neighbourhood committees' addresses. Those recipients
-- are subscriber rows of their own sources, brought in line with the data whenever a
-- campaign to the list is queued (and hourly), so deliveries keep pointing at a subscriber.
--
-- A RESIDENTS list may be a digest: every week or month a job writes an issue from the
-- activities, events and articles published since the last one, per subscriber's
-- interests and language, and records it as a campaign with its period.

ALTER TABLE newsletter_lists
  ADD COLUMN kept_from text[] NOT NULL DEFAULT '{}'
    CHECK (kept_from <@ ARRAY['ORGANISATION_CONTACTS', 'ORGANISATION_OWNERS', 'COMMITTEES']::text[]),
  ADD COLUMN digest_cadence text CHECK (digest_cadence IN ('WEEKLY', 'MONTHLY')),
  -- When the next issue is due, and up to when the last one took items.
  ADD COLUMN digest_next_at timestamptz,
  ADD COLUMN digest_last_at timestamptz,
  ADD CONSTRAINT newsletter_lists_kept_providers CHECK (cardinality(kept_from) = 0 OR audience = 'PROVIDERS'),
  ADD CONSTRAINT newsletter_lists_digest_residents CHECK (digest_cadence IS NULL OR audience = 'RESIDENTS'),
  ADD CONSTRAINT newsletter_lists_digest_next CHECK ((digest_cadence IS NULL) = (digest_next_at IS NULL));
CREATE INDEX newsletter_lists_digest_due_idx ON newsletter_lists (digest_next_at) WHERE digest_cadence IS NOT NULL;

-- Subscribers a kept list takes from the data: an organisation's contact, an owner who
-- asked, a committee. They need no double opt-in (the municipality's communication with
-- its providers is not marketing) but may unsubscribe like anyone.
ALTER TABLE newsletter_subscribers DROP CONSTRAINT newsletter_subscribers_consent_source_check;
ALTER TABLE newsletter_subscribers ADD CONSTRAINT newsletter_subscribers_consent_source_check
  CHECK (consent_source IN ('FORM', 'ADMIN', 'IMPORT', 'ORGANISATION', 'OWNER', 'COMMITTEE'));
-- A list's kept subscribers at a glance: a list of 50,000 residents has none to read.
CREATE INDEX newsletter_subscribers_kept_idx ON newsletter_subscribers (list_id, email)
  WHERE consent_source IN ('ORGANISATION', 'OWNER', 'COMMITTEE');

-- An account's own "send me the municipality's information for providers", in the
-- language it chose; it counts while the account owns a published organisation.
CREATE TABLE newsletter_owner_consents (
  user_id         uuid PRIMARY KEY,
  municipality_id uuid NOT NULL,
  locale          text NOT NULL,
  given_at        timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (municipality_id, user_id) REFERENCES users (municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX newsletter_owner_consents_municipality_idx ON newsletter_owner_consents (municipality_id);

-- A digest's issue: the period its items were published in.
ALTER TABLE newsletter_campaigns
  ADD COLUMN digest_since timestamptz,
  ADD COLUMN digest_until timestamptz,
  ADD CONSTRAINT newsletter_campaigns_digest_period CHECK ((digest_since IS NULL) = (digest_until IS NULL));

-- When an activity first became public (it and its organisation published), and when an
-- event (a recurring series as one, by its series) was first published: what "new since
-- the last issue" means. Kept beside the items' tables, by triggers, so that reading them
-- is unchanged; items public already count from when they were made.
CREATE TABLE first_publications (
  item_id         uuid PRIMARY KEY,
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  kind            text NOT NULL CHECK (kind IN ('activity', 'event')),
  published_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX first_publications_idx ON first_publications (municipality_id, kind, published_at);

INSERT INTO first_publications (item_id, municipality_id, kind, published_at)
  SELECT id, municipality_id, 'activity', created_at FROM activities WHERE published;
INSERT INTO first_publications (item_id, municipality_id, kind, published_at)
  SELECT coalesce(series_id, id), municipality_id, 'event', min(created_at) FROM events
   WHERE publication = 'PUBLISHED' GROUP BY 1, 2;

CREATE FUNCTION first_publications_activity() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO first_publications (item_id, municipality_id, kind) VALUES (NEW.id, NEW.municipality_id, 'activity')
    ON CONFLICT (item_id) DO NOTHING;
  RETURN NULL;
END $$;
CREATE FUNCTION first_publications_event() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO first_publications (item_id, municipality_id, kind)
    VALUES (coalesce(NEW.series_id, NEW.id), NEW.municipality_id, 'event')
    ON CONFLICT (item_id) DO NOTHING;
  RETURN NULL;
END $$;
CREATE FUNCTION first_publications_forget() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM first_publications WHERE item_id = OLD.id;
  RETURN NULL;
END $$;

CREATE TRIGGER first_published AFTER INSERT ON activities
  FOR EACH ROW WHEN (NEW.published) EXECUTE FUNCTION first_publications_activity();
CREATE TRIGGER first_published_again AFTER UPDATE OF status, published, organisation_id ON activities
  FOR EACH ROW WHEN (NEW.published AND NOT OLD.published) EXECUTE FUNCTION first_publications_activity();
CREATE TRIGGER first_published_forget AFTER DELETE ON activities
  FOR EACH ROW EXECUTE FUNCTION first_publications_forget();
CREATE TRIGGER first_published AFTER INSERT ON events
  FOR EACH ROW WHEN (NEW.publication = 'PUBLISHED') EXECUTE FUNCTION first_publications_event();
CREATE TRIGGER first_published_again AFTER UPDATE OF publication ON events
  FOR EACH ROW WHEN (NEW.publication = 'PUBLISHED' AND OLD.publication <> 'PUBLISHED')
  EXECUTE FUNCTION first_publications_event();
CREATE TRIGGER first_published_forget AFTER DELETE ON events
  FOR EACH ROW WHEN (OLD.series_id IS NULL) EXECUTE FUNCTION first_publications_forget();
CREATE TRIGGER first_published_forget AFTER DELETE ON event_series
  FOR EACH ROW EXECUTE FUNCTION first_publications_forget();
