package card

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/card/identity"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
)

// RecipientInput is a person a caseworker wants to issue a card to: a child, or a
// pensioner in a programme for them. The identity numbers are used to recognise the holder
// and the guardians across agencies and then forgotten; only their keyed hashes are
// stored. OverrideReason is the written reason that lets IssueCard go ahead despite
// warnings.
//
// The holder's number comes in HolderIdentityNumber, or in ChildIdentityNumber, the name
// the API had first; errors and findings about it name the field it came in
// ("input.holderIdentityNumber" or "input.childIdentityNumber").
type RecipientInput struct {
	ProgrammeID             uuid.UUID
	HolderIdentityNumber    string
	ChildIdentityNumber     string
	GivenName               string
	BirthDate               time.Time
	GuardianIdentityNumbers []string
	OverrideReason          string
}

// Where the holder's identity number comes in.
const (
	holderField = "input.holderIdentityNumber"
	childField  = "input.childIdentityNumber"
)

// holderNumber returns the holder's identity number and the field it came in. Errors:
// BAD_USER_INPUT naming "input.childIdentityNumber" when both fields hold different numbers.
func (in RecipientInput) holderNumber() (string, string, error) {
	switch {
	case in.ChildIdentityNumber == "":
		return in.HolderIdentityNumber, holderField, nil
	case in.HolderIdentityNumber == "" || in.HolderIdentityNumber == in.ChildIdentityNumber:
		return in.ChildIdentityNumber, childField, nil
	}
	return "", "", apperr.Invalid(childField, "HolderNumberTwice", nil)
}

// Severity is how much a finding weighs.
type Severity string

// The severities: a BLOCK stops the card; a WARN needs a written reason to go ahead.
const (
	SeverityBlock Severity = "BLOCK"
	SeverityWarn  Severity = "WARN"
)

// FindingCode says what a check before issuing found.
type FindingCode string

// The findings.
const (
	// AlreadyHasCard (BLOCK): the child holds a card in the programme, issued by Agency on
	// Date.
	AlreadyHasCard FindingCode = "ALREADY_HAS_CARD"
	// GuardianHasOtherCard (WARN): the guardian named by Field has another child with a
	// card in the programme, the latest issued by Agency on Date. Families with several
	// children may get several cards.
	GuardianHasOtherCard FindingCode = "GUARDIAN_HAS_OTHER_CARD"
	// OutsideAgeRange (BLOCK): the child's age today is outside the programme's range.
	OutsideAgeRange FindingCode = "OUTSIDE_AGE_RANGE"
	// NoCardsLeft (BLOCK): every card of the programme is issued.
	NoCardsLeft FindingCode = "NO_CARDS_LEFT"
	// ProgrammeNotActive (BLOCK): the programme is a draft or closed.
	ProgrammeNotActive FindingCode = "PROGRAMME_NOT_ACTIVE"
	// ProgrammeOutsideValidity (BLOCK): today is before the programme starts or after it
	// ends.
	ProgrammeOutsideValidity FindingCode = "PROGRAMME_OUTSIDE_VALIDITY"
)

// Finding is one result of the checks before issuing a card, with only what the
// caseworker needs to act on it: never another person's data.
type Finding struct {
	Code     FindingCode
	Severity Severity
	// Agency is the name of the agency that issued the card found, if any.
	Agency string
	// Date is when that card was issued, if any.
	Date *time.Time
	// Field names the input the finding is about, e.g. "input.guardianIdentityNumbers[1]".
	Field string
}

// recipient is a parsed RecipientInput: keys instead of numbers. holderField names the
// input the holder's number came in.
type recipient struct {
	childKey     []byte
	holderField  string
	guardianKeys [][]byte
	givenName    string
	birthDate    time.Time
	age          int
	reason       string
}

