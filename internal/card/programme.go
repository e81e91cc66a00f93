package card

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/portal"
)

// ProgrammeText is a programme's texts in one locale.
type ProgrammeText struct {
	Locale      string
	Name        string
	Description string
	Eligibility string
}

// ProgrammeInput creates a programme (ID nil) or replaces one's settings. Texts are
// written for the locales given; those not given keep theirs. An empty Status keeps the
// status (DRAFT for a new programme). ValidFrom and ValidTo are dates; both days count.
type ProgrammeInput struct {
	ID               *uuid.UUID
	Texts            []ProgrammeText
	MinAge, MaxAge   int
	ValidFrom        time.Time
	ValidTo          time.Time
	CardsAvailable   int
	BudgetOre        int64
	DefaultAllowance int
	Status           ProgrammeStatus
	// AgencyIDs are the agencies whose caseworkers may issue cards in the programme.
	AgencyIDs []uuid.UUID
}

// Limits on programme and offer numbers, so a typo cannot make an absurd programme.
const (
	maxCards     = 1_000_000
	maxAllowance = 1_000
	maxBudgetOre = 100_000_000_000 // a billion kroner
)

// SaveProgramme creates or changes a programme (card coordinators and administrators).
// Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (no such programme here), BAD_USER_INPUT
// naming the field: "input.texts", "input.texts[i].locale" or ".name", "input.minAge",
// "input.maxAge", "input.validFrom", "input.validTo" (ends before it starts),
// "input.cardsAvailable" (negative, or below the cards already issued), "input.budgetOre",
// "input.defaultAllowance" (below 1), "input.status", "input.agencyIds".
func (s *Service) SaveProgramme(ctx context.Context, in ProgrammeInput) (*Programme, error) {
	// SECURITY: the programme's staff set programmes up.
	c, err := requireRole(ctx, auth.RoleCardCoordinator, auth.RoleAdmin)
	if err != nil {
		return nil, err
	}
	if err := validateProgramme(c, in); err != nil {
		return nil, err
	}
	p := &Programme{ID: newID(), MunicipalityID: c.mid(), MinAge: in.MinAge, MaxAge: in.MaxAge,
		ValidFrom: dateOf(in.ValidFrom), ValidTo: dateOf(in.ValidTo), CardsAvailable: in.CardsAvailable,
		BudgetOre: in.BudgetOre, DefaultAllowance: in.DefaultAllowance, Status: in.Status}
	if p.Status == "" {
		p.Status = ProgrammeDraft
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		action, err := writeProgramme(ctx, tx, c, p, in)
		if err != nil {
			return err
		}
		if err := writeProgrammeTexts(ctx, tx, p, in.Texts); err != nil {
			return err
		}
		if err := writeProgrammeAgencies(ctx, tx, c, p.ID, in.AgencyIDs); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(), Action: action, ItemType: "CardProgramme", ItemID: &p.ID,
			Fields: []string{"texts", "ageRange", "validity", "cardsAvailable", "budgetOre", "defaultAllowance", "status", "agencies"}})
	})
	if err != nil {
		return nil, err
	}
	return s.findProgramme(ctx, s.db, c, p.ID)
}

func validateProgramme(c caller, in ProgrammeInput) error {
	if in.ID == nil && len(in.Texts) == 0 {
		return apperr.Invalid("input.texts", "TextsRequired", nil)
	}
	locales := make([]string, len(in.Texts))
	for i, t := range in.Texts {
		locales[i] = t.Locale
	}
	if err := checkLocales(c, locales, "input.texts"); err != nil {
		return err
	}
	for i, t := range in.Texts {
		if strings.TrimSpace(t.Name) == "" {
			return apperr.Invalid(fmt.Sprintf("input.texts[%d].name", i), "NameRequired", nil)
		}
	}
	checks := []struct {
		bad   bool
		field string
		msg   string
		data  map[string]any
	}{
		{in.MinAge < 0 || in.MinAge > 120, "input.minAge", "AgeRange", nil},
		{in.MaxAge < 0 || in.MaxAge > 120, "input.maxAge", "AgeRange", nil},
		{in.MaxAge < in.MinAge, "input.maxAge", "AgeRangeInverted", nil},
		{in.ValidFrom.IsZero(), "input.validFrom", "DateRequired", nil},
		{in.ValidTo.IsZero(), "input.validTo", "DateRequired", nil},
		{dateOf(in.ValidTo).Before(dateOf(in.ValidFrom)), "input.validTo", "ValidityInverted", nil},
		{in.CardsAvailable < 0, "input.cardsAvailable", "NotNegative", nil},
		{in.CardsAvailable > maxCards, "input.cardsAvailable", "NumberTooLarge", map[string]any{"Max": maxCards}},
		{in.BudgetOre < 0, "input.budgetOre", "NotNegative", nil},
		{in.BudgetOre > maxBudgetOre, "input.budgetOre", "NumberTooLarge", map[string]any{"Max": maxBudgetOre}},
		{in.DefaultAllowance < 1, "input.defaultAllowance", "AtLeast", map[string]any{"Min": 1}},
		{in.DefaultAllowance > maxAllowance, "input.defaultAllowance", "NumberTooLarge", map[string]any{"Max": maxAllowance}},
		{in.Status != "" && !in.Status.valid(), "input.status", "ChoiceInvalid", nil},
	}
	for _, ch := range checks {
		if ch.bad {
			return apperr.Invalid(ch.field, ch.msg, ch.data)
		}
	}
	return nil
}

