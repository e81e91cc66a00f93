-- The change feed, completed:
--
-- * A change to only a subject's categories, links, images, neighbourhoods or (venues')
--   names is recorded as its "updated", like a change to its own row or its texts.
-- * An event is public while it is published and is the municipality's or its
--   organisation's is published, as the calendar shows it: hiding, approving again or
--   deleting an organisation records its events archived or published.
-- * A page or an article is public while one of its languages is inside its publication
--   window (publish_at <= now < unpublish_at), as readers see it: a publication scheduled for
--   later is recorded when its time comes, not when it is set, and so is the end of a
--   window. Such an event waits in change_events with its time in occurred_at; the
--   sequencer gives an event its place only once that time has come.

-- fritid_change_add ignores an event waiting for its time when it looks for one the
-- transaction recorded already.
CREATE OR REPLACE FUNCTION fritid_change_add(p_municipality uuid, p_type text, p_id uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF p_type IS NULL OR NOT EXISTS (SELECT 1 FROM municipalities m WHERE m.id = p_municipality)
    OR EXISTS (SELECT 1 FROM change_events c
      WHERE c.position IS NULL AND c.subject_id = p_id AND c.xact = pg_current_xact_id()
        AND c.occurred_at <= now() AND (c.type = p_type OR p_type LIKE '%.updated')) THEN
    RETURN;
  END IF;
  INSERT INTO change_events (municipality_id, type, subject_id) VALUES (p_municipality, p_type, p_id);
END
$$;

-- fritid_changes_parts records an update of the public subjects whose parts (rows of a table
-- that belongs to the subject, such as its categories) a statement wrote. TG_ARGV: the kind,
-- the subject's table, the parts' column naming it, and whether subject r is public, in SQL.
CREATE FUNCTION fritid_changes_parts() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  kind text := TG_ARGV[0];
  parent text := TG_ARGV[1];
  fk text := TG_ARGV[2];
  pub text := TG_ARGV[3];
  ids text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    ids := format('SELECT %I FROM fritid_new', fk);
  ELSIF TG_OP = 'DELETE' THEN
    ids := format('SELECT %I FROM fritid_old', fk);
  ELSE
    -- The rows that differ, either way: an update that changed nothing records nothing.
    ids := format('SELECT (d.doc ->> %L)::uuid FROM (
        (SELECT to_jsonb(n) AS doc FROM fritid_new n EXCEPT SELECT to_jsonb(o) FROM fritid_old o)
        UNION ALL
        (SELECT to_jsonb(o) FROM fritid_old o EXCEPT SELECT to_jsonb(n) FROM fritid_new n)) d', fk);
  END IF;
  EXECUTE format('SELECT fritid_change_add(r.municipality_id, %L, r.id) FROM %I r
    WHERE r.id IN (%s) AND (%s) ORDER BY r.id', kind || '.updated', parent, ids, pub);
  RETURN NULL;
END
$$;

CREATE TRIGGER changes_inserted AFTER INSERT ON organisation_categories REFERENCING NEW TABLE AS fritid_new
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_parts('organisation', 'organisations', 'organisation_id', 'r.status = ''PUBLISHED''');
CREATE TRIGGER changes_deleted AFTER DELETE ON organisation_categories REFERENCING OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_parts('organisation', 'organisations', 'organisation_id', 'r.status = ''PUBLISHED''');
CREATE TRIGGER changes_inserted AFTER INSERT ON organisation_links REFERENCING NEW TABLE AS fritid_new
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_parts('organisation', 'organisations', 'organisation_id', 'r.status = ''PUBLISHED''');
CREATE TRIGGER changes_updated AFTER UPDATE ON organisation_links REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_parts('organisation', 'organisations', 'organisation_id', 'r.status = ''PUBLISHED''');
CREATE TRIGGER changes_deleted AFTER DELETE ON organisation_links REFERENCING OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_parts('organisation', 'organisations', 'organisation_id', 'r.status = ''PUBLISHED''');
CREATE TRIGGER changes_inserted AFTER INSERT ON organisation_neighbourhoods REFERENCING NEW TABLE AS fritid_new
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_parts('organisation', 'organisations', 'organisation_id', 'r.status = ''PUBLISHED''');
CREATE TRIGGER changes_updated AFTER UPDATE ON organisation_neighbourhoods REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_parts('organisation', 'organisations', 'organisation_id', 'r.status = ''PUBLISHED''');
CREATE TRIGGER changes_deleted AFTER DELETE ON organisation_neighbourhoods REFERENCING OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_parts('organisation', 'organisations', 'organisation_id', 'r.status = ''PUBLISHED''');

CREATE TRIGGER changes_inserted AFTER INSERT ON activity_categories REFERENCING NEW TABLE AS fritid_new
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_parts('activity', 'activities', 'activity_id', 'r.published');
CREATE TRIGGER changes_deleted AFTER DELETE ON activity_categories REFERENCING OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_parts('activity', 'activities', 'activity_id', 'r.published');
CREATE TRIGGER changes_inserted AFTER INSERT ON activity_images REFERENCING NEW TABLE AS fritid_new
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_parts('activity', 'activities', 'activity_id', 'r.published');
CREATE TRIGGER changes_updated AFTER UPDATE ON activity_images REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_parts('activity', 'activities', 'activity_id', 'r.published');
CREATE TRIGGER changes_deleted AFTER DELETE ON activity_images REFERENCING OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_parts('activity', 'activities', 'activity_id', 'r.published');
CREATE TRIGGER changes_inserted AFTER INSERT ON activity_neighbourhoods REFERENCING NEW TABLE AS fritid_new
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_parts('activity', 'activities', 'activity_id', 'r.published');
CREATE TRIGGER changes_deleted AFTER DELETE ON activity_neighbourhoods REFERENCING OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_parts('activity', 'activities', 'activity_id', 'r.published');

CREATE TRIGGER changes_inserted AFTER INSERT ON venue_neighbourhoods REFERENCING NEW TABLE AS fritid_new
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_parts('venue', 'venues', 'venue_id', 'true');
CREATE TRIGGER changes_deleted AFTER DELETE ON venue_neighbourhoods REFERENCING OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_parts('venue', 'venues', 'venue_id', 'true');
CREATE TRIGGER changes_inserted AFTER INSERT ON venue_translations REFERENCING NEW TABLE AS fritid_new
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_parts('venue', 'venues', 'venue_id', 'true');
CREATE TRIGGER changes_updated AFTER UPDATE ON venue_translations REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_parts('venue', 'venues', 'venue_id', 'true');
CREATE TRIGGER changes_deleted AFTER DELETE ON venue_translations REFERENCING OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_parts('venue', 'venues', 'venue_id', 'true');

-- An event is public while it is published and its organisation (if any) is.
CREATE OR REPLACE TRIGGER changes_inserted AFTER INSERT ON events REFERENCING NEW TABLE AS fritid_new
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_rows('event', 'r.publication = ''PUBLISHED'' AND (r.organisation_id IS NULL
    OR EXISTS (SELECT 1 FROM organisations po WHERE po.id = r.organisation_id AND po.status = ''PUBLISHED''))');
CREATE OR REPLACE TRIGGER changes_updated AFTER UPDATE ON events REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_rows('event', 'r.publication = ''PUBLISHED'' AND (r.organisation_id IS NULL
    OR EXISTS (SELECT 1 FROM organisations po WHERE po.id = r.organisation_id AND po.status = ''PUBLISHED''))');
CREATE OR REPLACE TRIGGER changes_deleted AFTER DELETE ON events REFERENCING OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_rows('event', 'r.publication = ''PUBLISHED'' AND (r.organisation_id IS NULL
    OR EXISTS (SELECT 1 FROM organisations po WHERE po.id = r.organisation_id AND po.status = ''PUBLISHED''))');
CREATE OR REPLACE TRIGGER changes_inserted AFTER INSERT ON event_translations REFERENCING NEW TABLE AS fritid_new
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_texts('event', 'events', 'event_id', 'r.publication = ''PUBLISHED''
    AND (r.organisation_id IS NULL OR EXISTS (SELECT 1 FROM organisations po WHERE po.id = r.organisation_id AND po.status = ''PUBLISHED''))');
CREATE OR REPLACE TRIGGER changes_updated AFTER UPDATE ON event_translations REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_texts('event', 'events', 'event_id', 'r.publication = ''PUBLISHED''
    AND (r.organisation_id IS NULL OR EXISTS (SELECT 1 FROM organisations po WHERE po.id = r.organisation_id AND po.status = ''PUBLISHED''))');
CREATE OR REPLACE TRIGGER changes_deleted AFTER DELETE ON event_translations REFERENCING OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_texts('event', 'events', 'event_id', 'r.publication = ''PUBLISHED''
    AND (r.organisation_id IS NULL OR EXISTS (SELECT 1 FROM organisations po WHERE po.id = r.organisation_id AND po.status = ''PUBLISHED''))');
CREATE TRIGGER changes_inserted AFTER INSERT ON event_categories REFERENCING NEW TABLE AS fritid_new
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_parts('event', 'events', 'event_id', 'r.publication = ''PUBLISHED''
    AND (r.organisation_id IS NULL OR EXISTS (SELECT 1 FROM organisations po WHERE po.id = r.organisation_id AND po.status = ''PUBLISHED''))');
CREATE TRIGGER changes_deleted AFTER DELETE ON event_categories REFERENCING OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_parts('event', 'events', 'event_id', 'r.publication = ''PUBLISHED''
    AND (r.organisation_id IS NULL OR EXISTS (SELECT 1 FROM organisations po WHERE po.id = r.organisation_id AND po.status = ''PUBLISHED''))');

-- fritid_changes_organisation_events records the published events of organisations that a
-- statement published or took down as published or archived.
CREATE FUNCTION fritid_changes_organisation_events() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM fritid_change_add(e.municipality_id,
      CASE WHEN n.status = 'PUBLISHED' THEN 'event.published' ELSE 'event.archived' END, e.id)
    FROM fritid_new n
    JOIN fritid_old o ON o.id = n.id
    JOIN events e ON e.organisation_id = n.id
    WHERE (n.status = 'PUBLISHED') <> (o.status = 'PUBLISHED') AND e.publication = 'PUBLISHED'
    ORDER BY e.id;
  RETURN NULL;
END
$$;
CREATE TRIGGER changes_events_followed AFTER UPDATE ON organisations REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_organisation_events();

-- fritid_changes_organisation_deleted records the published events of a published
-- organisation being deleted as archived, before they go with it (once they are gone, their
-- organisation is too, and nothing tells that they were public).
CREATE FUNCTION fritid_changes_organisation_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM fritid_change_add(e.municipality_id, 'event.archived', e.id)
    FROM events e WHERE e.organisation_id = OLD.id AND e.publication = 'PUBLISHED' ORDER BY e.id;
  RETURN OLD;
END
$$;
CREATE TRIGGER changes_events_deleted BEFORE DELETE ON organisations
  FOR EACH ROW WHEN (OLD.status = 'PUBLISHED') EXECUTE FUNCTION fritid_changes_organisation_deleted();

-- Articles' categories and neighbourhoods; an article is public while one of its languages is.
CREATE TRIGGER changes_inserted AFTER INSERT ON article_categories REFERENCING NEW TABLE AS fritid_new
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_parts('article', 'articles', 'article_id',
    'EXISTS (SELECT 1 FROM article_translations t WHERE t.article_id = r.id AND t.publish_at <= now()
      AND (t.unpublish_at IS NULL OR t.unpublish_at > now()))');
CREATE TRIGGER changes_deleted AFTER DELETE ON article_categories REFERENCING OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_parts('article', 'articles', 'article_id',
    'EXISTS (SELECT 1 FROM article_translations t WHERE t.article_id = r.id AND t.publish_at <= now()
      AND (t.unpublish_at IS NULL OR t.unpublish_at > now()))');
CREATE TRIGGER changes_inserted AFTER INSERT ON article_neighbourhoods REFERENCING NEW TABLE AS fritid_new
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_parts('article', 'articles', 'article_id',
    'EXISTS (SELECT 1 FROM article_translations t WHERE t.article_id = r.id AND t.publish_at <= now()
      AND (t.unpublish_at IS NULL OR t.unpublish_at > now()))');
CREATE TRIGGER changes_deleted AFTER DELETE ON article_neighbourhoods REFERENCING OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_parts('article', 'articles', 'article_id',
    'EXISTS (SELECT 1 FROM article_translations t WHERE t.article_id = r.id AND t.publish_at <= now()
      AND (t.unpublish_at IS NULL OR t.unpublish_at > now()))');

-- A page's or an article's own row changes it only while it is public.
CREATE OR REPLACE TRIGGER changes_updated AFTER UPDATE ON pages REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_rows('page',
    'EXISTS (SELECT 1 FROM page_translations t WHERE t.page_id = r.id AND t.publish_at <= now()
      AND (t.unpublish_at IS NULL OR t.unpublish_at > now()))');
CREATE OR REPLACE TRIGGER changes_updated AFTER UPDATE ON articles REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_rows('article',
    'EXISTS (SELECT 1 FROM article_translations t WHERE t.article_id = r.id AND t.publish_at <= now()
      AND (t.unpublish_at IS NULL OR t.unpublish_at > now()))');

-- fritid_change_schedule records when subject p_id (a page or an article) of kind p_kind
-- becomes public or stops being public later, by the publication windows of its texts in
-- table p_texts (column p_fk names the subject), as events that wait for their time. The
-- events it recorded before and that still wait are replaced: a new window is a new plan.
CREATE FUNCTION fritid_change_schedule(p_kind text, p_texts text, p_fk text, p_municipality uuid, p_id uuid)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  at timestamptz;
  visible boolean;
  was boolean;
BEGIN
  DELETE FROM change_events c WHERE c.subject_id = p_id AND c.position IS NULL AND c.occurred_at > now();
  IF NOT EXISTS (SELECT 1 FROM municipalities m WHERE m.id = p_municipality) THEN
    RETURN;
  END IF;
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I x WHERE x.%I = $1 AND x.publish_at <= now()
      AND (x.unpublish_at IS NULL OR x.unpublish_at > now()))', p_texts, p_fk)
    INTO was USING p_id;
  FOR at IN EXECUTE format('SELECT DISTINCT v.at FROM %I x, LATERAL (VALUES (x.publish_at), (x.unpublish_at)) v (at)
      WHERE x.%I = $1 AND x.publish_at IS NOT NULL AND v.at > now() ORDER BY v.at', p_texts, p_fk) USING p_id
  LOOP
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I x WHERE x.%I = $1 AND x.publish_at <= $2
        AND (x.unpublish_at IS NULL OR x.unpublish_at > $2))', p_texts, p_fk)
      INTO visible USING p_id, at;
    IF visible <> was THEN
      INSERT INTO change_events (municipality_id, type, subject_id, occurred_at)
      VALUES (p_municipality, p_kind || CASE WHEN visible THEN '.published' ELSE '.archived' END, p_id, at);
      was := visible;
    END IF;
  END LOOP;
END
$$;

-- fritid_changes_publications records the changes a statement made to the texts of pages
-- or articles, whose publication is per language: the subject is public while one of its
-- languages is inside its publication window. What changes later by the windows alone is
-- planned by fritid_change_schedule. TG_ARGV: the kind, the texts' table and the column
-- naming the subject.
CREATE OR REPLACE FUNCTION fritid_changes_publications() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  kind text := TG_ARGV[0];
  texts text := TG_ARGV[1];
  fk text := TG_ARGV[2];
  old_rows text := 'fritid_old';
  new_rows text := 'fritid_new';
  visible text := '%1$s.publish_at <= now() AND (%1$s.unpublish_at IS NULL OR %1$s.unpublish_at > now())';
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
        EXISTS (SELECT 1 FROM %5$s o WHERE o.%3$I = t.id AND %7$s)
          OR EXISTS (SELECT 1 FROM %2$I c WHERE c.%3$I = t.id AND %8$s
            AND NOT EXISTS (SELECT 1 FROM %4$s n WHERE n.%3$I = c.%3$I AND n.locale = c.locale)) AS was,
        EXISTS (SELECT 1 FROM %2$I c WHERE c.%3$I = t.id AND %8$s) AS pub,
        %6$L <> 'UPDATE' OR EXISTS (SELECT 1 FROM %4$s n JOIN %5$s o ON o.%3$I = n.%3$I AND o.locale = n.locale
          WHERE n.%3$I = t.id AND to_jsonb(n) - 'updated_at' <> to_jsonb(o) - 'updated_at') AS changed
      FROM touched t
    )
    SELECT fritid_change_add(s.municipality_id, fritid_change_type(%1$L, s.was, s.pub, s.changed), s.id),
      fritid_change_schedule(%1$L, %2$L, %3$L, s.municipality_id, s.id)
    FROM state s ORDER BY s.id$q$, kind, texts, fk, new_rows, old_rows, TG_OP,
    format(visible, 'o'), format(visible, 'c'));
  RETURN NULL;
END
$$;

-- The sequencer looks for events whose time has come.
CREATE INDEX change_events_waiting_idx ON change_events (occurred_at, id) WHERE position IS NULL;
