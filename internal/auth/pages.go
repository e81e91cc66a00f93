package auth

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/keyset"
	"github.com/fritid/fritid/internal/platform/relay"
)

// APIKeyConnection is a page of API keys, newest first.
type APIKeyConnection struct {
	Edges    []*APIKeyEdge
	PageInfo *relay.PageInfo
	count    keyset.Counter
}

// APIKeyEdge is an API key in a page, with its cursor.
type APIKeyEdge struct {
	Cursor string
	Node   *APIKey
}

// Nodes returns the page's keys alone.
func (c *APIKeyConnection) Nodes() []*APIKey {
	out := make([]*APIKey, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node
	}
	return out
}

// TotalCount returns how many keys the municipality has.
func (c *APIKeyConnection) TotalCount(ctx context.Context) (int, error) { return c.count(ctx) }

// UserConnection is a page of accounts, by e-mail.
type UserConnection struct {
	Edges    []*UserEdge
	PageInfo *relay.PageInfo
	count    keyset.Counter
}

// UserEdge is an account in a page, with its cursor.
type UserEdge struct {
	Cursor string
	Node   *UserWithRoles
}

// Nodes returns the page's accounts alone.
func (c *UserConnection) Nodes() []*UserWithRoles {
	out := make([]*UserWithRoles, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node
	}
	return out
}

// TotalCount returns how many accounts the municipality has.
func (c *UserConnection) TotalCount(ctx context.Context) (int, error) { return c.count(ctx) }

var (
	apiKeySort = keyset.Spec{Order: "APIKEY", Expr: "k.created_at", Cast: "timestamptz", Desc: true, IDCol: "k.id"}
	// Addresses are stored in lower case, so the default collation orders them plainly.
	userSort = keyset.Spec{Order: "USER", Expr: "u.email", Cast: "text", IDCol: "u.id"}
)

type apiKeyRow struct {
	APIKey  `bun:",extend"`
	SortKey string `bun:"sort_key,scanonly"`
}

func (r *apiKeyRow) key() (string, uuid.UUID) { return r.SortKey, r.ID }

type userRow struct {
	UserWithRoles
	SortKey string `bun:"sort_key,scanonly"`
}

func (r *userRow) key() (string, uuid.UUID) { return r.SortKey, r.ID }

// FindAPIKeys returns a page of the request's municipality's keys, newest first (never
// their tokens). Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT naming "after" or
// "before" for a cursor of another list.
func (s *Service) FindAPIKeys(ctx context.Context, page relay.Page) (*APIKeyConnection, error) {
	// SECURITY: only an administrator sees the municipality's keys (never their tokens).
	v, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	base := func() *bun.SelectQuery {
		return s.db.NewSelect().Model((*APIKey)(nil)).Where("k.municipality_id = ?", v.User.MunicipalityID)
	}
	q, err := apiKeySort.Apply(base().ColumnExpr("k.*"), page)
	if err != nil {
		return nil, err
	}
	var rows []*apiKeyRow
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, database.MapError(err, "find api keys", "api key")
	}
	rows, cursors, info := keyset.Paginate(rows, (*apiKeyRow).key, apiKeySort.Order, page)
	conn := &APIKeyConnection{PageInfo: info, count: keyset.CountOf(base(), "api key")}
	for i, r := range rows {
		conn.Edges = append(conn.Edges, &APIKeyEdge{Cursor: cursors[i], Node: &r.APIKey})
	}
	return conn, nil
}

// FindUsers returns a page of the municipality's accounts by e-mail, with their roles
// (administrators only). Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT naming "after"
// or "before" for a cursor of another list.
func (s *Service) FindUsers(ctx context.Context, page relay.Page) (*UserConnection, error) {
	// SECURITY: only an administrator sees the municipality's accounts.
	v, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	base := func() *bun.SelectQuery {
		return s.db.NewSelect().Model((*User)(nil)).Where("u.municipality_id = ?", v.User.MunicipalityID)
	}
	q := base().
		ColumnExpr("u.*").
		ColumnExpr("ARRAY(SELECT r.role FROM municipal_roles r WHERE r.user_id = u.id ORDER BY r.role) AS roles")
	q, err = userSort.Apply(q, page)
	if err != nil {
		return nil, err
	}
	var rows []*userRow
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, database.MapError(err, "find users", "user")
	}
	rows, cursors, info := keyset.Paginate(rows, (*userRow).key, userSort.Order, page)
	conn := &UserConnection{PageInfo: info, count: keyset.CountOf(base(), "user")}
	for i, r := range rows {
		conn.Edges = append(conn.Edges, &UserEdge{Cursor: cursors[i], Node: &r.UserWithRoles})
	}
	return conn, nil
}
