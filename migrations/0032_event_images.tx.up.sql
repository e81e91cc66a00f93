-- An event's images from the municipality's image library, in the order shown (NULL: none).
-- A series' template carries them to its occurrences like its other fields. An image deleted
-- from the library is left out when the event is read.
ALTER TABLE events ADD COLUMN image_ids uuid[] CHECK (cardinality(image_ids) <= 20);
