-- Search reads one small row per visible item instead of every translation, and corrects
-- typos and finds words inside compounds through a dictionary of the municipality's words.
-- Both are kept up to date by triggers on the tables they are made from, so every write
-- path (the API, the importer, seeding) keeps them right without knowing of them.

CREATE EXTENSION IF NOT EXISTS btree_gin;

-- tsvector and tsquery aggregates: the texts of all of an item's languages in one vector,
-- the alternatives for one query word in one query.
CREATE AGGREGATE fritid_tsvector_agg(tsvector) (SFUNC = tsvector_concat, STYPE = tsvector, INITCOND = '');
CREATE AGGREGATE fritid_tsquery_or(tsquery) (SFUNC = tsquery_or, STYPE = tsquery);
CREATE AGGREGATE fritid_tsquery_and(tsquery) (SFUNC = tsquery_and, STYPE = tsquery);

-- One row per published organisation, published activity and neighbourhood. "matches" holds
-- every searchable text in every language, each in its language's configuration (what the
-- index finds); "head" only the name or title (weight A) and summary (B), which is what
-- ranks: small, so ranking a few thousand candidates is cheap, and a word that appears only
-- in a long description still finds the item but ranks it below those that name it.
CREATE TABLE search_items (
  kind            text NOT NULL CHECK (kind IN ('Organisation', 'Activity', 'Neighbourhood')),
  id              uuid NOT NULL,
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  matches         tsvector NOT NULL,
  head            tsvector NOT NULL,
  PRIMARY KEY (kind, id)
);
CREATE INDEX search_items_matches_idx ON search_items USING gin (municipality_id, matches);

-- The dictionary: every word (as its lexeme) of the heads of a municipality's visible items,
-- with how many items have it. Typos ("bowlnig") are corrected to its words by trigram
-- similarity, and a word finds the compounds that contain it ("kino" in "seniorkino").
CREATE TABLE search_words (
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  word            text NOT NULL,
  items           integer NOT NULL,
  PRIMARY KEY (municipality_id, word)
);
CREATE INDEX search_words_trgm_idx ON search_words USING gin (municipality_id, word gin_trgm_ops);
-- Whether a word starts a dictionary word, in any collation.
CREATE INDEX search_words_prefix_idx ON search_words (municipality_id, word text_pattern_ops);

-- fritid_search_refresh makes the search rows of the given items of a kind what their
-- tables say: written when visible, removed when not. PL/pgSQL, so that its statement is
-- planned once per connection, not at every write; and always through the indexes: the plan
-- is kept for the connection's life, and one made while a table was small (at the start of
-- an import) would otherwise scan the whole table at every write once it is large.
CREATE FUNCTION fritid_search_refresh(p_kind text, p_ids uuid[]) RETURNS void
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

-- fritid_search_changed is the statement trigger of a table search reads: it refreshes the
-- items of the rows written. TG_ARGV: the kind, the column with the item's ID.
CREATE FUNCTION fritid_search_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  ids uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    EXECUTE format('SELECT array_agg(DISTINCT %I) FROM fritid_new', TG_ARGV[1]) INTO ids;
  ELSIF TG_OP = 'DELETE' THEN
    EXECUTE format('SELECT array_agg(DISTINCT %I) FROM fritid_old', TG_ARGV[1]) INTO ids;
  ELSE
    EXECUTE format('SELECT array_agg(DISTINCT x) FROM (SELECT %1$I AS x FROM fritid_new UNION SELECT %1$I FROM fritid_old) u',
      TG_ARGV[1]) INTO ids;
  END IF;
  PERFORM fritid_search_refresh(TG_ARGV[0], ids);
  RETURN NULL;
END
$$;

-- fritid_search_words_changed keeps the dictionary's counts: +1 for each word of a head
-- written, -1 for each word of a head replaced or removed; words no item has are dropped.
CREATE FUNCTION fritid_search_words_changed() RETURNS trigger
LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
  -- In a fixed order, so that concurrent writers take the rows' locks in the same order.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO search_words (municipality_id, word, items)
    SELECT municipality_id, w, count(*) FROM fritid_new, unnest(tsvector_to_array(head)) w
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (municipality_id, word) DO UPDATE SET items = search_words.items + excluded.items;
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN
    UPDATE search_words s SET items = s.items - d.n
    FROM (SELECT municipality_id, w, count(*) AS n FROM fritid_old, unnest(tsvector_to_array(head)) w
          GROUP BY 1, 2) d
    WHERE s.municipality_id = d.municipality_id AND s.word = d.w;
  ELSE
    INSERT INTO search_words (municipality_id, word, items)
    SELECT municipality_id, w, sum(n) FROM (
      SELECT municipality_id, w, 1 AS n FROM fritid_new, unnest(tsvector_to_array(head)) w
      UNION ALL
      SELECT municipality_id, w, -1 FROM fritid_old, unnest(tsvector_to_array(head)) w) d
    GROUP BY 1, 2 HAVING sum(n) <> 0 ORDER BY 1, 2
    ON CONFLICT (municipality_id, word) DO UPDATE SET items = search_words.items + excluded.items;
  END IF;
  DELETE FROM search_words s
  USING (SELECT DISTINCT municipality_id, w FROM fritid_old, unnest(tsvector_to_array(head)) w) d
  WHERE s.municipality_id = d.municipality_id AND s.word = d.w AND s.items <= 0;
  RETURN NULL;
END
$$;

CREATE TRIGGER search_words_inserted AFTER INSERT ON search_items
  REFERENCING NEW TABLE AS fritid_new FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_words_changed();
