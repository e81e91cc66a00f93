-- A shared provider's events (migration 0049) are shown, as its activities are, in the
-- calendars and feeds of the municipalities that accepted it. An event with rows here is
-- shown outside its home municipality only in those listed; without rows, wherever its
-- provider is shown.
CREATE TABLE event_municipalities (
  event_id             uuid NOT NULL,
  home_municipality_id uuid NOT NULL,
  municipality_id      uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  PRIMARY KEY (event_id, municipality_id),
  FOREIGN KEY (home_municipality_id, event_id) REFERENCES events (municipality_id, id) ON DELETE CASCADE
);

-- The published events of the providers mid has accepted, not limited to other
-- municipalities: the only way another municipality's events enter mid's reads.
CREATE FUNCTION fritid_served_events(mid uuid) RETURNS SETOF uuid
LANGUAGE sql STABLE AS $$
  SELECT e.id FROM provider_municipalities pm
  JOIN organisations o ON o.id = pm.organisation_id AND o.municipality_id = pm.home_municipality_id
  JOIN events e ON e.organisation_id = pm.organisation_id AND e.municipality_id = pm.home_municipality_id
  WHERE pm.municipality_id = mid AND pm.status = 'ACCEPTED' AND o.status = 'PUBLISHED' AND e.publication = 'PUBLISHED'
    AND (NOT EXISTS (SELECT 1 FROM event_municipalities em WHERE em.event_id = e.id)
      OR EXISTS (SELECT 1 FROM event_municipalities em WHERE em.event_id = e.id AND em.municipality_id = mid))
$$;

-- A municipality's feeds are made of its own events and its accepted providers': its
-- feed version (migration 0030) counts up when it accepts or drops a provider, and when an
-- event's limits change; the feeds read the sum of its version and its providers' homes'.
CREATE TRIGGER provider_municipalities_feed AFTER INSERT OR UPDATE OR DELETE ON provider_municipalities
  FOR EACH ROW EXECUTE FUNCTION bump_event_feed_row('municipality_id');
CREATE TRIGGER event_municipalities_feed_home AFTER INSERT OR DELETE ON event_municipalities
  FOR EACH ROW EXECUTE FUNCTION bump_event_feed_row('home_municipality_id');
CREATE TRIGGER event_municipalities_feed AFTER INSERT OR DELETE ON event_municipalities
  FOR EACH ROW EXECUTE FUNCTION bump_event_feed_row('municipality_id');

-- The articles a shared provider writes about itself, for the municipalities that
-- accepted it: each read keeps, as for the municipality's own, to the languages public
-- at the time of reading.
CREATE FUNCTION fritid_served_articles(mid uuid) RETURNS SETOF uuid
LANGUAGE sql STABLE AS $$
  SELECT a.id FROM provider_municipalities pm
  JOIN organisations o ON o.id = pm.organisation_id AND o.municipality_id = pm.home_municipality_id
  JOIN articles a ON a.organisation_id = pm.organisation_id AND a.municipality_id = pm.home_municipality_id
  WHERE pm.municipality_id = mid AND pm.status = 'ACCEPTED' AND o.status = 'PUBLISHED'
$$;