// checkLocales checks that each text's locale is enabled in the municipality and given
// once; field names the list of texts.
func checkLocales(c caller, locales []string, field string) error {
	for i, locale := range locales {
		f := fmt.Sprintf("%s[%d].locale", field, i)
		if err := c.t.CheckEnabled(locale, f); err != nil {
			return err
		}
		if slices.Contains(locales[:i], locale) {
			return apperr.Invalid(f, "LocaleRepeated", nil)
		}
	}
	return nil
}

// writeProgramme inserts p, or updates the programme in.ID with p's settings, and returns
// the audit action.
func writeProgramme(ctx context.Context, tx bun.IDB, c caller, p *Programme, in ProgrammeInput) (string, error) {
	if in.ID == nil {
		_, err := tx.NewInsert().Model(p).ExcludeColumn("cards_issued", "grant_ore", "grant_period", "grant_grace_days",
			"budget_warning_percent", "budget_warned_at",
			"application_mode", "applications_only").Returning("created_at, updated_at").Exec(ctx)
		return "create_card_programme", database.MapError(err, "insert programme", "programme")
	}
	p.ID = *in.ID
	q := tx.NewUpdate().Model(p).Column("min_age", "max_age", "valid_from", "valid_to", "cards_available", "budget_ore", "default_allowance").
		Set("updated_at = now()").
		// A new budget may be warned of again.
		Set("budget_warned_at = CASE WHEN budget_ore = ? THEN budget_warned_at END", p.BudgetOre).
		Where("id = ? AND municipality_id = ?", p.ID, c.mid()).Returning("cards_issued, status")
	if in.Status != "" {
		q = q.Column("status")
	}
	// SECURITY: only a programme of the request's municipality.
	err := q.Scan(ctx)
	if constraintOf(err) == "card_programmes_cards_left_check" {
		var issued int
		tx.NewSelect().Table("card_programmes").Column("cards_issued").Where("id = ?", p.ID).Scan(ctx, &issued) //nolint:errcheck // only for the message
		return "", apperr.Invalid("input.cardsAvailable", "CardsBelowIssued", map[string]any{"Issued": issued})
	}
	return "update_card_programme", database.MapError(err, "update programme", "programme")
}

func writeProgrammeTexts(ctx context.Context, tx bun.IDB, p *Programme, texts []ProgrammeText) error {
	for i, t := range texts {
		name, err := portal.CheckText(t.Name, 200, fmt.Sprintf("input.texts[%d].name", i))
		if err != nil {
			return err
		}
		desc, err := portal.CheckText(t.Description, 5000, fmt.Sprintf("input.texts[%d].description", i))
		if err != nil {
			return err
		}
		elig, err := portal.CheckText(t.Eligibility, 2000, fmt.Sprintf("input.texts[%d].eligibility", i))
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO card_programme_translations (programme_id, municipality_id, locale, name, description, eligibility)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (programme_id, locale) DO UPDATE
			SET name = EXCLUDED.name, description = EXCLUDED.description, eligibility = EXCLUDED.eligibility`,
			p.ID, p.MunicipalityID, t.Locale, name, desc, elig)
		if err != nil {
			return database.MapError(err, "write programme texts", "programme")
		}
	}
	return nil
}

// writeProgrammeAgencies replaces the agencies allowed to issue in a programme.
func writeProgrammeAgencies(ctx context.Context, tx bun.IDB, c caller, programmeID uuid.UUID, ids []uuid.UUID) error {
	ids = unique(ids)
	if err := allOfMunicipality(ctx, tx, "card_agencies", c.mid(), ids, "input.agencyIds", "UnknownAgency"); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM card_programme_agencies WHERE programme_id = ?", programmeID); err != nil {
		return database.MapError(err, "clear programme agencies", "programme")
	}
	if len(ids) == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO card_programme_agencies (programme_id, agency_id, municipality_id)
		SELECT ?, unnest(?::uuid[]), ?`, programmeID, pgdialect.Array(ids), c.mid())
	return database.MapError(err, "write programme agencies", "programme")
}

