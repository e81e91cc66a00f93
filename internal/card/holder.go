package card

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/card/identity"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/httpserver"
	"github.com/fritid/fritid/internal/platform/relay"
)

// holderColumns are a card's holder's fields, for a query on "c" joined with "h".
const holderColumns = "h.given_name AS holder_given_name, h.birth_date AS holder_birth_date"

// MyCards returns the cards of a resident signed in with an identity that carries a
// national identity number (ID-porten): the cards they hold and those of the children
// they are a guardian of, with the holder's given name and birth date, newest first.
// Errors: UNAUTHENTICATED, FORBIDDEN (the sign-in carries no identity number),
// BAD_USER_INPUT naming "after" or "before" for a cursor of another list.
func (s *Service) MyCards(ctx context.Context, page relay.Page) (*CardConnection, error) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	if c.v == nil {
		return nil, apperr.New(apperr.Unauthenticated, "")
	}
	// SECURITY: the identity number comes only from a verified ID token, never from input.
	var number string
	if c.v.Identity != nil && s.opt.IdentityNumber != nil {
		number = s.opt.IdentityNumber(c.v.Identity)
	}
	n, err := identity.Parse(number, "identity")
	if err != nil {
		return nil, apperr.New(apperr.Forbidden, "CardIdentityRequired")
	}
	key := s.identityKey(c.mid(), n)
	// SECURITY: the person's own cards and their children's, in the request's municipality.
	return s.cardPage(ctx, func() *bun.SelectQuery {
		return s.db.NewSelect().Model((*Card)(nil)).
			Join("JOIN card_persons h ON h.id = c.holder_id").
			Where("c.municipality_id = ?", c.mid()).
			Where(`(h.identity_key = ? OR h.id IN (SELECT gs.child_id FROM card_guardianships gs
			JOIN card_persons g ON g.id = gs.guardian_id WHERE g.municipality_id = ? AND g.identity_key = ?))`,
				key, c.mid(), key)
	}, page)
}

// FindCardByID returns a card, without its holder, to whoever may see what it may claim:
// the holder or a guardian (by identity, or anyone with the number and PIN in access), card
// coordinators, and caseworkers of the agency that issued it. Errors: UNAUTHENTICATED,
// FORBIDDEN, NOT_FOUND.
func (s *Service) FindCardByID(ctx context.Context, id uuid.UUID, access *CardAccess) (*Card, error) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	// SECURITY: those who see what the card may claim: its holder, card coordinators, and
	// caseworkers of the agency that issued it.
	if err := s.seesClaimable(ctx, c, id, access); err != nil {
		return nil, err
	}
	card := new(Card)
	err = s.db.NewSelect().
		Model(card).
		Where("c.id = ? AND c.municipality_id = ?", id, c.mid()).
		Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find card", "card")
	}
	return card, nil
}

// CardFilter narrows CardsOfMyAgency; nil fields do not filter.
type CardFilter struct {
	ProgrammeID *uuid.UUID
	Status      *CardStatus
}

// CardsOfMyAgency returns a page of the cards the signed-in caseworker's agency issued,
// newest first, with their holders. Each holder shown is a read of a person's data by a
// caseworker and is audit-logged. Errors: UNAUTHENTICATED, FORBIDDEN (not a caseworker, or
// not registered at an agency), BAD_USER_INPUT naming "after" or "before" for a cursor of
// another list.
func (s *Service) CardsOfMyAgency(ctx context.Context, f CardFilter, page relay.Page) (*CardConnection, error) {
	c, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	ag, err := caseworkerAgency(ctx, s.db, c)
	if err != nil {
		return nil, err
	}
	// SECURITY: only the cards of the caseworker's own agency.
	conn, err := s.cardPage(ctx, func() *bun.SelectQuery {
		q := s.db.NewSelect().Model((*Card)(nil)).
			Join("LEFT JOIN card_persons h ON h.id = c.holder_id").
			Where("c.municipality_id = ? AND c.agency_id = ?", c.mid(), ag.ID)
		if f.ProgrammeID != nil {
			q = q.Where("c.programme_id = ?", *f.ProgrammeID)
		}
		if f.Status != nil {
			q = q.Where("c.status = ?", *f.Status)
		}
		return q
	}, page)
	if err != nil {
		return nil, err
	}
	if err := auditHolderReads(ctx, s.db, c, conn.Nodes()); err != nil {
		return nil, err
	}
	return conn, nil
}

