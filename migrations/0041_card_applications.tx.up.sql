-- Applications with case handling (søknader): a guardian signed in with ID-porten, a
-- caseworker or an organisation approved for the programme applies for equipment, a cup,
-- a camp, a top-up or a card; a caseworker or coordinator decides (vedtak) with a reason,
-- within the month forvaltningsloven allows or with a notice of delay; the applicant may
-- appeal within three weeks. A fund is a programme with only applications and a budget.

-- How a programme takes applications: ASSESSED, each decided by a person; or FIRST_COME,
-- approved automatically in order of submission while the budget lasts (the rest wait to
-- be assessed). applications_only marks a fund: no cards, no offers, only applications.
ALTER TABLE card_programmes
  ADD COLUMN application_mode text NOT NULL DEFAULT 'ASSESSED' CHECK (application_mode IN ('ASSESSED', 'FIRST_COME')),
  ADD COLUMN applications_only boolean NOT NULL DEFAULT false;

-- An application. Personal data is minimised: identity numbers are kept only as keyed
-- hashes (applicant_key: the guardian who applied; holder_key and guardian_keys: the
-- person a CARD is asked for, for the stopper), the holder's given name and birth date
-- only for a CARD, a contact e-mail only when given. It is deleted with its card's
-- personal data, or by retention after it is final when it has no card.
CREATE TABLE card_applications (
  id               uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id  uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  programme_id     uuid NOT NULL,
  card_id          uuid,
  kind             text NOT NULL CHECK (kind IN ('EQUIPMENT', 'CUP', 'CAMP', 'TOP_UP', 'CARD')),
  asked_ore        bigint CHECK (asked_ore BETWEEN 1 AND 10000000),
  purpose          text NOT NULL CHECK (length(btrim(purpose)) BETWEEN 1 AND 2000),
  given_name       text CHECK (length(btrim(given_name)) BETWEEN 1 AND 100),
  birth_date       date,
  holder_key       bytea CHECK (octet_length(holder_key) = 32),
  guardian_keys    bytea NOT NULL DEFAULT '' CHECK (octet_length(guardian_keys) % 32 = 0),
  applicant_kind   text NOT NULL CHECK (applicant_kind IN ('GUARDIAN', 'CASEWORKER', 'ORGANISATION')),
  applicant_key    bytea CHECK (octet_length(applicant_key) = 32),
  applicant_id     uuid,
  agency_id        uuid,
  organisation_id  uuid,
  contact_email    text CHECK (length(contact_email) BETWEEN 3 AND 254),
  findings         jsonb NOT NULL DEFAULT '[]',
  status           text NOT NULL DEFAULT 'SUBMITTED'
                   CHECK (status IN ('SUBMITTED', 'IN_REVIEW', 'NEEDS_INFO', 'APPROVED', 'REJECTED', 'WITHDRAWN',
                                     'APPEALED')),
  submitted_at     timestamptz NOT NULL,
  due_at           timestamptz NOT NULL,
  reviewed_at      timestamptz,
  info_request     text CHECK (length(btrim(info_request)) BETWEEN 1 AND 2000),
  answer           text CHECK (length(btrim(answer)) BETWEEN 1 AND 2000),
  approved_ore     bigint CHECK (approved_ore BETWEEN 1 AND 10000000),
  credited_ore     bigint NOT NULL DEFAULT 0 CHECK (credited_ore >= 0),
  decision_reason  text CHECK (length(btrim(decision_reason)) BETWEEN 1 AND 2000),
  auto_decided     boolean NOT NULL DEFAULT false,
  decided_by       uuid,
  decided_at       timestamptz,
  appeal_reason    text CHECK (length(btrim(appeal_reason)) BETWEEN 1 AND 2000),
  appealed_at      timestamptz,
  appeal_handler   uuid,
  delay_notice_at  timestamptz,
  withdrawn_at     timestamptz,
  CHECK ((kind = 'CARD') = (asked_ore IS NULL)),
  CHECK (kind <> 'CARD' OR (holder_key IS NOT NULL AND given_name IS NOT NULL AND birth_date IS NOT NULL)),
  CHECK (kind <> 'TOP_UP' OR card_id IS NOT NULL),
  CHECK ((applicant_kind = 'GUARDIAN') = (applicant_key IS NOT NULL)),
  CHECK (applicant_kind <> 'ORGANISATION' OR organisation_id IS NOT NULL),
  CHECK (status NOT IN ('APPROVED', 'REJECTED') OR decided_at IS NOT NULL),
  CHECK (status NOT IN ('APPROVED', 'REJECTED') OR decision_reason IS NOT NULL OR auto_decided),
  CHECK (status <> 'APPEALED' OR appealed_at IS NOT NULL),
  CHECK (approved_ore IS NULL OR asked_ore IS NULL OR approved_ore <= asked_ore),
  UNIQUE (municipality_id, id),
  FOREIGN KEY (municipality_id, programme_id) REFERENCES card_programmes (municipality_id, id),
  FOREIGN KEY (municipality_id, card_id) REFERENCES cards (municipality_id, id),
  FOREIGN KEY (municipality_id, agency_id) REFERENCES card_agencies (municipality_id, id)
    ON DELETE SET NULL (agency_id),
  FOREIGN KEY (municipality_id, organisation_id) REFERENCES organisations (municipality_id, id)
    ON DELETE SET NULL (organisation_id),
  FOREIGN KEY (municipality_id, applicant_id) REFERENCES users (municipality_id, id) ON DELETE SET NULL (applicant_id),
  FOREIGN KEY (municipality_id, decided_by) REFERENCES users (municipality_id, id) ON DELETE SET NULL (decided_by),
  FOREIGN KEY (municipality_id, appeal_handler) REFERENCES users (municipality_id, id)
    ON DELETE SET NULL (appeal_handler)
);
-- A programme's applications in order of submission (its list, first come first served),
-- a card's (its erasure), a guardian's (their report and erasure), the open ones past due
-- (the delay notice job), and money approved but not on a card (the budget).
CREATE INDEX card_applications_programme_idx ON card_applications (programme_id, submitted_at, id);
CREATE INDEX card_applications_card_idx ON card_applications (card_id) WHERE card_id IS NOT NULL;
CREATE INDEX card_applications_applicant_idx ON card_applications (municipality_id, applicant_key)
  WHERE applicant_key IS NOT NULL;
