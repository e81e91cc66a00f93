-- Change events and webhooks.
--
-- Every public change to the catalogue, the calendar, the content and the card offers is
-- written to change_events by triggers, in the transaction of the change (an outbox), so
-- every write path is covered and a change that rolls back leaves no event. An event
-- carries only its type, its subject's ID, its municipality and its time: consumers read
-- the rest through the API. Nothing about cards, holders, tickets or sign-ups is recorded.
--
-- The sequencer (a job) gives committed events their position, in the order it finds them
-- committed, so a reader paging by position never misses an event that committed late;
-- the same job queues the webhook deliveries.
CREATE TABLE change_events (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  -- The event's place in the change feed; NULL until sequenced.
  position        bigint UNIQUE,
  type            text NOT NULL CHECK (type ~ '^[a-z_]+\.[a-z_]+$'),
  subject_id      uuid NOT NULL,
  occurred_at     timestamptz NOT NULL DEFAULT now(),
  -- Extra facts of a type (none so far); never personal data.
  payload         jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(payload) = 'object'),
  -- The writing transaction, so that one transaction records a subject's change once.
  xact            xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX change_events_feed_idx ON change_events (municipality_id, position) WHERE position IS NOT NULL;
CREATE INDEX change_events_unsequenced_idx ON change_events (subject_id) WHERE position IS NULL;
CREATE INDEX change_events_time_idx ON change_events (municipality_id, occurred_at);

-- fritid_change_type names the change of a subject of kind p_prefix that was public
-- (p_was) and is public (p_is): published, archived, updated (when p_changed), or NULL.
CREATE FUNCTION fritid_change_type(p_prefix text, p_was boolean, p_is boolean, p_changed boolean) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p_is AND NOT p_was THEN p_prefix || '.published'
    WHEN p_was AND NOT p_is THEN p_prefix || '.archived'
    WHEN p_was AND p_is AND p_changed THEN p_prefix || '.updated' END
$$;

