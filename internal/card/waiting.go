package card

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
)

// Waiting lists: a card may queue for a sold-out offer, first come first served. Every
// unit of stock that comes back to the offer (a cancelled ticket, one expired before the
// offer ends, stock released) goes to the first card in line instead of the stock: the
// place is OFFERED to it and held until its deadline, the unit staying counted as claimed
// in its stock slot so nobody else can take it. The holder accepts it (a ticket, through
// the claim's own checks and statement), declines it, or lets it lapse; then it goes to
// the next in line, or back to the stock when no one waits (returnUnit).
//
// Locks, in order: the card (as a claim), the offer (FOR SHARE, only when joining, against
// stock being released meanwhile), the stock slot, the waiting places. A unit handed out
// locks its slot before it looks for the first in line, so a card joining at the same
// moment (which share-locks the slots to see that nothing is left) is either seen or sees
// the unit. Places are picked with SKIP LOCKED: two units coming back at once go to two
// different cards, never both to one.

// WaitingStatus is where a place in a waiting list is.
type WaitingStatus string

// The waiting statuses; all but WAITING and OFFERED are final.
const (
	WaitingInLine   WaitingStatus = "WAITING"
	WaitingOffered  WaitingStatus = "OFFERED"
	WaitingAccepted WaitingStatus = "ACCEPTED"
	WaitingLeft     WaitingStatus = "LEFT"
	WaitingLapsed   WaitingStatus = "LAPSED"
	WaitingDropped  WaitingStatus = "DROPPED"
)