// parseRecipient validates in and turns its identity numbers into keys. Errors:
// BAD_USER_INPUT naming the field, with a reason for identity numbers.
func (s *Service) parseRecipient(mid uuid.UUID, in RecipientInput, today time.Time) (*recipient, error) {
	number, field, err := in.holderNumber()
	if err != nil {
		return nil, err
	}
	child, err := identity.Parse(number, field)
	if err != nil {
		return nil, err
	}
	name := strings.TrimSpace(in.GivenName)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return nil, apperr.Invalid("input.givenName", "NameRequired", nil)
	}
	birth := dateOf(in.BirthDate)
	switch {
	case in.BirthDate.IsZero():
		return nil, apperr.Invalid("input.birthDate", "DateRequired", nil)
	case birth.After(today):
		return nil, apperr.Invalid("input.birthDate", "BirthDateInFuture", nil).WithReason(identity.ReasonFutureDate)
	case !birth.Equal(child.BirthDate()):
		return nil, apperr.Invalid("input.birthDate", "BirthDateMismatch", nil).WithReason("MISMATCH")
	}
	if len(in.GuardianIdentityNumbers) > s.opt.MaxGuardians {
		return nil, apperr.Invalid("input.guardianIdentityNumbers", "TooManyGuardians", map[string]any{"Max": s.opt.MaxGuardians})
	}
	r := &recipient{childKey: s.identityKey(mid, child), holderField: field, givenName: name, birthDate: birth,
		age: ageOn(birth, today), reason: strings.TrimSpace(in.OverrideReason)}
	for i, num := range in.GuardianIdentityNumbers {
		field := fmt.Sprintf("input.guardianIdentityNumbers[%d]", i)
		g, err := identity.Parse(num, field)
		if err != nil {
			return nil, err
		}
		key := s.identityKey(mid, g)
		if bytes.Equal(key, r.childKey) {
			return nil, apperr.Invalid(field, "GuardianIsChild", nil)
		}
		for _, k := range r.guardianKeys {
			if bytes.Equal(k, key) {
				return nil, apperr.Invalid(field, "GuardianRepeated", nil)
			}
		}
		r.guardianKeys = append(r.guardianKeys, key)
	}
	if n := utf8.RuneCountInString(r.reason); n > 2000 {
		return nil, apperr.Invalid("input.overrideReason", "TextTooLong", map[string]any{"Max": 2000})
	}
	return r, nil
}

// ageOn returns the age in whole years on day of someone born on birth.
func ageOn(birth, day time.Time) int {
	age := day.Year() - birth.Year()
	if day.Month() < birth.Month() || day.Month() == birth.Month() && day.Day() < birth.Day() {
		age--
	}
	return age
}

// ageBand returns the coarse age band kept on a card for statistics.
func ageBand(age int) string {
	switch {
	case age <= 5:
		return "0-5"
	case age <= 9:
		return "6-9"
	case age <= 12:
		return "10-12"
	case age <= 15:
		return "13-15"
	case age <= 17:
		return "16-17"
	case age <= 66:
		return "18-66"
	}
	return "67+"
}

// CheckRecipient runs the checks IssueCard runs and returns what they find, without
// issuing anything (a CASEWORKER of an agency allowed in the programme). The check is
// audit-logged, since it tells whether a child holds a card. Errors: UNAUTHENTICATED,
// FORBIDDEN (not a caseworker, not registered at an agency, or the agency may not issue in
// the programme), NOT_FOUND (no such programme here), BAD_USER_INPUT naming the field
// (with reason LENGTH, NOT_DIGITS, CHECK_DIGIT, H_NUMBER, DATE or FUTURE_DATE for an
// identity number).
func (s *Service) CheckRecipient(ctx context.Context, in RecipientInput) ([]*Finding, error) {
	c, ag, r, err := s.prepareIssue(ctx, in)
	if err != nil {
		return nil, err
	}
	var out []*Finding
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		p, err := issuingProgramme(ctx, tx, c, ag, in.ProgrammeID, false)
		if err != nil {
			return err
		}
		if out, err = s.findings(ctx, tx, c, p, r); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(), Action: "check_card_recipient",
			ItemType: "CardProgramme", ItemID: &p.ID})
	})
	return out, err
}

// prepareIssue authorises a caseworker and parses the recipient.
func (s *Service) prepareIssue(ctx context.Context, in RecipientInput) (caller, *Agency, *recipient, error) {
	c, err := signedIn(ctx)
	if err != nil {
		return c, nil, nil, err
	}
	// SECURITY: only a caseworker registered at an agency issues cards to people.
	ag, err := caseworkerAgency(ctx, s.db, c)
	if err != nil {
		return c, nil, nil, err
	}
	r, err := s.parseRecipient(c.mid(), in, s.today(c.t))
	return c, ag, r, err
}

