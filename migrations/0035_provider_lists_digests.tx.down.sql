DROP TRIGGER first_published_forget ON event_series;
DROP TRIGGER first_published_forget ON events;
DROP TRIGGER first_published_again ON events;
DROP TRIGGER first_published ON events;
DROP TRIGGER first_published_forget ON activities;
DROP TRIGGER first_published_again ON activities;
DROP TRIGGER first_published ON activities;
DROP FUNCTION first_publications_forget();
DROP FUNCTION first_publications_event();
DROP FUNCTION first_publications_activity();
DROP TABLE first_publications;
ALTER TABLE newsletter_campaigns
  DROP CONSTRAINT newsletter_campaigns_digest_period,
  DROP COLUMN digest_since,
  DROP COLUMN digest_until;
DROP TABLE newsletter_owner_consents;
DROP INDEX newsletter_subscribers_kept_idx;
DELETE FROM newsletter_subscribers WHERE consent_source IN ('ORGANISATION', 'OWNER', 'COMMITTEE');
ALTER TABLE newsletter_subscribers DROP CONSTRAINT newsletter_subscribers_consent_source_check;
ALTER TABLE newsletter_subscribers ADD CONSTRAINT newsletter_subscribers_consent_source_check
  CHECK (consent_source IN ('FORM', 'ADMIN', 'IMPORT'));
DROP INDEX newsletter_lists_digest_due_idx;
ALTER TABLE newsletter_lists
  DROP CONSTRAINT newsletter_lists_kept_providers,
  DROP CONSTRAINT newsletter_lists_digest_residents,
  DROP CONSTRAINT newsletter_lists_digest_next,
  DROP COLUMN kept_from,
  DROP COLUMN digest_cadence,
  DROP COLUMN digest_next_at,
  DROP COLUMN digest_last_at;
