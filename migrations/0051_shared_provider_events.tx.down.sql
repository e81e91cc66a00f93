DROP TRIGGER provider_municipalities_feed ON provider_municipalities;
DROP FUNCTION fritid_served_articles(uuid);
DROP FUNCTION fritid_served_events(uuid);
DROP TABLE event_municipalities;