CREATE INDEX card_applications_holder_idx ON card_applications (municipality_id, holder_key)
  WHERE holder_key IS NOT NULL;
CREATE INDEX card_applications_due_idx ON card_applications (due_at)
  WHERE status IN ('SUBMITTED', 'IN_REVIEW', 'APPEALED') AND delay_notice_at IS NULL;
CREATE INDEX card_applications_uncredited_idx ON card_applications (programme_id) INCLUDE (approved_ore)
  WHERE card_id IS NULL AND approved_ore IS NOT NULL AND status IN ('APPROVED', 'APPEALED');

-- An application's attachments (receipts, invoices): the file itself lies in the media
-- store under a private key, never served at a public URL; only the service reads it, for
-- those who may see the application. Deleted with the application.
CREATE TABLE card_application_attachments (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  application_id  uuid NOT NULL,
  file_key        text NOT NULL UNIQUE CHECK (length(file_key) BETWEEN 1 AND 300),
  file_name       text NOT NULL CHECK (length(btrim(file_name)) BETWEEN 1 AND 200),
  content_type    text NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
  size_bytes      integer NOT NULL CHECK (size_bytes > 0),
  created_at      timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (municipality_id, application_id) REFERENCES card_applications (municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX card_application_attachments_application_idx ON card_application_attachments (application_id, created_at);

-- The files of attachments deleted (with their application, on erasure or by retention),
-- waiting to be removed from the media store, which no transaction reaches: whatever
-- deletes the rows, the files follow.
CREATE TABLE card_attachment_deletions (
  file_key   text PRIMARY KEY,
  deleted_at timestamptz NOT NULL DEFAULT now()
);
CREATE FUNCTION card_attachment_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO card_attachment_deletions (file_key) VALUES (OLD.file_key) ON CONFLICT DO NOTHING;
  RETURN OLD;
END $$;
CREATE TRIGGER card_attachment_deleted AFTER DELETE ON card_application_attachments
  FOR EACH ROW EXECUTE FUNCTION card_attachment_deleted();
