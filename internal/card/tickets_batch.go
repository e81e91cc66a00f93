package card

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/database"
)

// FindTicketsOfCards returns the tickets of many cards with one query, newest first per
// card, each with its QR payload: for a CARD_COORDINATOR, or a CASEWORKER for the cards
// their agency issued (any other card is left out, as if it had no tickets). It serves
// lists of cards, such as a caseworker's page of their agency's cards. Errors:
// UNAUTHENTICATED, FORBIDDEN.
func (s *Service) FindTicketsOfCards(ctx context.Context, cardIDs []uuid.UUID) (map[uuid.UUID][]*Ticket, error) {
	c, err := requireRole(ctx, auth.RoleCardCoordinator, auth.RoleCaseworker)
	if err != nil {
		return nil, err
	}
	out := map[uuid.UUID][]*Ticket{}
	if len(cardIDs) == 0 {
		return out, nil
	}
	var tickets []*Ticket
	// SECURITY: only tickets of cards of the request's municipality.
	q := s.db.NewSelect().Model(&tickets).Join("JOIN cards AS c ON c.id = tk.card_id").
		Where("tk.card_id IN (?) AND tk.municipality_id = ? AND c.municipality_id = ?", bun.In(cardIDs), c.mid(), c.mid())
	if !c.has(auth.RoleCardCoordinator) {
		// SECURITY: a caseworker sees the tickets of their own agency's cards only.
		ag, err := caseworkerAgency(ctx, s.db, c)
		if err != nil {
			return nil, err
		}
		q = q.Where("c.agency_id = ?", ag.ID)
	}
	if err := q.OrderExpr("tk.card_id, tk.claimed_at DESC, tk.id DESC").Scan(ctx); err != nil {
		return nil, database.MapError(err, "find tickets", "ticket")
	}
	for _, t := range tickets {
		t.Payload = TicketPayload(c.t.Municipality.Slug, t.Code)
		out[t.CardID] = append(out[t.CardID], t)
	}
	return out, nil
}
