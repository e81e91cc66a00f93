package card

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
)

// ProviderSettlement is what the municipality owes one provider for a period: the
// PURCHASED tickets of the programme's cards redeemed at its offers and their value, and
// the invoices the programme's cards paid it (spends, less reversals, in the period).
// Ore is the whole amount owed.
type ProviderSettlement struct {
	OrganisationID uuid.UUID `bun:"organisation_id"`
	Name           string    `bun:"name"`
	Tickets        int       `bun:"tickets"`
	TicketOre      int64     `bun:"ticket_ore"`
	Invoices       int       `bun:"invoices"`
	InvoiceOre     int64     `bun:"invoice_ore"`
	Ore            int64     `bun:"ore"`
}

// Settlement returns, per provider, the exact number and value of PURCHASED tickets of a
// programme's cards redeemed in a period, and of the invoices its cards paid the provider
// in the period (spends, less reversals) (days in the municipality's time zone, zero:
// open), for paying the providers: the municipality pays only for tickets actually used.
// Unlike CardStatistics it hides no small count, because an invoice must be exact; it
// counts tickets at a provider, which the provider knows already from checking them in,
// and says nothing about cards, agencies, ages or people. Providers come by name, a page
// at a time. Errors: UNAUTHENTICATED, FORBIDDEN (card coordinators and administrators
// only), NOT_FOUND, BAD_USER_INPUT naming "to" (before from), "after" or "before" (a
// cursor of another list).
func (s *Service) Settlement(ctx context.Context, programmeID uuid.UUID, from, to time.Time, page relay.Page) (
	*SettlementConnection, error,
) {
	// SECURITY: the programme's staff settle with its providers.
	c, err := requireRole(ctx, auth.RoleCardCoordinator, auth.RoleAdmin)
	if err != nil {
		return nil, err
	}
	if err := checkPeriod(from, to); err != nil {
		return nil, err
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
	return s.settlementPage(ctx, func() *bun.SelectQuery {
		tickets := s.db.NewSelect().TableExpr("card_tickets AS t").
			ColumnExpr("o.organisation_id, count(*) AS tickets, sum(t.value_ore) AS ticket_ore").
			ColumnExpr("0 AS invoices, 0 AS invoice_ore").
			Join("JOIN cards ca ON ca.id = t.card_id").
			Join("JOIN card_offers o ON o.id = t.offer_id").
			Where("t.municipality_id = ? AND ca.programme_id = ? AND t.status = ? AND t.source = ?",
				c.mid(), programmeID, TicketRedeemed, SourcePurchased).
			Where("t.redeemed_at >= ? AND t.redeemed_at < ?", lo, hi).
			GroupExpr("o.organisation_id")
		invoices := s.db.NewSelect().TableExpr("card_ledger_entries AS e").
			ColumnExpr("i.organisation_id, 0 AS tickets, 0 AS ticket_ore").
			ColumnExpr("count(*) FILTER (WHERE e.kind = 'SPEND') - count(*) FILTER (WHERE e.kind = 'REVERSAL') AS invoices").
			ColumnExpr("-sum(e.amount_ore) AS invoice_ore").
			Join("JOIN card_invoices i ON i.id = e.invoice_id").
			Where("e.municipality_id = ? AND e.programme_id = ? AND e.kind IN ('SPEND', 'REVERSAL')", c.mid(), programmeID).
			Where("e.created_at >= ? AND e.created_at < ?", lo, hi).
			GroupExpr("i.organisation_id")
		return s.db.NewSelect().TableExpr("(?) AS x", tickets.UnionAll(invoices)).
			ColumnExpr("x.organisation_id, org.name").
			ColumnExpr("sum(x.tickets)::int AS tickets, sum(x.ticket_ore)::bigint AS ticket_ore").
			ColumnExpr("sum(x.invoices)::int AS invoices, sum(x.invoice_ore)::bigint AS invoice_ore").
			ColumnExpr("sum(x.ticket_ore + x.invoice_ore)::bigint AS ore").
			Join("JOIN organisations org ON org.id = x.organisation_id").
			GroupExpr("x.organisation_id, org.name")
	}, page)
}