// issuingProgramme returns the programme when the caseworker's agency may issue in it;
// lock takes the programme's row until the transaction ends. Errors: NOT_FOUND, FORBIDDEN.
func issuingProgramme(ctx context.Context, tx bun.IDB, c caller, ag *Agency, id uuid.UUID, lock bool) (*Programme, error) {
	p := new(Programme)
	q := tx.NewSelect().Model(p).Where("p.id = ? AND p.municipality_id = ?", id, c.mid())
	if lock {
		q = q.For("UPDATE")
	}
	// SECURITY: only a programme of the request's municipality.
	if err := q.Scan(ctx); err != nil {
		return nil, database.MapError(err, "find programme", "programme")
	}
	// SECURITY: the caseworker's agency must be one the programme lets issue.
	ok, err := tx.NewSelect().Table("card_programme_agencies").Where("programme_id = ? AND agency_id = ?", p.ID, ag.ID).Exists(ctx)
	if err != nil {
		return nil, database.MapError(err, "check programme agency", "programme")
	}
	if !ok {
		return nil, apperr.New(apperr.Forbidden, "AgencyNotInProgramme")
	}
	return p, nil
}

// findings runs the checks before issuing r a card in p.
func (s *Service) findings(ctx context.Context, db bun.IDB, c caller, p *Programme, r *recipient) ([]*Finding, error) {
	all, err := s.findingsFor(ctx, db, c, p, []*recipient{r})
	if err != nil {
		return nil, err
	}
	return all[0], nil
}

// findingsFor runs the checks before issuing each of rs a card in p, the same for one
// recipient as for a sheet of them: one query finds the cards they hold, one their
// guardians' other children's. Cards issued after the query are not seen, so rs with a
// guardian in common do not warn about each other.
func (s *Service) findingsFor(ctx context.Context, db bun.IDB, c caller, p *Programme,
	rs []*recipient) ([][]*Finding, error) {
	held, err := heldCards(ctx, db, c.mid(), p.ID, rs)
	if err != nil {
		return nil, err
	}
	siblings, err := siblingCards(ctx, db, c.mid(), p.ID, rs)
	if err != nil {
		return nil, err
	}
	today := s.today(c.t)
	out := make([][]*Finding, len(rs))
	for i, r := range rs {
		fs := []*Finding{}
		block := func(code FindingCode, field string) {
			fs = append(fs, &Finding{Code: code, Severity: SeverityBlock, Field: field})
		}
		if p.Status != ProgrammeActive {
			block(ProgrammeNotActive, "input.programmeId")
		}
		if today.Before(p.ValidFrom) || today.After(p.ValidTo) {
			block(ProgrammeOutsideValidity, "input.programmeId")
		}
		if r.age < p.MinAge || r.age > p.MaxAge {
			block(OutsideAgeRange, "input.birthDate")
		}
		if p.CardsLeft() == 0 {
			block(NoCardsLeft, "input.programmeId")
		}
		if seen, ok := held[string(r.childKey)]; ok {
			f := seen.finding(AlreadyHasCard, SeverityBlock)
			f.Field = r.holderField
			fs = append(fs, f)
		}
		for j, key := range r.guardianKeys {
			if f := siblings.of(key, r.childKey); f != nil {
				f.Field = fmt.Sprintf("input.guardianIdentityNumbers[%d]", j)
				fs = append(fs, f)
			}
		}
		out[i] = fs
	}
	return out, nil
}

// cardSeen is the agency and date of a card a check found.
type cardSeen struct {
	Agency   *string   `bun:"agency"`
	IssuedAt time.Time `bun:"issued_at"`
}

func (cs *cardSeen) finding(code FindingCode, sev Severity) *Finding {
	f := &Finding{Code: code, Severity: sev, Date: &cs.IssuedAt}
	if cs.Agency != nil {
		f.Agency = *cs.Agency
	}
	return f
}