// WaitingPlace is a card's place in the waiting list of an offer. HoldUntil is the
// deadline of a place OFFERED; TicketID the ticket an accepted place became.
type WaitingPlace struct {
	bun.BaseModel `bun:"table:card_waiting_places,alias:wp"`

	ID             uuid.UUID     `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID     `bun:"municipality_id,type:uuid"`
	OfferID        uuid.UUID     `bun:"offer_id,type:uuid"`
	CardID         uuid.UUID     `bun:"card_id,type:uuid"`
	Status         WaitingStatus `bun:"status"`
	JoinedAt       time.Time     `bun:"joined_at"`
	OfferedAt      *time.Time    `bun:"offered_at"`
	HoldUntil      *time.Time    `bun:"hold_until"`
	StockSlot      *int16        `bun:"stock_slot"`
	TicketID       *uuid.UUID    `bun:"ticket_id,type:uuid"`
	EndedAt        *time.Time    `bun:"ended_at"`

	// Position is the place's position in the line (1: next) while WAITING, else 0; set
	// on the places FindWaitingPlaces returns.
	Position int `bun:"position,scanonly"`
}

// GlobalID returns the place's global ID.
func (w *WaitingPlace) GlobalID() string { return relay.GlobalID("CardWaitingPlace", w.ID) }

// PositionInLine returns the place's position in the line while WAITING, else nil.
func (w *WaitingPlace) PositionInLine() *int {
	if w.Status != WaitingInLine || w.Position == 0 {
		return nil
	}
	return &w.Position
}

// WaitingCounts is the length of an offer's waiting list, without names: cards WAITING,
// and places OFFERED and held for a card.
type WaitingCounts struct {
	Waiting int `bun:"waiting"`
	Held    int `bun:"held"`
}

// WaitingListCountsOfOffers returns the waiting lists' counts (see WaitingListCounts) of
// offers listed together, in one statement: of those the caller runs (staff every offer
// of the municipality, a provider's OWNER and EDITOR members its own); the others are
// missing from the map, and WaitingListCounts says why. Errors: none of its own but the
// database's: a caller who may see none gets an empty map.
func (s *Service) WaitingListCountsOfOffers(ctx context.Context, offerIDs []uuid.UUID) (
	map[uuid.UUID]*WaitingCounts, error,
) {
	out := make(map[uuid.UUID]*WaitingCounts, len(offerIDs))
	c, err := signedIn(ctx)
	if err != nil {
		return out, nil
	}
	var rows []struct {
		ID uuid.UUID `bun:"id"`
		WaitingCounts
	}
	// SECURITY: only offers of the request's municipality, and of those only the ones the
	// caller runs: staff every one, a provider's OWNER and EDITOR members their own.
	err = s.db.NewSelect().
		TableExpr("card_offers AS o").
		ColumnExpr("o.id").
		ColumnExpr("count(w.id) FILTER (WHERE w.status = 'WAITING') AS waiting").
		ColumnExpr("count(w.id) FILTER (WHERE w.status = 'OFFERED') AS held").
		Join("LEFT JOIN card_waiting_places AS w ON w.offer_id = o.id AND w.status IN ('WAITING', 'OFFERED')").
		Where("o.id IN (?) AND o.municipality_id = ?", bun.In(offerIDs), c.mid()).
		Where(`? OR EXISTS (SELECT 1 FROM organisation_members m WHERE m.organisation_id = o.organisation_id
			AND m.user_id = ? AND m.role IN ('OWNER', 'EDITOR'))`, c.has(auth.RoleCardCoordinator, auth.RoleAdmin), c.v.User.ID).
		GroupExpr("o.id").
		Scan(ctx, &rows)
	if err != nil {
		return nil, database.MapError(err, "count waiting lists", "offer")
	}
	for i := range rows {
		out[rows[i].ID] = &rows[i].WaitingCounts
	}
	return out, nil
}

// JoinWaitingList puts a card in line for a sold-out offer: its holder (access as in
// ClaimTicket). The card must be able to claim the offer but for the stock, with the
// checks and errors of ClaimTicket: CARD_NOT_ACTIVE, CARD_EXPIRED, OFFER_NOT_AVAILABLE,
// OFFER_NOT_IN_PROGRAMME, NOT_ELIGIBLE, LIMIT_REACHED, ALLOWANCE_USED; then CONFLICT
// naming "offerId" with reason NOT_SOLD_OUT (a released ticket is left: claim it) or
// ALREADY_WAITING (the card is in this line already). Other errors: UNAUTHENTICATED,
// FORBIDDEN, NOT_FOUND, RATE_LIMITED.
func (s *Service) JoinWaitingList(ctx context.Context, cardID, offerID uuid.UUID, access *CardAccess) (*WaitingPlace, error) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	// SECURITY: only the holder of the card (by number and PIN, or by identity) queues with it.
	if err := s.holdsCard(ctx, c, cardID, access); err != nil {
		return nil, err
	}
	w := &WaitingPlace{ID: newID(), MunicipalityID: c.mid(), OfferID: offerID, CardID: cardID, Status: WaitingInLine}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		row, o, err := s.claimable(ctx, tx, c, cardID, offerID, nil)
		if err != nil {
			return err
		}
		if err := holdsTooMany(ctx, tx, row, o); err != nil {
			return err
		}
		if err := soldOut(ctx, tx, offerID); err != nil {
			return err
		}
		w.JoinedAt = s.now()
		_, err = tx.NewInsert().Model(w).Exec(ctx)
		if database.IsUniqueViolation(err) {
			return &apperr.Error{Code: apperr.Conflict, MessageID: "AlreadyWaiting", Field: "offerId", Reason: "ALREADY_WAITING"}
		}
		if err != nil {
			return database.MapError(err, "join waiting list", "offer")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(),
			Action: "join_card_waiting_list", ItemType: "CardWaitingPlace", ItemID: &w.ID, Fields: []string{"card", "offer"}})
	})
	if err != nil {
		return nil, err
	}
	return s.findWaitingPlace(ctx, c, w.ID)
}

// holdsTooMany refuses a card that holds as many tickets of the offer as one card may, or
// has used its allowance (cancelled tickets not counted). Errors: LIMIT_REACHED,
// ALLOWANCE_USED.
func holdsTooMany(ctx context.Context, tx bun.IDB, row *cardRow, o *ticketOffer) error {
	var ofOffer, all int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE offer_id = ?), count(*)
		FROM card_tickets WHERE card_id = ? AND status <> 'CANCELLED'`, o.ID, row.ID).Scan(&ofOffer, &all)
	if err != nil {
		return database.MapError(err, "count tickets", "ticket")
	}
	return overLimits(&row.Card, &o.Offer, ofOffer, all)
}

