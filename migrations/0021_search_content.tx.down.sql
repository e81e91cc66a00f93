DROP TRIGGER search_inserted ON page_translations;
DROP TRIGGER search_updated ON page_translations;
DROP TRIGGER search_deleted ON page_translations;
DROP TRIGGER search_inserted ON article_translations;
DROP TRIGGER search_updated ON article_translations;
DROP TRIGGER search_deleted ON article_translations;
DELETE FROM search_items WHERE kind IN ('Page', 'Article');
ALTER TABLE search_items DROP CONSTRAINT search_items_pkey, ADD PRIMARY KEY (kind, id);
ALTER TABLE search_items DROP COLUMN locale, DROP COLUMN published_from, DROP COLUMN published_until;
ALTER TABLE search_items DROP CONSTRAINT search_items_kind_check;
ALTER TABLE search_items ADD CONSTRAINT search_items_kind_check CHECK (kind IN ('Organisation', 'Activity', 'Neighbourhood'));
DROP FUNCTION fritid_search_refresh_content(text, uuid[]);
CREATE OR REPLACE FUNCTION fritid_search_refresh(p_kind text, p_ids uuid[]) RETURNS void
LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
  IF p_ids IS NULL OR cardinality(p_ids) = 0 THEN
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
  ON CONFLICT (kind, id) DO UPDATE SET municipality_id = excluded.municipality_id,
    matches = excluded.matches, head = excluded.head
  WHERE search_items.matches <> excluded.matches OR search_items.head <> excluded.head
    OR search_items.municipality_id <> excluded.municipality_id;
END
$$;
