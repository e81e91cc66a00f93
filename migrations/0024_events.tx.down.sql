ALTER TABLE activities DROP COLUMN pauses_in_school_holidays, DROP COLUMN pauses_on_public_holidays;
DROP TABLE closures, event_categories, event_translations, events, event_series;