// soldOut share-locks the offer (against stock released meanwhile) and its stock slots
// (against a unit handed back meanwhile), and refuses when a released ticket is left.
// Errors: CONFLICT naming "offerId" with reason NOT_SOLD_OUT.
func soldOut(ctx context.Context, tx bun.IDB, offerID uuid.UUID) error {
	if _, err := tx.ExecContext(ctx, "SELECT 1 FROM card_offers WHERE id = ? FOR SHARE", offerID); err != nil {
		return database.MapError(err, "lock offer", "offer")
	}
	var left []bool
	err := tx.NewSelect().Table("card_offer_stock_slots").ColumnExpr("claimed < released").
		Where("offer_id = ?", offerID).For("SHARE").Scan(ctx, &left)
	if err != nil {
		return database.MapError(err, "read stock", "offer")
	}
	for _, l := range left {
		if l {
			return &apperr.Error{Code: apperr.Conflict, MessageID: "OfferNotSoldOut", Field: "offerId", Reason: "NOT_SOLD_OUT"}
		}
	}
	return nil
}

// AcceptWaitingPlace turns a place offered from a waiting list into a ticket, through the
// claim's own checks and statement, before the place's deadline: its holder (access as in
// ClaimTicket). Errors: those of ClaimTicket but SOLD_OUT (the unit is held for the
// card); CONFLICT naming "id" with reason NOT_OFFERED (the place is still waiting, or
// over) or HOLD_EXPIRED (its deadline has passed); NOT_FOUND for a place of a card the
// caller does not hold.
func (s *Service) AcceptWaitingPlace(ctx context.Context, id uuid.UUID, access *CardAccess) (*Ticket, error) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	w, err := s.heldPlace(ctx, c, id, access)
	if err != nil {
		return nil, err
	}
	return s.claim(ctx, func(ctx context.Context) (*Ticket, error) {
		return s.runClaim(ctx, func(ctx context.Context, tx bun.Tx) (*Ticket, error) {
			row, o, err := s.claimable(ctx, tx, c, w.CardID, w.OfferID, nil)
			if err != nil {
				return nil, err
			}
			slot, err := s.releaseHeld(ctx, tx, w.ID)
			if err != nil {
				return nil, err
			}
			t, err := s.writeTicket(ctx, tx, c, row, o, nil, "")
			if err != nil {
				return nil, err
			}
			_, err = tx.NewUpdate().Table("card_waiting_places").
				Set("status = ?, ticket_id = ?, stock_slot = NULL, ended_at = ?", WaitingAccepted, t.ID, t.ClaimedAt).
				Where("id = ? AND stock_slot = ?", w.ID, slot).Exec(ctx)
			if err != nil {
				return nil, database.MapError(err, "accept waiting place", "waiting place")
			}
			return t, audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(),
				Action: "accept_card_waiting_place", ItemType: "CardWaitingPlace", ItemID: &w.ID, Fields: []string{"status", "ticket"}})
		})
	})
}

// heldPlace returns a waiting place of the municipality whose card the caller holds.
// Errors: NOT_FOUND, and those of holdsCard.
func (s *Service) heldPlace(ctx context.Context, c caller, id uuid.UUID, access *CardAccess) (*WaitingPlace, error) {
	w := new(WaitingPlace)
	// SECURITY: only a place of the request's municipality.
	err := s.db.NewSelect().Model(w).Where("wp.id = ? AND wp.municipality_id = ?", id, c.mid()).Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find waiting place", "waiting place")
	}
	// SECURITY: only the holder of the card answers for its place; others' are unknown.
	if err := s.holdsCard(ctx, c, w.CardID, access); err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return nil, apperr.NotFoundf("waiting place")
		}
		return nil, err
	}
	return w, nil
}

