package card

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/card/identity"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/httpserver"
)

// PersonalDataReport is everything the card domain holds about one person, for a
// data-subject access request. Besides what is listed, only the identity key is held: a
// keyed hash of the identity number, which is itself never stored.
type PersonalDataReport struct {
	// Found is false when nothing at all is held about the person.
	Found      bool
	GivenName  string
	BirthDate  *time.Time
	RecordedAt time.Time
	// Guardians is how many guardians are linked to the person.
	Guardians int
	// Cards are the cards the person holds.
	Cards []*ReportCard
	// ChildrenCards are the cards of the children the person is a guardian of, with their
	// holders.
	ChildrenCards []*ReportCard
	// Applications are the applications the person filed (signed in with ID-porten), was
	// the holder of a card asked for, or filed for the cards above, oldest first.
	Applications []*Application
}

// CardsAsGuardian returns ChildrenCards, by a name that fits a programme for pensioners.
func (r *PersonalDataReport) CardsAsGuardian() []*ReportCard { return r.ChildrenCards }

// ReportCard is a card in a PersonalDataReport.
type ReportCard struct {
	Card      *Card
	Programme string
	Agency    string
	Tickets   []*ReportTicket
	// WaitingPlaces are the card's places in waiting lists.
	WaitingPlaces []*ReportWaitingPlace
	// NoticeContact is the e-mail address left for the card's notices, or nil.
	NoticeContact *NoticeContact
	// Ledger is the card's money, oldest first, and Invoices what was billed to it.
	Ledger   []*ReportLedgerEntry
	Invoices []*ReportInvoice
}

// ReportLedgerEntry is an entry of a card's ledger in a PersonalDataReport.
type ReportLedgerEntry struct {
	Kind      LedgerKind `bun:"kind"`
	AmountOre int64      `bun:"amount_ore"`
	UseBy     *time.Time `bun:"use_by"`
	Note      *string    `bun:"note"`
	CreatedAt time.Time  `bun:"created_at"`

	CardID uuid.UUID `bun:"card_id"`
}

// ReportInvoice is an invoice to a card in a PersonalDataReport.
type ReportInvoice struct {
	Organisation   string         `bun:"organisation"`
	AmountOre      int64          `bun:"amount_ore"`
	Purpose        InvoicePurpose `bun:"purpose"`
	PurposeText    string         `bun:"purpose_text"`
	ChildFirstName *string        `bun:"child_first_name"`
	Status         InvoiceStatus  `bun:"status"`
	AcceptedOre    *int64         `bun:"accepted_ore"`
	PostedAt       time.Time      `bun:"posted_at"`

	CardID uuid.UUID `bun:"card_id"`
}

// HolderFirstName returns the holder's first name as printed on the invoice, if given
// (ChildFirstName is the old name).
func (i *ReportInvoice) HolderFirstName() *string { return i.ChildFirstName }

// ReportWaitingPlace is a card's place in a waiting list in a PersonalDataReport.
type ReportWaitingPlace struct {
	Offer    string        `bun:"offer"`
	Status   WaitingStatus `bun:"status"`
	JoinedAt time.Time     `bun:"joined_at"`

	CardID uuid.UUID `bun:"card_id"`
}

// ReportTicket is a ticket claimed with a card in a PersonalDataReport.
type ReportTicket struct {
	Offer      string     `bun:"offer"`
	Status     string     `bun:"status"`
	ClaimedAt  time.Time  `bun:"claimed_at"`
	RedeemedAt *time.Time `bun:"redeemed_at"`
	// WalletDevices are the phones that registered the ticket's wallet pass for updates.
	WalletDevices []*ReportWalletDevice `bun:"-"`

	ID     uuid.UUID `bun:"id"`
	CardID uuid.UUID `bun:"card_id"`
}