-- fritid_change_add records change p_type of subject p_id, unless the transaction has
-- recorded it already (an "updated" also when it recorded any change of the subject), or
-- the municipality itself is being deleted (its data goes with it, events included).
CREATE FUNCTION fritid_change_add(p_municipality uuid, p_type text, p_id uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF p_type IS NULL OR NOT EXISTS (SELECT 1 FROM municipalities m WHERE m.id = p_municipality)
    OR EXISTS (SELECT 1 FROM change_events c
      WHERE c.position IS NULL AND c.subject_id = p_id AND c.xact = pg_current_xact_id()
        AND (c.type = p_type OR p_type LIKE '%.updated')) THEN
    RETURN;
  END IF;
  INSERT INTO change_events (municipality_id, type, subject_id) VALUES (p_municipality, p_type, p_id);
END
$$;

-- fritid_changes_rows records the changes a statement made to rows of a subject's own
-- table. TG_ARGV[0]: the kind (organisation); TG_ARGV[1]: whether row r is public, in SQL.
CREATE FUNCTION fritid_changes_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  kind text := TG_ARGV[0];
  pub text := TG_ARGV[1];
BEGIN
  IF TG_OP = 'INSERT' THEN
    EXECUTE format('SELECT fritid_change_add(r.municipality_id, fritid_change_type(%L, false, %s, true), r.id)
      FROM fritid_new r ORDER BY r.id', kind, pub);
  ELSIF TG_OP = 'DELETE' THEN
    EXECUTE format('SELECT fritid_change_add(r.municipality_id, fritid_change_type(%L, %s, false, true), r.id)
      FROM fritid_old r ORDER BY r.id', kind, pub);
  ELSE
    EXECUTE format('SELECT fritid_change_add(n.municipality_id, fritid_change_type(%L, o.pub, n.pub, n.doc <> o.doc), n.id)
      FROM (SELECT r.id, r.municipality_id, (%s) AS pub, to_jsonb(r) - ''updated_at'' AS doc FROM fritid_new r) n
      JOIN (SELECT r.id, (%s) AS pub, to_jsonb(r) - ''updated_at'' AS doc FROM fritid_old r) o ON o.id = n.id
      ORDER BY n.id', kind, pub, pub);
  END IF;
  RETURN NULL;
END
$$;

-- fritid_changes_texts records an update of the public subjects whose texts a statement
-- wrote. TG_ARGV: the kind, the subject's table, the texts' column naming it, and whether
-- subject r is public, in SQL.
CREATE FUNCTION fritid_changes_texts() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  kind text := TG_ARGV[0];
  parent text := TG_ARGV[1];
  fk text := TG_ARGV[2];
  pub text := TG_ARGV[3];
  ids text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    ids := format('SELECT %I FROM fritid_new', fk);
  ELSIF TG_OP = 'DELETE' THEN
    ids := format('SELECT %I FROM fritid_old', fk);
  ELSE
    ids := format('SELECT n.%1$I FROM fritid_new n JOIN fritid_old o ON o.%1$I = n.%1$I AND o.locale = n.locale
      WHERE to_jsonb(n) - ''updated_at'' <> to_jsonb(o) - ''updated_at''', fk);
  END IF;
  EXECUTE format('SELECT fritid_change_add(r.municipality_id, %L, r.id) FROM %I r
    WHERE r.id IN (%s) AND (%s) ORDER BY r.id', kind || '.updated', parent, ids, pub);
  RETURN NULL;
END
$$;

-- fritid_changes_publications records the changes a statement made to the texts of pages
-- or articles, whose publication is per language: the subject is public while one of its
-- languages is published or scheduled. TG_ARGV: the kind, the texts' table and the column
-- naming the subject.
CREATE FUNCTION fritid_changes_publications() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  kind text := TG_ARGV[0];
  texts text := TG_ARGV[1];
  fk text := TG_ARGV[2];
  old_rows text := 'fritid_old';
  new_rows text := 'fritid_new';
BEGIN
  IF TG_OP = 'INSERT' THEN
    old_rows := format('(SELECT * FROM %I WHERE false)', texts);
  ELSIF TG_OP = 'DELETE' THEN
    new_rows := format('(SELECT * FROM %I WHERE false)', texts);
  END IF;
  EXECUTE format($q$
    WITH touched AS (
      SELECT %3$I AS id, municipality_id FROM %4$s x UNION SELECT %3$I, municipality_id FROM %5$s y
    ), state AS (
      SELECT t.id, t.municipality_id,
        EXISTS (SELECT 1 FROM %5$s o WHERE o.%3$I = t.id AND o.publish_at IS NOT NULL)
          OR EXISTS (SELECT 1 FROM %2$I c WHERE c.%3$I = t.id AND c.publish_at IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM %4$s n WHERE n.%3$I = c.%3$I AND n.locale = c.locale)) AS was,
        EXISTS (SELECT 1 FROM %2$I c WHERE c.%3$I = t.id AND c.publish_at IS NOT NULL) AS pub,
        %6$L <> 'UPDATE' OR EXISTS (SELECT 1 FROM %4$s n JOIN %5$s o ON o.%3$I = n.%3$I AND o.locale = n.locale
          WHERE n.%3$I = t.id AND to_jsonb(n) - 'updated_at' <> to_jsonb(o) - 'updated_at') AS changed
      FROM touched t
    )
    SELECT fritid_change_add(s.municipality_id, fritid_change_type(%1$L, s.was, s.pub, s.changed), s.id)
    FROM state s ORDER BY s.id$q$, kind, texts, fk, new_rows, old_rows, TG_OP);
  RETURN NULL;
END
$$;

-- fritid_changes_card_offers records a card offer published, paused or ended. Nothing of
-- the cards, their holders or their tickets is recorded.
CREATE FUNCTION fritid_changes_card_offers() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM fritid_change_add(n.municipality_id, 'card_offer.' || lower(n.status), n.id)
    FROM fritid_new n WHERE n.status <> 'DRAFT' ORDER BY n.id;
  ELSE
    PERFORM fritid_change_add(n.municipality_id, 'card_offer.' || lower(n.status), n.id)
    FROM fritid_new n JOIN fritid_old o ON o.id = n.id
    WHERE n.status <> o.status AND n.status <> 'DRAFT' ORDER BY n.id;
  END IF;
  RETURN NULL;
END
$$;

-- The subjects' own tables.
CREATE TRIGGER changes_inserted AFTER INSERT ON organisations REFERENCING NEW TABLE AS fritid_new
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_rows('organisation', 'r.status = ''PUBLISHED''');
CREATE TRIGGER changes_updated AFTER UPDATE ON organisations REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_rows('organisation', 'r.status = ''PUBLISHED''');
CREATE TRIGGER changes_deleted AFTER DELETE ON organisations REFERENCING OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_rows('organisation', 'r.status = ''PUBLISHED''');

CREATE TRIGGER changes_inserted AFTER INSERT ON activities REFERENCING NEW TABLE AS fritid_new
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_rows('activity', 'r.published');
CREATE TRIGGER changes_updated AFTER UPDATE ON activities REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_rows('activity', 'r.published');
CREATE TRIGGER changes_deleted AFTER DELETE ON activities REFERENCING OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_rows('activity', 'r.published');

CREATE TRIGGER changes_inserted AFTER INSERT ON venues REFERENCING NEW TABLE AS fritid_new
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_rows('venue', 'true');
CREATE TRIGGER changes_updated AFTER UPDATE ON venues REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_rows('venue', 'true');
CREATE TRIGGER changes_deleted AFTER DELETE ON venues REFERENCING OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_rows('venue', 'true');

CREATE TRIGGER changes_inserted AFTER INSERT ON events REFERENCING NEW TABLE AS fritid_new
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_rows('event', 'r.publication = ''PUBLISHED''');
CREATE TRIGGER changes_updated AFTER UPDATE ON events REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_rows('event', 'r.publication = ''PUBLISHED''');
CREATE TRIGGER changes_deleted AFTER DELETE ON events REFERENCING OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_rows('event', 'r.publication = ''PUBLISHED''');

-- A page's or article's own row changes it only while it is public; its texts publish it.
CREATE TRIGGER changes_updated AFTER UPDATE ON pages REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_rows('page',
    'EXISTS (SELECT 1 FROM page_translations t WHERE t.page_id = r.id AND t.publish_at IS NOT NULL)');
CREATE TRIGGER changes_updated AFTER UPDATE ON articles REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_rows('article',
    'EXISTS (SELECT 1 FROM article_translations t WHERE t.article_id = r.id AND t.publish_at IS NOT NULL)');

CREATE TRIGGER changes_inserted AFTER INSERT ON card_offers REFERENCING NEW TABLE AS fritid_new
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_card_offers();
CREATE TRIGGER changes_updated AFTER UPDATE ON card_offers REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_card_offers();

-- Their texts.
CREATE TRIGGER changes_inserted AFTER INSERT ON organisation_translations REFERENCING NEW TABLE AS fritid_new
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_texts('organisation', 'organisations', 'organisation_id', 'r.status = ''PUBLISHED''');
CREATE TRIGGER changes_updated AFTER UPDATE ON organisation_translations REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_texts('organisation', 'organisations', 'organisation_id', 'r.status = ''PUBLISHED''');
CREATE TRIGGER changes_deleted AFTER DELETE ON organisation_translations REFERENCING OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_texts('organisation', 'organisations', 'organisation_id', 'r.status = ''PUBLISHED''');

CREATE TRIGGER changes_inserted AFTER INSERT ON activity_translations REFERENCING NEW TABLE AS fritid_new
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_texts('activity', 'activities', 'activity_id', 'r.published');
CREATE TRIGGER changes_updated AFTER UPDATE ON activity_translations REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_texts('activity', 'activities', 'activity_id', 'r.published');
CREATE TRIGGER changes_deleted AFTER DELETE ON activity_translations REFERENCING OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_texts('activity', 'activities', 'activity_id', 'r.published');

CREATE TRIGGER changes_inserted AFTER INSERT ON event_translations REFERENCING NEW TABLE AS fritid_new
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_texts('event', 'events', 'event_id', 'r.publication = ''PUBLISHED''');
CREATE TRIGGER changes_updated AFTER UPDATE ON event_translations REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_texts('event', 'events', 'event_id', 'r.publication = ''PUBLISHED''');
CREATE TRIGGER changes_deleted AFTER DELETE ON event_translations REFERENCING OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_texts('event', 'events', 'event_id', 'r.publication = ''PUBLISHED''');

CREATE TRIGGER changes_inserted AFTER INSERT ON page_translations REFERENCING NEW TABLE AS fritid_new
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_publications('page', 'page_translations', 'page_id');
CREATE TRIGGER changes_updated AFTER UPDATE ON page_translations REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_publications('page', 'page_translations', 'page_id');
CREATE TRIGGER changes_deleted AFTER DELETE ON page_translations REFERENCING OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_publications('page', 'page_translations', 'page_id');

CREATE TRIGGER changes_inserted AFTER INSERT ON article_translations REFERENCING NEW TABLE AS fritid_new
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_publications('article', 'article_translations', 'article_id');
CREATE TRIGGER changes_updated AFTER UPDATE ON article_translations REFERENCING NEW TABLE AS fritid_new OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_publications('article', 'article_translations', 'article_id');
CREATE TRIGGER changes_deleted AFTER DELETE ON article_translations REFERENCING OLD TABLE AS fritid_old
  FOR EACH STATEMENT EXECUTE FUNCTION fritid_changes_publications('article', 'article_translations', 'article_id');

-- API keys may read the change feed.
ALTER TABLE api_keys DROP CONSTRAINT api_keys_scopes_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_scopes_check CHECK (cardinality(scopes) > 0
  AND scopes <@ ARRAY['catalogue:read', 'catalogue:write', 'subscribers:read', 'changes:read']);

-- Webhook endpoints of a municipality. The secret signs (and, until previous_secret_until,
-- the previous one too, so receivers can switch without missing a message).
CREATE TABLE webhook_endpoints (
  id                    uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id       uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  url                   text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
  description           text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
  -- The event types sent; empty: all.
  event_types           text[] NOT NULL DEFAULT '{}',
  secret                text NOT NULL,
  previous_secret       text,
  previous_secret_until timestamptz,
  enabled               boolean NOT NULL DEFAULT true,
  -- Why it is disabled: ADMIN, GONE (it answered 410) or FAILING (days of failures).
  disabled_reason       text CHECK (disabled_reason IN ('ADMIN', 'GONE', 'FAILING')),
  disabled_at           timestamptz,
  -- Since when every delivery has failed; NULL after a success.
  failing_since         timestamptz,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  CHECK (enabled = (disabled_reason IS NULL)),
  UNIQUE (municipality_id, id)
);
CREATE INDEX webhook_endpoints_municipality_idx ON webhook_endpoints (municipality_id, created_at) WHERE enabled;

-- A message is one event (or a test ping) for one endpoint, with the exact body sent;
-- its webhook-id stays the same on every attempt, so receivers can drop repeats.
CREATE TABLE webhook_messages (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id uuid NOT NULL,
  endpoint_id     uuid NOT NULL,
  change_id       bigint REFERENCES change_events ON DELETE CASCADE,
  type            text NOT NULL,
  body            text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (municipality_id, endpoint_id) REFERENCES webhook_endpoints (municipality_id, id) ON DELETE CASCADE,
  UNIQUE (endpoint_id, change_id)
);
CREATE INDEX webhook_messages_created_idx ON webhook_messages (created_at);

-- Every attempt to deliver a message, kept 30 days.
CREATE TABLE webhook_attempts (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id uuid NOT NULL,
  endpoint_id     uuid NOT NULL,
  message_id      uuid NOT NULL REFERENCES webhook_messages ON DELETE CASCADE,
  attempted_at    timestamptz NOT NULL DEFAULT now(),
  -- The HTTP status of the answer; NULL when there was none.
  status_code     integer,
  error           text NOT NULL DEFAULT '' CHECK (length(error) <= 1000),
  -- The start (1 KiB) of the answer.
  response        text NOT NULL DEFAULT '' CHECK (octet_length(response) <= 1024),
  duration_ms     integer NOT NULL DEFAULT 0,
  FOREIGN KEY (municipality_id, endpoint_id) REFERENCES webhook_endpoints (municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_attempts_endpoint_idx ON webhook_attempts (endpoint_id, attempted_at DESC);
CREATE INDEX webhook_attempts_message_idx ON webhook_attempts (message_id);
CREATE INDEX webhook_attempts_time_idx ON webhook_attempts (attempted_at);
