package card

import (
	"context"
	"slices"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
)

// ClaimableOffers returns the offers a card may claim now, by the same checks a claim
// makes (with the card's tickets counted once, not per offer): published and open, in the
// card's programme, the holder's age inside the offer's range, under the offer's per-card
// limit and the card's allowance, with released tickets left. A card that cannot claim
// (suspended, expired) has none. The answer is the same whoever asks, and these may:
// the holder, as for ClaimTicket (access for an anonymous card, or a resident signed in
// with ID-porten), and those who allocate tickets to the card: a CARD_COORDINATOR, or a
// CASEWORKER of the agency that issued it. Errors: UNAUTHENTICATED, FORBIDDEN (also a card
// such staff do not manage, whether it exists or not), NOT_FOUND, RATE_LIMITED.
func (s *Service) ClaimableOffers(ctx context.Context, cardID uuid.UUID, access *CardAccess) ([]*Offer, error) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	// SECURITY: the holder, or the staff who manage the card (seesClaimable).
	if err := s.seesClaimable(ctx, c, cardID, access); err != nil {
		return nil, err
	}
	m, err := s.claimableOf(ctx, c, []uuid.UUID{cardID}, nil)
	if err != nil {
		return nil, err
	}
	out, ok := m[cardID]
	if !ok {
		return nil, apperr.NotFoundf("card")
	}
	return out, nil
}

// ClaimableOffersOfCards returns, as ClaimableOffers, what each of many cards may claim,
// with a fixed number of statements whatever the number of cards: for a CARD_COORDINATOR,
// or a CASEWORKER for the cards their agency issued (any other card is left out). It
// serves lists of cards, such as a caseworker's page of their agency's cards. Errors:
// UNAUTHENTICATED, FORBIDDEN.
func (s *Service) ClaimableOffersOfCards(ctx context.Context, cardIDs []uuid.UUID) (map[uuid.UUID][]*Offer, error) {
	c, agencyID, err := s.cardStaff(ctx)
	if err != nil {
		return nil, err
	}
	return s.claimableOf(ctx, c, cardIDs, agencyID)
}

// cardStaff returns the caller when they are staff who allocate tickets and see cards
// listed: a card coordinator (agency nil: every card of the municipality) or a caseworker,
// with the agency whose cards alone they see. Errors: UNAUTHENTICATED, FORBIDDEN.
func (s *Service) cardStaff(ctx context.Context) (c caller, agencyID *uuid.UUID, err error) {
	// SECURITY: the staff who allocate tickets.
	c, err = requireRole(ctx, auth.RoleCardCoordinator, auth.RoleCaseworker)
	if err != nil {
		return c, nil, err
	}
	if !c.has(auth.RoleCardCoordinator) {
		// SECURITY: a caseworker for the cards of their own agency only.
		ag, err := caseworkerAgency(ctx, s.db, c)
		if err != nil {
			return c, nil, err
		}
		agencyID = &ag.ID
	}
	return c, agencyID, nil
}

// seesClaimable returns nil when the caller may see what the card may claim. Errors:
// UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, RATE_LIMITED.
func (s *Service) seesClaimable(ctx context.Context, c caller, cardID uuid.UUID, access *CardAccess) error {
	if access != nil || c.v == nil || c.v.User == nil || !c.has(auth.RoleCardCoordinator, auth.RoleCaseworker) {
		// SECURITY: the holder, by number and PIN or by identity.
		return s.holdsCard(ctx, c, cardID, access)
	}
	// SECURITY: a card coordinator for any card of the municipality, a caseworker for a card
	// their agency issued; any other card is refused alike, whether it exists or not.
	err := staffSeesCard(ctx, s.db, c, cardID)
	if apperr.CodeOf(err) == apperr.NotFound {
		return apperr.New(apperr.Forbidden, "")
	}
	return err
}

