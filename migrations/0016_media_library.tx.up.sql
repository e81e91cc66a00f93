-- The media library: an image belongs to the organisation whose members keep it (none: the
-- municipality's own), and is found again by where it is used.
ALTER TABLE media ADD COLUMN organisation_id uuid;
ALTER TABLE media ADD FOREIGN KEY (municipality_id, organisation_id)
  REFERENCES organisations (municipality_id, id) ON DELETE SET NULL (organisation_id);
CREATE INDEX media_library_idx ON media (municipality_id, created_at, id);
CREATE INDEX media_organisation_idx ON media (organisation_id) WHERE organisation_id IS NOT NULL;
CREATE INDEX organisations_logo_idx ON organisations (logo_id) WHERE logo_id IS NOT NULL;
CREATE INDEX organisations_cover_idx ON organisations (cover_id) WHERE cover_id IS NOT NULL;
CREATE INDEX activity_images_media_idx ON activity_images (media_id);

-- An image in use is never deleted from under an activity: deleting it is refused instead.
ALTER TABLE activity_images DROP CONSTRAINT activity_images_municipality_id_media_id_fkey;
ALTER TABLE activity_images ADD FOREIGN KEY (municipality_id, media_id) REFERENCES media (municipality_id, id);

-- Images used by exactly one organisation (its logo, cover or activities) are its own.
WITH uses AS (
  SELECT logo_id AS media_id, id AS organisation_id FROM organisations WHERE logo_id IS NOT NULL
  UNION SELECT cover_id, id FROM organisations WHERE cover_id IS NOT NULL
  UNION SELECT ai.media_id, a.organisation_id FROM activity_images ai JOIN activities a ON a.id = ai.activity_id
), single AS (
  SELECT media_id, (array_agg(organisation_id))[1] AS organisation_id FROM uses GROUP BY media_id
  HAVING count(DISTINCT organisation_id) = 1
)
UPDATE media m SET organisation_id = s.organisation_id FROM single s WHERE m.id = s.media_id;
