-- Venues an organisation adds are its own to keep up to date; the municipality's
-- administrators keep the rest. An archived venue stays on the activities already there
-- but is no longer listed or offered for new ones.
ALTER TABLE venues
  ADD COLUMN organisation_id uuid,
  ADD COLUMN archived_at     timestamptz,
  ADD FOREIGN KEY (municipality_id, organisation_id) REFERENCES organisations (municipality_id, id) ON DELETE SET NULL (organisation_id);
CREATE INDEX venues_organisation_idx ON venues (organisation_id) WHERE organisation_id IS NOT NULL;
