-- The calendar's feeds: every event and series carries an iCalendar SEQUENCE that grows on
-- each change (of the row, its texts or its categories; for a series also when its
-- occurrences come or go, as closures and deleted occurrences become EXDATEs), so calendar
-- clients replace what they hold.
ALTER TABLE events ADD COLUMN sequence integer NOT NULL DEFAULT 0;
ALTER TABLE event_series ADD COLUMN sequence integer NOT NULL DEFAULT 0;

-- A row whose fields change (apart from its clocks and horizon) counts one up, unless the
-- statement sets the sequence itself.
CREATE FUNCTION bump_ical_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.sequence = OLD.sequence AND (to_jsonb(NEW) - 'updated_at' - 'materialised_until' - 'sequence')
      IS DISTINCT FROM (to_jsonb(OLD) - 'updated_at' - 'materialised_until' - 'sequence') THEN
    NEW.sequence := OLD.sequence + 1;
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER events_sequence BEFORE UPDATE ON events
  FOR EACH ROW EXECUTE FUNCTION bump_ical_sequence();
CREATE TRIGGER event_series_sequence BEFORE UPDATE ON event_series
  FOR EACH ROW EXECUTE FUNCTION bump_ical_sequence();

-- The events whose texts or categories a statement changed count one up.
CREATE FUNCTION bump_event_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE events SET sequence = sequence + 1 WHERE id IN (SELECT DISTINCT event_id FROM changed);
  RETURN NULL;
END $$;

-- The series whose occurrences a statement made or removed count one up.
CREATE FUNCTION bump_series_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE event_series SET sequence = sequence + 1
    WHERE id IN (SELECT DISTINCT series_id FROM changed WHERE series_id IS NOT NULL);
  RETURN NULL;
END $$;

CREATE TRIGGER event_translations_sequence_ins AFTER INSERT ON event_translations
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_event_sequence();
CREATE TRIGGER event_translations_sequence_upd AFTER UPDATE ON event_translations
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_event_sequence();
CREATE TRIGGER event_translations_sequence_del AFTER DELETE ON event_translations
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_event_sequence();
CREATE TRIGGER event_categories_sequence_ins AFTER INSERT ON event_categories
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_event_sequence();
CREATE TRIGGER event_categories_sequence_del AFTER DELETE ON event_categories
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_event_sequence();
CREATE TRIGGER events_series_sequence_ins AFTER INSERT ON events
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_series_sequence();
CREATE TRIGGER events_series_sequence_del AFTER DELETE ON events
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_series_sequence();
