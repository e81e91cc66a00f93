DROP TABLE IF EXISTS event_signup_participants;
DROP TABLE IF EXISTS event_signups;
DROP TABLE IF EXISTS event_signup_settings;