// auditHolderReads logs, in one statement, that the caller read the holder of each card
// shown with one.
func auditHolderReads(ctx context.Context, db bun.IDB, c caller, list []*Card) error {
	var entries []*audit.Entry
	for _, card := range list {
		if card.Holder != nil {
			entries = append(entries, &audit.Entry{ID: newID(), MunicipalityID: c.mid(), ActorID: c.actor(), Action: "read_card_holder",
				ItemType: "Card", ItemID: &card.ID, Fields: []string{"holder"}, RequestID: httpserver.RequestIDFromContext(ctx)})
		}
	}
	if len(entries) == 0 {
		return nil
	}
	_, err := db.NewInsert().Model(&entries).Exec(ctx)
	return database.MapError(err, "audit holder reads", "audit entry")
}

// SuspendCard stops an ACTIVE card from being used until it is resumed. Card
// coordinators and administrators may, and caseworkers of the agency that issued it.
// Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (also for a card of another agency),
// CONFLICT (the card is not ACTIVE).
func (s *Service) SuspendCard(ctx context.Context, id uuid.UUID) (*Card, error) {
	return s.changeCard(ctx, id, "suspend_card", func(ctx context.Context, tx bun.IDB, card *Card, _ time.Time) error {
		if card.Status != CardActive {
			return statusConflict(card)
		}
		return setCardStatus(ctx, tx, card.ID, CardSuspended)
	})
}

// ResumeCard makes a SUSPENDED card ACTIVE again, if it is still valid. Who may: as
// SuspendCard. Errors: as SuspendCard (CONFLICT when not SUSPENDED or past its validity).
func (s *Service) ResumeCard(ctx context.Context, id uuid.UUID) (*Card, error) {
	return s.changeCard(ctx, id, "resume_card", func(ctx context.Context, tx bun.IDB, card *Card, today time.Time) error {
		if card.Status != CardSuspended || today.After(card.ValidTo) {
			return statusConflict(card)
		}
		return setCardStatus(ctx, tx, card.ID, CardActive)
	})
}

// RevokeCard ends an ACTIVE or SUSPENDED card for good: its claimed, unused tickets are
// cancelled and their stock returned, to the offers' waiting lists first (and the event
// card places they held freed), it leaves the waiting lists it is in, and it
// no longer counts against the programme's cards. Who may: as SuspendCard. Errors: as
// SuspendCard (CONFLICT when it has ended).
func (s *Service) RevokeCard(ctx context.Context, id uuid.UUID) (*Card, error) {
	return s.changeCard(ctx, id, "revoke_card", func(ctx context.Context, tx bun.IDB, card *Card, _ time.Time) error {
		if card.Status != CardActive && card.Status != CardSuspended {
			return statusConflict(card)
		}
		return s.revokeCards(ctx, tx, []uuid.UUID{card.ID}, s.now())
	})
}

func statusConflict(card *Card) error {
	return &apperr.Error{Code: apperr.Conflict, MessageID: "CardStatusConflict", Data: map[string]any{"Status": string(card.Status)}}
}

func setCardStatus(ctx context.Context, tx bun.IDB, id uuid.UUID, status CardStatus) error {
	_, err := tx.ExecContext(ctx, "UPDATE cards SET status = ? WHERE id = ?", status, id)
	return database.MapError(err, "set card status", "card")
}

