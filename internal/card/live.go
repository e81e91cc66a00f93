package card

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/live"
)

// Live updates: the writes below announce their changes (live.Notify) in their own
// transaction, so only committed changes are heard; the Watch methods are what a
// subscription calls when it starts and again for each announcement, so a caller who may
// no longer read a thing hears no more of it.

// announceTicket announces that t's status changed.
// The wallets holding its pass are told too (queueWalletUpdates).
func announceTicket(ctx context.Context, tx bun.IDB, t *Ticket) error {
	if err := queueWalletUpdates(ctx, tx, []uuid.UUID{t.ID}); err != nil {
		return err
	}
	return live.Notify(ctx, tx, live.Event{Kind: live.TicketChanged, MunicipalityID: t.MunicipalityID, ID: t.ID})
}

// announceTickets announces that the tickets' statuses changed, in one statement.
func announceTickets(ctx context.Context, tx bun.IDB, tickets []*Ticket) error {
	events := make([]live.Event, len(tickets))
	ids := make([]uuid.UUID, len(tickets))
	for i, t := range tickets {
		events[i] = live.Event{Kind: live.TicketChanged, MunicipalityID: t.MunicipalityID, ID: t.ID}
		ids[i] = t.ID
	}
	if err := queueWalletUpdates(ctx, tx, ids); err != nil {
		return err
	}
	return live.NotifyAll(ctx, tx, events)
}

// announceStock announces that the offer's stock changed.
func announceStock(ctx context.Context, tx bun.IDB, mid, offerID uuid.UUID) error {
	return live.Notify(ctx, tx, live.Event{Kind: live.StockChanged, MunicipalityID: mid, ID: offerID})
}

// announceRedemption announces a door scan: the ticket's change, and the scan at its offer.
func announceRedemption(ctx context.Context, tx bun.IDB, t *Ticket) error {
	if err := queueWalletUpdates(ctx, tx, []uuid.UUID{t.ID}); err != nil {
		return err
	}
	return live.NotifyAll(ctx, tx, []live.Event{
		{Kind: live.TicketChanged, MunicipalityID: t.MunicipalityID, ID: t.ID},
		{Kind: live.DoorScanned, MunicipalityID: t.MunicipalityID, ID: t.OfferID, Ref: t.ID},
	})
}

// WatchTicket returns the ticket with id, with its QR payload, for a caller who may read
// it: who may read the card's tickets (FindCardTickets): its holder (access for an
// anonymous card, or the ID-porten holder or guardian), a CARD_COORDINATOR, or a
// CASEWORKER of the agency that issued the card. A subscription calls it when it starts
// and for each change. Errors: NOT_FOUND (no such ticket here, or one the caller may not
// read), UNAUTHENTICATED, FORBIDDEN, RATE_LIMITED (too many wrong PINs).
func (s *Service) WatchTicket(ctx context.Context, id uuid.UUID, access *CardAccess) (*Ticket, error) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	t := new(Ticket)
	// SECURITY: only a ticket of the request's municipality.
	err = s.db.NewSelect().Model(t).Where("tk.id = ? AND tk.municipality_id = ?", id, c.mid()).Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find ticket", "ticket")
	}
	// SECURITY: checked again for each change: a card erased or a PIN that no longer opens
	// it ends the subscription.
	if err := s.mayReadTickets(ctx, c, t.CardID, access); err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return nil, apperr.NotFoundf("ticket")
		}
		return nil, err
	}
	t.Payload = TicketPayload(c.t.Municipality.Slug, t.Code)
	return t, nil
}

// DoorScan is a ticket checked in at an offer's door, as a second device at the same
// entrance sees it: the code, how many it admits, when; nothing about the holder or card.
type DoorScan struct {
	OfferID   uuid.UUID
	TicketID  uuid.UUID
	Code      string
	Admits    int
	ScannedAt time.Time
}

// WatchDoor returns nil when the caller checks tickets at the offer's door: an OWNER,
// EDITOR or TICKET_CHECKER of the offer's organisation (who may redeem its tickets).
// A subscription calls it when it starts and for each scan. Errors: UNAUTHENTICATED,
// NOT_FOUND (no such offer here, or one the caller does not check tickets for).
func (s *Service) WatchDoor(ctx context.Context, offerID uuid.UUID) error {
	c, err := signedIn(ctx)
	if err != nil {
		return err
	}
	// SECURITY: an offer of the request's municipality whose organisation the caller
	// checks tickets for, as RedeemTicket demands; any other offer is unknown.
	ok, err := s.db.NewSelect().Table("card_offers").TableExpr("organisation_members AS m").
		Where("card_offers.id = ? AND card_offers.municipality_id = ?", offerID, c.mid()).
		Where("m.organisation_id = card_offers.organisation_id AND m.user_id = ? AND m.role IN (?)",
			c.v.User.ID, bun.In(doorRoles)).
		Exists(ctx)
	if err != nil {
		return database.MapError(err, "find offer", "offer")
	}
	if !ok {
		return apperr.NotFoundf("offer")
	}
	return nil
}

// FindDoorScan returns the scan of ticketID at the offer's door, for whom WatchDoor
// allows (checked again here). Errors: as WatchDoor; NOT_FOUND for a ticket of another
// offer or not redeemed.
func (s *Service) FindDoorScan(ctx context.Context, offerID, ticketID uuid.UUID) (*DoorScan, error) {
	if err := s.WatchDoor(ctx, offerID); err != nil {
		return nil, err
	}
	t := new(Ticket)
	// SECURITY: a redeemed ticket of the offer just checked (and so of the municipality).
	err := s.db.NewSelect().Model(t).
		Where("tk.id = ? AND tk.offer_id = ? AND tk.status = ?", ticketID, offerID, TicketRedeemed).
		Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find ticket", "ticket")
	}
	return &DoorScan{OfferID: offerID, TicketID: t.ID, Code: t.FormattedCode(), Admits: t.Admits,
		ScannedAt: *t.RedeemedAt}, nil
}
