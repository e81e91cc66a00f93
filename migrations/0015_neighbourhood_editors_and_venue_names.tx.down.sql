DROP TABLE venue_translations;
DELETE FROM neighbourhood_translations WHERE length(btrim(name)) = 0;
ALTER TABLE neighbourhood_translations DROP CONSTRAINT neighbourhood_translations_name_check;
ALTER TABLE neighbourhood_translations ADD CONSTRAINT neighbourhood_translations_name_check
  CHECK (length(btrim(name)) BETWEEN 1 AND 200);
DROP TABLE neighbourhood_editors;
