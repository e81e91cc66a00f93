-- The foundation: municipalities (tenants), their host names and languages, and the
-- translated category taxonomy. Every tenant-owned table carries municipality_id.

-- UUID version 7 (time-ordered) for primary keys made inside the database.
CREATE FUNCTION uuid_generate_v7() RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT encode(
    set_bit(set_bit(
      overlay(uuid_send(gen_random_uuid())
        PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
        FROM 1 FOR 6),
      52, 1), 53, 1),
    'hex')::uuid
$$;

CREATE TABLE municipalities (
  id             uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  slug           text NOT NULL UNIQUE
                 CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$'),
  name           text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  time_zone      text NOT NULL DEFAULT 'Europe/Oslo',
  default_locale text NOT NULL,
  settings       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(settings) = 'object'),
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Host names a municipality is served at (portal.larvik.kommune.no). Lower case, no port.
CREATE TABLE municipality_domains (
  host            text PRIMARY KEY CHECK (host = lower(host) AND host !~ '[:/ ]'),
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX municipality_domains_municipality_idx ON municipality_domains (municipality_id);

-- A municipality's languages: rows, so admins add one at run time.
CREATE TABLE locales (
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  code            text NOT NULL CHECK (code ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$'),
  english_name    text NOT NULL CHECK (length(btrim(english_name)) BETWEEN 1 AND 100),
  native_name     text NOT NULL CHECK (length(btrim(native_name)) BETWEEN 1 AND 100),
  direction       text NOT NULL DEFAULT 'ltr' CHECK (direction IN ('ltr', 'rtl')),
  fallback_code   text CHECK (fallback_code <> code),
  enabled         boolean NOT NULL DEFAULT true,
  sort_order      integer NOT NULL DEFAULT 0,
  PRIMARY KEY (municipality_id, code),
  FOREIGN KEY (municipality_id, fallback_code) REFERENCES locales (municipality_id, code) DEFERRABLE INITIALLY DEFERRED
);

-- The default locale is one of the municipality's own; checked at commit, since the
-- municipality row comes before its locales.
ALTER TABLE municipalities
  ADD CONSTRAINT municipalities_default_locale_fkey
  FOREIGN KEY (id, default_locale) REFERENCES locales (municipality_id, code)
  DEFERRABLE INITIALLY DEFERRED;

CREATE TABLE categories (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  parent_id       uuid CHECK (parent_id <> id),
  slug            text NOT NULL CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$'),
  icon            text NOT NULL DEFAULT '' CHECK (icon ~ '^[a-z0-9-]{0,64}$'),
  sort_order      integer NOT NULL DEFAULT 0,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (municipality_id, slug),
  UNIQUE (municipality_id, id),
  FOREIGN KEY (municipality_id, parent_id) REFERENCES categories (municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX categories_parent_idx ON categories (municipality_id, parent_id, sort_order);

CREATE TABLE category_translations (
  category_id     uuid NOT NULL,
  municipality_id uuid NOT NULL,
  locale          text NOT NULL,
  name            text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  description     text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
  PRIMARY KEY (category_id, locale),
  FOREIGN KEY (municipality_id, category_id) REFERENCES categories (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, locale) REFERENCES locales (municipality_id, code) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX category_translations_municipality_idx ON category_translations (municipality_id);