CREATE TRIGGER search_words_updated AFTER UPDATE ON search_items
  REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_words_changed();
CREATE TRIGGER search_words_deleted AFTER DELETE ON search_items
  REFERENCING OLD TABLE AS fritid_old FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_words_changed();

-- fritid_search_activities_updated and fritid_search_organisations_updated refresh only the
-- items whose columns search reads changed (an activity's sort name is rewritten at every
-- change of its texts, which refresh it already).
CREATE FUNCTION fritid_search_activities_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM fritid_search_refresh('Activity', array(
    SELECT n.id FROM fritid_new n JOIN fritid_old o ON o.id = n.id
    WHERE n.published IS DISTINCT FROM o.published OR n.municipality_id <> o.municipality_id));
  RETURN NULL;
END
$$;

CREATE FUNCTION fritid_search_organisations_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM fritid_search_refresh('Organisation', array(
    SELECT n.id FROM fritid_new n JOIN fritid_old o ON o.id = n.id
    WHERE n.status IS DISTINCT FROM o.status OR n.name IS DISTINCT FROM o.name
      OR n.municipality_id <> o.municipality_id));
  RETURN NULL;
END
$$;

-- The tables search is made from: statement triggers, so that a bulk write (an import, a
-- seed) refreshes each item once with set-based statements.
CREATE TRIGGER search_inserted AFTER INSERT ON activities
  REFERENCING NEW TABLE AS fritid_new FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_changed('Activity', 'id');
CREATE TRIGGER search_updated AFTER UPDATE ON activities
  REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_activities_updated();
CREATE TRIGGER search_deleted AFTER DELETE ON activities
  REFERENCING OLD TABLE AS fritid_old FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_changed('Activity', 'id');

CREATE TRIGGER search_inserted AFTER INSERT ON activity_translations
  REFERENCING NEW TABLE AS fritid_new FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_changed('Activity', 'activity_id');
CREATE TRIGGER search_updated AFTER UPDATE ON activity_translations
  REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_changed('Activity', 'activity_id');
CREATE TRIGGER search_deleted AFTER DELETE ON activity_translations
  REFERENCING OLD TABLE AS fritid_old FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_changed('Activity', 'activity_id');

CREATE TRIGGER search_inserted AFTER INSERT ON organisations
  REFERENCING NEW TABLE AS fritid_new FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_changed('Organisation', 'id');
CREATE TRIGGER search_updated AFTER UPDATE ON organisations
  REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_organisations_updated();
CREATE TRIGGER search_deleted AFTER DELETE ON organisations
  REFERENCING OLD TABLE AS fritid_old FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_changed('Organisation', 'id');

CREATE TRIGGER search_inserted AFTER INSERT ON organisation_translations
  REFERENCING NEW TABLE AS fritid_new
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_changed('Organisation', 'organisation_id');
CREATE TRIGGER search_updated AFTER UPDATE ON organisation_translations
  REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_changed('Organisation', 'organisation_id');
CREATE TRIGGER search_deleted AFTER DELETE ON organisation_translations
  REFERENCING OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_changed('Organisation', 'organisation_id');

CREATE TRIGGER search_inserted AFTER INSERT ON neighbourhoods
  REFERENCING NEW TABLE AS fritid_new FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_changed('Neighbourhood', 'id');
CREATE TRIGGER search_deleted AFTER DELETE ON neighbourhoods
  REFERENCING OLD TABLE AS fritid_old FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_changed('Neighbourhood', 'id');

CREATE TRIGGER search_inserted AFTER INSERT ON neighbourhood_translations
  REFERENCING NEW TABLE AS fritid_new
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_changed('Neighbourhood', 'neighbourhood_id');
CREATE TRIGGER search_updated AFTER UPDATE ON neighbourhood_translations
  REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_changed('Neighbourhood', 'neighbourhood_id');
CREATE TRIGGER search_deleted AFTER DELETE ON neighbourhood_translations
  REFERENCING OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_search_changed('Neighbourhood', 'neighbourhood_id');

-- What is there already.
SELECT fritid_search_refresh('Organisation', array(SELECT id FROM organisations));
SELECT fritid_search_refresh('Activity', array(SELECT id FROM activities));
SELECT fritid_search_refresh('Neighbourhood', array(SELECT id FROM neighbourhoods));

-- fritid_search_query turns a query's words into tsqueries. Each word becomes its prefix in
-- every text search configuration (so Norwegian, English and unstemmed texts all find it),
-- or'ed with the municipality's dictionary words that hold it (its Norwegian stem) inside a
-- compound ("kino" in "seniorkino", "teater" in "barneteater") and, when the dictionary
-- words it starts are in fewer than p_enough items (none for a typo), with the closest
-- other words by trigram similarity ("bowlnig" finds "bowling"). Stop words ("og", "for")
-- are left out, as the texts' vectors leave them out. It returns the words and'ed
-- (all_words), the words or'ed (any_word), and whether the and'ed words find fewer than
-- p_enough items, so that the or'ed ones should be used; NULLs when no word is left.
-- Its statements are planned once per connection (generic plans: planning them for each
-- call would cost more than running them), and always through the indexes: the planner
-- takes a sequential scan of a dictionary of a few thousand words for cheap, but computing
-- the trigrams of every word costs ten times the index lookup (1.3 ms against 0.1 ms at
-- 100,000 activities).
CREATE FUNCTION fritid_search_query(p_mid uuid, p_words text[], p_enough integer,
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
