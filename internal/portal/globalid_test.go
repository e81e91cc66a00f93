package portal

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/database/testdb"
	"github.com/fritid/fritid/internal/platform/relay"
)

// TestGlobalIDSQL: the database writes every kind's global ID as relay.GlobalID does,
// whatever the length of the type's name.
func TestGlobalIDSQL(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	for _, typename := range []string{"Activity", "Organisation", "Venue", "Category", "Event", "Page", "Article",
		"Neighbourhood", "CardOffer", "A", "Ab", "Abc"} {
		for range 20 {
			id := uuid.New()
			var got string
			err := db.NewSelect().ColumnExpr(globalIDSQL(typename, "?::uuid"), id).Scan(context.Background(), &got)
			if err != nil {
				t.Fatal(err)
			}
			if want := relay.GlobalID(typename, id); got != want {
				t.Fatalf("%s %s: the database wrote %q, want %q", typename, id, got, want)
			}
		}
	}
}
