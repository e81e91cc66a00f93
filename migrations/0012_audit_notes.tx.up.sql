-- A written reason some actions need (a caseworker overriding a stopper warning) is kept
-- with the audit entry of the action. It may describe a family, so it is personal data:
-- erasing the person a card was issued to clears the note of that card's entries. That is
-- the one change the log allows; every other update or delete is still refused.
ALTER TABLE audit_log ADD COLUMN note text CHECK (length(note) <= 2000);

CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.note IS NULL AND OLD.note IS NOT NULL
     AND (to_jsonb(NEW) - 'note') = (to_jsonb(OLD) - 'note') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'the audit log is append-only';
END $$;