// releaseHeld locks an OFFERED place whose deadline has not passed and gives its held unit
// back to its slot, for the claim that follows in the same transaction to take; it
// returns the slot. Errors: CONFLICT naming "id" with reason NOT_OFFERED or HOLD_EXPIRED.
func (s *Service) releaseHeld(ctx context.Context, tx bun.IDB, id uuid.UUID) (int16, error) {
	w := new(WaitingPlace)
	err := tx.NewSelect().Model(w).Where("wp.id = ?", id).For("UPDATE").Scan(ctx)
	if err != nil {
		return 0, database.MapError(err, "find waiting place", "waiting place")
	}
	switch {
	case w.Status != WaitingOffered:
		return 0, &apperr.Error{Code: apperr.Conflict, MessageID: "WaitingPlaceNotOffered", Field: "id", Reason: "NOT_OFFERED"}
	case !s.now().Before(*w.HoldUntil):
		return 0, &apperr.Error{Code: apperr.Conflict, MessageID: "WaitingPlaceExpired", Field: "id", Reason: "HOLD_EXPIRED"}
	}
	_, err = tx.ExecContext(ctx, "UPDATE card_offer_stock_slots SET claimed = claimed - 1 WHERE (offer_id, slot) = (?, ?)",
		w.OfferID, *w.StockSlot)
	return *w.StockSlot, database.MapError(err, "release held place", "offer")
}

// LeaveWaitingList takes a card out of an offer's line: its holder (access as in
// ClaimTicket), while the place is WAITING, or OFFERED to decline it (the unit goes to the
// next in line). Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, RATE_LIMITED, CONFLICT
// naming "id" with reason NOT_WAITING (the place is over).
func (s *Service) LeaveWaitingList(ctx context.Context, id uuid.UUID, access *CardAccess) (*WaitingPlace, error) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	w, err := s.heldPlace(ctx, c, id, access)
	if err != nil {
		return nil, err
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		ended, err := s.endPlaces(ctx, tx, WaitingLeft, false, "wp.id = ?", w.ID)
		if err != nil {
			return err
		}
		if ended == 0 {
			return &apperr.Error{Code: apperr.Conflict, MessageID: "WaitingPlaceOver", Field: "id", Reason: "NOT_WAITING"}
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(),
			Action: "leave_card_waiting_list", ItemType: "CardWaitingPlace", ItemID: &w.ID, Fields: []string{"status"}})
	})
	if err != nil {
		return nil, err
	}
	return s.findWaitingPlace(ctx, c, w.ID)
}

// endPlaces ends the WAITING and OFFERED places matching where (on "wp") with status, and
// hands each unit held for one to the next in line (returnUnit). With skipLocked, places
// another transaction holds are left alone. It returns how many places ended.
func (s *Service) endPlaces(ctx context.Context, tx bun.IDB, status WaitingStatus, skipLocked bool, where string,
	args ...any,
) (int, error) {
	lock := "FOR UPDATE OF wp"
	if skipLocked {
		lock += " SKIP LOCKED"
	}
	var ended []*WaitingPlace
	err := tx.NewRaw(`WITH ended AS (
			SELECT wp.id, wp.stock_slot FROM card_waiting_places wp
			WHERE wp.status IN ('WAITING', 'OFFERED') AND `+where+` `+lock+`)
		UPDATE card_waiting_places w SET status = ?, stock_slot = NULL, ended_at = ?
		FROM ended WHERE w.id = ended.id
		RETURNING w.id, w.municipality_id, w.offer_id, w.card_id, ended.stock_slot`, append(args, status, s.now())...).
		Scan(ctx, &ended)
	if err != nil {
		return 0, database.MapError(err, "end waiting places", "waiting place")
	}
	for _, w := range ended {
		if w.StockSlot == nil {
			continue
		}
		if _, err := s.returnUnit(ctx, tx, w.MunicipalityID, w.OfferID, *w.StockSlot); err != nil {
			return 0, err
		}
	}
	return len(ended), nil
}

