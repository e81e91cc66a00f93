-- Search finds municipal pages and articles too. Their publication is per language and
-- depends on time (publish_at, unpublish_at), so each language of a page or article has a
-- row of its own with the time it is public in (published_from, published_until), and
-- search keeps to the rows public at the time it runs: a scheduled language is found from
-- its time and an archived one no longer, without a job. The catalogue's rows keep
-- locale '' and no times (always public while they are there).
ALTER TABLE search_items DROP CONSTRAINT search_items_kind_check;
ALTER TABLE search_items ADD CONSTRAINT search_items_kind_check
  CHECK (kind IN ('Organisation', 'Activity', 'Neighbourhood', 'Page', 'Article'));
ALTER TABLE search_items ADD COLUMN locale text NOT NULL DEFAULT '',
  ADD COLUMN published_from timestamptz, ADD COLUMN published_until timestamptz,
  ADD CHECK ((kind IN ('Page', 'Article')) = (published_from IS NOT NULL));
ALTER TABLE search_items DROP CONSTRAINT search_items_pkey, ADD PRIMARY KEY (kind, id, locale);

-- fritid_search_refresh_content makes the search rows of the given pages or articles what
-- their texts say: one row per language that has a title and is published or scheduled
-- (an archived language is removed; it comes back only by being published again, which
-- writes its texts).
CREATE FUNCTION fritid_search_refresh_content(p_kind text, p_ids uuid[]) RETURNS void
LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
  IF p_ids IS NULL OR cardinality(p_ids) = 0 THEN
    RETURN;
  END IF;
  WITH texts AS (
    SELECT 'Page' AS kind, t.page_id AS id, t.locale, t.municipality_id, t.title, t.summary, t.body_text,
      t.publish_at, t.unpublish_at
    FROM page_translations t
    WHERE p_kind = 'Page' AND t.page_id = ANY (p_ids)
    UNION ALL
    SELECT 'Article', t.article_id, t.locale, t.municipality_id, t.title, t.summary, t.body_text,
      t.publish_at, t.unpublish_at
    FROM article_translations t
    WHERE p_kind = 'Article' AND t.article_id = ANY (p_ids)
  ), fresh AS (
    SELECT kind, id, locale, municipality_id,
      setweight(to_tsvector(fritid_ts_config(locale), title), 'A') ||
        setweight(to_tsvector(fritid_ts_config(locale), summary), 'B') ||
        setweight(to_tsvector(fritid_ts_config(locale), body_text), 'C') AS matches,
      setweight(to_tsvector(fritid_ts_config(locale), title), 'A') ||
        setweight(to_tsvector(fritid_ts_config(locale), summary), 'B') AS head,
      publish_at, unpublish_at
    FROM texts
    WHERE publish_at IS NOT NULL AND title <> '' AND (unpublish_at IS NULL OR unpublish_at > now())
  ), gone AS (
    DELETE FROM search_items s
    WHERE s.kind = p_kind AND s.id = ANY (p_ids)
      AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.id = s.id AND f.locale = s.locale)
  )
  INSERT INTO search_items (kind, id, locale, municipality_id, matches, head, published_from, published_until)
  SELECT kind, id, locale, municipality_id, matches, head, publish_at, unpublish_at FROM fresh ORDER BY id, locale
  ON CONFLICT (kind, id, locale) DO UPDATE SET municipality_id = excluded.municipality_id,
    matches = excluded.matches, head = excluded.head, published_from = excluded.published_from,
    published_until = excluded.published_until
  WHERE search_items.matches <> excluded.matches OR search_items.head <> excluded.head
    OR search_items.municipality_id <> excluded.municipality_id
    OR search_items.published_from IS DISTINCT FROM excluded.published_from
    OR search_items.published_until IS DISTINCT FROM excluded.published_until;
END
$$;

