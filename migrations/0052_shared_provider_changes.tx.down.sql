DROP TRIGGER provider_municipalities_changes ON provider_municipalities;
DROP FUNCTION fritid_changes_served();
CREATE OR REPLACE FUNCTION fritid_change_add(p_municipality uuid, p_type text, p_id uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF p_type IS NULL OR NOT EXISTS (SELECT 1 FROM municipalities m WHERE m.id = p_municipality)
    OR EXISTS (SELECT 1 FROM change_events c
      WHERE c.position IS NULL AND c.subject_id = p_id AND c.xact = pg_current_xact_id()
        AND c.occurred_at <= now() AND (c.type = p_type OR p_type LIKE '%.updated')) THEN
    RETURN;
  END IF;
  INSERT INTO change_events (municipality_id, type, subject_id) VALUES (p_municipality, p_type, p_id);
END
$$;
