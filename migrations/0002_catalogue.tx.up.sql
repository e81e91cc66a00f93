-- The portal catalogue: media, neighbourhoods and their committees, organisations,
-- venues and activities, each with translations as rows, plus what search needs.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The text search configuration for a locale: Norwegian stemming for nb and nn, English
-- for en, and no stemming for the rest.
CREATE FUNCTION fritid_ts_config(locale text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE split_part(locale, '-', 1)
    WHEN 'nb' THEN 'norwegian'::regconfig
    WHEN 'nn' THEN 'norwegian'::regconfig
    WHEN 'no' THEN 'norwegian'::regconfig
    WHEN 'en' THEN 'english'::regconfig
    ELSE 'simple'::regconfig END
$$;

-- Great-circle distance in kilometres (haversine on a sphere of the mean Earth radius).
CREATE FUNCTION fritid_distance_km(lat1 float8, lon1 float8, lat2 float8, lon2 float8) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT 2 * 6371.0088 * asin(least(1, sqrt(
    power(sin(radians(lat2 - lat1) / 2), 2) +
    cos(radians(lat1)) * cos(radians(lat2)) * power(sin(radians(lon2 - lon1) / 2), 2))))
$$;

CREATE TABLE media (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  url             text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
  width           integer NOT NULL CHECK (width BETWEEN 1 AND 20000),
  height          integer NOT NULL CHECK (height BETWEEN 1 AND 20000),
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (municipality_id, id)
);

CREATE TABLE media_translations (
  media_id        uuid NOT NULL,
  municipality_id uuid NOT NULL,
  locale          text NOT NULL,
  alt             text NOT NULL CHECK (length(alt) <= 500),
  PRIMARY KEY (media_id, locale),
  FOREIGN KEY (municipality_id, media_id) REFERENCES media (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, locale) REFERENCES locales (municipality_id, code) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE neighbourhoods (
  id                uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id   uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  slug              text NOT NULL CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$'),
  area              jsonb NOT NULL,
  min_lat           double precision NOT NULL,
  min_lon           double precision NOT NULL,
  max_lat           double precision NOT NULL,
  max_lon           double precision NOT NULL,
  committee_email   text NOT NULL DEFAULT '' CHECK (length(committee_email) <= 254),
  committee_phone   text NOT NULL DEFAULT '' CHECK (length(committee_phone) <= 40),
  committee_website text NOT NULL DEFAULT '' CHECK (committee_website = '' OR committee_website ~ '^https?://'),
  sort_order        integer NOT NULL DEFAULT 0,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (municipality_id, slug),
  UNIQUE (municipality_id, id)
);

CREATE TABLE neighbourhood_translations (
  neighbourhood_id uuid NOT NULL,
  municipality_id  uuid NOT NULL,
  locale           text NOT NULL,
  name             text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  description      text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
  search           tsvector GENERATED ALWAYS AS (
                     setweight(to_tsvector(fritid_ts_config(locale), name), 'A') ||
                     setweight(to_tsvector(fritid_ts_config(locale), description), 'C')) STORED,
  PRIMARY KEY (neighbourhood_id, locale),
  FOREIGN KEY (municipality_id, neighbourhood_id) REFERENCES neighbourhoods (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, locale) REFERENCES locales (municipality_id, code) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX neighbourhood_translations_search_idx ON neighbourhood_translations USING gin (search);
CREATE INDEX neighbourhood_translations_name_trgm_idx ON neighbourhood_translations USING gin (name gin_trgm_ops);

-- Public members of a neighbourhood committee (nærmiljøutvalg): what the committee itself publishes.
CREATE TABLE committee_members (
  id               uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  neighbourhood_id uuid NOT NULL,
  municipality_id  uuid NOT NULL,
  name             text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  role             text NOT NULL DEFAULT '' CHECK (length(role) <= 200),
  sort_order       integer NOT NULL DEFAULT 0,
  FOREIGN KEY (municipality_id, neighbourhood_id) REFERENCES neighbourhoods (municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX committee_members_neighbourhood_idx ON committee_members (neighbourhood_id, sort_order);

CREATE TABLE organisations (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  slug            text NOT NULL CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$'),
  name            text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  kind            text NOT NULL CHECK (kind IN ('VOLUNTARY', 'MUNICIPAL', 'COMMERCIAL', 'PRIVATE', 'RELIGIOUS', 'OTHER')),
  org_number      text CHECK (org_number ~ '^[0-9]{9}$'),
  logo_id         uuid,
  cover_id        uuid,
  email           text NOT NULL DEFAULT '' CHECK (length(email) <= 254),
  phone           text NOT NULL DEFAULT '' CHECK (length(phone) <= 40),
  contact_person  text NOT NULL DEFAULT '' CHECK (length(contact_person) <= 200),
  website         text NOT NULL DEFAULT '' CHECK (website = '' OR website ~ '^https?://'),
  street          text NOT NULL DEFAULT '' CHECK (length(street) <= 200),
  postal_code     text NOT NULL DEFAULT '' CHECK (postal_code = '' OR postal_code ~ '^[0-9]{4}$'),
  place           text NOT NULL DEFAULT '' CHECK (length(place) <= 100),
  lat             double precision CHECK (lat BETWEEN -90 AND 90),
  lon             double precision CHECK (lon BETWEEN -180 AND 180),
  status          text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'PUBLISHED', 'HIDDEN')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CHECK ((lat IS NULL) = (lon IS NULL)),
  UNIQUE (municipality_id, slug),
  UNIQUE (municipality_id, id),
  FOREIGN KEY (municipality_id, logo_id) REFERENCES media (municipality_id, id),
  FOREIGN KEY (municipality_id, cover_id) REFERENCES media (municipality_id, id)
);
CREATE INDEX organisations_name_idx ON organisations (municipality_id, status, name COLLATE "nb-x-icu", id);
CREATE INDEX organisations_updated_idx ON organisations (municipality_id, status, updated_at, id);
CREATE INDEX organisations_location_idx ON organisations (municipality_id, lat, lon) WHERE lat IS NOT NULL;
CREATE INDEX organisations_name_trgm_idx ON organisations USING gin (name gin_trgm_ops);
CREATE INDEX organisations_name_search_idx ON organisations USING gin (to_tsvector('simple', name));

CREATE TABLE organisation_translations (
  organisation_id uuid NOT NULL,
  municipality_id uuid NOT NULL,
  locale          text NOT NULL,
  summary         text NOT NULL DEFAULT '' CHECK (length(summary) <= 1000),
  description     text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
  search          tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector(fritid_ts_config(locale), summary), 'B') ||
                    setweight(to_tsvector(fritid_ts_config(locale), description), 'C')) STORED,
  PRIMARY KEY (organisation_id, locale),
  FOREIGN KEY (municipality_id, organisation_id) REFERENCES organisations (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, locale) REFERENCES locales (municipality_id, code) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX organisation_translations_search_idx ON organisation_translations USING gin (search);

CREATE TABLE organisation_categories (
  organisation_id uuid NOT NULL,
  category_id     uuid NOT NULL,
  municipality_id uuid NOT NULL,
  PRIMARY KEY (organisation_id, category_id),
  FOREIGN KEY (municipality_id, organisation_id) REFERENCES organisations (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, category_id) REFERENCES categories (municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX organisation_categories_category_idx ON organisation_categories (category_id);

CREATE TABLE organisation_links (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  organisation_id uuid NOT NULL,
  municipality_id uuid NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('WEBSITE', 'FACEBOOK', 'INSTAGRAM', 'TIKTOK', 'YOUTUBE', 'OTHER')),
  url             text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
  sort_order      integer NOT NULL DEFAULT 0,
  FOREIGN KEY (municipality_id, organisation_id) REFERENCES organisations (municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX organisation_links_organisation_idx ON organisation_links (organisation_id, sort_order);

-- manual: assigned by hand (an organisation without a location); otherwise computed from
-- the location when it is written.
CREATE TABLE organisation_neighbourhoods (
  organisation_id  uuid NOT NULL,
  neighbourhood_id uuid NOT NULL,
  municipality_id  uuid NOT NULL,
  manual           boolean NOT NULL DEFAULT false,
  PRIMARY KEY (organisation_id, neighbourhood_id),
  FOREIGN KEY (municipality_id, organisation_id) REFERENCES organisations (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, neighbourhood_id) REFERENCES neighbourhoods (municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX organisation_neighbourhoods_neighbourhood_idx ON organisation_neighbourhoods (neighbourhood_id);

CREATE TABLE venues (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  name            text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  street          text NOT NULL DEFAULT '' CHECK (length(street) <= 200),
  postal_code     text NOT NULL DEFAULT '' CHECK (postal_code = '' OR postal_code ~ '^[0-9]{4}$'),
  place           text NOT NULL DEFAULT '' CHECK (length(place) <= 100),
  lat             double precision CHECK (lat BETWEEN -90 AND 90),
  lon             double precision CHECK (lon BETWEEN -180 AND 180),
  accessibility   text[] NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CHECK ((lat IS NULL) = (lon IS NULL)),
  UNIQUE (municipality_id, id)
);
CREATE INDEX venues_name_idx ON venues (municipality_id, name COLLATE "nb-x-icu", id);

CREATE TABLE venue_neighbourhoods (
  venue_id         uuid NOT NULL,
  neighbourhood_id uuid NOT NULL,
  municipality_id  uuid NOT NULL,
  PRIMARY KEY (venue_id, neighbourhood_id),
  FOREIGN KEY (municipality_id, venue_id) REFERENCES venues (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, neighbourhood_id) REFERENCES neighbourhoods (municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX venue_neighbourhoods_neighbourhood_idx ON venue_neighbourhoods (neighbourhood_id);

-- An activity is visible to the public when it and its organisation are published;
-- published is kept equal to that by the service, so lists need no join to filter.
-- lat/lon is where it happens: its venue's location, else its organisation's.
CREATE TABLE activities (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  organisation_id uuid NOT NULL,
  venue_id        uuid,
  slug            text NOT NULL CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$'),
  sort_name       text NOT NULL DEFAULT '',
  target_groups   text[] NOT NULL DEFAULT '{}',
  age_min         smallint CHECK (age_min BETWEEN 0 AND 120),
  age_max         smallint CHECK (age_max BETWEEN 0 AND 120),
  accessibility   text[] NOT NULL DEFAULT '{}',
  price_ore       integer NOT NULL DEFAULT 0 CHECK (price_ore BETWEEN 0 AND 100000000),
  languages       text[] NOT NULL DEFAULT '{}',
  slots           jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(slots) = 'array'),
  signup_url      text NOT NULL DEFAULT '' CHECK (signup_url = '' OR signup_url ~ '^https?://'),
  email           text NOT NULL DEFAULT '' CHECK (length(email) <= 254),
  phone           text NOT NULL DEFAULT '' CHECK (length(phone) <= 40),
  accepts_card    boolean NOT NULL DEFAULT false,
  status          text NOT NULL DEFAULT 'DRAFT' CHECK (status IN ('DRAFT', 'PUBLISHED', 'ARCHIVED')),
  published       boolean NOT NULL DEFAULT false,
  lat             double precision CHECK (lat BETWEEN -90 AND 90),
  lon             double precision CHECK (lon BETWEEN -180 AND 180),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (age_min IS NULL OR age_max IS NULL OR age_min <= age_max),
  CHECK ((lat IS NULL) = (lon IS NULL)),
  UNIQUE (municipality_id, slug),
  UNIQUE (municipality_id, id),
  FOREIGN KEY (municipality_id, organisation_id) REFERENCES organisations (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, venue_id) REFERENCES venues (municipality_id, id) ON DELETE SET NULL (venue_id)
);
CREATE INDEX activities_name_idx ON activities (municipality_id, published, sort_name COLLATE "nb-x-icu", id);
CREATE INDEX activities_updated_idx ON activities (municipality_id, published, updated_at, id);
CREATE INDEX activities_organisation_idx ON activities (organisation_id, sort_name COLLATE "nb-x-icu", id);
CREATE INDEX activities_venue_idx ON activities (venue_id);
CREATE INDEX activities_location_idx ON activities (municipality_id, lat, lon) WHERE lat IS NOT NULL;
CREATE INDEX activities_target_groups_idx ON activities USING gin (target_groups);
CREATE INDEX activities_accessibility_idx ON activities USING gin (accessibility);

CREATE TABLE activity_translations (
  activity_id     uuid NOT NULL,
  municipality_id uuid NOT NULL,
  locale          text NOT NULL,
  title           text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
  summary         text NOT NULL DEFAULT '' CHECK (length(summary) <= 1000),
  description     text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
  price_note      text NOT NULL DEFAULT '' CHECK (length(price_note) <= 500),
  schedule        text NOT NULL DEFAULT '' CHECK (length(schedule) <= 1000),
  search          tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector(fritid_ts_config(locale), title), 'A') ||
                    setweight(to_tsvector(fritid_ts_config(locale), summary), 'B') ||
                    setweight(to_tsvector(fritid_ts_config(locale), description), 'C')) STORED,
  PRIMARY KEY (activity_id, locale),
  FOREIGN KEY (municipality_id, activity_id) REFERENCES activities (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, locale) REFERENCES locales (municipality_id, code) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX activity_translations_search_idx ON activity_translations USING gin (search);
CREATE INDEX activity_translations_title_trgm_idx ON activity_translations USING gin (title gin_trgm_ops);

CREATE TABLE activity_categories (
  activity_id     uuid NOT NULL,
  category_id     uuid NOT NULL,
  municipality_id uuid NOT NULL,
  PRIMARY KEY (activity_id, category_id),
  FOREIGN KEY (municipality_id, activity_id) REFERENCES activities (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, category_id) REFERENCES categories (municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX activity_categories_category_idx ON activity_categories (category_id, activity_id);

CREATE TABLE activity_images (
  activity_id     uuid NOT NULL,
  media_id        uuid NOT NULL,
  municipality_id uuid NOT NULL,
  sort_order      integer NOT NULL DEFAULT 0,
  PRIMARY KEY (activity_id, media_id),
  FOREIGN KEY (municipality_id, activity_id) REFERENCES activities (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, media_id) REFERENCES media (municipality_id, id) ON DELETE CASCADE
);

CREATE TABLE activity_neighbourhoods (
  activity_id      uuid NOT NULL,
  neighbourhood_id uuid NOT NULL,
  municipality_id  uuid NOT NULL,
  PRIMARY KEY (activity_id, neighbourhood_id),
  FOREIGN KEY (municipality_id, activity_id) REFERENCES activities (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, neighbourhood_id) REFERENCES neighbourhoods (municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX activity_neighbourhoods_neighbourhood_idx ON activity_neighbourhoods (neighbourhood_id, activity_id);

-- activities.published: the activity and its organisation are both published.
CREATE FUNCTION activities_set_published() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.published := NEW.status = 'PUBLISHED' AND EXISTS (
    SELECT 1 FROM organisations o WHERE o.id = NEW.organisation_id AND o.status = 'PUBLISHED');
  RETURN NEW;
END $$;
CREATE TRIGGER activities_published BEFORE INSERT OR UPDATE OF status, organisation_id ON activities
  FOR EACH ROW EXECUTE FUNCTION activities_set_published();

CREATE FUNCTION organisations_publish_activities() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE activities SET published = (status = 'PUBLISHED' AND NEW.status = 'PUBLISHED')
   WHERE organisation_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER organisations_published AFTER UPDATE OF status ON organisations
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION organisations_publish_activities();

-- activities.sort_name: the title in the municipality's default locale (else any), so
-- that name order has an index.
CREATE FUNCTION activity_translations_sort_name() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  aid uuid := COALESCE(NEW.activity_id, OLD.activity_id);
BEGIN
  UPDATE activities a SET sort_name = COALESCE((
    SELECT t.title FROM activity_translations t, municipalities m
     WHERE t.activity_id = aid AND m.id = a.municipality_id
     ORDER BY t.locale = m.default_locale DESC, t.locale LIMIT 1), '')
   WHERE a.id = aid;
  RETURN NULL;
END $$;
CREATE TRIGGER activity_translations_sort_name AFTER INSERT OR UPDATE OF title OR DELETE ON activity_translations
  FOR EACH ROW EXECUTE FUNCTION activity_translations_sort_name();
