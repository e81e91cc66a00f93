DROP FUNCTION fritid_served_media(uuid);
DROP FUNCTION fritid_served_activities(uuid);
DROP FUNCTION fritid_served_organisations(uuid);
DROP TABLE activity_municipalities;
DROP TABLE provider_municipalities;
ALTER TABLE organisations DROP COLUMN region, DROP COLUMN scope;
