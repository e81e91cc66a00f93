DROP TABLE newsletter_deliveries;
DROP TABLE newsletter_campaign_translations;
DROP TABLE newsletter_campaigns;
DROP TABLE newsletter_suppressions;
DROP TABLE newsletter_subscribers;
DROP TABLE newsletter_consent_texts;
DROP TABLE newsletter_list_translations;
DROP TABLE newsletter_lists;
ALTER TABLE municipalities DROP COLUMN newsletter_rate_per_minute;