// returnUnit gives back one unit of an offer's stock counted as claimed in slot (a
// cancelled ticket's, one expired early, or a place declined or lapsed): to the first card
// in the offer's line whose card is ACTIVE, held for it until the offer's WaitingHoldHours
// have passed (or the offer closes, if sooner), with its notice; else, and when the offer
// is not PUBLISHED or has closed, back to the slot's stock. It returns the place offered,
// or nil.
func (s *Service) returnUnit(ctx context.Context, tx bun.IDB, mid, offerID uuid.UUID, slot int16) (*WaitingPlace, error) {
	if err := announceStock(ctx, tx, mid, offerID); err != nil {
		return nil, err
	}
	o := new(Offer)
	// The slot first: a card joining the line share-locks the slots, so it either is seen
	// below or sees the unit back in the stock.
	err := tx.NewSelect().Model(o).Column("o.id", "o.status", "o.valid_to", "o.event_at", "o.waiting_hold_hours").
		Join("JOIN card_offer_stock_slots AS s ON s.offer_id = o.id AND s.slot = ?", slot).
		Where("o.id = ? AND o.municipality_id = ?", offerID, mid).For("UPDATE OF s").Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "lock stock slot", "offer")
	}
	now := s.now()
	until := now.Add(time.Duration(o.WaitingHoldHours) * time.Hour)
	if closes := offerCloses(o); closes.Before(until) {
		until = closes
	}
	if o.Status == OfferPublished && until.After(now) {
		w := new(WaitingPlace)
		err := tx.NewRaw(`UPDATE card_waiting_places SET status = 'OFFERED', stock_slot = ?, offered_at = ?, hold_until = ?
			WHERE id = (SELECT wp.id FROM card_waiting_places wp JOIN cards c ON c.id = wp.card_id AND c.status = 'ACTIVE'
				WHERE wp.offer_id = ? AND wp.status = 'WAITING' ORDER BY wp.joined_at, wp.id
				LIMIT 1 FOR UPDATE OF wp SKIP LOCKED)
			RETURNING *`, slot, now, until, offerID).Scan(ctx, w)
		switch {
		case err == nil:
			return w, s.placeOffered(ctx, tx, w)
		case !errors.Is(err, sql.ErrNoRows):
			return nil, database.MapError(err, "offer waiting place", "waiting place")
		}
	}
	_, err = tx.ExecContext(ctx, "UPDATE card_offer_stock_slots SET claimed = claimed - 1 WHERE (offer_id, slot) = (?, ?)",
		offerID, slot)
	return nil, database.MapError(err, "return stock", "offer")
}

// placeOffered audits a place just offered and tells its holder.
func (s *Service) placeOffered(ctx context.Context, tx bun.IDB, w *WaitingPlace) error {
	err := audit.Append(ctx, tx, &audit.Entry{MunicipalityID: w.MunicipalityID, Action: "offer_card_waiting_place",
		ItemType: "CardWaitingPlace", ItemID: &w.ID, Fields: []string{"status", "holdUntil"}})
	if err != nil {
		return err
	}
	return s.notify(ctx, tx, &Notice{Kind: NoticeWaitingPlace, MunicipalityID: w.MunicipalityID, CardID: w.CardID,
		OfferID: &w.OfferID, Until: w.HoldUntil})
}