// claimableOf returns what each card of the municipality among ids may claim now (only
// cards agencyID issued, when given); a card not found has no entry.
func (s *Service) claimableOf(ctx context.Context, c caller, ids []uuid.UUID, agencyID *uuid.UUID) (map[uuid.UUID][]*Offer, error) {
	out := map[uuid.UUID][]*Offer{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := claimCards(ctx, s.db, c, ids, agencyID)
	if err != nil {
		return nil, err
	}
	now, today := s.now(), s.today(c.t)
	var usable []*cardRow
	for _, row := range rows {
		out[row.ID] = []*Offer{}
		if cardUsable(&row.Card, today) == nil {
			usable = append(usable, row)
		}
	}
	if len(usable) == 0 {
		return out, nil
	}
	offers, err := claimCandidates(ctx, s.db, c, usable)
	if err != nil {
		return nil, err
	}
	held, err := heldTickets(ctx, s.db, usable)
	if err != nil {
		return nil, err
	}
	for _, row := range usable {
		for _, o := range offers {
			in := &ticketOffer{Offer: *o, InProgramme: slices.Contains(o.ProgrammeIDs, row.ProgrammeID)}
			if offerClaimable(in, row, now, today) == nil && overLimits(&row.Card, o, held[row.ID].ofOffer[o.ID], held[row.ID].all) == nil {
				out[row.ID] = append(out[row.ID], o)
			}
		}
	}
	return out, nil
}

// claimCards returns the cards of the municipality among ids with their holders' birth
// dates (only those agencyID issued, when given).
func claimCards(ctx context.Context, db bun.IDB, c caller, ids []uuid.UUID, agencyID *uuid.UUID) ([]*cardRow, error) {
	var rows []*cardRow
	// SECURITY: only cards of the request's municipality (and of the agency, when given).
	q := db.NewSelect().Model(&rows).ColumnExpr("c.*").ColumnExpr(holderColumns).
		Join("LEFT JOIN card_persons h ON h.id = c.holder_id").
		Where("c.id IN (?) AND c.municipality_id = ?", bun.In(ids), c.mid())
	if agencyID != nil {
		q = q.Where("c.agency_id = ?", *agencyID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, database.MapError(err, "find cards", "card")
	}
	return rows, nil
}

// claimCandidates returns the published offers with released tickets left in the cards'
// programmes, as the public sees them, so the answer does not depend on who asks.
func claimCandidates(ctx context.Context, db bun.IDB, c caller, rows []*cardRow) ([]*Offer, error) {
	programmes := make([]uuid.UUID, 0, len(rows))
	for _, row := range rows {
		programmes = append(programmes, row.ProgrammeID)
	}
	var offers []*Offer
	err := offerQuery(ctx, db, caller{t: c.t}).
		Where("o.status = ? AND "+offerHasStock, OfferPublished).
		Where("EXISTS (SELECT 1 FROM card_offer_programmes op WHERE op.offer_id = o.id AND op.programme_id IN (?))",
			bun.In(unique(programmes))).
		OrderExpr("o.valid_from, o.id").
		Limit(maxOffers).
		Scan(ctx, &offers)
	if err != nil {
		return nil, database.MapError(err, "find claimable offers", "offer")
	}
	return offers, nil
}

// heldCount is how many tickets a card holds, cancelled ones not counted: in all and of
// each offer.
type heldCount struct {
	all     int
	ofOffer map[uuid.UUID]int
}

// heldTickets counts the tickets each card holds.
func heldTickets(ctx context.Context, db bun.IDB, rows []*cardRow) (map[uuid.UUID]heldCount, error) {
	ids := make([]uuid.UUID, len(rows))
	for i, row := range rows {
		ids[i] = row.ID
	}
	var counts []struct {
		CardID  uuid.UUID `bun:"card_id"`
		OfferID uuid.UUID `bun:"offer_id"`
		N       int       `bun:"n"`
	}
	err := db.NewSelect().Table("card_tickets").Column("card_id", "offer_id").ColumnExpr("count(*) AS n").
		Where("card_id IN (?) AND status <> ?", bun.In(ids), TicketCancelled).Group("card_id", "offer_id").Scan(ctx, &counts)
	if err != nil {
		return nil, database.MapError(err, "count tickets", "ticket")
	}
	out := map[uuid.UUID]heldCount{}
	for _, n := range counts {
		h := out[n.CardID]
		if h.ofOffer == nil {
			h.ofOffer = map[uuid.UUID]int{}
		}
		h.all += n.N
		h.ofOffer[n.OfferID] = n.N
		out[n.CardID] = h
	}
	return out, nil
}
