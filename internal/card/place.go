package card

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/database"
)

// Card places: an event linked to an offer may keep places for card holders, each taken
// with a ticket of the offer in the ticket's own transaction. The events package keeps the
// places; the ticket holds the link (EventSignupID), so the event's sign-up names no card.
// The card package knows the place by that ID alone.

// TakePlace takes the place a ticket is claimed for, on the claim's transaction after the
// ticket is written, and returns the event sign-up that holds it. An error rolls the
// claim back.
type TakePlace func(ctx context.Context, tx bun.Tx, t *Ticket) (uuid.UUID, error)

// PlaceKeeper gives back the place a cancelled ticket held (the events service).
type PlaceKeeper interface {
	// FreePlace frees the card place of event sign-up id on tx, in the request's
	// municipality; a sign-up erased already is no error.
	FreePlace(ctx context.Context, tx bun.IDB, id uuid.UUID) error
}

// ClaimTicketForPlace takes one ticket of an offer for a card and, in the same
// transaction, the place take takes with it; the ticket records the place. With access,
// or for a resident, the caller must hold the card, as in ClaimTicket; a CASEWORKER of
// the agency that issued the card or a CARD_COORDINATOR (without access) allocates it, as
// in AllocateTicket. Checks and errors: those of ClaimTicket and AllocateTicket, and
// take's; nothing is kept when any refuses.
func (s *Service) ClaimTicketForPlace(ctx context.Context, cardID, offerID uuid.UUID, access *CardAccess,
	take TakePlace,
) (*Ticket, error) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	if access == nil && c.v != nil && c.v.User != nil && c.has(auth.RoleCaseworker, auth.RoleCardCoordinator) {
		// SECURITY: caseworkers and card coordinators allocate, a caseworker only for a card
		// of their own agency (allocate, manageableCard).
		return s.allocate(ctx, c, cardID, offerID, take)
	}
	// SECURITY: anyone else only for a card they hold (claimAsHolder).
	return s.claimAsHolder(ctx, c, cardID, offerID, access, take)
}

// holdPlace takes place (nil: none) for ticket t on tx, links the ticket to it and
// writes the audit entry.
func (s *Service) holdPlace(ctx context.Context, tx bun.Tx, c caller, t *Ticket, place TakePlace) error {
	if place == nil {
		return nil
	}
	id, err := place(ctx, tx, t)
	if err != nil {
		return err
	}
	t.EventSignupID = &id
	_, err = tx.NewUpdate().Table("card_tickets").Set("event_signup_id = ?", id).
		Where("id = ? AND municipality_id = ?", t.ID, c.mid()).Exec(ctx)
	if err != nil {
		return database.MapError(err, "link ticket to place", "ticket")
	}
	return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(), Action: "hold_event_card_place",
		ItemType: "CardTicket", ItemID: &t.ID, Fields: []string{"eventSignup"}})
}

// freePlace frees the place cancelled ticket t held, if any, on tx.
func (s *Service) freePlace(ctx context.Context, tx bun.IDB, t *Ticket) error {
	if t.EventSignupID == nil || s.Places == nil {
		return nil
	}
	return s.Places.FreePlace(ctx, tx, *t.EventSignupID)
}

// ReleasePlaceTickets cancels tickets ids, which held card places at an event that was
// cancelled or removed, on the event's transaction: each claimed one is cancelled and its
// unit goes to the offer's waiting list or back to its stock, with an audit entry; the place itself is the
// events service's to drop. Only tickets of the request's municipality are touched.
func (s *Service) ReleasePlaceTickets(ctx context.Context, tx bun.IDB, ids []uuid.UUID) error {
	if len(ids) == 0 {
		return nil
	}
	c, err := current(ctx)
	if err != nil {
		return err
	}
	// SECURITY: the caller (the events service) has checked that the viewer may cancel or
	// remove the event; the tickets are those it found linked to that event's card places,
	// and only tickets of the request's municipality are cancelled.
	var released []*Ticket
	err = tx.NewUpdate().Model(&released).
		Set("status = ?, cancelled_at = greatest(?, claimed_at)", TicketCancelled, s.now()).
		Where("tk.municipality_id = ? AND tk.id IN (?) AND tk.status = ?", c.mid(), bun.In(ids), TicketClaimed).
		Returning("tk.id, tk.offer_id, tk.stock_slot").
		Scan(ctx)
	if err != nil {
		return database.MapError(err, "release tickets", "ticket")
	}
	cancelled := make([]uuid.UUID, len(released))
	for i, t := range released {
		cancelled[i] = t.ID
	}
	// The wallets holding their passes are told that they are cancelled.
	if err := queueWalletUpdates(ctx, tx, cancelled); err != nil {
		return err
	}
	for _, t := range released {
		if _, err := s.returnUnit(ctx, tx, c.mid(), t.OfferID, t.StockSlot); err != nil {
			return err
		}
		if err := audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(),
			Action: "release_event_card_place", ItemType: "CardTicket", ItemID: &t.ID, Fields: []string{"status"}}); err != nil {
			return err
		}
	}
	return nil
}