// offerReleased hands up to amount units of stock just released for an offer to the cards
// in its line, one each, taking each unit from a slot with stock as a claim would.
func (s *Service) offerReleased(ctx context.Context, tx bun.IDB, o *Offer, amount int) error {
	for range amount {
		var slot int16
		err := tx.QueryRowContext(ctx, `UPDATE card_offer_stock_slots SET claimed = claimed + 1
			WHERE (offer_id, slot) = (SELECT offer_id, slot FROM card_offer_stock_slots
				WHERE offer_id = ? AND claimed < released ORDER BY slot LIMIT 1 FOR UPDATE)
			AND EXISTS (SELECT 1 FROM card_waiting_places WHERE offer_id = ? AND status = 'WAITING')
			RETURNING slot`, o.ID, o.ID).Scan(&slot)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // no one waits, or every released ticket is claimed already
		}
		if err != nil {
			return database.MapError(err, "hold released stock", "offer")
		}
		w, err := s.returnUnit(ctx, tx, o.MunicipalityID, o.ID, slot)
		if err != nil {
			return err
		}
		if w == nil {
			return nil // the unit went back to the stock: no one in line can take it
		}
	}
	return nil
}

// FindWaitingPlaces returns a card's places in waiting lists, newest first, with their
// positions: for its holder alone (access as in ClaimTicket); staff see only how long a
// line is (WaitingListCounts). Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, RATE_LIMITED.
func (s *Service) FindWaitingPlaces(ctx context.Context, cardID uuid.UUID, access *CardAccess) ([]*WaitingPlace, error) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	// SECURITY: the holder alone sees where the card stands in line.
	if err := s.holdsCard(ctx, c, cardID, access); err != nil {
		return nil, err
	}
	var out []*WaitingPlace
	err = waitingQuery(s.db, &out).Where("wp.card_id = ? AND wp.municipality_id = ?", cardID, c.mid()).
		OrderExpr("wp.joined_at DESC, wp.id DESC").Limit(maxOffers).Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find waiting places", "waiting place")
	}
	return out, nil
}

// findWaitingPlace returns a place with its position, as its holder sees it.
func (s *Service) findWaitingPlace(ctx context.Context, c caller, id uuid.UUID) (*WaitingPlace, error) {
	w := new(WaitingPlace)
	err := waitingQuery(s.db, w).Where("wp.id = ? AND wp.municipality_id = ?", id, c.mid()).Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find waiting place", "waiting place")
	}
	return w, nil
}

// waitingQuery selects places into dest with their positions.
func waitingQuery(db bun.IDB, dest any) *bun.SelectQuery {
	return db.NewSelect().Model(dest).ColumnExpr("wp.*").
		ColumnExpr(`CASE WHEN wp.status = 'WAITING' THEN (SELECT count(*) FROM card_waiting_places q
			WHERE q.offer_id = wp.offer_id AND q.status = 'WAITING' AND (q.joined_at, q.id) <= (wp.joined_at, wp.id))
			ELSE 0 END AS position`)
}

// WaitingListCounts returns how long an offer's waiting list is, without names: for card
// coordinators and administrators, and the OWNER and EDITOR members of its provider.
// Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND.
func (s *Service) WaitingListCounts(ctx context.Context, offerID uuid.UUID) (*WaitingCounts, error) {
	c, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	var org uuid.UUID
	// SECURITY: only an offer of the request's municipality.
	err = s.db.NewSelect().Table("card_offers").Column("organisation_id").
		Where("id = ? AND municipality_id = ?", offerID, c.mid()).Scan(ctx, &org)
	if err != nil {
		return nil, database.MapError(err, "find offer", "offer")
	}
	// SECURITY: those who run the offer: staff, and its provider's OWNER and EDITOR members.
	if !c.has(auth.RoleCardCoordinator, auth.RoleAdmin) {
		if err := s.canManageOffers(ctx, s.db, c, org, "offerId"); err != nil {
			return nil, err
		}
	}
	n := new(WaitingCounts)
	err = s.db.NewSelect().
		Table("card_waiting_places").
		ColumnExpr("count(*) FILTER (WHERE status = 'WAITING') AS waiting").
		ColumnExpr("count(*) FILTER (WHERE status = 'OFFERED') AS held").
		Where("offer_id = ? AND status IN ('WAITING', 'OFFERED')", offerID).
		Scan(ctx, n)
	if err != nil {
		return nil, database.MapError(err, "count waiting list", "offer")
	}
	return n, nil
}