-- fritid_search_refresh as in 0017, with the catalogue's rows keyed by locale '' and pages
-- and articles handed to fritid_search_refresh_content, so that fritid_search_changed
-- serves the content tables' triggers too.
CREATE OR REPLACE FUNCTION fritid_search_refresh(p_kind text, p_ids uuid[]) RETURNS void
LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
  IF p_ids IS NULL OR cardinality(p_ids) = 0 THEN
    RETURN;
  END IF;
  IF p_kind IN ('Page', 'Article') THEN
    PERFORM fritid_search_refresh_content(p_kind, p_ids);
    RETURN;
  END IF;
  WITH fresh AS (
    SELECT 'Activity' AS kind, a.id, a.municipality_id, fritid_tsvector_agg(t.search) AS matches,
      fritid_tsvector_agg(setweight(to_tsvector(fritid_ts_config(t.locale), t.title), 'A') ||
                          setweight(to_tsvector(fritid_ts_config(t.locale), t.summary), 'B')) AS head
    FROM activities a JOIN activity_translations t ON t.activity_id = a.id
    WHERE p_kind = 'Activity' AND a.id = ANY (p_ids) AND a.published
    GROUP BY a.id, a.municipality_id
    UNION ALL
    SELECT 'Organisation', o.id, o.municipality_id,
      setweight(to_tsvector('simple', o.name), 'A') || fritid_tsvector_agg(t.search),
      setweight(to_tsvector('simple', o.name), 'A') ||
        fritid_tsvector_agg(setweight(to_tsvector(fritid_ts_config(t.locale), t.summary), 'B'))
    FROM organisations o LEFT JOIN organisation_translations t ON t.organisation_id = o.id
    WHERE p_kind = 'Organisation' AND o.id = ANY (p_ids) AND o.status = 'PUBLISHED'
    GROUP BY o.id, o.municipality_id, o.name
    UNION ALL
    SELECT 'Neighbourhood', n.id, n.municipality_id, fritid_tsvector_agg(t.search),
      fritid_tsvector_agg(setweight(to_tsvector(fritid_ts_config(t.locale), t.name), 'A'))
    FROM neighbourhoods n JOIN neighbourhood_translations t ON t.neighbourhood_id = n.id
    WHERE p_kind = 'Neighbourhood' AND n.id = ANY (p_ids)
    GROUP BY n.id, n.municipality_id
  ), gone AS (
    DELETE FROM search_items s
    WHERE s.kind = p_kind AND s.id = ANY (p_ids) AND s.id NOT IN (SELECT id FROM fresh)
  )
  INSERT INTO search_items (kind, id, municipality_id, matches, head)
  SELECT kind, id, municipality_id, matches, head FROM fresh ORDER BY id
  ON CONFLICT (kind, id, locale) DO UPDATE SET municipality_id = excluded.municipality_id,
    matches = excluded.matches, head = excluded.head
  WHERE search_items.matches <> excluded.matches OR search_items.head <> excluded.head
    OR search_items.municipality_id <> excluded.municipality_id;
END
$$;

CREATE TRIGGER search_inserted AFTER INSERT ON page_translations
  REFERENCING NEW TABLE AS fritid_new FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_changed('Page', 'page_id');
CREATE TRIGGER search_updated AFTER UPDATE ON page_translations
  REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_changed('Page', 'page_id');
CREATE TRIGGER search_deleted AFTER DELETE ON page_translations
  REFERENCING OLD TABLE AS fritid_old FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_changed('Page', 'page_id');

CREATE TRIGGER search_inserted AFTER INSERT ON article_translations
  REFERENCING NEW TABLE AS fritid_new FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_changed('Article', 'article_id');
CREATE TRIGGER search_updated AFTER UPDATE ON article_translations
  REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_changed('Article', 'article_id');
CREATE TRIGGER search_deleted AFTER DELETE ON article_translations
  REFERENCING OLD TABLE AS fritid_old FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_changed('Article', 'article_id');

-- What is there already.
SELECT fritid_search_refresh('Page', array(SELECT id FROM pages));
SELECT fritid_search_refresh('Article', array(SELECT id FROM articles));