// ReportWalletDevice is a phone that registered a ticket's wallet pass, in a
// PersonalDataReport.
type ReportWalletDevice struct {
	DeviceLibraryIdentifier string    `bun:"device_library_id"`
	RegisteredAt            time.Time `bun:"created_at"`

	TicketID uuid.UUID `bun:"ticket_id"`
}

// PersonalDataReport returns what is held about the person with identityNumber
// (administrators only). The report is audit-logged, without the number. Errors:
// UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT naming "identityNumber" (with its reason).
func (s *Service) PersonalDataReport(ctx context.Context, identityNumber string) (*PersonalDataReport, error) {
	// SECURITY: only an administrator answers data-subject requests.
	c, err := requireRole(ctx, auth.RoleAdmin)
	if err != nil {
		return nil, err
	}
	n, err := identity.Parse(identityNumber, "identityNumber")
	if err != nil {
		return nil, err
	}
	r := &PersonalDataReport{}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		var p struct {
			ID        uuid.UUID  `bun:"id"`
			GivenName string     `bun:"given_name"`
			BirthDate *time.Time `bun:"birth_date"`
			CreatedAt time.Time  `bun:"created_at"`
		}
		key := s.identityKey(c.mid(), n)
		var err2 error
		err := tx.NewSelect().Table("card_persons").Column("id", "given_name", "birth_date", "created_at").
			Where("municipality_id = ? AND identity_key = ?", c.mid(), key).Scan(ctx, &p)
		e := &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(), Action: "personal_data_report"}
		if r.Applications, err2 = reportApplications(ctx, tx, c, key); err2 != nil {
			return err2
		}
		r.Found = len(r.Applications) > 0
		if errors.Is(err, sql.ErrNoRows) {
			return audit.Append(ctx, tx, e)
		} else if err != nil {
			return database.MapError(err, "find person", "person")
		}
		r.Found, r.GivenName, r.BirthDate, r.RecordedAt = true, p.GivenName, p.BirthDate, p.CreatedAt
		if err := s.fillReport(ctx, tx, c, p.ID, r); err != nil {
			return err
		}
		e.ItemType, e.ItemID = "CardPerson", &p.ID
		return audit.Append(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

func (s *Service) fillReport(ctx context.Context, tx bun.IDB, c caller, personID uuid.UUID, r *PersonalDataReport) error {
	guardians, err := tx.NewSelect().Table("card_guardianships").Where("child_id = ?", personID).Count(ctx)
	if err != nil {
		return database.MapError(err, "count guardians", "person")
	}
	r.Guardians = int(guardians)
	if r.Cards, err = reportCards(ctx, tx, c, "c.holder_id = ?", personID); err != nil {
		return err
	}
	r.ChildrenCards, err = reportCards(ctx, tx, c, "c.holder_id IN (SELECT child_id FROM card_guardianships WHERE guardian_id = ?)", personID)
	return err
}

// reportCards returns the cards matching where, with holders, programme and agency names
// and tickets.
func reportCards(ctx context.Context, tx bun.IDB, c caller, where string, arg any) ([]*ReportCard, error) {
	var rows []struct {
		cardRow   `bun:",extend"`
		Programme *string `bun:"programme_name,scanonly"`
		Agency    *string `bun:"agency_name,scanonly"`
	}
	err := tx.NewSelect().Model(&rows).ColumnExpr("c.*").ColumnExpr(holderColumns).
		ColumnExpr("(SELECT t.name FROM card_programme_translations t WHERE t.programme_id = c.programme_id ORDER BY array_position(?::text[], t.locale) NULLS LAST, t.locale LIMIT 1) AS programme_name", pgdialect.Array(c.chain(ctx))).
		ColumnExpr("ag.name AS agency_name").
		Join("JOIN card_persons h ON h.id = c.holder_id").
		Join("LEFT JOIN card_agencies ag ON ag.id = c.agency_id").
		Where("c.municipality_id = ?", c.mid()).Where(where, arg).OrderExpr("c.issued_at, c.id").Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find report cards", "card")
	}
	out := make([]*ReportCard, len(rows))
	byID := map[uuid.UUID]*ReportCard{}
	ids := make([]uuid.UUID, len(rows))
	for i, row := range rows {
		out[i] = &ReportCard{Card: row.card(), Programme: deref(row.Programme), Agency: deref(row.Agency)}
		byID[row.ID], ids[i] = out[i], row.ID
	}
	if len(ids) == 0 {
		return out, nil
	}
	var tickets []*ReportTicket
	err = tx.NewRaw(`SELECT t.id, t.card_id, t.status, t.claimed_at, t.redeemed_at,
		coalesce((SELECT tr.title FROM card_offer_translations tr WHERE tr.offer_id = t.offer_id
			ORDER BY array_position(?::text[], tr.locale) NULLS LAST, tr.locale LIMIT 1), '') AS offer
		FROM card_tickets t WHERE t.card_id IN (?) ORDER BY t.claimed_at, t.id`, pgdialect.Array(c.chain(ctx)), bun.In(ids)).Scan(ctx, &tickets)
	if err != nil {
		return nil, database.MapError(err, "find report tickets", "ticket")
	}
	for _, t := range tickets {
		byID[t.CardID].Tickets = append(byID[t.CardID].Tickets, t)
	}
	if err := reportWalletDevices(ctx, tx, tickets); err != nil {
		return nil, err
	}
	if err := reportWaiting(ctx, tx, c, ids, byID); err != nil {
		return nil, err
	}
	return out, reportMoney(ctx, tx, ids, byID)
}