// heldCard returns ALREADY_HAS_CARD when the person with key holds a usable card in the
// programme, or nil.
func heldCard(ctx context.Context, db bun.IDB, mid, programmeID uuid.UUID, key []byte) (*Finding, error) {
	var seen []cardSeen
	err := db.NewRaw(`SELECT ag.name AS agency, c.issued_at FROM cards c
		JOIN card_persons p ON p.id = c.holder_id
		LEFT JOIN card_agencies ag ON ag.id = c.agency_id
		WHERE c.municipality_id = ? AND c.programme_id = ? AND p.identity_key = ? AND c.status IN ('ACTIVE', 'SUSPENDED')
		ORDER BY c.issued_at DESC LIMIT 1`, mid, programmeID, key).Scan(ctx, &seen)
	if err != nil || len(seen) == 0 {
		return nil, database.MapError(err, "find held card", "card")
	}
	return seen[0].finding(AlreadyHasCard, SeverityBlock), nil
}

// heldCards returns, by holder key, the latest usable card in the programme of each of rs
// that holds one.
func heldCards(ctx context.Context, db bun.IDB, mid, programmeID uuid.UUID,
	rs []*recipient) (map[string]*cardSeen, error) {
	keys := make([][]byte, len(rs))
	for i, r := range rs {
		keys[i] = r.childKey
	}
	var seen []struct {
		Key []byte `bun:"identity_key"`
		cardSeen
	}
	err := db.NewRaw(`SELECT DISTINCT ON (p.identity_key) p.identity_key, ag.name AS agency, c.issued_at FROM cards c
		JOIN card_persons p ON p.id = c.holder_id
		LEFT JOIN card_agencies ag ON ag.id = c.agency_id
		WHERE c.municipality_id = ? AND c.programme_id = ? AND p.identity_key = ANY(?)
		AND c.status IN ('ACTIVE', 'SUSPENDED')
		ORDER BY p.identity_key, c.issued_at DESC`, mid, programmeID, pgdialect.Array(keys)).Scan(ctx, &seen)
	if err != nil {
		return nil, database.MapError(err, "find held cards", "card")
	}
	out := make(map[string]*cardSeen, len(seen))
	for i := range seen {
		out[string(seen[i].Key)] = &seen[i].cardSeen
	}
	return out, nil
}

// guardiansCards are the usable cards in a programme of the children of some guardians,
// latest first.
type guardiansCards []struct {
	GuardianKey []byte `bun:"guardian_key"`
	ChildKey    []byte `bun:"child_key"`
	cardSeen
}

// of returns GUARDIAN_HAS_OTHER_CARD when the guardian with key has a child other than
// the one with childKey among the cards, or nil.
func (gc guardiansCards) of(key, childKey []byte) *Finding {
	for i := range gc {
		if bytes.Equal(gc[i].GuardianKey, key) && !bytes.Equal(gc[i].ChildKey, childKey) {
			return gc[i].finding(GuardianHasOtherCard, SeverityWarn)
		}
	}
	return nil
}

// siblingCards returns the usable cards in the programme of the children of rs's
// guardians.
func siblingCards(ctx context.Context, db bun.IDB, mid, programmeID uuid.UUID, rs []*recipient) (guardiansCards, error) {
	var keys [][]byte
	for _, r := range rs {
		keys = append(keys, r.guardianKeys...)
	}
	if len(keys) == 0 {
		return nil, nil
	}
	var out guardiansCards
	err := db.NewRaw(`SELECT g.identity_key AS guardian_key, ch.identity_key AS child_key, ag.name AS agency, c.issued_at
		FROM card_persons g
		JOIN card_guardianships gs ON gs.guardian_id = g.id
		JOIN card_persons ch ON ch.id = gs.child_id
		JOIN cards c ON c.holder_id = ch.id
		LEFT JOIN card_agencies ag ON ag.id = c.agency_id
		WHERE g.municipality_id = ? AND g.identity_key = ANY(?)
		AND c.programme_id = ? AND c.status IN ('ACTIVE', 'SUSPENDED')
		ORDER BY c.issued_at DESC`, mid, pgdialect.Array(keys), programmeID).Scan(ctx, &out)
	return out, database.MapError(err, "find sibling cards", "card")
}
