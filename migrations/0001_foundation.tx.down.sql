DROP TABLE category_translations;
DROP TABLE categories;
ALTER TABLE municipalities DROP CONSTRAINT municipalities_default_locale_fkey;
DROP TABLE locales;
DROP TABLE municipality_domains;
DROP TABLE municipalities;
DROP FUNCTION uuid_generate_v7();
