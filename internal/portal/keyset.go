package portal

import (
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/relay"
)

// sortSpec is a keyset order: one SQL expression (then the ID as tie-breaker), the type to
// cast a cursor's value back to, and the direction.
type sortSpec struct {
	order Order
	expr  string // SQL for the sort value
	cast  string // SQL type of a cursor value, e.g. `text COLLATE "nb-x-icu"`
	desc  bool
	idCol string // the ID column, e.g. "a.id"
}

// cursorKey is what a cursor holds: the order it belongs to, the row's sort value as text
// (PostgreSQL's own rendering, so it casts back exactly) and the row's ID.
type cursorKey struct {
	O  Order     `json:"o"`
	K  string    `json:"k"`
	ID uuid.UUID `json:"i"`
}

// apply adds the keyset condition, order and limit for page to q. It selects the sort value
// as "sort_key". Errors: BAD_USER_INPUT for a cursor of another list or order.
func (s sortSpec) apply(q *bun.SelectQuery, page relay.Page) (*bun.SelectQuery, error) {
	q = q.ColumnExpr(s.expr + "::text AS sort_key")
	desc := s.desc != page.Backward // paging backward walks the order in reverse
	for _, c := range []struct{ raw, field string }{{page.After, "after"}, {page.Before, "before"}} {
		if c.raw == "" {
			continue
		}
		var key cursorKey
		if err := relay.DecodeCursor(c.raw, c.field, &key); err != nil {
			return nil, err
		}
		if key.O != s.order {
			return nil, apperr.Invalid(c.field, "InvalidCursor", nil)
		}
		op := ">"
		if (c.field == "after") == s.desc {
			op = "<"
		}
		q = q.Where(fmt.Sprintf("(%s, %s) %s (?::%s, ?::uuid)", s.expr, s.idCol, op, s.cast), key.K, key.ID)
	}
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	return q.OrderExpr(s.expr + dir).OrderExpr(s.idCol + dir).Limit(int64(page.Limit + 1)), nil
}

// keyed is a row with its sort value and ID, for making cursors.
type keyed interface {
	key() (string, uuid.UUID)
}

// pageOf trims the extra row fetched to learn whether there is more, restores the order when
// paging backward, and returns the rows with their cursors and page info.
func pageOf[T keyed](rows []T, order Order, page relay.Page) ([]T, []string, *relay.PageInfo) {
	more := len(rows) > page.Limit
	if more {
		rows = rows[:page.Limit]
	}
	if page.Backward {
		slices.Reverse(rows)
	}
	cursors := make([]string, len(rows))
	for i, r := range rows {
		k, id := r.key()
		cursors[i] = relay.EncodeCursor(cursorKey{O: order, K: k, ID: id})
	}
	info := &relay.PageInfo{
		HasNextPage:     (!page.Backward && more) || (page.Backward && page.Before != ""),
		HasPreviousPage: (page.Backward && more) || (!page.Backward && page.After != ""),
	}
	if len(cursors) > 0 {
		info.StartCursor, info.EndCursor = &cursors[0], &cursors[len(cursors)-1]
	}
	return rows, cursors, info
}
