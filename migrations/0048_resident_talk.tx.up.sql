-- Communication with residents: notices to a neighbourhood, and questions on an activity
-- or event that its organisation answers publicly, with reporting and moderation.

-- Questions are off unless the municipality turns them on; a question reported by this many
-- reporters (since a moderator last looked at it) is held until a moderator decides.
ALTER TABLE municipalities
  ADD COLUMN questions_enabled boolean NOT NULL DEFAULT false,
  ADD COLUMN question_hold_reports integer NOT NULL DEFAULT 3 CHECK (question_hold_reports BETWEEN 1 AND 100);
-- An organisation may close questions on its activities and events (a table of its own,
-- so that closing them is no change of the organisation's listing).
CREATE TABLE organisation_questions_closed (
  organisation_id uuid PRIMARY KEY REFERENCES organisations ON DELETE CASCADE,
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  closed_at       timestamptz NOT NULL DEFAULT now()
);

-- A notice to a neighbourhood from its committee or from the municipality, shown in its
-- validity window unless withdrawn. The author is kept for the audit trail; the public sees
-- only who posted it (the committee or the municipality).
CREATE TABLE neighbourhood_notices (
  id               uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id  uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  neighbourhood_id uuid NOT NULL REFERENCES neighbourhoods ON DELETE CASCADE,
  posted_as        text NOT NULL CHECK (posted_as IN ('COMMITTEE', 'MUNICIPALITY')),
  author_id        uuid REFERENCES users ON DELETE SET NULL,
  valid_from       timestamptz NOT NULL,
  valid_until      timestamptz NOT NULL,
  withdrawn_at     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CHECK (valid_from < valid_until)
);
CREATE INDEX neighbourhood_notices_list_idx ON neighbourhood_notices (neighbourhood_id, valid_from DESC, id);

CREATE TABLE neighbourhood_notice_texts (
  notice_id       uuid NOT NULL REFERENCES neighbourhood_notices ON DELETE CASCADE,
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  locale          text NOT NULL,
  title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  body            text NOT NULL CHECK (length(body) <= 5000),
  PRIMARY KEY (notice_id, locale)
);

-- A resident's question on an activity or event. The asker is linked to their device or
-- signed-in resident (resident_owners) only for the data-subject report, the rate limit and
-- erasure: erasing the owner keeps the question, anonymised (no link, no display name).
CREATE TABLE resident_questions (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  subject_kind    text NOT NULL CHECK (subject_kind IN ('ACTIVITY', 'EVENT')),
  subject_id      uuid NOT NULL,
  organisation_id uuid REFERENCES organisations ON DELETE CASCADE,
  owner_id        uuid REFERENCES resident_owners ON DELETE SET NULL,
  display_name    text CHECK (length(display_name) <= 40),
  body            text NOT NULL CHECK (length(body) BETWEEN 1 AND 1000),
  status          text NOT NULL DEFAULT 'VISIBLE' CHECK (status IN ('VISIBLE', 'HELD', 'HIDDEN')),
  answer          text CHECK (length(answer) <= 2000),
  answered_by     uuid REFERENCES users ON DELETE SET NULL,
  answered_at     timestamptz,
  reviewed_at     timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX resident_questions_subject_idx ON resident_questions (subject_id, created_at DESC, id);
CREATE INDEX resident_questions_owner_idx ON resident_questions (owner_id) WHERE owner_id IS NOT NULL;
CREATE INDEX resident_questions_queue_idx ON resident_questions (municipality_id, status);

-- The owner's erasure anonymises their questions: the display name goes with the link.
CREATE FUNCTION resident_questions_anonymise() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.owner_id IS NULL AND OLD.owner_id IS NOT NULL THEN
    NEW.display_name := NULL;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER resident_questions_anonymise BEFORE UPDATE OF owner_id ON resident_questions
  FOR EACH ROW EXECUTE FUNCTION resident_questions_anonymise();

-- One report per reporter and question; the reporter is a keyed hash (of the device, the
-- signed-in person or user, or the client address), never a person.
CREATE TABLE resident_question_reports (
  question_id     uuid NOT NULL REFERENCES resident_questions ON DELETE CASCADE,
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  reporter_key    bytea NOT NULL,
  reason          text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (question_id, reporter_key)
);
