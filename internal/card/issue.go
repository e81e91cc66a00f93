package card

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/card/code"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
)

// IssuedCard is what IssueCard gives: the card, and the warnings the caseworker's written
// reason overrode.
type IssuedCard struct {
	Card       *Card
	Overridden []*Finding
}

// errHolderTaken is the partial unique index refusing a second usable card for a person
// in a programme: another caseworker was quicker.
var errHolderTaken = errors.New("the person holds a card in the programme")

// IssueCard issues a card in a programme to a child (a CASEWORKER of an agency allowed in
// the programme), after the checks of CheckRecipient. It refuses, issuing nothing, with
// CARD_BLOCKED when a finding blocks, and with OVERRIDE_REQUIRED when there are warnings
// and no written reason; the error's reason is the code of the deciding finding and
// FindingsOf(err) returns all of them. A reason overriding warnings is kept on the card
// (until the holder's data is erased) and the audit entry names the findings overridden.
// The child and guardians are recognised by identity key (the child's given name and
// birth date are updated), the guardians linked to the child, and the card gets a fresh
// number, the programme's validity and default allowance. Two caseworkers issuing the same
// child at once get one card between them; the other gets CARD_BLOCKED with reason
// ALREADY_HAS_CARD. Errors besides: as CheckRecipient, and BAD_USER_INPUT naming
// "input.overrideReason" when it is too short.
func (s *Service) IssueCard(ctx context.Context, in RecipientInput) (*IssuedCard, error) {
	c, ag, r, err := s.prepareIssue(ctx, in)
	if err != nil {
		return nil, err
	}
	var out *IssuedCard
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		// Locking the programme row makes issues in one programme take turns: the count of
		// cards left and the stopper's checks see every card issued before.
		p, err := issuingProgramme(ctx, tx, c, ag, in.ProgrammeID, true)
		if err != nil {
			return err
		}
		findings, err := s.findings(ctx, tx, c, p, r)
		if err != nil {
			return err
		}
		if err := s.mayIssue(findings, r.reason); err != nil {
			return err
		}
		card, err := s.insertPersonalCard(ctx, tx, c, ag, p, r, len(findings) > 0)
		if err != nil {
			return err
		}
		// The programme's grant for the period, as far as its budget allows.
		if _, _, err := s.grantCards(ctx, tx, p, s.today(c.t), []uuid.UUID{card.ID}); err != nil {
			return err
		}
		out = &IssuedCard{Card: card, Overridden: findings}
		return audit.Append(ctx, tx, issueEntry(c, card, findings, r.reason))
	})
	if errors.Is(err, errHolderTaken) {
		return nil, s.alreadyHeld(ctx, c, in.ProgrammeID, r)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// mayIssue returns the refusal the findings call for, given the override reason.
func (s *Service) mayIssue(findings []*Finding, reason string) error {
	if len(findings) == 0 {
		return nil
	}
	for _, f := range findings {
		if f.Severity == SeverityBlock {
			return refusal(findings)
		}
	}
	if reason == "" {
		return refusal(findings)
	}
	if utf8.RuneCountInString(reason) < s.opt.MinOverrideReason {
		return apperr.Invalid("input.overrideReason", "OverrideReasonTooShort", map[string]any{"Min": s.opt.MinOverrideReason})
	}
	return nil
}

// alreadyHeld returns the CARD_BLOCKED refusal for a child whose card another caseworker
// issued a moment ago, with that card's agency and date when it can be read.
func (s *Service) alreadyHeld(ctx context.Context, c caller, programmeID uuid.UUID, r *recipient) error {
	f, err := heldCard(ctx, s.db, c.mid(), programmeID, r.childKey)
	if err != nil {
		return err
	}
	if f == nil {
		f = &Finding{Code: AlreadyHasCard, Severity: SeverityBlock}
	}
	f.Field = r.holderField
	return refusal([]*Finding{f})
}

// insertPersonalCard records the child and guardians and issues the child's card.
func (s *Service) insertPersonalCard(ctx context.Context, tx bun.IDB, c caller, ag *Agency, p *Programme, r *recipient, overridden bool) (*Card, error) {
	childID, err := upsertPerson(ctx, tx, c.mid(), r.childKey, r)
	if err != nil {
		return nil, err
	}
	for _, key := range r.guardianKeys {
		gid, err := upsertPerson(ctx, tx, c.mid(), key, nil)
		if err != nil {
			return nil, err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO card_guardianships (municipality_id, guardian_id, child_id) VALUES (?, ?, ?)
			ON CONFLICT DO NOTHING`, c.mid(), gid, childID)
		if err != nil {
			return nil, database.MapError(err, "link guardian", "person")
		}
	}
	card := s.personalCard(c, ag, p, r, childID, overridden)
	if err := insertCards(ctx, tx, []*Card{card}); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE card_programmes SET cards_issued = cards_issued + 1 WHERE id = ?", p.ID); err != nil {
		return nil, database.MapError(err, "count card", "programme")
	}
	return card, nil
}

// personalCard returns a new card in p for the recipient r recorded as holderID, issued by
// the caller at ag; overridden keeps the reason that overrode warnings.
func (s *Service) personalCard(c caller, ag *Agency, p *Programme, r *recipient, holderID uuid.UUID,
	overridden bool) *Card {
	band := ageBand(r.age)
	card := &Card{ID: newID(), MunicipalityID: c.mid(), ProgrammeID: p.ID, Kind: CardPersonal, HolderID: &holderID,
		ValidFrom: p.ValidFrom, ValidTo: p.ValidTo, Allowance: p.DefaultAllowance, Status: CardActive,
		IssuedBy: c.actor(), AgencyID: &ag.ID, IssuedAt: s.now(), AgeBand: &band,
		Holder: &Holder{GivenName: r.givenName, BirthDate: r.birthDate}}
	if overridden {
		card.OverrideReason = &r.reason
	}
	return card
}

// issueEntry returns the audit entry of issuing card, naming the findings a written
// reason overrode and keeping the reason with them.
func issueEntry(c caller, card *Card, findings []*Finding, reason string) *audit.Entry {
	fields := []string{"holder", "guardians"}
	for _, f := range findings {
		fields = append(fields, "override:"+string(f.Code))
	}
	e := &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(), Action: "issue_card", ItemType: "Card", ItemID: &card.ID,
		Fields: fields}
	if len(findings) > 0 {
		e.Fields = append(e.Fields, "overrideReason")
		e.Note = &reason // the written reason for overriding the warnings, with the override itself
	}
	return e
}

// upsertPerson returns the ID of the person with key, recording them first if new. A
// recipient's given name and birth date are written; a guardian (r nil) has neither.
func upsertPerson(ctx context.Context, tx bun.IDB, mid uuid.UUID, key []byte, r *recipient) (uuid.UUID, error) {
	var id uuid.UUID
	var err error
	if r != nil {
		err = tx.NewRaw(`INSERT INTO card_persons (municipality_id, identity_key, given_name, birth_date) VALUES (?, ?, ?, ?)
			ON CONFLICT (municipality_id, identity_key) DO UPDATE
			SET given_name = EXCLUDED.given_name, birth_date = EXCLUDED.birth_date, updated_at = now() RETURNING id`,
			mid, key, r.givenName, sqlDate(r.birthDate)).Scan(ctx, &id)
	} else {
		err = tx.NewRaw(`INSERT INTO card_persons (municipality_id, identity_key) VALUES (?, ?)
			ON CONFLICT (municipality_id, identity_key) DO UPDATE SET updated_at = now() RETURNING id`, mid, key).Scan(ctx, &id)
	}
	return id, database.MapError(err, "record person", "person")
}

// maxNumberTries is how often a card number is drawn again after a collision, which with
// 40 random bits is next to never.
const maxNumberTries = 5

// insertCards inserts cards with fresh numbers, drawing again for any number taken in the
// municipality. A second usable card for a holder in a programme is errHolderTaken.
func insertCards(ctx context.Context, tx bun.IDB, cards []*Card) error {
	pending := cards
	for try := 0; len(pending) > 0; try++ {
		if try == maxNumberTries {
			return errors.New("insert cards: no free card number")
		}
		for _, c := range pending {
			n, err := newCardNumber()
			if err != nil {
				return err
			}
			c.Number = n
		}
		var inserted []uuid.UUID
		err := tx.NewInsert().Model(&pending).On("CONFLICT (municipality_id, number) DO NOTHING").Returning("id").Scan(ctx, &inserted)
		if constraintOf(err) == "cards_one_per_holder_idx" {
			return errHolderTaken
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return database.MapError(err, "insert cards", "card")
		}
		pending = notIn(pending, inserted)
	}
	return nil
}

// newCardNumber returns a random card number in canonical form.
func newCardNumber() (string, error) {
	formatted, err := code.New(code.CardNumberLength)
	if err != nil {
		return "", err
	}
	n, ok := code.Normalise(formatted)
	if !ok {
		return "", fmt.Errorf("card number %q does not normalise", formatted)
	}
	return n, nil
}

func notIn(cards []*Card, ids []uuid.UUID) []*Card {
	done := make(map[uuid.UUID]bool, len(ids))
	for _, id := range ids {
		done[id] = true
	}
	var out []*Card
	for _, c := range cards {
		if !done[c.ID] {
			out = append(out, c)
		}
	}
	return out
}
