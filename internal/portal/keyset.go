package portal

import (
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/keyset"
	"github.com/fritid/fritid/internal/platform/relay"
)

// sortSpec is a keyset order of the catalogue's lists (see keyset.Spec).
type sortSpec struct {
	order Order
	expr  string // SQL for the sort value
	cast  string // SQL type of a cursor value, e.g. `text COLLATE "nb-x-icu"`
	desc  bool
	idCol string // the ID column, e.g. "a.id"
}

// apply adds the keyset condition, order and limit for page to q. It selects the sort value
// as "sort_key". Errors: BAD_USER_INPUT for a cursor of another list or order.
func (s sortSpec) apply(q *bun.SelectQuery, page relay.Page) (*bun.SelectQuery, error) {
	return keyset.Spec{Order: string(s.order), Expr: s.expr, Cast: s.cast, Desc: s.desc, IDCol: s.idCol}.Apply(q, page)
}

// cursorKey is what a keyset cursor holds (as keyset.Spec makes it): the order, the row's
// sort value as text and the row's ID.
type cursorKey struct {
	O  Order     `json:"o"`
	K  string    `json:"k"`
	ID uuid.UUID `json:"i"`
}

// keyed is a row with its sort value and ID, for making cursors.
type keyed interface {
	key() (string, uuid.UUID)
}

// pageOf trims the extra row fetched to learn whether there is more, restores the order when
// paging backward, and returns the rows with their cursors and page info.
func pageOf[T keyed](rows []T, order Order, page relay.Page) ([]T, []string, *relay.PageInfo) {
	return keyset.Paginate(rows, T.key, string(order), page)
}

// windowOf is pageOf for lists whose edges make their cursors when asked (edgeCursor).
func windowOf[T keyed](rows []T, order Order, page relay.Page) ([]T, *relay.PageInfo) {
	return keyset.Window(rows, T.key, string(order), page)
}

// edgeCursor is the cursor of an edge of a list in order, made from the row's sort value
// only when a client asks for it.
type edgeCursor struct {
	order   Order
	sortKey string
	id      uuid.UUID
}

// Cursor returns the edge's cursor.
func (c edgeCursor) Cursor() string { return keyset.Cursor(string(c.order), c.sortKey, c.id) }
