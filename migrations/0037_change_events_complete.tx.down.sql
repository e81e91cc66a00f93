-- Back to the change feed of 0033.
DROP INDEX change_events_waiting_idx;
DELETE FROM change_events WHERE position IS NULL AND occurred_at > now();
DROP TRIGGER changes_inserted ON organisation_categories;
DROP TRIGGER changes_deleted ON organisation_categories;
DROP TRIGGER changes_inserted ON organisation_links;
DROP TRIGGER changes_updated ON organisation_links;
DROP TRIGGER changes_deleted ON organisation_links;
DROP TRIGGER changes_inserted ON organisation_neighbourhoods;
DROP TRIGGER changes_updated ON organisation_neighbourhoods;
DROP TRIGGER changes_deleted ON organisation_neighbourhoods;
DROP TRIGGER changes_inserted ON activity_categories;
DROP TRIGGER changes_deleted ON activity_categories;
DROP TRIGGER changes_inserted ON activity_images;
DROP TRIGGER changes_updated ON activity_images;
DROP TRIGGER changes_deleted ON activity_images;
DROP TRIGGER changes_inserted ON activity_neighbourhoods;
DROP TRIGGER changes_deleted ON activity_neighbourhoods;
DROP TRIGGER changes_inserted ON venue_neighbourhoods;
DROP TRIGGER changes_deleted ON venue_neighbourhoods;
DROP TRIGGER changes_inserted ON venue_translations;
DROP TRIGGER changes_updated ON venue_translations;
DROP TRIGGER changes_deleted ON venue_translations;
DROP TRIGGER changes_inserted ON event_categories;
DROP TRIGGER changes_deleted ON event_categories;
DROP TRIGGER changes_events_followed ON organisations;
DROP TRIGGER changes_events_deleted ON organisations;
DROP TRIGGER changes_inserted ON article_categories;
DROP TRIGGER changes_deleted ON article_categories;
DROP TRIGGER changes_inserted ON article_neighbourhoods;
DROP TRIGGER changes_deleted ON article_neighbourhoods;
DROP FUNCTION fritid_changes_parts();
DROP FUNCTION fritid_changes_organisation_events();
DROP FUNCTION fritid_changes_organisation_deleted();
CREATE OR REPLACE FUNCTION fritid_change_add(p_municipality uuid, p_type text, p_id uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF p_type IS NULL OR NOT EXISTS (SELECT 1 FROM municipalities m WHERE m.id = p_municipality)
    OR EXISTS (SELECT 1 FROM change_events c
      WHERE c.position IS NULL AND c.subject_id = p_id AND c.xact = pg_current_xact_id()
        AND (c.type = p_type OR p_type LIKE '%.updated')) THEN
    RETURN;
  END IF;
  INSERT INTO change_events (municipality_id, type, subject_id) VALUES (p_municipality, p_type, p_id);
END
$$;
CREATE OR REPLACE FUNCTION fritid_changes_publications() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  kind text := TG_ARGV[0];
  texts text := TG_ARGV[1];
  fk text := TG_ARGV[2];
  old_rows text := 'fritid_old';
  new_rows text := 'fritid_new';
BEGIN
  IF TG_OP = 'INSERT' THEN
    old_rows := format('(SELECT * FROM %I WHERE false)', texts);
  ELSIF TG_OP = 'DELETE' THEN
    new_rows := format('(SELECT * FROM %I WHERE false)', texts);
  END IF;
  EXECUTE format($q$
    WITH touched AS (
      SELECT %3$I AS id, municipality_id FROM %4$s x UNION SELECT %3$I, municipality_id FROM %5$s y
    ), state AS (
      SELECT t.id, t.municipality_id,
        EXISTS (SELECT 1 FROM %5$s o WHERE o.%3$I = t.id AND o.publish_at IS NOT NULL)
          OR EXISTS (SELECT 1 FROM %2$I c WHERE c.%3$I = t.id AND c.publish_at IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM %4$s n WHERE n.%3$I = c.%3$I AND n.locale = c.locale)) AS was,
        EXISTS (SELECT 1 FROM %2$I c WHERE c.%3$I = t.id AND c.publish_at IS NOT NULL) AS pub,
        %6$L <> 'UPDATE' OR EXISTS (SELECT 1 FROM %4$s n JOIN %5$s o ON o.%3$I = n.%3$I AND o.locale = n.locale
          WHERE n.%3$I = t.id AND to_jsonb(n) - 'updated_at' <> to_jsonb(o) - 'updated_at') AS changed
      FROM touched t
    )
    SELECT fritid_change_add(s.municipality_id, fritid_change_type(%1$L, s.was, s.pub, s.changed), s.id)
    FROM state s ORDER BY s.id$q$, kind, texts, fk, new_rows, old_rows, TG_OP);
  RETURN NULL;
END
$$;
DROP FUNCTION fritid_change_schedule(text, text, text, uuid, uuid);
CREATE OR REPLACE TRIGGER changes_inserted AFTER INSERT ON events REFERENCING NEW TABLE AS fritid_new
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_rows('event', 'r.publication = ''PUBLISHED''');
CREATE OR REPLACE TRIGGER changes_updated AFTER UPDATE ON events REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_rows('event', 'r.publication = ''PUBLISHED''');
CREATE OR REPLACE TRIGGER changes_deleted AFTER DELETE ON events REFERENCING OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_rows('event', 'r.publication = ''PUBLISHED''');
CREATE OR REPLACE TRIGGER changes_updated AFTER UPDATE ON pages REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_rows('page',
    'EXISTS (SELECT 1 FROM page_translations t WHERE t.page_id = r.id AND t.publish_at IS NOT NULL)');
CREATE OR REPLACE TRIGGER changes_updated AFTER UPDATE ON articles REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_rows('article',
    'EXISTS (SELECT 1 FROM article_translations t WHERE t.article_id = r.id AND t.publish_at IS NOT NULL)');
CREATE OR REPLACE TRIGGER changes_inserted AFTER INSERT ON event_translations REFERENCING NEW TABLE AS fritid_new
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_texts('event', 'events', 'event_id', 'r.publication = ''PUBLISHED''');
CREATE OR REPLACE TRIGGER changes_updated AFTER UPDATE ON event_translations REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_texts('event', 'events', 'event_id', 'r.publication = ''PUBLISHED''');
CREATE OR REPLACE TRIGGER changes_deleted AFTER DELETE ON event_translations REFERENCING OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_texts('event', 'events', 'event_id', 'r.publication = ''PUBLISHED''');
