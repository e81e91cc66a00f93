-- Search finds events. Each published event of the municipality or of a published
-- organisation has a search row (its languages in one, as an activity's) that is public until
-- the event ends, so past events leave the results without a job. Of a series, only the next
-- occurrence is found: each occurrence (not cancelled) is public from the end of the one
-- before it, so a weekly course is one hit, not fifty. The texts get a search vector of their
-- own (as activities' have), which the events list's text filter and its relevance read.
ALTER TABLE event_translations ADD COLUMN search tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector(fritid_ts_config(locale), title), 'A') ||
  setweight(to_tsvector(fritid_ts_config(locale), summary), 'B') ||
  setweight(to_tsvector(fritid_ts_config(locale), description_text), 'C')) STORED;
CREATE INDEX event_translations_search_idx ON event_translations USING gin (search);

ALTER TABLE search_items DROP CONSTRAINT search_items_kind_check;
ALTER TABLE search_items ADD CONSTRAINT search_items_kind_check
  CHECK (kind IN ('Organisation', 'Activity', 'Neighbourhood', 'Page', 'Article', 'Event'));
ALTER TABLE search_items DROP CONSTRAINT search_items_check;
ALTER TABLE search_items ADD CONSTRAINT search_items_check
  CHECK ((kind IN ('Page', 'Article', 'Event')) = (published_from IS NOT NULL));

-- fritid_search_refresh_events makes the search rows of events p_ids what their tables say.
-- The window of a series' occurrence depends on the one before it, so the callers pass every
-- occurrence of a series whose times or visibility changed.
CREATE FUNCTION fritid_search_refresh_events(p_ids uuid[]) RETURNS void
LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
  IF p_ids IS NULL OR cardinality(p_ids) = 0 THEN
    RETURN;
  END IF;
  WITH listed AS (
    SELECT e.id, e.municipality_id, e.ends_at,
      CASE WHEN e.series_id IS NULL THEN '-infinity'::timestamptz
        ELSE coalesce(lag(e.ends_at) OVER (PARTITION BY e.series_id ORDER BY e.starts_at, e.id), '-infinity')
      END AS public_from
    FROM events e
    WHERE (e.id = ANY (p_ids) OR e.series_id IN (
        SELECT s.series_id FROM events s WHERE s.id = ANY (p_ids) AND s.series_id IS NOT NULL))
      AND e.publication = 'PUBLISHED' AND (e.series_id IS NULL OR e.status <> 'CANCELLED')
      AND (e.organisation_id IS NULL OR EXISTS (
        SELECT 1 FROM organisations o WHERE o.id = e.organisation_id AND o.status = 'PUBLISHED'))
  ), fresh AS (
    SELECT l.id, l.municipality_id, l.public_from, l.ends_at, fritid_tsvector_agg(t.search) AS matches,
      fritid_tsvector_agg(setweight(to_tsvector(fritid_ts_config(t.locale), t.title), 'A') ||
                          setweight(to_tsvector(fritid_ts_config(t.locale), t.summary), 'B')) AS head
    FROM listed l JOIN event_translations t ON t.event_id = l.id
    WHERE l.id = ANY (p_ids)
    GROUP BY l.id, l.municipality_id, l.public_from, l.ends_at
  ), gone AS (
    DELETE FROM search_items s
    WHERE s.kind = 'Event' AND s.id = ANY (p_ids) AND s.id NOT IN (SELECT id FROM fresh)
  )
  INSERT INTO search_items (kind, id, municipality_id, matches, head, published_from, published_until)
  SELECT 'Event', id, municipality_id, matches, head, public_from, ends_at FROM fresh ORDER BY id
  ON CONFLICT (kind, id, locale) DO UPDATE SET municipality_id = excluded.municipality_id,
    matches = excluded.matches, head = excluded.head, published_from = excluded.published_from,
    published_until = excluded.published_until
  WHERE search_items.matches <> excluded.matches OR search_items.head <> excluded.head
    OR search_items.municipality_id <> excluded.municipality_id
    OR search_items.published_from IS DISTINCT FROM excluded.published_from
    OR search_items.published_until IS DISTINCT FROM excluded.published_until;