// reportWalletDevices adds the phones that registered the tickets' wallet passes.
func reportWalletDevices(ctx context.Context, tx bun.IDB, tickets []*ReportTicket) error {
	if len(tickets) == 0 {
		return nil
	}
	byID := make(map[uuid.UUID]*ReportTicket, len(tickets))
	ids := make([]uuid.UUID, len(tickets))
	for i, t := range tickets {
		byID[t.ID], ids[i] = t, t.ID
		t.WalletDevices = []*ReportWalletDevice{}
	}
	var devices []*ReportWalletDevice
	err := tx.NewRaw(`SELECT ticket_id, device_library_id, created_at FROM card_wallet_registrations
		WHERE ticket_id IN (?) ORDER BY created_at, device_library_id`, bun.In(ids)).Scan(ctx, &devices)
	if err != nil {
		return database.MapError(err, "find wallet devices", "ticket")
	}
	for _, d := range devices {
		byID[d.TicketID].WalletDevices = append(byID[d.TicketID].WalletDevices, d)
	}
	return nil
}

// reportWaiting adds the cards' waiting places and notice addresses to their report.
func reportWaiting(ctx context.Context, tx bun.IDB, c caller, ids []uuid.UUID, byID map[uuid.UUID]*ReportCard) error {
	var places []*ReportWaitingPlace
	err := tx.NewRaw(`SELECT w.card_id, w.status, w.joined_at,
		coalesce((SELECT tr.title FROM card_offer_translations tr WHERE tr.offer_id = w.offer_id
			ORDER BY array_position(?::text[], tr.locale) NULLS LAST, tr.locale LIMIT 1), '') AS offer
		FROM card_waiting_places w WHERE w.card_id IN (?) ORDER BY w.joined_at, w.id`,
		pgdialect.Array(c.chain(ctx)), bun.In(ids)).Scan(ctx, &places)
	if err != nil {
		return database.MapError(err, "find report waiting places", "waiting place")
	}
	for _, w := range places {
		byID[w.CardID].WaitingPlaces = append(byID[w.CardID].WaitingPlaces, w)
	}
	var contacts []*NoticeContact
	if err := tx.NewSelect().Model(&contacts).Where("nc.card_id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return database.MapError(err, "find report notice addresses", "card")
	}
	for _, n := range contacts {
		byID[n.CardID].NoticeContact = n
	}
	return nil
}

