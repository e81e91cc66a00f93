package card

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/card/identity"
	"github.com/fritid/fritid/internal/card/roster"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/httpserver"
)

// SheetOutcome is what became of a row of a sheet of people to issue cards to.
type SheetOutcome string

// The outcomes.
const (
	// SheetIssued: the row's person got a card.
	SheetIssued SheetOutcome = "ISSUED"
	// SheetReady: the row would get a card, but nothing was issued: a dry run, or another
	// row was refused.
	SheetReady SheetOutcome = "READY"
	// SheetBlocked: the checks a single issue makes stop the row (its findings say why);
	// the other rows are issued.
	SheetBlocked SheetOutcome = "BLOCKED"
	// SheetRefused: the row's content is wrong (its Problem says how); while any row is
	// refused, nothing is issued.
	SheetRefused SheetOutcome = "REFUSED"
)

// SheetRow is a row of a sheet with what became of it.
type SheetRow struct {
	// Row is the row's number as a spreadsheet shows it (the headings are usually row 1).
	Row     int
	Outcome SheetOutcome
	// Card is the card issued, for ISSUED.
	Card *Card
	// Findings are the checks' findings: why a row is BLOCKED, or the warnings its written
	// reason overrode. A finding's Field names the row's column (e.g. holderIdentityNumber)
	// or "programmeId".
	Findings []*Finding
	// Problem is what is wrong with a REFUSED row: BAD_USER_INPUT with Field naming the
	// column (e.g. "guardianIdentityNumbers[1]") and, where there is one, a Reason
	// (CHECK_DIGIT, DUPLICATE, ...).
	Problem *apperr.Error
}

// SheetReport is what IssueCardsFromSheet did with a sheet.
type SheetReport struct {
	// Rows are the sheet's people in order.
	Rows []*SheetRow
	// Programme is the programme after the sheet, with its cards left.
	Programme *Programme
}

// Issued returns the cards issued, in row order.
func (r *SheetReport) Issued() []*Card {
	var out []*Card
	for _, row := range r.Rows {
		if row.Card != nil {
			out = append(out, row.Card)
		}
	}
	return out
}

// sheetEntry is a row being checked: the row and, unless it was refused, its recipient.
type sheetEntry struct {
	row *SheetRow
	r   *recipient
}

// IssueCardsFromSheet issues cards in a programme to the people listed in a sheet (a
// CASEWORKER of an agency allowed in the programme): a CSV or XLSX file as roster.Read
// takes it, with the columns of a single issue (holder's identity number, given name,
// birth date, guardians' identity numbers, written reason). Each row is parsed as
// IssueCard parses its input, and a row whose content is wrong is REFUSED; so is the
// second row of a person already in the sheet. Then the rows are checked as IssueCard
// checks one, all in one transaction with the programme locked: a row that a finding
// blocks, or that has warnings and no written reason, is BLOCKED; the rest are READY.
// People in the same sheet do not warn about each other as siblings: the caseworker lists
// them together knowingly.
//
// Nothing is half done: while any row is REFUSED, or on a dry run, nothing is issued and
// the report says what would be; otherwise every READY row gets its card in the one
// transaction (ISSUED), each audited as IssueCard audits one, and BLOCKED rows are left
// for the caseworker to look into. The checks themselves are audit-logged, as
// CheckRecipient's are.
//
// Errors: UNAUTHENTICATED, FORBIDDEN (not a caseworker, not registered at an agency, or
// the agency may not issue in the programme), NOT_FOUND (no such programme here), and
// BAD_USER_INPUT on "file" for a file that is bad as a whole (see roster.Read), or
// (reason NO_CARDS_LEFT) more READY rows than the programme has cards left.
func (s *Service) IssueCardsFromSheet(ctx context.Context, programmeID uuid.UUID, file io.Reader,
	dryRun bool) (*SheetReport, error) {
	c, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	// SECURITY: only a caseworker registered at an agency issues cards to people.
	ag, err := caseworkerAgency(ctx, s.db, c)
	if err != nil {
		return nil, err
	}
	// SECURITY: the agency must be allowed in the programme before the sheet is read.
	if _, err := issuingProgramme(ctx, s.db, c, ag, programmeID, false); err != nil {
		return nil, err
	}
	rows, err := roster.Read(file, roster.Limits{MaxBytes: s.opt.MaxSheetBytes, MaxRows: s.opt.MaxSheetRows})
	if err != nil {
		return nil, err
	}
	report := &SheetReport{}
	entries := s.parseSheet(c.mid(), rows, s.today(c.t), report)
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		p, err := issuingProgramme(ctx, tx, c, ag, programmeID, !dryRun)
		if err != nil {
			return err
		}
		ready, err := s.checkSheet(ctx, tx, c, p, entries)
		if err != nil {
			return err
		}
		if dryRun || report.refused() || len(ready) == 0 {
			return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(),
				Action: "check_card_recipients", ItemType: "CardProgramme", ItemID: &p.ID, Fields: []string{"sheet"}})
		}
		if left := p.CardsLeft(); len(ready) > left {
			return apperr.Invalid(roster.Field, "SheetNoCardsLeft", map[string]any{"Left": left, "Count": len(ready)}).
				WithReason(string(NoCardsLeft))
		}
		return s.issueSheet(ctx, tx, c, ag, p, ready)
	})
	if err != nil {
		return nil, err
	}
	// The programme with its texts and the cards now left, for the answer.
	if report.Programme, err = s.findProgramme(ctx, s.db, c, programmeID); err != nil {
		return nil, err
	}
	return report, nil
}

