DROP TABLE activity_neighbourhoods, activity_images, activity_categories, activity_translations, activities;
DROP TABLE venue_neighbourhoods, venues;
DROP TABLE organisation_neighbourhoods, organisation_links, organisation_categories, organisation_translations, organisations;
DROP TABLE committee_members, neighbourhood_translations, neighbourhoods;
DROP TABLE media_translations, media;
DROP FUNCTION activity_translations_sort_name(), organisations_publish_activities(), activities_set_published() CASCADE;
DROP FUNCTION fritid_ts_config(text);
DROP FUNCTION fritid_distance_km(float8, float8, float8, float8);
