package portal

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/database/testdb"
	"github.com/fritid/fritid/internal/tenant"
)

// testClock is a clock a test moves by hand; safe for concurrent use.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestCategoryCacheAcrossInstances: two instances (two services, each with its own
// cache) over one database. A rename written through instance A shows on A at once; B
// serves its cached name for at most categoryTTL, then the new one. Neither ever serves
// one municipality's categories to another.
func TestCategoryCacheAcrossInstances(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	tenants := tenant.NewService(db, SeedCategories)
	larvik, err := tenants.CreateMunicipality(ctx, tenant.CreateMunicipalityInput{Slug: "larvik", Name: "Larvik kommune"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := tenants.CreateMunicipality(ctx, tenant.CreateMunicipalityInput{Slug: "sandefjord", Name: "Sandefjord kommune"})
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{t: time.Now()}
	a, b := NewService(db), NewService(db)
	a.now, b.now = clock.now, clock.now
	// name reads the nb name of the municipality's category with slug through s, and fails
	// t if s answers with another municipality's rows.
	name := func(s *Service, mid uuid.UUID, slug string) string {
		t.Helper()
		rows, err := s.categoryRows(ctx, mid)
		if err != nil {
			t.Fatal(err)
		}
		out := ""
		for _, c := range rows {
			if c.MunicipalityID != mid {
				t.Fatalf("categories of municipality %s answered for %s", c.MunicipalityID, mid)
			}
			for _, tr := range c.Translations {
				if c.Slug == slug && tr.Locale == "nb" {
					out = tr.Name
				}
			}
		}
		return out
	}
	const slug, before, after = "natur-og-friluftsliv", "Natur og friluftsliv", "Ut i naturen"
	if got := name(b, larvik.ID(), slug); got != before { // B caches Larvik's categories
		t.Fatalf("B reads %q, want %q", got, before)
	}
	name(b, other.ID(), slug)

	// Instance A renames Larvik's category, as its admin mutation does: write, then forget
	// its own cache.
	if _, err := db.ExecContext(ctx, `UPDATE category_translations SET name = ? WHERE locale = 'nb' AND category_id =
		(SELECT id FROM categories WHERE municipality_id = ? AND slug = ?)`, after, larvik.ID(), slug); err != nil {
		t.Fatal(err)
	}
	a.InvalidateCategories()
	if got := name(a, larvik.ID(), slug); got != after {
		t.Errorf("A, which wrote, reads %q, want %q at once", got, after)
	}
	clock.add(categoryTTL - time.Millisecond)
	if got := name(b, larvik.ID(), slug); got != before && got != after {
		t.Errorf("B within the TTL reads %q, want %q (stale) or %q", got, before, after)
	}
	clock.add(2 * time.Millisecond)
	if got := name(b, larvik.ID(), slug); got != after {
		t.Errorf("B after the TTL reads %q, want %q", got, after)
	}
	for _, s := range []*Service{a, b} {
		if got := name(s, other.ID(), slug); got != before {
			t.Errorf("Sandefjord's category reads %q, want its own %q", got, before)
		}
	}
}
