package card

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/keyset"
	"github.com/fritid/fritid/internal/platform/relay"
)

// FindProgrammePage returns a page of the programmes the caller may see (see
// FindProgrammes), newest first. Errors: BAD_USER_INPUT naming "after" or "before" for a
// cursor of another list.
func (s *Service) FindProgrammePage(ctx context.Context, page relay.Page) (*ProgrammeConnection, error) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*programmeRow
	q, err := programmeSort.Apply(programmeQuery(ctx, s.db, c), page)
	if err != nil {
		return nil, err
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, database.MapError(err, "find programmes", "programme")
	}
	rows, cursors, info := keyset.Paginate(rows, (*programmeRow).key, programmeSort.Order, page)
	conn := &ProgrammeConnection{PageInfo: info, count: keyset.CountOf(programmeQuery(ctx, s.db, c), "programme")}
	for i, r := range rows {
		conn.Edges = append(conn.Edges, &ProgrammeEdge{Cursor: cursors[i], Node: &r.Programme})
	}
	return conn, nil
}

// FindAgencyPage returns a page of the municipality's agencies by name (card coordinators,
// administrators and caseworkers). Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT
// naming "after" or "before" for a cursor of another list.
func (s *Service) FindAgencyPage(ctx context.Context, page relay.Page) (*AgencyConnection, error) {
	// SECURITY: staff of the card only.
	c, err := requireRole(ctx, auth.RoleCardCoordinator, auth.RoleAdmin, auth.RoleCaseworker)
	if err != nil {
		return nil, err
	}
	// SECURITY: the request's municipality's agencies only.
	base := func() *bun.SelectQuery {
		return s.db.NewSelect().Model((*Agency)(nil)).Where("ag.municipality_id = ?", c.mid())
	}
	var rows []*agencyRow
	q, err := agencySort.Apply(base().ColumnExpr("ag.*"), page)
	if err != nil {
		return nil, err
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, database.MapError(err, "find agencies", "agency")
	}
	rows, cursors, info := keyset.Paginate(rows, (*agencyRow).key, agencySort.Order, page)
	conn := &AgencyConnection{PageInfo: info, count: keyset.CountOf(base(), "agency")}
	for i, r := range rows {
		conn.Edges = append(conn.Edges, &AgencyEdge{Cursor: cursors[i], Node: &r.Agency})
	}
	return conn, nil
}

// FindOffers returns a page of the offers the caller may see that match f, soonest first:
// card coordinators and administrators see all; a provider's members see its own; everyone
// else the PUBLISHED offers of ACTIVE programmes. Errors: BAD_USER_INPUT naming "after" or
// "before" for a cursor of another list.
func (s *Service) FindOffers(ctx context.Context, f OfferFilter, page relay.Page) (*OfferConnection, error) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	base := func() *bun.SelectQuery { return filterOffers(offerQuery(ctx, s.db, c), f) }
	var rows []*offerRow
	q, err := offerSort.Apply(base(), page)
	if err != nil {
		return nil, err
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, database.MapError(err, "find offers", "offer")
	}
	rows, cursors, info := keyset.Paginate(rows, (*offerRow).key, offerSort.Order, page)
	conn := &OfferConnection{PageInfo: info, count: keyset.CountOf(base(), "offer")}
	for i, r := range rows {
		conn.Edges = append(conn.Edges, &OfferEdge{Cursor: cursors[i], Node: &r.Offer})
	}
	return conn, nil
}

// filterOffers narrows an offer query by f.
func filterOffers(q *bun.SelectQuery, f OfferFilter) *bun.SelectQuery {
	if f.ProgrammeID != nil {
		q = q.Where("EXISTS (SELECT 1 FROM card_offer_programmes op WHERE op.offer_id = o.id AND op.programme_id = ?)",
			*f.ProgrammeID)
	}
	if f.OrganisationID != nil {
		q = q.Where("o.organisation_id = ?", *f.OrganisationID)
	}
	if f.Status != nil {
		q = q.Where("o.status = ?", *f.Status)
	}
	return q
}

// cardPage returns the page of the cards base selects (on "c", holders joined as "h"),
// newest first, with their holders.
func (s *Service) cardPage(ctx context.Context, base func() *bun.SelectQuery, page relay.Page) (
	*CardConnection, error,
) {
	var rows []*cardRow
	q, err := cardSort.Apply(base().ColumnExpr("c.*").ColumnExpr(holderColumns), page)
	if err != nil {
		return nil, err
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, database.MapError(err, "find cards", "card")
	}
	rows, cursors, info := keyset.Paginate(rows, (*cardRow).key, cardSort.Order, page)
	conn := &CardConnection{PageInfo: info, count: keyset.CountOf(base(), "card")}
	for i, r := range rows {
		conn.Edges = append(conn.Edges, &CardEdge{Cursor: cursors[i], Node: r.card()})
	}
	return conn, nil
}

// settlementPage returns the page of the per-provider sums grouped selects (organisation_id,
// name, tickets, ore), by name.
func (s *Service) settlementPage(ctx context.Context, grouped func() *bun.SelectQuery, page relay.Page) (
	*SettlementConnection, error,
) {
	outer := func() *bun.SelectQuery { return s.db.NewSelect().TableExpr("(?) AS s", grouped()) }
	var rows []*settlementRow
	q, err := settlementSort.Apply(outer().ColumnExpr("s.*"), page)
	if err != nil {
		return nil, err
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, database.MapError(err, "settle tickets", "ticket")
	}
	rows, cursors, info := keyset.Paginate(rows, (*settlementRow).key, settlementSort.Order, page)
	conn := &SettlementConnection{PageInfo: info, count: keyset.CountOf(outer(), "ticket")}
	for i, r := range rows {
		conn.Edges = append(conn.Edges, &SettlementEdge{Cursor: cursors[i], Node: &r.ProviderSettlement})
	}
	return conn, nil
}

// checkPeriod returns BAD_USER_INPUT naming "to" when a period ends before it starts.
func checkPeriod(from, to time.Time) error {
	if !from.IsZero() && !to.IsZero() && dateOf(to).Before(dateOf(from)) {
		return apperr.Invalid("to", "ValidityInverted", nil)
	}
	return nil
}
