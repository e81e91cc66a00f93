package integration

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
)

// MaxFeedPage is the largest page of the change feed, and DefaultFeedPage its default.
const (
	MaxFeedPage     = 1000
	DefaultFeedPage = 100
)

// ChangeFilter selects a page of the change feed.
type ChangeFilter struct {
	// After is the cursor to continue after; "" or "0": from the start.
	After string
	// Types keeps only these event types; none: all.
	Types []string
	// First is the page size, 0 to MaxFeedPage; nil: DefaultFeedPage.
	First *int
}

// ChangeConnection is a page of the change feed, oldest first.
type ChangeConnection struct {
	Edges    []*ChangeEdge
	PageInfo *relay.PageInfo
}

// ChangeEdge is an event in a page, with its cursor.
type ChangeEdge struct {
	Cursor string
	Node   *Change
}

// Nodes returns the page's events alone.
func (c *ChangeConnection) Nodes() []*Change {
	out := make([]*Change, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node
	}
	return out
}

// requireFeedReader returns the municipality whose feed the viewer may read: its
// administrators and its API keys with changes:read. Errors: UNAUTHENTICATED, FORBIDDEN.
func requireFeedReader(ctx context.Context) (uuid.UUID, error) {
	v := auth.ViewerFrom(ctx)
	switch {
	case v == nil || (v.User == nil && v.APIKey == nil):
		return uuid.Nil, apperr.New(apperr.Unauthenticated, "")
	// SECURITY: an API key of the municipality with changes:read.
	case v.APIKey != nil && v.HasScope(auth.ScopeChangesRead):
		return v.APIKey.MunicipalityID, nil
	// SECURITY: an administrator of the municipality.
	case v.User != nil && v.Has(auth.RoleAdmin):
		return v.User.MunicipalityID, nil
	}
	return uuid.Nil, apperr.New(apperr.Forbidden, "")
}

// FindChanges returns a page of the municipality's change feed after f.After, oldest
// first. Only sequenced events are in it, so a page never skips an event that commits
// later. Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT naming "after", "types" or
// "first".
func (s *Service) FindChanges(ctx context.Context, f ChangeFilter) (*ChangeConnection, error) {
	// SECURITY: administrators and changes:read keys, of their own municipality only.
	mid, err := requireFeedReader(ctx)
	if err != nil {
		return nil, err
	}
	after, err := parsePosition(f.After, "after")
	if err != nil {
		return nil, err
	}
	for _, t := range f.Types {
		if !ValidType(t) {
			return nil, apperr.Invalid("types", "InvalidChangeType", nil)
		}
	}
	limit := DefaultFeedPage
	if f.First != nil {
		if *f.First < 0 || *f.First > MaxFeedPage {
			return nil, apperr.Invalid("first", "PageSizeTooLarge", map[string]any{"Max": MaxFeedPage})
		}
		limit = *f.First
	}
	return s.findChanges(ctx, s.db, mid, after, f.Types, limit)
}

func (s *Service) findChanges(ctx context.Context, db bun.IDB, mid uuid.UUID, after int64, types []string,
	limit int) (*ChangeConnection, error) {
	var rows []*Change
	q := db.NewSelect().Model(&rows).
		Where("c.municipality_id = ?", mid).
		Where("c.position > ?", after).
		OrderExpr("c.position").
		Limit(int64(limit + 1))
	if len(types) > 0 {
		q = q.Where("c.type = ANY(?)", pgdialect.Array(types))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, database.MapError(err, "find changes", "change")
	}
	conn := &ChangeConnection{PageInfo: &relay.PageInfo{HasPreviousPage: after > 0}}
	if len(rows) > limit {
		rows, conn.PageInfo.HasNextPage = rows[:limit], true
	}
	conn.Edges = make([]*ChangeEdge, len(rows))
	for i, c := range rows {
		conn.Edges[i] = &ChangeEdge{Cursor: c.Cursor(), Node: c}
	}
	if n := len(rows); n > 0 {
		conn.PageInfo.StartCursor, conn.PageInfo.EndCursor = &conn.Edges[0].Cursor, &conn.Edges[n-1].Cursor
	} else {
		// An empty page ends where it started, so a poller keeps its place.
		c := formatPosition(after)
		conn.PageInfo.EndCursor = &c
	}
	return conn, nil
}

func formatPosition(p int64) string { return strconv.FormatInt(p, 10) }

// parsePosition reads a cursor of the feed. Errors: BAD_USER_INPUT naming field.
func parsePosition(cursor, field string) (int64, error) {
	if cursor == "" {
		return 0, nil
	}
	p, err := strconv.ParseInt(cursor, 10, 64)
	if err != nil || p < 0 {
		return 0, apperr.Invalid(field, "InvalidCursor", nil)
	}
	return p, nil
}

// sequenceBatch is how many events one pass of the sequencer takes.
const sequenceBatch = 1000

// sequence gives the committed events that have none a position and whose time has come
// (a scheduled publication waits for its time, up to now), in the order of their ids, after
// every position given before, and returns them. It holds a transaction-scoped lock, so
// sequencers never run at once; the caller's transaction must be tx.
func sequence(ctx context.Context, tx bun.Tx, now time.Time) ([]*Change, error) {
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtext('fritid_change_sequencer'))"); err != nil {
		return nil, fmt.Errorf("sequence changes: %w", err)
	}
	var out []*Change
	err := tx.NewRaw(`WITH base AS (SELECT coalesce(max(position), 0) AS p FROM change_events),
		todo AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM change_events
			WHERE position IS NULL AND occurred_at <= greatest(statement_timestamp(), ?) ORDER BY id LIMIT ?)
		UPDATE change_events c SET position = base.p + todo.n FROM base, todo WHERE c.id = todo.id
		RETURNING c.id, c.municipality_id, c.position, c.type, c.subject_id, c.occurred_at`, now, sequenceBatch).
		Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("sequence changes: %w", err)
	}
	return out, nil
}
