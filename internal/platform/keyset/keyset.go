// Package keyset pages a SQL query by keyset (seek) pagination for Relay connections: the
// page's rows come in one statement, in a stable order (one sort value, then the ID), and
// each row's cursor holds its position in that order, so pages never skip nor repeat a row
// however the rows before them change.
package keyset

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
)

// Spec is a keyset order: one SQL expression, then the ID as tie-breaker.
type Spec struct {
	// Order names the order; cursors carry it, so a cursor of another order is refused.
	Order string
	// Expr is the SQL for the sort value.
	Expr string
	// Cast is the SQL type a cursor's value is cast back to, e.g. `text COLLATE "nb-x-icu"`.
	Cast string
	// Desc walks the order from the largest value.
	Desc bool
	// IDCol is the ID column, e.g. "a.id".
	IDCol string
	// Args fill Expr's placeholders, if it has any.
	Args []any
}

// cursorKey is what a cursor holds: the order it belongs to, the row's sort value as text
// (PostgreSQL's own rendering, so it casts back exactly) and the row's ID.
type cursorKey struct {
	O  string    `json:"o"`
	K  string    `json:"k"`
	ID uuid.UUID `json:"i"`
}

// Apply adds the keyset condition, order and limit for page to q. It selects the sort value
// as "sort_key", which the rows scan to make their cursors. Errors: BAD_USER_INPUT naming
// "after" or "before" for a cursor of another list or order.
func (s Spec) Apply(q *bun.SelectQuery, page relay.Page) (*bun.SelectQuery, error) {
	q = q.ColumnExpr(s.Expr+"::text AS sort_key", s.Args...)
	desc := s.Desc != page.Backward // paging backward walks the order in reverse
	for _, c := range []struct{ raw, field string }{{page.After, "after"}, {page.Before, "before"}} {
		if c.raw == "" {
			continue
		}
		var key cursorKey
		if err := relay.DecodeCursor(c.raw, c.field, &key); err != nil {
			return nil, err
		}
		if key.O != s.Order {
			return nil, apperr.Invalid(c.field, "InvalidCursor", nil)
		}
		op := ">"
		if (c.field == "after") == s.Desc {
			op = "<"
		}
		args := append(slices.Clip(s.Args), key.K, key.ID)
		q = q.Where(fmt.Sprintf("(%s, %s) %s (?::%s, ?::uuid)", s.Expr, s.IDCol, op, s.Cast), args...)
	}
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	return q.
		OrderExpr(s.Expr+dir, s.Args...).
		OrderExpr(s.IDCol + dir).
		Limit(int64(page.Limit + 1)), nil
}

// Paginate trims the extra row Apply fetched to learn whether there is more, restores the
// order when paging backward, and returns the rows with their cursors and the page info.
// key returns a row's sort value (as scanned from "sort_key") and ID.
func Paginate[T any](rows []T, key func(T) (string, uuid.UUID), order string, page relay.Page) (
	[]T, []string, *relay.PageInfo,
) {
	rows, info := Window(rows, key, order, page)
	cursors := make([]string, len(rows))
	for i, r := range rows {
		k, id := key(r)
		cursors[i] = Cursor(order, k, id)
	}
	if len(cursors) > 0 { // the same strings as the edges'
		info.StartCursor, info.EndCursor = &cursors[0], &cursors[len(cursors)-1]
	}
	return rows, cursors, info
}

// Cursor returns the cursor of a row with sort value k and ID id in order, as Paginate
// makes it: for edges that make their cursor only when it is asked for.
func Cursor(order, k string, id uuid.UUID) string {
	return relay.EncodeCursor(cursorKey{O: order, K: k, ID: id})
}

// Window is Paginate without a cursor per row: the page info has the first and last
// row's.
func Window[T any](rows []T, key func(T) (string, uuid.UUID), order string, page relay.Page) ([]T, *relay.PageInfo) {
	more := len(rows) > page.Limit
	if more {
		rows = rows[:page.Limit]
	}
	if page.Backward {
		slices.Reverse(rows)
	}
	info := &relay.PageInfo{
		HasNextPage:     (!page.Backward && more) || (page.Backward && page.Before != ""),
		HasPreviousPage: (page.Backward && more) || (!page.Backward && page.After != ""),
	}
	if len(rows) > 0 {
		k, id := key(rows[0])
		first := Cursor(order, k, id)
		k, id = key(rows[len(rows)-1])
		last := Cursor(order, k, id)
		info.StartCursor, info.EndCursor = &first, &last
	}
	return rows, info
}

// Counter counts every row of a list, not only the page's; a connection keeps one and
// calls it only when a client asks for totalCount.
type Counter func(ctx context.Context) (int, error)

// CountOf returns a Counter for the rows q selects (without keyset, order or limit); what
// names them in the error a failed count returns.
func CountOf(q *bun.SelectQuery, what string) Counter {
	return func(ctx context.Context) (int, error) {
		n, err := q.Count(ctx)
		return int(n), database.MapError(err, "count "+what, what)
	}
}
