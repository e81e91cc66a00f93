-- A registration the municipality turns down is REJECTED, not HIDDEN: HIDDEN means a
-- published organisation taken down, and the two call for different follow-up.
ALTER TABLE organisations DROP CONSTRAINT organisations_status_check;
ALTER TABLE organisations ADD CONSTRAINT organisations_status_check
  CHECK (status IN ('PENDING', 'PUBLISHED', 'HIDDEN', 'REJECTED'));
