UPDATE organisations SET status = 'HIDDEN' WHERE status = 'REJECTED';
ALTER TABLE organisations DROP CONSTRAINT organisations_status_check;
ALTER TABLE organisations ADD CONSTRAINT organisations_status_check
  CHECK (status IN ('PENDING', 'PUBLISHED', 'HIDDEN'));
