-- A version per municipality of everything its iCalendar feeds are made of, so that a
-- server can keep a feed it rendered and answer a repeated fetch with one small query
-- while the version stands. Any statement that changes events, series, the texts and
-- categories of events (through the events' SEQUENCE triggers of migration 0028), the
-- venues' names and places, the venues' neighbourhoods, category names, organisations'
-- publication, the municipality or its languages counts the version up. Writers of one
-- municipality's events thereby take turns on its row until they commit; sign-ups,
-- claims and reads do not touch it.
CREATE TABLE event_feed_versions (
  municipality_id uuid PRIMARY KEY,
  version         bigint NOT NULL
);

-- The municipalities of the rows a statement changed (transition table "changed").
CREATE FUNCTION bump_event_feed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO event_feed_versions (municipality_id, version)
    SELECT DISTINCT municipality_id, 1 FROM changed
  ON CONFLICT (municipality_id) DO UPDATE SET version = event_feed_versions.version + 1;
  RETURN NULL;
END $$;

-- The municipality of one row, named by the column TG_ARGV[0].
CREATE FUNCTION bump_event_feed_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  mid uuid;
BEGIN
  IF TG_OP = 'DELETE' THEN
    mid := (to_jsonb(OLD) ->> TG_ARGV[0])::uuid;
  ELSE
    mid := (to_jsonb(NEW) ->> TG_ARGV[0])::uuid;
  END IF;
  INSERT INTO event_feed_versions (municipality_id, version) VALUES (mid, 1)
  ON CONFLICT (municipality_id) DO UPDATE SET version = event_feed_versions.version + 1;
  RETURN NULL;
END $$;

CREATE TRIGGER events_feed_ins AFTER INSERT ON events
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_event_feed();
CREATE TRIGGER events_feed_upd AFTER UPDATE ON events
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_event_feed();
CREATE TRIGGER events_feed_del AFTER DELETE ON events
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_event_feed();
CREATE TRIGGER event_series_feed_ins AFTER INSERT ON event_series
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_event_feed();
CREATE TRIGGER event_series_feed_upd AFTER UPDATE ON event_series
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_event_feed();
CREATE TRIGGER event_series_feed_del AFTER DELETE ON event_series
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_event_feed();
CREATE TRIGGER category_translations_feed_ins AFTER INSERT ON category_translations
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_event_feed();
CREATE TRIGGER category_translations_feed_upd AFTER UPDATE ON category_translations
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_event_feed();
CREATE TRIGGER category_translations_feed_del AFTER DELETE ON category_translations
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_event_feed();

CREATE TRIGGER venues_feed AFTER UPDATE ON venues FOR EACH ROW
  WHEN ((OLD.name, OLD.street, OLD.postal_code, OLD.place, OLD.lat, OLD.lon)
    IS DISTINCT FROM (NEW.name, NEW.street, NEW.postal_code, NEW.place, NEW.lat, NEW.lon))
  EXECUTE FUNCTION bump_event_feed_row('municipality_id');
CREATE TRIGGER venue_neighbourhoods_feed AFTER INSERT OR DELETE ON venue_neighbourhoods FOR EACH ROW
  EXECUTE FUNCTION bump_event_feed_row('municipality_id');
CREATE TRIGGER organisations_feed AFTER UPDATE ON organisations FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION bump_event_feed_row('municipality_id');
CREATE TRIGGER locales_feed AFTER INSERT OR UPDATE OR DELETE ON locales FOR EACH ROW
  EXECUTE FUNCTION bump_event_feed_row('municipality_id');
CREATE TRIGGER municipalities_feed AFTER UPDATE ON municipalities FOR EACH ROW
  EXECUTE FUNCTION bump_event_feed_row('id');

-- A series may carry sign-up settings (in its template) that each occurrence gets its own
-- row of. own: the row was set for the occurrence alone (setEventSignup with scope THIS),
-- so editing the series' sign-up leaves it as it is.
ALTER TABLE event_signup_settings ADD COLUMN own boolean NOT NULL DEFAULT false;
