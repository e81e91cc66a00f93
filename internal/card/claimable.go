package card

import (
	"context"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/database"
)

// ClaimableOffers returns the offers a held card may claim now, by the same checks a claim
// makes (with the card's tickets counted once, not per offer): published and open, in the card's programme, the holder's age inside the offer's
// range, under the offer's per-card limit and the card's allowance, with released tickets
// left. The caller holds the card as for ClaimTicket (access for an anonymous card, or a
// resident signed in with ID-porten). A card that cannot claim (suspended, expired) has
// none. Errors: as ClaimTicket's access errors (UNAUTHENTICATED, FORBIDDEN, NOT_FOUND,
// RATE_LIMITED).
func (s *Service) ClaimableOffers(ctx context.Context, cardID uuid.UUID, access *CardAccess) ([]*Offer, error) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	// SECURITY: only the holder of the card sees what it may claim.
	if err := s.holdsCard(ctx, c, cardID, access); err != nil {
		return nil, err
	}
	row := new(cardRow)
	err = s.db.NewSelect().Model(row).ColumnExpr("c.*").ColumnExpr(holderColumns).
		Join("LEFT JOIN card_persons h ON h.id = c.holder_id").
		Where("c.id = ? AND c.municipality_id = ?", cardID, c.mid()).Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find card", "card")
	}
	now, today := s.now(), s.today(c.t)
	out := []*Offer{}
	if cardUsable(&row.Card, today) != nil {
		return out, nil
	}
	var offers []*Offer
	err = offerQuery(ctx, s.db, c).
		Where("o.status = ? AND o.claimed < o.released", OfferPublished).
		Where("EXISTS (SELECT 1 FROM card_offer_programmes op WHERE op.offer_id = o.id AND op.programme_id = ?)", row.ProgrammeID).
		OrderExpr("o.valid_from, o.id").Limit(maxOffers).Scan(ctx, &offers)
	if err != nil {
		return nil, database.MapError(err, "find claimable offers", "offer")
	}
	var held []struct {
		OfferID uuid.UUID `bun:"offer_id"`
		N       int       `bun:"n"`
	}
	err = s.db.NewSelect().Table("card_tickets").Column("offer_id").ColumnExpr("count(*) AS n").
		Where("card_id = ? AND status <> ?", cardID, TicketCancelled).Group("offer_id").Scan(ctx, &held)
	if err != nil {
		return nil, database.MapError(err, "count tickets", "ticket")
	}
	ofOffer, all := map[uuid.UUID]int{}, 0
	for _, h := range held {
		ofOffer[h.OfferID], all = h.N, all+h.N
	}
	for _, o := range offers {
		if offerClaimable(&ticketOffer{Offer: *o, InProgramme: true}, row, now, today) != nil ||
			overLimits(&row.Card, o, ofOffer[o.ID], all) != nil {
			continue
		}
		out = append(out, o)
	}
	return out, nil
}
