package card

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/keyset"
	"github.com/fritid/fritid/internal/platform/relay"
)

// maxCardInvoices is the most invoices a card's list returns.
const maxCardInvoices = 200

// FindCardInvoices returns the invoices posted to a card, newest first (at most 200), to
// whoever may see its balance (see CardBalance): the holder finds here what to accept.
// Errors: as CardBalance.
func (s *Service) FindCardInvoices(ctx context.Context, cardID uuid.UUID, access *CardAccess) ([]*Invoice, error) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	// SECURITY: those who see what the card may claim see what is billed to it.
	if err := s.seesClaimable(ctx, c, cardID, access); err != nil {
		return nil, err
	}
	out := []*Invoice{}
	// SECURITY: only invoices of the request's municipality.
	err = s.db.NewSelect().Model(&out).Where("inv.card_id = ? AND inv.municipality_id = ?", cardID, c.mid()).
		OrderExpr("inv.posted_at DESC, inv.id DESC").Limit(maxCardInvoices).Scan(ctx)
	return out, database.MapError(err, "find invoices", "invoice")
}

// InvoiceConnection is a page of a provider's invoices, newest first.
type InvoiceConnection struct {
	Edges    []*InvoiceEdge
	PageInfo *relay.PageInfo
	count    keyset.Counter
}

// InvoiceEdge is an invoice in a page, with its cursor.
type InvoiceEdge struct {
	Cursor string
	Node   *Invoice
}

// Nodes returns the page's invoices alone.
func (c *InvoiceConnection) Nodes() []*Invoice {
	return nodes(c.Edges, func(e *InvoiceEdge) *Invoice { return e.Node })
}

// TotalCount returns how many invoices match in all.
func (c *InvoiceConnection) TotalCount(ctx context.Context) (int, error) { return c.count(ctx) }

var invoiceSort = keyset.Spec{Order: "INVOICE", Expr: "inv.posted_at", Cast: "timestamptz", Desc: true, IDCol: "inv.id"}

type invoiceRow struct {
	Invoice `bun:",extend"`
	SortKey string `bun:"sort_key,scanonly"`
}

func (r *invoiceRow) key() (string, uuid.UUID) { return r.SortKey, r.ID }

// FindOrganisationInvoices returns a page of the invoices a provider posted, newest first,
// with status when given: to its OWNER and EDITOR members, card coordinators and
// administrators. Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT naming
// "organisationId" (no such organisation here), "after" or "before".
func (s *Service) FindOrganisationInvoices(ctx context.Context, orgID uuid.UUID, status *InvoiceStatus, page relay.Page) (
	*InvoiceConnection, error,
) {
	c, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	if !c.staff() {
		// SECURITY: a provider's OWNER and EDITOR members see its invoices.
		if err := s.memberOf(ctx, s.db, c, orgID, "OWNER", "EDITOR"); err != nil {
			return nil, err
		}
	}
	// SECURITY: only invoices of the request's municipality.
	base := func() *bun.SelectQuery {
		q := s.db.NewSelect().
			Model((*Invoice)(nil)).
			Where("inv.organisation_id = ? AND inv.municipality_id = ?", orgID, c.mid())
		if status != nil {
			q = q.Where("inv.status = ?", *status)
		}
		return q
	}
	var rows []*invoiceRow
	q, err := invoiceSort.Apply(base().ColumnExpr("inv.*"), page)
	if err != nil {
		return nil, err
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, database.MapError(err, "find invoices", "invoice")
	}
	rows, cursors, info := keyset.Paginate(rows, (*invoiceRow).key, invoiceSort.Order, page)
	conn := &InvoiceConnection{PageInfo: info, count: keyset.CountOf(base(), "invoice")}
	for i, r := range rows {
		conn.Edges = append(conn.Edges, &InvoiceEdge{Cursor: cursors[i], Node: &r.Invoice})
	}
	return conn, nil
}