// reportMoney adds the ledgers and invoices of the cards ids to their report cards.
func reportMoney(ctx context.Context, tx bun.IDB, ids []uuid.UUID, byID map[uuid.UUID]*ReportCard) error {
	var entries []*ReportLedgerEntry
	err := tx.NewRaw(`SELECT card_id, kind, amount_ore, use_by, note, created_at FROM card_ledger_entries
		WHERE card_id IN (?) ORDER BY created_at, id`, bun.In(ids)).Scan(ctx, &entries)
	if err != nil {
		return database.MapError(err, "find report ledger", "card")
	}
	for _, e := range entries {
		byID[e.CardID].Ledger = append(byID[e.CardID].Ledger, e)
	}
	var invoices []*ReportInvoice
	err = tx.NewRaw(`SELECT i.card_id, o.name AS organisation, i.amount_ore, i.purpose, i.purpose_text, i.child_first_name,
		i.status, i.accepted_ore, i.posted_at
		FROM card_invoices i JOIN organisations o ON o.id = i.organisation_id
		WHERE i.card_id IN (?) ORDER BY i.posted_at, i.id`, bun.In(ids)).Scan(ctx, &invoices)
	if err != nil {
		return database.MapError(err, "find report invoices", "invoice")
	}
	for _, i := range invoices {
		byID[i.CardID].Invoices = append(byID[i.CardID].Invoices, i)
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// ErasePersonalData erases everything held about the person with identityNumber
// (administrators only) and reports whether anything was. Their usable cards are revoked
// (unused tickets cancelled, stock returned); the cards and tickets stay, anonymous, for
// the statistics; guardians left with no one are erased too. Audit-logged, without the
// number. Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT naming "identityNumber".
func (s *Service) ErasePersonalData(ctx context.Context, identityNumber string) (bool, error) {
	// SECURITY: only an administrator erases on request.
	c, err := requireRole(ctx, auth.RoleAdmin)
	if err != nil {
		return false, err
	}
	n, err := identity.Parse(identityNumber, "identityNumber")
	if err != nil {
		return false, err
	}
	erased := false
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		var id uuid.UUID
		key := s.identityKey(c.mid(), n)
		apps, err := eraseApplicationsOfKey(ctx, tx, c.mid(), key)
		if err != nil {
			return err
		}
		erased = apps > 0
		err = tx.NewSelect().Table("card_persons").Column("id").
			Where("municipality_id = ? AND identity_key = ?", c.mid(), key).For("UPDATE").Scan(ctx, &id)
		if errors.Is(err, sql.ErrNoRows) {
			return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(), Action: "erase_personal_data"})
		} else if err != nil {
			return database.MapError(err, "find person", "person")
		}
		var usable []uuid.UUID
		err = tx.NewSelect().Table("cards").Column("id").Where("holder_id = ? AND status IN ('ACTIVE', 'SUSPENDED')", id).Scan(ctx, &usable)
		if err != nil {
			return database.MapError(err, "find cards", "card")
		}
		if err := s.revokeCards(ctx, tx, usable, s.now()); err != nil {
			return err
		}
		erased = true
		_, err = erasePersons(ctx, tx, []uuid.UUID{id}, "erase_personal_data", c.actor())
		return err
	})
	if err != nil {
		return false, err
	}
	// The files of the applications' attachments, out of the media store.
	_, err = s.RemoveDeletedFiles(ctx)
	return erased, err
}

// personalFields names what erasing a person removes, for the audit log.
var personalFields = []string{"givenName", "birthDate", "identityKey", "guardianships", "overrideReason", "noticeEmail",
	"applications"}

