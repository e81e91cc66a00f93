-- Committee editors: users an administrator lets keep one neighbourhood's description,
-- committee contact and members, and nothing else.
CREATE TABLE neighbourhood_editors (
  municipality_id  uuid NOT NULL,
  neighbourhood_id uuid NOT NULL,
  user_id          uuid NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (neighbourhood_id, user_id),
  FOREIGN KEY (municipality_id, neighbourhood_id) REFERENCES neighbourhoods (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, user_id) REFERENCES users (municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX neighbourhood_editors_user_idx ON neighbourhood_editors (user_id);

-- A neighbourhood's description may be written in a language its name is not: each text
-- falls back along the locale chain on its own, so a row may leave the name empty.
ALTER TABLE neighbourhood_translations DROP CONSTRAINT neighbourhood_translations_name_check;
ALTER TABLE neighbourhood_translations ADD CONSTRAINT neighbourhood_translations_name_check
  CHECK (length(name) <= 200);

-- A venue's name in the municipality's other languages; venues.name is the name in the
-- default language, and reads fall back to it.
CREATE TABLE venue_translations (
  venue_id        uuid NOT NULL,
  municipality_id uuid NOT NULL,
  locale          text NOT NULL,
  name            text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  PRIMARY KEY (venue_id, locale),
  FOREIGN KEY (municipality_id, venue_id) REFERENCES venues (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, locale) REFERENCES locales (municipality_id, code) DEFERRABLE INITIALLY DEFERRED
);
