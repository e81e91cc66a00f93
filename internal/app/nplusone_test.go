package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/httpserver"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/tenant"
)

// statementCounter counts the SQL statements bun runs.
// statementCounter counts the statements that requests run; the background jobs' (card
// expiry, the mail outbox, the horizon) are not counted, whenever they run.
type statementCounter struct{ n atomic.Int64 }

func (c *statementCounter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}

func (c *statementCounter) AfterQuery(ctx context.Context, e *bun.QueryEvent) {
	if httpserver.RequestIDFromContext(ctx) == "" {
		return
	}
	c.n.Add(1)
	if debugSQL {
		fmt.Println("SQL", e.Query[:min(len(e.Query), 100)])
	}
}

var debugSQL = false

// TestStatementsDoNotGrowWithThePage is the N+1 guard: 10 or 100 organisations with their
// activities, categories, venues, neighbourhoods and translations cost the same number of
// statements.
func TestStatementsDoNotGrowWithThePage(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	_, err := s.app.Tenants.CreateMunicipality(ctx, tenantInput("bulk", "Bulk kommune"), func(ctx context.Context, tx bun.IDB, m *tenant.Municipality) error {
		return importBulk(ctx, tx, m, 120)
	})
	if err != nil {
		t.Fatal(err)
	}
	counter := &statementCounter{}
	s.app.DB.AddQueryHook(counter)
	query := `query($n: Int) { organisations(first: $n) { totalCount nodes { name summary textLocale logo { url alt }
	  categories { name } neighbourhoods { name } links { url }
	  activities(first: 3) { nodes { title summary categories { name } neighbourhoods { name } images { url }
	    venue { name neighbourhoods { name } } organisation { name } } } } } }`
	count := func(n int) int64 {
		s.app.Tenants.Invalidate()
		s.app.Portal.InvalidateCategories()
		s.app.Portal.InvalidateSharedProviders()
		s.app.Portal.InvalidateSharedProviders()
		counter.n.Store(0)
		r := ok(t, s.post(t, query, map[string]any{"n": n}, "X-Municipality: bulk", "Accept-Language: nn"))
		if got := len(list(r, "organisations")); got != n {
			t.Fatalf("first %d gave %d organisations", n, got)
		}
		if acts := len(get(r.Data, "organisations.nodes.0.activities.nodes").([]any)); acts != 2 {
			t.Fatalf("activities per organisation = %d", acts)
		}
		return counter.n.Load()
	}
	small, large := count(10), count(100)
	t.Logf("statements: %d for 10 organisations, %d for 100", small, large)
	if large != small {
		t.Errorf("statements grow with the page: %d for 10, %d for 100", small, large)
	}
	if small > 30 {
		t.Errorf("%d statements for one request is more than its depth needs", small)
	}
}

// importBulk writes n organisations with two activities each, all at one venue inside one
// neighbourhood, with nb and en texts (nn falls back to nb).
func importBulk(ctx context.Context, tx bun.IDB, m *tenant.Municipality, n int) error {
	im, err := portal.NewImporter(ctx, tx, m.ID)
	if err != nil {
		return err
	}
	area := json.RawMessage(`{"type":"Polygon","coordinates":[[[9.9,58.9],[10.2,58.9],[10.2,59.2],[9.9,59.2],[9.9,58.9]]]}`)
	if _, err := im.AddNeighbourhood(ctx, portal.NeighbourhoodInput{Slug: "alt", Name: portal.Texts{"nb": "Alt"}, Area: area}); err != nil {
		return err
	}
	lat, lon := 59.05, 10.03
	if _, err := im.AddVenue(ctx, portal.VenueInput{Key: "hall", Name: "Hallen", Lat: &lat, Lon: &lon}); err != nil {
		return err
	}
	orgs := make([]portal.OrganisationInput, n)
	for i := range orgs {
		orgs[i] = portal.OrganisationInput{Slug: fmt.Sprintf("org-%03d", i), Name: fmt.Sprintf("Lag %03d", i), Kind: portal.KindVoluntary,
			Categories: []string{"kunst-og-kultur"}, Summary: portal.Texts{"nb": "Om laget", "en": "About"}, Lat: &lat, Lon: &lon,
			Logo:  &portal.ImageInput{URL: "https://example.org/logo.png", Width: 10, Height: 10, Alt: portal.Texts{"nb": "Logo"}},
			Links: []portal.LinkInput{{Kind: "WEBSITE", URL: "https://example.org"}}}
		for j := range 2 {
			orgs[i].Activities = append(orgs[i].Activities, portal.ActivityInput{Slug: fmt.Sprintf("a-%03d-%d", i, j),
				Title: portal.Texts{"nb": fmt.Sprintf("Aktivitet %d", j), "en": "Activity"}, Categories: []string{"idrett-og-fysisk-aktivitet"},
				Venue: "hall", Images: []portal.ImageInput{{URL: "https://example.org/a.png", Width: 10, Height: 10}}})
		}
	}
	return im.AddOrganisations(ctx, orgs)
}

