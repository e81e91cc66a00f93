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

-- fritid_search_query as in 0017, counting only the rows public now when it decides
-- whether every word finds enough items.
CREATE OR REPLACE FUNCTION fritid_search_query(p_mid uuid, p_words text[], p_enough integer,
  OUT all_words tsquery, OUT any_word tsquery, OUT few boolean)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
DECLARE
  n integer;
BEGIN
  WITH terms AS MATERIALIZED (
    SELECT (SELECT fritid_tsquery_or(DISTINCT v.q) FROM (
        SELECT t.n UNION ALL SELECT t.e UNION ALL SELECT t.s
        UNION ALL
        (SELECT ('''' || replace(replace(c.word, '\', '\\'), '''', '''''') || '''')::tsquery FROM search_words c
         WHERE c.municipality_id = p_mid AND length(t.stem) >= 4
           AND c.word LIKE '%' || t.stem || '%' AND c.word NOT LIKE t.stem || '%'
         ORDER BY c.items DESC, c.word LIMIT 10)
        UNION ALL
        (SELECT ('''' || replace(replace(c.word, '\', '\\'), '''', '''''') || '''')::tsquery FROM search_words c
         WHERE c.municipality_id = p_mid AND length(q.w) >= 4 AND c.word % q.w
           AND c.word NOT LIKE q.w || '%' AND c.word NOT LIKE t.stem || '%'
           AND (SELECT coalesce(sum(d.items), 0) FROM (
             SELECT DISTINCT p.word, p.items FROM search_words p, unnest(q.w || tsvector_to_array(to_tsvector('norwegian',
               q.w)) || tsvector_to_array(to_tsvector('english', q.w))) st
             WHERE p.municipality_id = p_mid AND p.word ~>=~ st AND p.word ~<~ (st || chr(1114111))) d) < p_enough
         ORDER BY similarity(c.word, q.w) DESC, c.items DESC, c.word LIMIT 3)
      ) v(q)) AS term
    FROM unnest(p_words) AS q(w)
    CROSS JOIN LATERAL (SELECT to_tsquery('norwegian', q.w || ':*') AS n,
      to_tsquery('english', q.w || ':*') AS e, to_tsquery('simple', q.w || ':*') AS s,
      coalesce((tsvector_to_array(to_tsvector('norwegian', q.w)))[1], q.w) AS stem) t
    WHERE numnode(t.n) > 0 AND numnode(t.e) > 0
  )
  SELECT fritid_tsquery_and(term), fritid_tsquery_or(term), count(*) INTO all_words, any_word, n FROM terms;
  few := n > 1 AND (SELECT count(*) FROM (
    SELECT 1 FROM search_items s WHERE s.municipality_id = p_mid AND s.matches @@ all_words
      AND (s.published_from IS NULL OR (s.published_from <= now() AND
        (s.published_until IS NULL OR s.published_until > now())))
    LIMIT p_enough) x) < p_enough;
END
$$;
