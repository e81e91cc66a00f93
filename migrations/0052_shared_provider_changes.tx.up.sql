-- A shared provider's public changes also go to the change feeds (and so the webhooks) of
-- the municipalities that accepted it (migration 0049), as its listing shows there: of the
-- provider itself and of its activities, events and articles, an activity or event limited
-- to some municipalities only to those. A change to a subject that is already deleted stays
-- its home's (the row that named its provider is gone). When a municipality accepts or
-- drops a provider, its feed says that the provider and its public activities, events and
-- articles were published there, or archived.

CREATE OR REPLACE FUNCTION fritid_change_add(p_municipality uuid, p_type text, p_id uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  kind text := split_part(p_type, '.', 1);
  org uuid;
BEGIN
  IF p_type IS NULL OR NOT EXISTS (SELECT 1 FROM municipalities m WHERE m.id = p_municipality)
    OR EXISTS (SELECT 1 FROM change_events c
      WHERE c.position IS NULL AND c.subject_id = p_id AND c.xact = pg_current_xact_id()
        AND c.occurred_at <= now() AND (c.type = p_type OR p_type LIKE '%.updated')) THEN
    RETURN;
  END IF;
  INSERT INTO change_events (municipality_id, type, subject_id) VALUES (p_municipality, p_type, p_id);
  IF kind NOT IN ('organisation', 'activity', 'event', 'article') OR NOT EXISTS (SELECT 1 FROM provider_municipalities pm
      WHERE pm.home_municipality_id = p_municipality AND pm.status = 'ACCEPTED') THEN
    RETURN;
  END IF;
  org := CASE kind
    WHEN 'organisation' THEN p_id
    WHEN 'activity' THEN (SELECT a.organisation_id FROM activities a WHERE a.id = p_id)
    WHEN 'event' THEN (SELECT e.organisation_id FROM events e WHERE e.id = p_id)
    WHEN 'article' THEN (SELECT a.organisation_id FROM articles a WHERE a.id = p_id)
  END;
  INSERT INTO change_events (municipality_id, type, subject_id)
  SELECT pm.municipality_id, p_type, p_id FROM provider_municipalities pm
  WHERE org IS NOT NULL AND pm.organisation_id = org AND pm.home_municipality_id = p_municipality
    AND pm.status = 'ACCEPTED'
    AND (kind <> 'activity' OR NOT EXISTS (SELECT 1 FROM activity_municipalities am WHERE am.activity_id = p_id)
      OR EXISTS (SELECT 1 FROM activity_municipalities am WHERE am.activity_id = p_id AND am.municipality_id = pm.municipality_id))
    AND (kind <> 'event' OR NOT EXISTS (SELECT 1 FROM event_municipalities em WHERE em.event_id = p_id)
      OR EXISTS (SELECT 1 FROM event_municipalities em WHERE em.event_id = p_id AND em.municipality_id = pm.municipality_id));
END
$$;

-- A provider accepted (published) or no longer shown (archived) in a municipality.
CREATE FUNCTION fritid_changes_served() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  was boolean := TG_OP <> 'INSERT' AND OLD.status = 'ACCEPTED';
  now_accepted boolean := TG_OP <> 'DELETE' AND NEW.status = 'ACCEPTED';
  r provider_municipalities%ROWTYPE;
  verb text;
BEGIN
  IF was = now_accepted THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
  -- Nothing to say to a municipality being deleted (its rows go with it).
  IF NOT EXISTS (SELECT 1 FROM municipalities m WHERE m.id = r.municipality_id) THEN
    RETURN NULL;
  END IF;
  verb := CASE WHEN now_accepted THEN 'published' ELSE 'archived' END;
  INSERT INTO change_events (municipality_id, type, subject_id)
  SELECT r.municipality_id, x.kind || '.' || verb, x.id FROM (
    SELECT 'organisation' AS kind, o.id FROM organisations o WHERE o.id = r.organisation_id AND o.status = 'PUBLISHED'
    UNION ALL
    SELECT 'activity', a.id FROM activities a WHERE a.organisation_id = r.organisation_id
      AND a.municipality_id = r.home_municipality_id AND a.published
      AND (NOT EXISTS (SELECT 1 FROM activity_municipalities am WHERE am.activity_id = a.id)
        OR EXISTS (SELECT 1 FROM activity_municipalities am WHERE am.activity_id = a.id AND am.municipality_id = r.municipality_id))
    UNION ALL
    SELECT 'event', e.id FROM events e WHERE e.organisation_id = r.organisation_id
      AND e.municipality_id = r.home_municipality_id AND e.publication = 'PUBLISHED'
      AND (NOT EXISTS (SELECT 1 FROM event_municipalities em WHERE em.event_id = e.id)
        OR EXISTS (SELECT 1 FROM event_municipalities em WHERE em.event_id = e.id AND em.municipality_id = r.municipality_id))
    UNION ALL
    SELECT 'article', a.id FROM articles a WHERE a.organisation_id = r.organisation_id
      AND a.municipality_id = r.home_municipality_id AND EXISTS (SELECT 1 FROM article_translations t
        WHERE t.article_id = a.id AND t.publish_at <= now() AND (t.unpublish_at IS NULL OR t.unpublish_at > now()))
  ) x ORDER BY x.kind, x.id;
  RETURN NULL;
END
$$;
CREATE TRIGGER provider_municipalities_changes AFTER INSERT OR UPDATE OR DELETE ON provider_municipalities
  FOR EACH ROW EXECUTE FUNCTION fritid_changes_served();
