-- The money side of the activity card: a balance kept as an append-only ledger, the
-- providers each programme lets accept the card, invoices those providers post to a card
-- and its holder or a caseworker accepts (a spend), and a programme's grant per period and
-- budget warning. No payment runs through fritid: the municipality pays the providers from
-- its own accounts after the settlement.

-- A programme's grant: grant_ore per card for each period (a calendar year, or a half
-- year), usable until the period's last day plus grant_grace_days; no period, no grant.
-- Coordinators hear once when committed and spent money passes budget_warning_percent of
-- the budget (budget_warned_at; cleared when the budget or the threshold changes).
ALTER TABLE card_programmes
  ADD COLUMN grant_ore bigint NOT NULL DEFAULT 0 CHECK (grant_ore BETWEEN 0 AND 10000000),
  ADD COLUMN grant_period text CHECK (grant_period IN ('YEAR', 'HALF_YEAR')),
  ADD COLUMN grant_grace_days integer NOT NULL DEFAULT 0 CHECK (grant_grace_days BETWEEN 0 AND 366),
  ADD COLUMN budget_warning_percent integer NOT NULL DEFAULT 80 CHECK (budget_warning_percent BETWEEN 1 AND 100),
  ADD COLUMN budget_warned_at timestamptz;

-- An organisation's leave to accept the card in a programme: it applies (PENDING), the
-- programme's coordinator approves or rejects it with a reason. Apart from the portal's
-- approval of the organisation itself.
CREATE TABLE card_programme_providers (
  programme_id    uuid NOT NULL,
  organisation_id uuid NOT NULL,
  municipality_id uuid NOT NULL,
  status          text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED')),
  reason          text CHECK (length(btrim(reason)) BETWEEN 1 AND 2000),
  applied_by      uuid,
  applied_at      timestamptz NOT NULL DEFAULT now(),
  decided_by      uuid,
  decided_at      timestamptz,
  PRIMARY KEY (programme_id, organisation_id),
  CHECK (status <> 'REJECTED' OR reason IS NOT NULL),
  CHECK ((status = 'PENDING') = (decided_at IS NULL)),
  FOREIGN KEY (municipality_id, programme_id) REFERENCES card_programmes (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, organisation_id) REFERENCES organisations (municipality_id, id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, applied_by) REFERENCES users (municipality_id, id) ON DELETE SET NULL (applied_by),
  FOREIGN KEY (municipality_id, decided_by) REFERENCES users (municipality_id, id) ON DELETE SET NULL (decided_by)
);
CREATE INDEX card_programme_providers_organisation_idx ON card_programme_providers (organisation_id);

-- An invoice a provider posts to a card: a membership fee, a cup, equipment ... with its
-- KID or reference and, as printed on it, the child's first name at most. The holder (or
-- a guardian), a caseworker of the issuing agency or a coordinator accepts it, wholly or in
-- part (the family pays the rest directly), which spends accepted_ore from the card in the
-- same transaction; or declines it. The provider may cancel it while it is POSTED.
CREATE TABLE card_invoices (
  id               uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id  uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  card_id          uuid NOT NULL,
  programme_id     uuid NOT NULL,
  organisation_id  uuid NOT NULL,
  amount_ore       bigint NOT NULL CHECK (amount_ore BETWEEN 1 AND 10000000),
  purpose          text NOT NULL CHECK (purpose IN ('MEMBERSHIP', 'PARTICIPATION', 'EQUIPMENT', 'CUP', 'CAMP', 'OTHER')),
  purpose_text     text NOT NULL DEFAULT '' CHECK (length(purpose_text) <= 500),
  reference        text NOT NULL CHECK (length(btrim(reference)) BETWEEN 1 AND 50),
  child_first_name text CHECK (length(btrim(child_first_name)) BETWEEN 1 AND 50),
  status           text NOT NULL DEFAULT 'POSTED'
                   CHECK (status IN ('POSTED', 'ACCEPTED', 'PARTLY_ACCEPTED', 'DECLINED', 'CANCELLED', 'REVERSED')),
  accepted_ore     bigint CHECK (accepted_ore BETWEEN 1 AND amount_ore),
  decline_reason   text CHECK (length(btrim(decline_reason)) BETWEEN 1 AND 2000),
  posted_by        uuid,
  posted_at        timestamptz NOT NULL DEFAULT now(),
  decided_by       uuid,
  decided_at       timestamptz,
  CHECK ((status IN ('ACCEPTED', 'PARTLY_ACCEPTED', 'REVERSED')) = (accepted_ore IS NOT NULL)),
  CHECK (status <> 'ACCEPTED' OR accepted_ore = amount_ore),
  CHECK (status <> 'PARTLY_ACCEPTED' OR accepted_ore < amount_ore),
  CHECK ((status = 'POSTED') = (decided_at IS NULL)),
  UNIQUE (municipality_id, id),
  FOREIGN KEY (municipality_id, card_id) REFERENCES cards (municipality_id, id),
  FOREIGN KEY (municipality_id, programme_id) REFERENCES card_programmes (municipality_id, id),
  FOREIGN KEY (municipality_id, organisation_id) REFERENCES organisations (municipality_id, id),
  FOREIGN KEY (municipality_id, posted_by) REFERENCES users (municipality_id, id) ON DELETE SET NULL (posted_by),
  FOREIGN KEY (municipality_id, decided_by) REFERENCES users (municipality_id, id) ON DELETE SET NULL (decided_by)
);
CREATE INDEX card_invoices_card_idx ON card_invoices (card_id, posted_at DESC, id DESC);
CREATE INDEX card_invoices_organisation_idx ON card_invoices (organisation_id, posted_at DESC, id DESC);
CREATE INDEX card_invoices_settled_idx ON card_invoices (programme_id, decided_at)
  WHERE status IN ('ACCEPTED', 'PARTLY_ACCEPTED', 'REVERSED');