// TestOwnersStatementsDoNotGrow is the N+1 guard for what owners read: members,
// invitations and every status of their activities cost the same for 10 organisations as
// for 100.
func TestOwnersStatementsDoNotGrow(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	ctx := context.Background()
	m, err := s.app.Tenants.CreateMunicipality(ctx, tenantInput("bulk", "Bulk kommune"), func(ctx context.Context, tx bun.IDB, m *tenant.Municipality) error {
		return importBulk(ctx, tx, m, 120)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.Auth.CreateUser(ctx, auth.CreateUserInput{MunicipalityID: m.ID(), Email: "eier@bulk.no", Password: "riktig hest batteri"}); err != nil {
		t.Fatal(err)
	}
	s.exec(t, `INSERT INTO organisation_members (municipality_id, organisation_id, user_id, role)
		SELECT o.municipality_id, o.id, u.id, 'OWNER' FROM organisations o JOIN users u ON u.municipality_id = o.municipality_id
		WHERE u.email = 'eier@bulk.no'`)
	s.exec(t, `UPDATE activities SET status = 'DRAFT' WHERE slug LIKE '%-1'`)
	owner := login(t, s, "eier@bulk.no", "X-Municipality: bulk")
	counter := &statementCounter{}
	s.app.DB.AddQueryHook(counter)
	query := `query($n: Int) { organisations(first: $n) { nodes { name members { role user { email } } invitations { email }
	  activities(first: 3, status: [DRAFT, PUBLISHED]) { nodes { title status organisation { name } } } } } }`
	count := func(n int) int64 {
		s.app.Tenants.Invalidate()
		s.app.Portal.InvalidateSharedProviders()
		counter.n.Store(0)
		r := ok(t, s.post(t, query, map[string]any{"n": n}, "X-Municipality: bulk", owner))
		if got := len(list(r, "organisations")); got != n {
			t.Fatalf("first %d gave %d organisations", n, got)
		}
		if acts := len(get(r.Data, "organisations.nodes.0.activities.nodes").([]any)); acts != 2 {
			t.Fatalf("activities per organisation (one a draft) = %d", acts)
		}
		if get(r.Data, "organisations.nodes.0.members.0.role") != "OWNER" {
			t.Fatalf("members: %+v", get(r.Data, "organisations.nodes.0"))
		}
		return counter.n.Load()
	}
	count(1) // loads the category tree, which later requests take from the cache
	small, large := count(10), count(100)
	t.Logf("statements: %d for 10 organisations, %d for 100", small, large)
	if large != small {
		t.Errorf("statements grow with the page: %d for 10, %d for 100", small, large)
	}
}

// TestImageLibraryStatementsDoNotGrow is the N+1 guard for the image library: 10 or 100
// images with their alt texts, organisations and places of use cost the same.
func TestImageLibraryStatementsDoNotGrow(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	ctx := context.Background()
	bulk := func(ctx context.Context, tx bun.IDB, m *tenant.Municipality) error { return importBulk(ctx, tx, m, 60) }
	m, err := s.app.Tenants.CreateMunicipality(ctx, tenantInput("bulk", "Bulk kommune"), bulk)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.Auth.CreateUser(ctx, auth.CreateUserInput{MunicipalityID: m.ID(), Email: "admin@bulk.no",
		Password: "riktig hest batteri", Roles: []auth.MunicipalRole{auth.RoleAdmin}}); err != nil {
		t.Fatal(err)
	}
	admin := login(t, s, "admin@bulk.no", "X-Municipality: bulk")
	counter := &statementCounter{}
	s.app.DB.AddQueryHook(counter)
	query := `query($n: Int) { images(first: $n) { totalCount nodes { url alt alts { locale } organisation { name }
	  usedBy(first: 5) { totalCount nodes { kind organisation { name } activity { title } } } } } }`
	count := func(n int) int64 {
		s.app.Tenants.Invalidate()
		s.app.Portal.InvalidateSharedProviders()
		counter.n.Store(0)
		r := ok(t, s.post(t, query, map[string]any{"n": n}, "X-Municipality: bulk", admin))
		if got := len(list(r, "images")); got != n {
			t.Fatalf("first %d gave %d images", n, got)
		}
		first := get(r.Data, "images.nodes.0")
		if get(first, "usedBy.nodes.0.kind") == nil || get(first, "organisation.name") == nil {
			t.Fatalf("an image: %+v", get(r.Data, "images.nodes.0"))
		}
		return counter.n.Load()
	}
	small, large := count(10), count(100)
	t.Logf("statements: %d for 10 images, %d for 100", small, large)
	if large != small {
		t.Errorf("statements grow with the page: %d for 10, %d for 100", small, large)
	}
}