// refused reports whether a row was refused.
func (r *SheetReport) refused() bool {
	for _, row := range r.Rows {
		if row.Outcome == SheetRefused {
			return true
		}
	}
	return false
}

// parseSheet parses each row as IssueCard parses its input, adds it to report, and
// returns the rows not refused.
func (s *Service) parseSheet(mid uuid.UUID, rows []roster.Row, today time.Time, report *SheetReport) []sheetEntry {
	var out []sheetEntry
	first := map[string]int{} // holder key -> the row they are first in
	for _, row := range rows {
		sr := &SheetRow{Row: row.Number, Outcome: SheetRefused, Findings: []*Finding{}}
		report.Rows = append(report.Rows, sr)
		r, err := s.parseSheetRow(mid, row, today)
		if err == nil {
			if n, ok := first[string(r.childKey)]; ok {
				err = apperr.Invalid(holderField, "SheetDuplicate", map[string]any{"Row": n}).WithReason("DUPLICATE")
			}
		}
		if err != nil {
			sr.Problem = sheetProblem(err)
			continue
		}
		first[string(r.childKey)] = row.Number
		sr.Outcome = SheetReady
		out = append(out, sheetEntry{row: sr, r: r})
	}
	return out
}

// parseSheetRow parses a row as IssueCard parses its input; errors name the input's fields.
func (s *Service) parseSheetRow(mid uuid.UUID, row roster.Row, today time.Time) (*recipient, error) {
	in := RecipientInput{HolderIdentityNumber: leadingZero(row.HolderIdentityNumber), GivenName: row.GivenName,
		OverrideReason: row.OverrideReason}
	if row.BirthDate != "" {
		d, ok := roster.ParseDate(row.BirthDate)
		if !ok {
			return nil, apperr.Invalid("input.birthDate", "SheetDateInvalid", nil).WithReason(identity.ReasonDate)
		}
		in.BirthDate = d
	}
	for _, g := range row.Guardians {
		in.GuardianIdentityNumbers = append(in.GuardianIdentityNumbers, leadingZero(g))
	}
	return s.parseRecipient(mid, in, today)
}

// leadingZero returns an identity number that a spreadsheet kept as a number, and so
// without its leading zero (anyone born on the 1st to the 9th of a month), with the zero
// back, when that makes it valid; anything else as it is. The birth date must still match
// the number, so a number of ten digits typed by mistake is not taken for someone else's.
func leadingZero(n string) string {
	if len(n) != 10 || strings.Trim(n, "0123456789") != "" {
		return n
	}
	if _, err := identity.Parse("0"+n, ""); err == nil {
		return "0" + n
	}
	return n
}

// sheetProblem returns err as a refused row's problem, its field naming the column.
func sheetProblem(err error) *apperr.Error {
	e := apperr.As(err)
	if e == nil || e.Code != apperr.BadUserInput {
		e = apperr.Invalid("", "ValueInvalid", nil)
	}
	return e.WithField(strings.TrimPrefix(e.Field, "input."))
}

// checkSheet runs the checks of a single issue on every entry, marks the blocked and the
// refused, and returns those ready to issue.
func (s *Service) checkSheet(ctx context.Context, tx bun.IDB, c caller, p *Programme,
	entries []sheetEntry) ([]sheetEntry, error) {
	rs := make([]*recipient, len(entries))
	for i, e := range entries {
		rs[i] = e.r
	}
	all, err := s.findingsFor(ctx, tx, c, p, rs)
	if err != nil {
		return nil, err
	}
	var ready []sheetEntry
	for i, e := range entries {
		findings := all[i]
		for _, f := range findings {
			f.Field = strings.TrimPrefix(f.Field, "input.")
		}
		e.row.Findings = findings
		switch err := s.mayIssue(findings, e.r.reason); apperr.CodeOf(err) {
		case "":
			ready = append(ready, e)
		case apperr.BadUserInput:
			e.row.Outcome, e.row.Problem = SheetRefused, sheetProblem(err)
		default:
			e.row.Outcome = SheetBlocked
		}
	}
	return ready, nil
}

