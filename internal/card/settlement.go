package card

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
)

// ProviderSettlement is what the municipality owes one provider for a period: the
// PURCHASED tickets of the programme's cards redeemed at its offers, and their value.
type ProviderSettlement struct {
	OrganisationID uuid.UUID `bun:"organisation_id"`
	Name           string    `bun:"name"`
	Tickets        int       `bun:"tickets"`
	Ore            int64     `bun:"ore"`
}

// Settlement returns, per provider, the exact number and value of PURCHASED tickets of a
// programme's cards redeemed in a period (days in the municipality's time zone, zero:
// open), for paying the providers: the municipality pays only for tickets actually used.
// Unlike CardStatistics it hides no small count, because an invoice must be exact; it
// counts tickets at a provider, which the provider knows already from checking them in,
// and says nothing about cards, agencies, ages or people. Errors: UNAUTHENTICATED,
// FORBIDDEN (card coordinators and administrators only), NOT_FOUND, BAD_USER_INPUT
// naming "to" (before from).
func (s *Service) Settlement(ctx context.Context, programmeID uuid.UUID, from, to time.Time) ([]*ProviderSettlement, error) {
	// SECURITY: the programme's staff settle with its providers.
	c, err := requireRole(ctx, auth.RoleCardCoordinator, auth.RoleAdmin)
	if err != nil {
		return nil, err
	}
	if !from.IsZero() && !to.IsZero() && dateOf(to).Before(dateOf(from)) {
		return nil, apperr.Invalid("to", "ValidityInverted", nil)
	}
	// SECURITY: only a programme of the request's municipality.
	ok, err := s.db.NewSelect().Model((*Programme)(nil)).Where("p.id = ? AND p.municipality_id = ?", programmeID, c.mid()).Exists(ctx)
	if err != nil {
		return nil, database.MapError(err, "find programme", "programme")
	}
	if !ok {
		return nil, apperr.NotFoundf("programme")
	}
	lo, hi := periodBounds(c.t, from, to)
	out := []*ProviderSettlement{}
	err = s.db.NewRaw(`SELECT o.organisation_id, org.name, count(*) AS tickets, sum(t.value_ore) AS ore
		FROM card_tickets t
		JOIN cards ca ON ca.id = t.card_id
		JOIN card_offers o ON o.id = t.offer_id
		JOIN organisations org ON org.id = o.organisation_id
		WHERE t.municipality_id = ? AND ca.programme_id = ? AND t.status = ? AND t.source = ?
		AND t.redeemed_at >= ? AND t.redeemed_at < ?
		GROUP BY o.organisation_id, org.name ORDER BY org.name, o.organisation_id`,
		c.mid(), programmeID, TicketRedeemed, SourcePurchased, lo, hi).Scan(ctx, &out)
	return out, database.MapError(err, "settle tickets", "ticket")
}
