package portal

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
)

// Registration is an organisation waiting for the municipality's approval, with who
// registered it (its first owner, as the account was made) and when.
type Registration struct {
	Organisation *Organisation
	// OwnerEmail and OwnerName are nil when the owner's account is gone.
	OwnerEmail   *string
	OwnerName    *string
	RegisteredAt time.Time
}

// RegistrationConnection is a page of registrations, oldest first.
type RegistrationConnection struct {
	Edges    []*RegistrationEdge
	PageInfo *relay.PageInfo

	municipalityID uuid.UUID
}

// RegistrationEdge is a registration in a page, with its cursor.
type RegistrationEdge struct {
	Cursor string
	Node   *Registration
}

// Nodes returns the page's registrations alone.
func (c *RegistrationConnection) Nodes() []*Registration {
	out := make([]*Registration, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node
	}
	return out
}

// orderRegistered is the one order of the registrations list; cursors carry it.
const orderRegistered Order = "REGISTERED"

var registrationSort = sortSpec{order: orderRegistered, expr: "o.created_at", cast: "timestamptz", idCol: "o.id"}

// registrationRow is a PENDING organisation with its first owner and sort value.
type registrationRow struct {
	Organisation `bun:",extend"`
	OwnerEmail   *string `bun:"owner_email,scanonly"`
	OwnerName    *string `bun:"owner_name,scanonly"`
	SortKey      string  `bun:"sort_key,scanonly"`
}

func (r *registrationRow) key() (string, uuid.UUID) { return r.SortKey, r.ID }

// firstOwner joins the organisation's first owner as "own" (email, display_name).
const firstOwner = `LEFT JOIN LATERAL (SELECT u.email, NULLIF(u.display_name, '') AS display_name
	FROM organisation_members m JOIN users u ON u.id = m.user_id
	WHERE m.organisation_id = o.id AND m.role = 'OWNER' ORDER BY m.created_at, u.id LIMIT 1) own ON true`

// FindPendingOrganisations returns a page of the municipality's organisations waiting for
// approval, oldest first. Errors: UNAUTHENTICATED, FORBIDDEN (not an administrator),
// BAD_USER_INPUT naming the cursor argument for a cursor of another list.
func (s *Service) FindPendingOrganisations(ctx context.Context, page relay.Page) (*RegistrationConnection, error) {
	// SECURITY: only an administrator of the request's municipality sees registrations.
	if _, _, err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	sc, err := currentScope(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*registrationRow
	q := withOrganisationTexts(s.db.NewSelect().Model(&rows).ColumnExpr("o.*"), sc.chain).
		ColumnExpr("own.email AS owner_email, own.display_name AS owner_name").
		Join(firstOwner)
	q, err = registrationSort.apply(wherePending(q, sc.municipalityID), page)
	if err != nil {
		return nil, err
	}
	if err := q.Scan(ctx); err != nil {
		return nil, database.MapError(err, "find pending organisations", "organisation")
	}
	rows, cursors, info := pageOf(rows, orderRegistered, page)
	conn := &RegistrationConnection{PageInfo: info, municipalityID: sc.municipalityID}
	for i, r := range rows {
		reg := &Registration{Organisation: &r.Organisation, OwnerEmail: r.OwnerEmail, OwnerName: r.OwnerName, RegisteredAt: r.CreatedAt}
		conn.Edges = append(conn.Edges, &RegistrationEdge{Cursor: cursors[i], Node: reg})
	}
	return conn, nil
}

// CountPendingOrganisations returns how many organisations wait for approval in all.
func (s *Service) CountPendingOrganisations(ctx context.Context, c *RegistrationConnection) (int, error) {
	n, err := wherePending(s.db.NewSelect().TableExpr("organisations AS o"), c.municipalityID).Count(ctx)
	return int(n), database.MapError(err, "count pending organisations", "organisation")
}

// wherePending limits q to the PENDING organisations "o" of municipality mid.
func wherePending(q *bun.SelectQuery, mid uuid.UUID) *bun.SelectQuery {
	return q.Where("o.municipality_id = ? AND o.status = ?", mid, OrganisationPending)
}