// issueSheet records the people of the ready entries and their guardians, issues their
// cards and audits each, as IssueCard does for one, in a handful of statements.
func (s *Service) issueSheet(ctx context.Context, tx bun.IDB, c caller, ag *Agency, p *Programme,
	ready []sheetEntry) error {
	rs := make([]*recipient, len(ready))
	for i, e := range ready {
		rs[i] = e.r
	}
	ids, err := upsertPeople(ctx, tx, c.mid(), rs)
	if err != nil {
		return err
	}
	cards := make([]*Card, len(ready))
	entries := make([]*audit.Entry, 0, len(ready)+1)
	for i, e := range ready {
		cards[i] = s.personalCard(c, ag, p, e.r, ids[string(e.r.childKey)], len(e.row.Findings) > 0)
		e.row.Outcome, e.row.Card = SheetIssued, cards[i]
		entries = append(entries, issueEntry(c, cards[i], e.row.Findings, e.r.reason))
	}
	err = insertCards(ctx, tx, cards)
	if errors.Is(err, errHolderTaken) {
		// The programme is locked and the sheet has no one twice: this cannot happen.
		return apperr.New(apperr.Conflict, "")
	}
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE card_programmes SET cards_issued = cards_issued + ? WHERE id = ?",
		len(cards), p.ID); err != nil {
		return database.MapError(err, "count cards", "programme")
	}
	entries = append(entries, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(), Action: "issue_cards_from_sheet",
		ItemType: "CardProgramme", ItemID: &p.ID, Fields: []string{"cards"}})
	return appendAudit(ctx, tx, entries)
}

// appendAudit writes entries in one statement.
func appendAudit(ctx context.Context, tx bun.IDB, entries []*audit.Entry) error {
	for _, e := range entries {
		e.ID = newID()
		e.RequestID = httpserver.RequestIDFromContext(ctx)
	}
	_, err := tx.NewInsert().Model(&entries).Exec(ctx)
	return database.MapError(err, "append audit entries", "audit entry")
}

// personKey is a person's ID with their identity key, as an upsert returns them.
type personKey struct {
	ID  uuid.UUID `bun:"id"`
	Key []byte    `bun:"identity_key"`
}

// upsertPeople records the holders rs (their given names and birth dates written) and
// their guardians, links the guardians to them, and returns the holders' IDs by key.
func upsertPeople(ctx context.Context, tx bun.IDB, mid uuid.UUID, rs []*recipient) (map[string]uuid.UUID, error) {
	keys, names, births := make([][]byte, len(rs)), make([]string, len(rs)), make([]string, len(rs))
	for i, r := range rs {
		keys[i], names[i], births[i] = r.childKey, r.givenName, sqlDate(r.birthDate)
	}
	var holders []personKey
	err := tx.NewRaw(`INSERT INTO card_persons (municipality_id, identity_key, given_name, birth_date)
		SELECT ?, x.k, x.n, x.d FROM unnest(?::bytea[], ?::text[], ?::date[]) AS x(k, n, d)
		ON CONFLICT (municipality_id, identity_key) DO UPDATE
		SET given_name = EXCLUDED.given_name, birth_date = EXCLUDED.birth_date, updated_at = now()
		RETURNING id, identity_key`, mid, pgdialect.Array(keys), pgdialect.Array(names), pgdialect.Array(births)).
		Scan(ctx, &holders)
	if err != nil {
		return nil, database.MapError(err, "record people", "person")
	}
	ids := make(map[string]uuid.UUID, len(holders))
	for _, h := range holders {
		ids[string(h.Key)] = h.ID
	}
	return ids, linkGuardians(ctx, tx, mid, rs, ids)
}

// linkGuardians records the guardians of rs, each once, and links them to the holders,
// whose IDs by key are ids.
func linkGuardians(ctx context.Context, tx bun.IDB, mid uuid.UUID, rs []*recipient, ids map[string]uuid.UUID) error {
	var keys [][]byte
	seen := map[string]bool{}
	for _, r := range rs {
		for _, k := range r.guardianKeys {
			if !seen[string(k)] {
				seen[string(k)] = true
				keys = append(keys, k)
			}
		}
	}
	if len(keys) == 0 {
		return nil
	}
	var guardians []personKey
	err := tx.NewRaw(`INSERT INTO card_persons (municipality_id, identity_key) SELECT ?, k FROM unnest(?::bytea[]) AS x(k)
		ON CONFLICT (municipality_id, identity_key) DO UPDATE SET updated_at = now() RETURNING id, identity_key`,
		mid, pgdialect.Array(keys)).Scan(ctx, &guardians)
	if err != nil {
		return database.MapError(err, "record guardians", "person")
	}
	gid := make(map[string]string, len(guardians))
	for _, g := range guardians {
		gid[string(g.Key)] = g.ID.String()
	}
	var gs, cs []string
	for _, r := range rs {
		for _, k := range r.guardianKeys {
			gs, cs = append(gs, gid[string(k)]), append(cs, ids[string(r.childKey)].String())
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO card_guardianships (municipality_id, guardian_id, child_id)
		SELECT ?, g, c FROM unnest(?::uuid[], ?::uuid[]) AS x(g, c) ON CONFLICT DO NOTHING`,
		mid, pgdialect.Array(gs), pgdialect.Array(cs))
	return database.MapError(err, "link guardians", "person")
}