// erasePersons deletes the persons ids, and the guardians who are left with no child and
// no card of their own; their cards lose their holder, override reason and notice address
// (and so do their children's cards: who left an address is not kept), and the audit
// entries of those cards their note (the written reason). Each person
// erased is audit-logged with action and actor. It returns how many were erased.
func erasePersons(ctx context.Context, tx bun.IDB, ids []uuid.UUID, action string, actor *uuid.UUID) (int, error) {
	var orphans []uuid.UUID
	err := tx.NewRaw(`SELECT DISTINCT gs.guardian_id FROM card_guardianships gs
		WHERE gs.child_id IN (?0) AND gs.guardian_id NOT IN (?0)
		AND NOT EXISTS (SELECT 1 FROM card_guardianships o WHERE o.guardian_id = gs.guardian_id AND o.child_id NOT IN (?0))
		AND NOT EXISTS (SELECT 1 FROM cards c WHERE c.holder_id = gs.guardian_id)`, bun.In(ids)).Scan(ctx, &orphans)
	if err != nil {
		return 0, database.MapError(err, "find orphaned guardians", "person")
	}
	all := append(append([]uuid.UUID{}, ids...), orphans...)
	if err := eraseNoticeContacts(ctx, tx, all); err != nil {
		return 0, err
	}
	stmts := []struct {
		q    string
		args []any
	}{
		{"UPDATE audit_log SET note = NULL WHERE item_type = 'Card' AND note IS NOT NULL AND item_id IN (SELECT id FROM cards WHERE holder_id IN (?))", []any{bun.In(all)}},
		{"UPDATE cards SET override_reason = NULL WHERE holder_id IN (?) AND override_reason IS NOT NULL", []any{bun.In(all)}},
		{eraseWalletPassesSQL + " WHERE c.holder_id IN (?))", []any{bun.In(all)}},
		{eraseApplicationsSQL, []any{bun.In(all)}},
		{eraseInvoicesSQL + " WHERE card_id IN (SELECT id FROM cards WHERE holder_id IN (?))", []any{bun.In(all)}},
		{eraseLedgerNotesSQL + " AND card_id IN (SELECT id FROM cards WHERE holder_id IN (?))", []any{bun.In(all)}},
		{`INSERT INTO audit_log (id, municipality_id, actor_id, action, item_type, item_id, fields, request_id)
			SELECT uuid_generate_v7(), municipality_id, ?, ?, 'CardPerson', id, ?, ? FROM card_persons WHERE id IN (?)`,
			[]any{actor, action, pgdialect.Array(personalFields), httpserver.RequestIDFromContext(ctx), bun.In(all)}},
		{"DELETE FROM card_persons WHERE id IN (?)", []any{bun.In(all)}},
	}
	for _, st := range stmts {
		if _, err := tx.ExecContext(ctx, st.q, st.args...); err != nil {
			return 0, database.MapError(err, "erase persons", "person")
		}
	}
	return len(all), nil
}

// What erasing a card's personal data clears of its money: an invoice's child's first
// name, its text and the reason it was declined; a ledger entry's written reason. The
// amounts stay, anonymous, for the statistics and the accounts.
const (
	eraseInvoicesSQL    = `UPDATE card_invoices SET child_first_name = NULL, purpose_text = '', decline_reason = NULL`
	eraseLedgerNotesSQL = `UPDATE card_ledger_entries SET note = NULL WHERE note IS NOT NULL`
)

// eraseAnonymousCardNotes clears what may be personal about the money of the cards
// without a holder (anonymous ones, and personal ones already erased) that ended before
// cutoff: their invoices' names and texts, their ledger's and audit log's written reasons.
func eraseAnonymousCardNotes(ctx context.Context, db bun.IDB, cutoff time.Time) error {
	const ended = ` IN (SELECT id FROM cards WHERE holder_id IS NULL AND ended_at < ?)`
	stmts := []string{
		eraseInvoicesSQL + ` WHERE (child_first_name IS NOT NULL OR purpose_text <> '' OR decline_reason IS NOT NULL)
			AND card_id` + ended,
		eraseLedgerNotesSQL + ` AND card_id` + ended,
		`UPDATE audit_log SET note = NULL WHERE item_type = 'Card' AND note IS NOT NULL AND item_id` + ended,
	}
	for _, q := range stmts {
		if _, err := db.ExecContext(ctx, q, cutoff); err != nil {
			return database.MapError(err, "erase card notes", "card")
		}
	}
	return nil
}

