DROP TRIGGER search_events_updated ON organisations;
DROP TRIGGER search_inserted ON event_translations;
DROP TRIGGER search_updated ON event_translations;
DROP TRIGGER search_deleted ON event_translations;
DROP TRIGGER search_inserted ON events;
DROP TRIGGER search_updated ON events;
DROP TRIGGER search_deleted ON events;
DROP FUNCTION fritid_search_event_organisations_updated();
DROP FUNCTION fritid_search_event_texts_changed();
DROP FUNCTION fritid_search_events_changed();
DROP FUNCTION fritid_search_refresh_events(uuid[]);
DELETE FROM search_items WHERE kind = 'Event';
ALTER TABLE search_items DROP CONSTRAINT search_items_check;
ALTER TABLE search_items ADD CONSTRAINT search_items_check
  CHECK ((kind IN ('Page', 'Article')) = (published_from IS NOT NULL));
ALTER TABLE search_items DROP CONSTRAINT search_items_kind_check;
ALTER TABLE search_items ADD CONSTRAINT search_items_kind_check
  CHECK (kind IN ('Organisation', 'Activity', 'Neighbourhood', 'Page', 'Article'));
DROP INDEX event_translations_search_idx;
ALTER TABLE event_translations DROP COLUMN search;