END
$$;

-- The events a statement on events wrote, with every occurrence of their series; of an
-- update only the rows whose visibility or times changed.
CREATE FUNCTION fritid_search_events_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  ids uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(id) INTO ids FROM fritid_new;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(id) INTO ids FROM fritid_old;
  ELSE
    SELECT array_agg(n.id) INTO ids FROM fritid_new n JOIN fritid_old o ON o.id = n.id
    WHERE n.publication <> o.publication OR n.status <> o.status OR n.starts_at <> o.starts_at
      OR n.ends_at <> o.ends_at OR n.series_id IS DISTINCT FROM o.series_id
      OR n.organisation_id IS DISTINCT FROM o.organisation_id OR n.municipality_id <> o.municipality_id;
    IF ids IS NOT NULL THEN
      ids := ids || array(SELECT o.series_id FROM fritid_old o WHERE o.id = ANY (ids) AND o.series_id IS NOT NULL);
    END IF;
  END IF;
  IF ids IS NULL THEN
    RETURN NULL;
  END IF;
  -- A deleted occurrence changes the window of the one after it: the series' others too.
  IF TG_OP = 'DELETE' THEN
    ids := ids || array(SELECT e.id FROM events e
      WHERE e.series_id IN (SELECT o.series_id FROM fritid_old o WHERE o.series_id IS NOT NULL));
  END IF;
  ids := ids || array(SELECT e.id FROM events e WHERE e.series_id IN (
    SELECT x.series_id FROM events x WHERE x.id = ANY (ids) AND x.series_id IS NOT NULL)
    OR e.series_id = ANY (ids));
  PERFORM fritid_search_refresh_events(array(SELECT DISTINCT u FROM unnest(ids) u));
  RETURN NULL;
END
$$;

CREATE FUNCTION fritid_search_event_texts_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM fritid_search_refresh_events(array(SELECT DISTINCT event_id FROM fritid_new));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM fritid_search_refresh_events(array(SELECT DISTINCT event_id FROM fritid_old));
  ELSE
    PERFORM fritid_search_refresh_events(array(
      SELECT event_id FROM fritid_new UNION SELECT event_id FROM fritid_old));
  END IF;
  RETURN NULL;
END
$$;

-- An organisation published or taken down shows or hides its events.
CREATE FUNCTION fritid_search_event_organisations_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM fritid_search_refresh_events(array(
    SELECT e.id FROM events e WHERE e.organisation_id IN (
      SELECT n.id FROM fritid_new n JOIN fritid_old o ON o.id = n.id WHERE n.status IS DISTINCT FROM o.status)));
  RETURN NULL;
END
$$;

CREATE TRIGGER search_inserted AFTER INSERT ON events
  REFERENCING NEW TABLE AS fritid_new FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_events_changed();
CREATE TRIGGER search_updated AFTER UPDATE ON events
  REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_events_changed();
CREATE TRIGGER search_deleted AFTER DELETE ON events
  REFERENCING OLD TABLE AS fritid_old FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_events_changed();

CREATE TRIGGER search_inserted AFTER INSERT ON event_translations
  REFERENCING NEW TABLE AS fritid_new FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_event_texts_changed();
CREATE TRIGGER search_updated AFTER UPDATE ON event_translations
  REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_event_texts_changed();
CREATE TRIGGER search_deleted AFTER DELETE ON event_translations
  REFERENCING OLD TABLE AS fritid_old FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_event_texts_changed();

CREATE TRIGGER search_events_updated AFTER UPDATE ON organisations
  REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_event_organisations_updated();

-- What is there already.
SELECT fritid_search_refresh_events(array(SELECT id FROM events));
