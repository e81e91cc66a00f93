-- Municipal information pages (a tree per municipality) and articles (news), with texts and
-- publication per language. What the public sees is computed from publish_at/unpublish_at
-- when reading, so scheduled publishing needs no job to take effect.
CREATE TABLE pages (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  parent_id       uuid,
  sort_order      integer NOT NULL DEFAULT 0,
  slug            text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 100),
  path            text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (municipality_id, id),
  UNIQUE (municipality_id, path),
  FOREIGN KEY (municipality_id, parent_id) REFERENCES pages (municipality_id, id)
);
CREATE INDEX pages_parent_idx ON pages (parent_id, sort_order);

CREATE TABLE articles (
  id                 uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id    uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  -- The organisation that writes about itself; NULL: the municipality's own article.
  organisation_id    uuid,
  slug               text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 100),
  about_organisation_id uuid,
  about_activity_id  uuid,
  hero_image_id      uuid,
  author_line        text NOT NULL DEFAULT '' CHECK (length(author_line) <= 200),
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (municipality_id, id),
  UNIQUE (municipality_id, slug),
  FOREIGN KEY (municipality_id, organisation_id) REFERENCES organisations (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, about_organisation_id) REFERENCES organisations (municipality_id, id)
    ON DELETE SET NULL (about_organisation_id),
  FOREIGN KEY (municipality_id, about_activity_id) REFERENCES activities (municipality_id, id)
    ON DELETE SET NULL (about_activity_id),
  FOREIGN KEY (municipality_id, hero_image_id) REFERENCES media (municipality_id, id)
);
CREATE INDEX articles_organisation_idx ON articles (organisation_id) WHERE organisation_id IS NOT NULL;

CREATE TABLE article_categories (
  article_id      uuid NOT NULL,
  category_id     uuid NOT NULL,
  municipality_id uuid NOT NULL,
  PRIMARY KEY (article_id, category_id),
  FOREIGN KEY (municipality_id, category_id) REFERENCES categories (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, article_id) REFERENCES articles (municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX article_categories_category_idx ON article_categories (category_id);

CREATE TABLE article_neighbourhoods (
  article_id       uuid NOT NULL,
  neighbourhood_id uuid NOT NULL,
  municipality_id  uuid NOT NULL,
  PRIMARY KEY (article_id, neighbourhood_id),
  FOREIGN KEY (municipality_id, article_id) REFERENCES articles (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, neighbourhood_id) REFERENCES neighbourhoods (municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX article_neighbourhoods_nb_idx ON article_neighbourhoods (neighbourhood_id);

-- Texts per language. body is the validated block tree; body_html and body_text are what
-- fritid rendered from it when it was saved, so reads never render.
CREATE TABLE page_translations (
  page_id         uuid NOT NULL,
  municipality_id uuid NOT NULL,
  locale          text NOT NULL,
  title           text NOT NULL DEFAULT '',
  summary         text NOT NULL DEFAULT '',
  body            jsonb NOT NULL DEFAULT '{"blocks": []}',
  body_html       text NOT NULL DEFAULT '',
  body_text       text NOT NULL DEFAULT '',
  hero_alt        text NOT NULL DEFAULT '',
  publish_at      timestamptz,
  unpublish_at    timestamptz,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (page_id, locale),
  FOREIGN KEY (municipality_id, page_id) REFERENCES pages (municipality_id, id) ON DELETE CASCADE,
  CHECK (unpublish_at IS NULL OR publish_at IS NULL OR unpublish_at > publish_at)
);

CREATE TABLE article_translations (
  article_id      uuid NOT NULL,
  municipality_id uuid NOT NULL,
  locale          text NOT NULL,
  title           text NOT NULL DEFAULT '',
  summary         text NOT NULL DEFAULT '',
  body            jsonb NOT NULL DEFAULT '{"blocks": []}',
  body_html       text NOT NULL DEFAULT '',
  body_text       text NOT NULL DEFAULT '',
  hero_alt        text NOT NULL DEFAULT '',
  publish_at      timestamptz,
  unpublish_at    timestamptz,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (article_id, locale),
  FOREIGN KEY (municipality_id, article_id) REFERENCES articles (municipality_id, id) ON DELETE CASCADE,
  CHECK (unpublish_at IS NULL OR publish_at IS NULL OR unpublish_at > publish_at)
);
CREATE INDEX article_translations_published_idx ON article_translations (municipality_id, publish_at DESC)
  WHERE publish_at IS NOT NULL;

ALTER TABLE revisions DROP CONSTRAINT revisions_item_type_check;
ALTER TABLE revisions ADD CONSTRAINT revisions_item_type_check
  CHECK (item_type IN ('Organisation', 'Activity', 'Page', 'Article'));
