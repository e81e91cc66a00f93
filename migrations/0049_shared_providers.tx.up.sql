-- Providers with a wider scope: an organisation keeps its one listing (texts, images,
-- contacts, activities) in its home municipality and asks to be shown in others too. Each
-- of those municipalities' administrators accepts or drops it. The only way another
-- municipality's rows enter a read is through fritid_served_organisations,
-- fritid_served_activities and fritid_served_media below, which return only accepted,
-- published rows: a municipality's own unpublished data is never shown elsewhere.

-- scope: the area the provider says it serves (its home municipality, a county, the whole
-- country); region: the county's name for REGION.
ALTER TABLE organisations
  ADD COLUMN scope  text NOT NULL DEFAULT 'MUNICIPALITY' CHECK (scope IN ('MUNICIPALITY', 'REGION', 'COUNTRY')),
  ADD COLUMN region text NOT NULL DEFAULT '' CHECK (length(region) <= 100);

-- status: REQUESTED by the provider; ACCEPTED or DROPPED by the municipality's administrator.
CREATE TABLE provider_municipalities (
  organisation_id      uuid NOT NULL,
  home_municipality_id uuid NOT NULL,
  municipality_id      uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  status               text NOT NULL DEFAULT 'REQUESTED' CHECK (status IN ('REQUESTED', 'ACCEPTED', 'DROPPED')),
  requested_at         timestamptz NOT NULL DEFAULT now(),
  decided_at           timestamptz,
  PRIMARY KEY (organisation_id, municipality_id),
  FOREIGN KEY (home_municipality_id, organisation_id) REFERENCES organisations (municipality_id, id) ON DELETE CASCADE,
  CHECK (municipality_id <> home_municipality_id)
);
CREATE INDEX provider_municipalities_served_idx ON provider_municipalities (municipality_id, status, organisation_id);

-- An activity with rows here is shown, outside its home municipality, only in the
-- municipalities listed; without rows, in every municipality that accepted its provider.
CREATE TABLE activity_municipalities (
  activity_id          uuid NOT NULL,
  home_municipality_id uuid NOT NULL,
  municipality_id      uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  PRIMARY KEY (activity_id, municipality_id),
  FOREIGN KEY (home_municipality_id, activity_id) REFERENCES activities (municipality_id, id) ON DELETE CASCADE
);

-- The published organisations of other municipalities that mid has accepted.
CREATE FUNCTION fritid_served_organisations(mid uuid) RETURNS SETOF uuid
LANGUAGE sql STABLE AS $$
  SELECT pm.organisation_id FROM provider_municipalities pm
  JOIN organisations o ON o.id = pm.organisation_id AND o.municipality_id = pm.home_municipality_id
  WHERE pm.municipality_id = mid AND pm.status = 'ACCEPTED' AND o.status = 'PUBLISHED'
$$;

-- The published activities of those organisations that are not limited to other
-- municipalities.
CREATE FUNCTION fritid_served_activities(mid uuid) RETURNS SETOF uuid
LANGUAGE sql STABLE AS $$
  SELECT a.id FROM provider_municipalities pm
  JOIN activities a ON a.organisation_id = pm.organisation_id AND a.municipality_id = pm.home_municipality_id
  WHERE pm.municipality_id = mid AND pm.status = 'ACCEPTED' AND a.published
    AND (NOT EXISTS (SELECT 1 FROM activity_municipalities am WHERE am.activity_id = a.id)
      OR EXISTS (SELECT 1 FROM activity_municipalities am WHERE am.activity_id = a.id AND am.municipality_id = mid))
$$;

-- The images those organisations and activities show: logo, cover, activity images.
CREATE FUNCTION fritid_served_media(mid uuid) RETURNS SETOF uuid
LANGUAGE sql STABLE AS $$
  SELECT o.logo_id FROM organisations o WHERE o.id IN (SELECT fritid_served_organisations(mid)) AND o.logo_id IS NOT NULL
  UNION ALL
  SELECT o.cover_id FROM organisations o WHERE o.id IN (SELECT fritid_served_organisations(mid)) AND o.cover_id IS NOT NULL
  UNION ALL
  SELECT ai.media_id FROM activity_images ai WHERE ai.activity_id IN (SELECT fritid_served_activities(mid))
$$;
