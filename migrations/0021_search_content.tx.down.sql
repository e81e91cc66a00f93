DROP TRIGGER search_inserted ON page_translations;
DROP TRIGGER search_updated ON page_translations;
DROP TRIGGER search_deleted ON page_translations;
DROP TRIGGER search_inserted ON article_translations;
DROP TRIGGER search_updated ON article_translations;
DROP TRIGGER search_deleted ON article_translations;
DELETE FROM search_items WHERE kind IN ('Page', 'Article');
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
    SELECT 1 FROM search_items s WHERE s.municipality_id = p_mid AND s.matches @@ all_words LIMIT p_enough) x) < p_enough;
END
$$;

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