// allOfMunicipality returns BAD_USER_INPUT on field with msg unless every id is a row of
// table in the municipality.
func allOfMunicipality(ctx context.Context, tx bun.IDB, table string, mid uuid.UUID, ids []uuid.UUID, field, msg string) error {
	if len(ids) == 0 {
		return nil
	}
	// SECURITY: nothing of another municipality is linked to.
	n, err := tx.NewSelect().Table(table).Where("id IN (?) AND municipality_id = ?", bun.In(ids), mid).Count(ctx)
	if err != nil {
		return database.MapError(err, "find "+table, "item")
	}
	if n != int64(len(ids)) {
		return apperr.Invalid(field, msg, nil)
	}
	return nil
}

func unique(ids []uuid.UUID) []uuid.UUID {
	seen := map[uuid.UUID]bool{}
	out := []uuid.UUID{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// FindProgrammes lists the programmes the caller may see, newest first: card coordinators
// and administrators see all; caseworkers the ACTIVE ones and those their agency issues
// in; everyone else, signed in or not, the ACTIVE ones.
func (s *Service) FindProgrammes(ctx context.Context) ([]*Programme, error) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	var out []*Programme
	err = programmeQuery(ctx, s.db, c).OrderExpr("p.valid_from DESC, p.id DESC").Scan(ctx, &out)
	return out, database.MapError(err, "find programmes", "programme")
}

// FindProgrammeByID returns a programme the caller may see (see FindProgrammes). Errors:
// NOT_FOUND.
func (s *Service) FindProgrammeByID(ctx context.Context, id uuid.UUID) (*Programme, error) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	return s.findProgramme(ctx, s.db, c, id)
}

func (s *Service) findProgramme(ctx context.Context, db bun.IDB, c caller, id uuid.UUID) (*Programme, error) {
	p := new(Programme)
	err := programmeQuery(ctx, db, c).Where("p.id = ?", id).Scan(ctx, p)
	if err != nil {
		return nil, database.MapError(err, "find programme", "programme")
	}
	return p, nil
}

// programmeQuery selects the programmes of the municipality the caller may see, with
// their texts in the caller's locale chain and their agencies.
func programmeQuery(ctx context.Context, db bun.IDB, c caller) *bun.SelectQuery {
	q := db.NewSelect().Model((*Programme)(nil)).ColumnExpr("p.*").
		Join(`LEFT JOIN LATERAL (
			SELECT t.locale AS text_locale, t.name, t.description, t.eligibility
			FROM card_programme_translations t WHERE t.programme_id = p.id
			ORDER BY array_position(?::text[], t.locale) NULLS LAST, t.locale LIMIT 1) AS tx ON true`, pgdialect.Array(c.chain(ctx))).
		ColumnExpr("tx.text_locale, tx.name, tx.description, tx.eligibility").
		ColumnExpr("ARRAY(SELECT pa.agency_id FROM card_programme_agencies pa WHERE pa.programme_id = p.id ORDER BY pa.agency_id) AS agency_ids").
		// SECURITY: only programmes of the request's municipality.
		Where("p.municipality_id = ?", c.mid())
	switch {
	case c.staff():
		// SECURITY: the programme's staff see every programme, drafts too.
	case c.has(auth.RoleCaseworker) && c.v.User != nil:
		// SECURITY: caseworkers see the active programmes and those their agency issues in.
		q = q.Where(`(p.status = 'ACTIVE' OR EXISTS (SELECT 1 FROM card_programme_agencies pa
			JOIN card_caseworkers cw ON cw.agency_id = pa.agency_id WHERE pa.programme_id = p.id AND cw.user_id = ?))`, c.v.User.ID)
	default:
		// SECURITY: everyone else sees the active programmes only.
		q = q.Where("p.status = 'ACTIVE'")
	}
	return q
}

// lockProgramme returns the programme of the municipality, its row locked until the
// transaction ends, so that cards are counted and issued one at a time. Errors: NOT_FOUND.
func lockProgramme(ctx context.Context, tx bun.IDB, mid, id uuid.UUID) (*Programme, error) {
	p := new(Programme)
	// SECURITY: only a programme of the request's municipality.
	err := tx.NewSelect().Model(p).Where("p.id = ? AND p.municipality_id = ?", id, mid).For("UPDATE").Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find programme", "programme")
	}
	return p, nil
}
