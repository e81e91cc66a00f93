// Package audit writes the append-only audit log: who did what to which item, when, in
// which request, and which fields changed (never the values of personal fields). Entries
// are written in the same transaction as the change they describe.
package audit

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/httpserver"
	"github.com/fritid/fritid/internal/platform/keyset"
	"github.com/fritid/fritid/internal/platform/relay"
)

// Entry is one line of the audit log.
type Entry struct {
	bun.BaseModel `bun:"table:audit_log"`

	ID             uuid.UUID  `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID  `bun:"municipality_id,type:uuid"`
	ActorID        *uuid.UUID `bun:"actor_id,type:uuid"`
	Action         string     `bun:"action"`
	ItemType       string     `bun:"item_type"`
	ItemID         *uuid.UUID `bun:"item_id,type:uuid"`
	Fields         []string   `bun:"fields,array"`
	// Note is a written reason the action needed (an override of a stopper warning). It
	// may be personal data: it is cleared when the person it concerns is erased.
	Note      *string   `bun:"note"`
	RequestID string    `bun:"request_id"`
	CreatedAt time.Time `bun:"created_at,nullzero,notnull,default:current_timestamp"`
}

// Append writes e on db (a transaction, normally), filling its ID and the request ID.
func Append(ctx context.Context, db bun.IDB, e *Entry) error {
	e.ID = uuid.Must(uuid.NewV7())
	e.RequestID = httpserver.RequestIDFromContext(ctx)
	if e.Fields == nil {
		e.Fields = []string{}
	}
	_, err := db.NewInsert().Model(e).Returning("created_at").Exec(ctx)
	return database.MapError(err, "append audit entry", "audit entry")
}

// Filter narrows the audit log; empty fields do not filter.
type Filter struct {
	Action  string
	ItemID  *uuid.UUID
	ActorID *uuid.UUID
	Since   *time.Time
	Until   *time.Time
}

// Connection is a page of the audit log, newest first.
type Connection struct {
	Edges    []*Edge
	PageInfo *relay.PageInfo
	count    keyset.Counter
}

// Edge is an entry in a page, with its cursor.
type Edge struct {
	Cursor string
	Node   *Entry
}

// Nodes returns the page's entries alone.
func (c *Connection) Nodes() []*Entry {
	out := make([]*Entry, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node
	}
	return out
}

// TotalCount returns how many entries match the filter in all.
func (c *Connection) TotalCount(ctx context.Context) (int, error) { return c.count(ctx) }

// entrySort is the audit log's one order, newest first.
var entrySort = keyset.Spec{Order: "AUDIT", Expr: "created_at", Cast: "timestamptz", Desc: true, IDCol: "id"}

// entryRow is an entry with its sort value, as a page scans it.
type entryRow struct {
	Entry   `bun:",extend"`
	SortKey string `bun:"sort_key,scanonly"`
}

func (r *entryRow) key() (string, uuid.UUID) { return r.SortKey, r.ID }

// Find returns a page of the municipality's audit log matching f, newest first. The caller
// has checked that the viewer may read it. Errors: BAD_USER_INPUT naming "after" or
// "before" for a bad cursor.
func Find(ctx context.Context, db bun.IDB, mid uuid.UUID, f Filter, page relay.Page) (*Connection, error) {
	base := func() *bun.SelectQuery { return filter(db.NewSelect().Model((*Entry)(nil)), mid, f) }
	q, err := entrySort.Apply(base().ColumnExpr("*"), page)
	if err != nil {
		return nil, err
	}
	var rows []*entryRow
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, database.MapError(err, "find audit entries", "audit entry")
	}
	rows, cursors, info := keyset.Paginate(rows, (*entryRow).key, entrySort.Order, page)
	conn := &Connection{PageInfo: info, count: keyset.CountOf(base(), "audit entry")}
	for i, r := range rows {
		conn.Edges = append(conn.Edges, &Edge{Cursor: cursors[i], Node: &r.Entry})
	}
	return conn, nil
}

// FindByID returns the municipality's entry with id. The caller has checked that the
// viewer may read the audit log. Errors: NOT_FOUND.
func FindByID(ctx context.Context, db bun.IDB, mid, id uuid.UUID) (*Entry, error) {
	e := new(Entry)
	err := db.NewSelect().Model(e).Where("municipality_id = ? AND id = ?", mid, id).Scan(ctx)
	return e, database.MapError(err, "find audit entry", "audit entry")
}

// filter limits q to the municipality's entries that match f.
func filter(q *bun.SelectQuery, mid uuid.UUID, f Filter) *bun.SelectQuery {
	q = q.Where("municipality_id = ?", mid)
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.ItemID != nil {
		q = q.Where("item_id = ?", *f.ItemID)
	}
	if f.ActorID != nil {
		q = q.Where("actor_id = ?", *f.ActorID)
	}
	if f.Since != nil {
		q = q.Where("created_at >= ?", *f.Since)
	}
	if f.Until != nil {
		q = q.Where("created_at < ?", *f.Until)
	}
	return q
}

// GlobalID returns the entry's global ID.
func (e *Entry) GlobalID() string { return relay.GlobalID("AuditEntry", e.ID) }
