package keyset

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/platform/apperr/apperrtest"
	"github.com/fritid/fritid/internal/platform/relay"
)

type row struct {
	k  string
	id uuid.UUID
}

func rowKey(r row) (string, uuid.UUID) { return r.k, r.id }

func rows(keys ...string) []row {
	out := make([]row, len(keys))
	for i, k := range keys {
		out[i] = row{k, uuid.Must(uuid.NewV7())}
	}
	return out
}

func TestPaginate(t *testing.T) {
	for name, tc := range map[string]struct {
		page           relay.Page
		in             []row
		want           string
		hasNext, hasPr bool
	}{
		"FirstPage":         {relay.Page{Limit: 2}, rows("a", "b", "c"), "ab", true, false},
		"LastForwardPage":   {relay.Page{Limit: 2, After: "x"}, rows("c"), "c", false, true},
		"Backward":          {relay.Page{Limit: 2, Backward: true}, rows("c", "b", "a"), "bc", false, true},
		"BackwardBefore":    {relay.Page{Limit: 2, Backward: true, Before: "x"}, rows("b", "a"), "ab", true, false},
		"EmptyPageNoCursor": {relay.Page{Limit: 2}, nil, "", false, false},
	} {
		t.Run(name, func(t *testing.T) {
			got, cursors, info := Paginate(tc.in, rowKey, "O", tc.page)
			var keys strings.Builder
			for _, r := range got {
				keys.WriteString(r.k)
			}
			if keys.String() != tc.want || info.HasNextPage != tc.hasNext || info.HasPreviousPage != tc.hasPr {
				t.Fatalf("%q next %v previous %v", keys.String(), info.HasNextPage, info.HasPreviousPage)
			}
			if len(cursors) != len(got) || (len(got) > 0) != (info.StartCursor != nil) {
				t.Fatalf("%d cursors for %d rows, start %v", len(cursors), len(got), info.StartCursor)
			}
			for i, c := range cursors {
				var key cursorKey
				if err := relay.DecodeCursor(c, "after", &key); err != nil || key.O != "O" || key.ID != got[i].id {
					t.Errorf("cursor %d: %+v %v", i, key, err)
				}
			}
		})
	}
}

func TestApply(t *testing.T) {
	db := bun.NewDB(&sql.DB{}, pgdialect.New())
	spec := Spec{Order: "O", Expr: "t.at", Cast: "timestamptz", Desc: true, IDCol: "t.id"}
	id := uuid.Must(uuid.NewV7())
	cursor := relay.EncodeCursor(cursorKey{O: "O", K: "2026-01-01 00:00:00+00", ID: id})
	q, err := spec.Apply(db.NewSelect().TableExpr("t"), relay.Page{Limit: 2, Before: cursor, Backward: true})
	if err != nil {
		t.Fatal(err)
	}
	// Newest first: before a cursor is newer than it, and the page walks oldest first.
	got := q.String()
	for _, want := range []string{"(t.at, t.id) > ('2026-01-01 00:00:00+00'::timestamptz, '" + id.String() + "'::uuid)",
		"ORDER BY t.at ASC, t.id ASC LIMIT 3"} {
		if !strings.Contains(got, want) {
			t.Errorf("%s\nlacks %s", got, want)
		}
	}
	other := relay.EncodeCursor(cursorKey{O: "OTHER", K: "x", ID: id})
	_, err = spec.Apply(db.NewSelect().TableExpr("t"), relay.Page{Limit: 2, After: other})
	apperrtest.BadUserInput(t, err, "after")
	_, err = spec.Apply(db.NewSelect().TableExpr("t"), relay.Page{Limit: 2, Before: "not a cursor"})
	apperrtest.BadUserInput(t, err, "before")
}
