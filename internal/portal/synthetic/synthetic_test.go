package synthetic

import (
	"context"
	"regexp"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database/testdb"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/tenant"
)

func TestGenerate(t *testing.T) {
	ctx := context.Background()
	db := testdb.New(t)
	tenants := tenant.NewService(db, portal.SeedCategories)
	opt := Options{Slug: "synthetic", Organisations: 50, ActivitiesPerOrganisation: 3, Seed: 7}
	st, err := Generate(ctx, tenants, opt)
	if err != nil {
		t.Fatal(err)
	}
	if st.Organisations != 50 || st.Activities != 150 || st.Neighbourhoods != 16 || st.Took <= 0 {
		t.Errorf("stats = %+v", st)
	}
	mid := municipalityID(t, db, "synthetic")

	t.Run("Counts", func(t *testing.T) {
		for table, want := range map[string]int{"organisations": 50, "activities": 150, "neighbourhoods": 16, "venues": 15, "categories": 10} {
			if got := count(t, db, "SELECT count(*) FROM "+table+" WHERE municipality_id = ?", mid); got != want {
				t.Errorf("%s: %d rows, want %d", table, got, want)
			}
		}
		if got := count(t, db, "SELECT count(DISTINCT activity_id) FROM activity_translations WHERE municipality_id = ? AND locale = 'nb'", mid); got != 150 {
			t.Errorf("activities with an nb translation: %d, want 150", got)
		}
		if got := count(t, db, "SELECT count(*) FROM activities WHERE municipality_id = ? AND sort_name = ''", mid); got != 0 {
			t.Errorf("%d activities without a sort name", got)
		}
	})

	t.Run("EveryLocatedActivityHasANeighbourhood", func(t *testing.T) {
		q := `SELECT count(*) FROM activities a WHERE a.municipality_id = ? AND a.lat IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM activity_neighbourhoods an WHERE an.activity_id = a.id)`
		if got := count(t, db, q, mid); got != 0 {
			t.Errorf("%d located activities without a neighbourhood", got)
		}
		if got := count(t, db, "SELECT count(*) FROM activities WHERE municipality_id = ? AND lat IS NULL", mid); got != 0 {
			t.Errorf("%d activities without a location", got)
		}
	})

	t.Run("PublishedFollowsStatus", func(t *testing.T) {
		q := `SELECT count(*) FROM activities a JOIN organisations o ON o.id = a.organisation_id
			WHERE a.municipality_id = ? AND a.published <> (a.status = 'PUBLISHED' AND o.status = 'PUBLISHED')`
		if got := count(t, db, q, mid); got != 0 {
			t.Errorf("%d activities whose published flag breaks the rule", got)
		}
		published := count(t, db, "SELECT count(*) FROM activities WHERE municipality_id = ? AND published", mid)
		if published == 0 || published == 150 {
			t.Errorf("%d of 150 published: want some of each", published)
		}
	})

	t.Run("SameSeedSameNames", func(t *testing.T) {
		opt.Slug = "synthetic-again"
		if _, err := Generate(ctx, tenants, opt); err != nil {
			t.Fatal(err)
		}
		a, b := orgNames(t, db, mid), orgNames(t, db, municipalityID(t, db, "synthetic-again"))
		if len(a) != 50 || !slices.Equal(a, b) {
			t.Errorf("names differ for the same seed:\n%v\n%v", a, b)
		}
	})
}

func TestGeneratorIsDeterministic(t *testing.T) {
	first := func(seed int64) []portal.OrganisationInput {
		g := newGenerator(seed)
		g.venues()
		return g.organisations(200, 2)
	}
	a, b, c := first(1), first(1), first(2)
	nameOf := func(o portal.OrganisationInput) string { return o.Name }
	if !slices.Equal(mapSlice(a, nameOf), mapSlice(b, nameOf)) {
		t.Error("the same seed gave different names")
	}
	if slices.Equal(mapSlice(a, nameOf), mapSlice(c, nameOf)) {
		t.Error("different seeds gave the same names")
	}
	if a[10].Activities[1].Title["nb"] != b[10].Activities[1].Title["nb"] {
		t.Error("the same seed gave different titles")
	}
}

func TestGeneratedValues(t *testing.T) {
	slugRE := regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)
	g := newGenerator(3)
	g.venues()
	seen := map[string]bool{}
	for _, o := range g.organisations(2000, 3) {
		if seen[o.Name] {
			t.Fatalf("name %q twice", o.Name)
		}
		seen[o.Name] = true
		if !slugRE.MatchString(o.Slug) {
			t.Errorf("organisation slug %q", o.Slug)
		}
		for _, a := range o.Activities {
			if !slugRE.MatchString(a.Slug) || a.Title["nb"] == "" || a.Summary["nb"] == "" {
				t.Errorf("activity %q: %v", a.Slug, a.Title)
			}
			if a.AgeMin != nil && a.AgeMax != nil && *a.AgeMin > *a.AgeMax {
				t.Errorf("activity %q: ages %d to %d", a.Slug, *a.AgeMin, *a.AgeMax)
			}
		}
	}
}

func TestSlugify(t *testing.T) {
	for in, want := range map[string]string{
		"Tjølling skolekorps":        "tjolling-skolekorps",
		"Åpen kafé – for ungdom":     "apen-kafe-for-ungdom",
		"Hedrum IL":                  "hedrum-il",
		"Bærum jeger- og fiskerlag!": "baerum-jeger-og-fiskerlag",
	} {
		if got := slugify(in, 55); got != want {
			t.Errorf("slugify(%q) = %q, want %q", in, got, want)
		}
	}
	if got := municipalityName("synthetic"); got != "Synthetic kommune" {
		t.Errorf("municipalityName = %q", got)
	}
}

func municipalityID(t *testing.T, db *bun.DB, slug string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	if err := db.NewRaw("SELECT id FROM municipalities WHERE slug = ?", slug).Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	return id
}

func count(t *testing.T, db *bun.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.NewRaw(query, args...).Scan(context.Background(), &n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func orgNames(t *testing.T, db *bun.DB, mid uuid.UUID) []string {
	t.Helper()
	var names []string
	if err := db.NewRaw("SELECT name FROM organisations WHERE municipality_id = ? ORDER BY slug", mid).Scan(context.Background(), &names); err != nil {
		t.Fatal(err)
	}
	return names
}

func mapSlice[T, U any](s []T, f func(T) U) []U {
	out := make([]U, len(s))
	for i, v := range s {
		out[i] = f(v)
	}
	return out
}