// eraseWalletPassesSQL erases the wallet passes of tickets of cards "c" (the rest of the
// WHERE and a closing parenthesis to follow): the devices registered for their updates
// and their tokens go with them.
const eraseWalletPassesSQL = `DELETE FROM card_wallet_passes WHERE ticket_id IN (SELECT t.id FROM card_tickets t
	JOIN cards c ON c.id = t.card_id`

// eraseStaleWalletPasses erases the wallet passes (and so their devices and tokens) of
// the tickets of cards that ended before cutoff, and of tickets used, cancelled or
// expired before cutoff.
func eraseStaleWalletPasses(ctx context.Context, db bun.IDB, cutoff time.Time) error {
	_, err := db.ExecContext(ctx, eraseWalletPassesSQL+` WHERE c.ended_at < ?0
		OR t.status <> 'CLAIMED' AND coalesce(t.redeemed_at, t.cancelled_at, t.expires_at) < ?0)`, cutoff)
	return database.MapError(err, "erase wallet passes", "ticket")
}

// eraseBatch is how many persons EraseExpiredPersonalData erases per statement.
const eraseBatch = 1000

// EraseExpiredPersonalData erases, in every municipality, the persons whose data the
// retention rule no longer allows: every card they hold, and every card of the children
// they are a guardian of, ended more than RetentionDays before now (or there is none),
// and they have not been recorded again since. Their cards and tickets stay, anonymous.
// The notice addresses of cards that ended that long ago go too, whoever holds them, and
// those never confirmed whose link has expired; so do the wallet passes (their devices and
// tokens) of tickets of cards that ended that long ago, or used, cancelled or expired that
// long ago. It returns how many persons were erased. Meant for a background job that holds an
// advisory lock; db may be that job's transaction.
func (s *Service) EraseExpiredPersonalData(ctx context.Context, db bun.IDB, now time.Time) (int, error) {
	cutoff := now.Add(-time.Duration(s.opt.RetentionDays) * 24 * time.Hour)
	if _, err := eraseStaleNoticeContacts(ctx, db, cutoff, now); err != nil {
		return 0, err
	}
	if err := eraseAnonymousCardNotes(ctx, db, cutoff); err != nil {
		return 0, err
	}
	if err := eraseStaleWalletPasses(ctx, db, cutoff); err != nil {
		return 0, err
	}
	if err := eraseClosedApplications(ctx, db, cutoff); err != nil {
		return 0, err
	}
	total := 0
	for {
		var ids []uuid.UUID
		err := db.NewRaw(`SELECT p.id FROM card_persons p
			WHERE p.updated_at < ?0
			AND NOT EXISTS (SELECT 1 FROM cards c WHERE c.holder_id = p.id AND (c.ended_at IS NULL OR c.ended_at > ?0))
			AND NOT EXISTS (SELECT 1 FROM card_guardianships gs JOIN cards c ON c.holder_id = gs.child_id
				WHERE gs.guardian_id = p.id AND (c.ended_at IS NULL OR c.ended_at > ?0))
			ORDER BY p.id LIMIT ?1 FOR UPDATE OF p SKIP LOCKED`, cutoff, eraseBatch).Scan(ctx, &ids)
		if err != nil {
			return total, database.MapError(err, "find expired persons", "person")
		}
		if len(ids) == 0 {
			return total, nil
		}
		n, err := erasePersons(ctx, db, ids, "erase_expired_personal_data", nil)
		total += n
		if err != nil {
			return total, err
		}
	}
}