// changeCard loads a card the caller may manage, locked, lets change check and write the
// new status, and audits action.
func (s *Service) changeCard(ctx context.Context, id uuid.UUID, action string, change func(context.Context, bun.IDB, *Card, time.Time) error) (*Card, error) {
	c, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	card := new(Card)
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if err := s.manageableCard(ctx, tx, c, id, card); err != nil {
			return err
		}
		if err := change(ctx, tx, card, s.today(c.t)); err != nil {
			return err
		}
		if err := tx.NewSelect().Model(card).WherePK().Scan(ctx); err != nil {
			return database.MapError(err, "find card", "card")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(), Action: action, ItemType: "Card", ItemID: &card.ID, Fields: []string{"status"}})
	})
	if err != nil {
		return nil, err
	}
	return card, nil
}

// manageableCard loads into card, locked, a card of the municipality the caller may
// manage. Errors: FORBIDDEN, NOT_FOUND.
func (s *Service) manageableCard(ctx context.Context, tx bun.IDB, c caller, id uuid.UUID, card *Card) error {
	var agencyID *uuid.UUID
	switch {
	case c.staff():
		// SECURITY: card coordinators and administrators manage every card.
	case c.has(auth.RoleCaseworker):
		ag, err := caseworkerAgency(ctx, tx, c)
		if err != nil {
			return err
		}
		agencyID = &ag.ID
	default:
		return apperr.New(apperr.Forbidden, "")
	}
	// SECURITY: a card of the request's municipality; for a caseworker, one their agency
	// issued (any other card is as unknown to them as a card that does not exist).
	q := tx.NewSelect().Model(card).Where("c.id = ? AND c.municipality_id = ?", id, c.mid())
	if agencyID != nil {
		q = q.Where("c.agency_id = ?", *agencyID)
	}
	return database.MapError(q.For("UPDATE").Scan(ctx), "find card", "card")
}

// revokeCards ends the given usable cards at now, cancels their claimed tickets and
// returns those to their offers' stock, frees the event card places the tickets held and
// the cards' places in their programmes.
func (s *Service) revokeCards(ctx context.Context, tx bun.IDB, ids []uuid.UUID, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	var places []uuid.UUID
	err := tx.NewSelect().Table("card_tickets").Column("event_signup_id").
		Where("card_id IN (?) AND status = 'CLAIMED' AND event_signup_id IS NOT NULL", bun.In(ids)).
		Scan(ctx, &places)
	if err != nil {
		return database.MapError(err, "find card places", "card")
	}
	var cancelled []*Ticket
	err = tx.NewRaw(`UPDATE card_tickets SET status = 'CANCELLED', cancelled_at = greatest(?1, claimed_at)
		WHERE card_id IN (?0) AND status = 'CLAIMED' RETURNING id, municipality_id, offer_id, stock_slot`, bun.In(ids), now).
		Scan(ctx, &cancelled)
	if err != nil {
		return database.MapError(err, "cancel tickets", "card")
	}
	if err := announceTickets(ctx, tx, cancelled); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `WITH revoked AS (
			UPDATE cards SET status = 'REVOKED', ended_at = ?1
			WHERE id IN (?0) AND status IN ('ACTIVE', 'SUSPENDED') RETURNING programme_id)
		UPDATE card_programmes p SET cards_issued = p.cards_issued - x.n
		FROM (SELECT programme_id, count(*) AS n FROM revoked GROUP BY programme_id) x WHERE p.id = x.programme_id`,
		bun.In(ids), now)
	if err != nil {
		return database.MapError(err, "revoke cards", "card")
	}
	// The cards leave the waiting lists, and the units of their tickets and of the places
	// held for them go to the next in line.
	if _, err := s.endPlaces(ctx, tx, WaitingDropped, false, "wp.card_id IN (?)", bun.In(ids)); err != nil {
		return err
	}
	for _, t := range cancelled {
		if _, err := s.returnUnit(ctx, tx, t.MunicipalityID, t.OfferID, t.StockSlot); err != nil {
			return err
		}
	}
	for _, id := range places {
		if err := s.freePlace(ctx, tx, &Ticket{EventSignupID: &id}); err != nil {
			return err
		}
	}
	return nil
}