-- The card's money, append-only: a card's balance is the sum of its entries, never a
-- column that changes. GRANT (the programme's grant for a period, once per card and
-- period), TOP_UP (a coordinator's, with a reason) and REVERSAL (a spend given back) add;
-- SPEND (an accepted invoice) and EXPIRY (what was left of credits past their use-by day,
-- or on a card that ended) take away. Credits carry their last day of use (use_by).
-- actor_id is the user who made the entry (none for the refill job and the holder), never
-- anyone's identity number; note is a written reason, erased with the card's personal data.
CREATE TABLE card_ledger_entries (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  card_id         uuid NOT NULL,
  programme_id    uuid NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('GRANT', 'TOP_UP', 'SPEND', 'REVERSAL', 'EXPIRY')),
  amount_ore      bigint NOT NULL CHECK (amount_ore <> 0 AND abs(amount_ore) <= 100000000),
  period          text CHECK (period ~ '^[0-9]{4}(-H[12])?$'),
  use_by          date,
  invoice_id      uuid,
  actor_id        uuid,
  note            text CHECK (length(btrim(note)) BETWEEN 1 AND 2000),
  created_at      timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind IN ('GRANT', 'TOP_UP', 'REVERSAL')) = (amount_ore > 0)),
  CHECK ((kind IN ('GRANT', 'TOP_UP')) = (use_by IS NOT NULL)),
  CHECK ((kind = 'GRANT') = (period IS NOT NULL)),
  CHECK ((kind IN ('SPEND', 'REVERSAL')) = (invoice_id IS NOT NULL)),
  FOREIGN KEY (municipality_id, card_id) REFERENCES cards (municipality_id, id),
  FOREIGN KEY (municipality_id, programme_id) REFERENCES card_programmes (municipality_id, id),
  FOREIGN KEY (municipality_id, invoice_id) REFERENCES card_invoices (municipality_id, id),
  FOREIGN KEY (municipality_id, actor_id) REFERENCES users (municipality_id, id) ON DELETE SET NULL (actor_id)
);
-- A card's entries in order (its balance, its ledger page), the sums of a programme's
-- (its budget), one grant per card and period, one spend and one reversal per invoice.
CREATE INDEX card_ledger_card_idx ON card_ledger_entries (card_id, created_at DESC, id DESC)
  INCLUDE (kind, amount_ore, use_by);
CREATE INDEX card_ledger_programme_idx ON card_ledger_entries (programme_id, kind) INCLUDE (amount_ore, card_id);
CREATE UNIQUE INDEX card_ledger_one_grant_idx ON card_ledger_entries (card_id, period) WHERE kind = 'GRANT';
CREATE UNIQUE INDEX card_ledger_one_spend_idx ON card_ledger_entries (invoice_id, kind) WHERE invoice_id IS NOT NULL;
-- What retention erases: written reasons on the ledger and in the audit log, found
-- without reading all of either.
CREATE INDEX card_ledger_noted_idx ON card_ledger_entries (card_id) WHERE note IS NOT NULL;
CREATE INDEX audit_log_noted_card_idx ON audit_log (item_id) WHERE item_type = 'Card' AND note IS NOT NULL;

-- The ledger is append-only. The one change allowed is the erasure of what is personal:
-- the note (a written reason) and the user who made the entry, cleared; and its rows go
-- only with their municipality.
CREATE FUNCTION card_ledger_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (NEW.note IS NULL OR NEW.note = OLD.note)
     AND (NEW.actor_id IS NULL OR NEW.actor_id = OLD.actor_id)
     AND (to_jsonb(NEW) - 'note' - 'actor_id') = (to_jsonb(OLD) - 'note' - 'actor_id') THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM municipalities WHERE id = OLD.municipality_id) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'the card ledger is append-only' USING ERRCODE = 'P0001';
END $$;
CREATE TRIGGER card_ledger_append_only BEFORE UPDATE OR DELETE ON card_ledger_entries
  FOR EACH ROW EXECUTE FUNCTION card_ledger_append_only();
