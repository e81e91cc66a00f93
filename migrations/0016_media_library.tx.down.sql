ALTER TABLE activity_images DROP CONSTRAINT activity_images_municipality_id_media_id_fkey;
ALTER TABLE activity_images ADD FOREIGN KEY (municipality_id, media_id)
  REFERENCES media (municipality_id, id) ON DELETE CASCADE;
DROP INDEX activity_images_media_idx, organisations_cover_idx, organisations_logo_idx, media_library_idx;
ALTER TABLE media DROP COLUMN organisation_id;