// ExpireCards marks the ACTIVE and SUSPENDED cards whose last valid day (in their
// municipality's time zone) is before now as EXPIRED, ended at the end of that day, and
// audit-logs each. It returns how many expired. Meant for a background job that holds an
// advisory lock; db may be that job's transaction.
func (s *Service) ExpireCards(ctx context.Context, db bun.IDB, now time.Time) (int, error) {
	res, err := db.ExecContext(ctx, `WITH expired AS (
			UPDATE cards c SET status = 'EXPIRED',
				ended_at = least(?0::timestamptz, (c.valid_to + 1)::timestamp AT TIME ZONE m.time_zone)
			FROM municipalities m
			WHERE m.id = c.municipality_id AND c.status IN ('ACTIVE', 'SUSPENDED')
			AND c.valid_to < (?0::timestamptz AT TIME ZONE m.time_zone)::date
			RETURNING c.id, c.municipality_id)
		INSERT INTO audit_log (id, municipality_id, action, item_type, item_id, fields)
		SELECT uuid_generate_v7(), municipality_id, 'expire_card', 'Card', id, '{status}' FROM expired`, now)
	if err != nil {
		return 0, database.MapError(err, "expire cards", "card")
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// eraseApplicationsSQL deletes the applications of persons (?): those for their cards,
// and those they filed or were the holder asked for, by identity key.
const eraseApplicationsSQL = `DELETE FROM card_applications a
	WHERE a.card_id IN (SELECT id FROM cards WHERE holder_id IN (?0))
	OR EXISTS (SELECT 1 FROM card_persons p WHERE p.id IN (?0) AND p.municipality_id = a.municipality_id
		AND p.identity_key IN (a.applicant_key, a.holder_key))`

// eraseApplicationsOfKey deletes the applications filed by, or asking a card for, the
// person with identity key in municipality mid, and returns how many.
func eraseApplicationsOfKey(ctx context.Context, tx bun.IDB, mid uuid.UUID, key []byte) (int, error) {
	res, err := tx.NewDelete().Table("card_applications").
		Where("municipality_id = ? AND (applicant_key = ? OR holder_key = ?)", mid, key, key).
		Exec(ctx)
	if err != nil {
		return 0, database.MapError(err, "erase applications", "application")
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// eraseClosedApplications deletes the applications without a card that were closed
// before cutoff (withdrawn, or decided and no longer open to appeal), and those of
// anonymous cards (and personal ones already erased) that ended before cutoff.
func eraseClosedApplications(ctx context.Context, db bun.IDB, cutoff time.Time) error {
	_, err := db.NewDelete().Table("card_applications").
		Where(`card_id IS NULL AND ((status = 'WITHDRAWN' AND withdrawn_at < ?0)
			OR (status IN ('APPROVED', 'REJECTED') AND decided_at < ?0::timestamptz - ?1 * interval '1 hour'))`,
			cutoff, int(AppealWindow.Hours())).
		WhereOr("card_id IN (SELECT id FROM cards WHERE holder_id IS NULL AND ended_at < ?)", cutoff).
		Exec(ctx)
	return database.MapError(err, "erase closed applications", "application")
}

// reportApplications returns the applications filed by, or asking a card for, the person
// with identity key, or filed for their cards or their children's, oldest first.
func reportApplications(ctx context.Context, tx bun.IDB, c caller, key []byte) ([]*Application, error) {
	out := []*Application{}
	err := tx.NewSelect().Model(&out).
		Where("ca.municipality_id = ?", c.mid()).
		Where(`ca.applicant_key = ?0 OR ca.holder_key = ?0 OR ca.card_id IN (SELECT k.id FROM cards k
			JOIN card_persons h ON h.id = k.holder_id
			WHERE h.municipality_id = ?1 AND (h.identity_key = ?0 OR h.id IN (SELECT gs.child_id
				FROM card_guardianships gs JOIN card_persons g ON g.id = gs.guardian_id WHERE g.identity_key = ?0)))`,
			key, c.mid()).
		OrderExpr("ca.submitted_at, ca.id").
		Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find applications", "application")
	}
	return out, nil
}
