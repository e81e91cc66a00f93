package tenant

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/platform/database/testdb"
)

// TestTenantCacheAcrossInstances: two instances (two services, each with its own cache)
// over one database. A municipality renamed elsewhere shows on an instance that cached it
// within its TTL (five seconds); a request is never answered with another municipality.
func TestTenantCacheAcrossInstances(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	a, b := NewService(db), NewService(db)
	a.now, b.now = clock, clock
	for _, in := range []CreateMunicipalityInput{
		{Slug: "larvik", Name: "Larvik kommune", Domains: []string{"fritid.larvik.no"}},
		{Slug: "sandefjord", Name: "Sandefjord kommune", Domains: []string{"fritid.sandefjord.no"}},
	} {
		if _, err := a.CreateMunicipality(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	name := func(s *Service, host, slug string) string {
		t.Helper()
		tn, err := s.Resolve(ctx, host, slug)
		if err != nil {
			t.Fatal(err)
		}
		return tn.Municipality.Name
	}
	if got := name(b, "fritid.larvik.no", ""); got != "Larvik kommune" {
		t.Fatalf("B resolves %q", got)
	}
	if _, err := db.ExecContext(ctx, "UPDATE municipalities SET name = 'Larvik' WHERE slug = 'larvik'"); err != nil {
		t.Fatal(err)
	}
	a.Invalidate()
	if got := name(a, "fritid.larvik.no", ""); got != "Larvik" {
		t.Errorf("A, which wrote, resolves %q, want the new name at once", got)
	}
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	advance(b.ttl - time.Millisecond)
	if got := name(b, "fritid.larvik.no", ""); got != "Larvik kommune" && got != "Larvik" {
		t.Errorf("B within the TTL resolves %q", got)
	}
	advance(2 * time.Millisecond)
	if got := name(b, "fritid.larvik.no", ""); got != "Larvik" {
		t.Errorf("B after the TTL resolves %q, want %q", got, "Larvik")
	}
	for host, want := range map[string]string{"fritid.sandefjord.no": "Sandefjord kommune", "fritid.larvik.no": "Larvik"} {
		for _, s := range []*Service{a, b} {
			if got := name(s, host, ""); got != want {
				t.Errorf("%s resolves to %q, want %q", host, got, want)
			}
		}
	}
	if got := name(b, "fritid.larvik.no", "sandefjord"); got != "Sandefjord kommune" {
		t.Errorf("X-Municipality: sandefjord on Larvik's host resolves %q", got)
	}
}
