package app_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/uuid"
)

const sliceQuery = `{ municipality { name slug timeZone defaultLocale { code } }
  locales { code nativeName direction isDefault fallback { code } }
  categories { slug name textLocale children { name } } }`

func TestSliceInThreeLanguages(t *testing.T) {
	s := newServer(t)
	tests := []struct {
		name, header, wantLang, wantCategory, wantFaith string
	}{
		{"Bokmål", "", "nb", "Idrett og fysisk aktivitet", "Tro- og livssynsorganisasjoner"},
		{"Nynorsk", "Accept-Language: nn", "nn", "Idrett og fysisk aktivitet", "Tru- og livssynsorganisasjonar"},
		{"English", "Accept-Language: en-GB,en;q=0.8", "en", "Sports and physical activity", "Faith and belief organisations"},
		{"XLocaleWins", "X-Locale: en", "en", "Sports and physical activity", "Faith and belief organisations"},
		{"UnsupportedFallsBack", "Accept-Language: ar", "nb", "Idrett og fysisk aktivitet", "Tro- og livssynsorganisasjoner"},
		{"GarbageFallsBack", "Accept-Language: ;;;q=x,,", "nb", "Idrett og fysisk aktivitet", "Tro- og livssynsorganisasjoner"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.post(t, sliceQuery, nil, tt.header)
			if len(r.Errors) > 0 || r.Status != 200 {
				t.Fatalf("status %d errors %+v", r.Status, r.Errors)
			}
			if got := r.Header.Get("Content-Language"); got != tt.wantLang {
				t.Errorf("Content-Language = %q, want %q", got, tt.wantLang)
			}
			if got := get(r.Data, "municipality.name"); got != "Demo kommune" {
				t.Errorf("municipality.name = %v", got)
			}
			cats := names(r.Data, "categories", "name")
			if len(cats) != 10 || !slices.Contains(cats, tt.wantCategory) || !slices.Contains(cats, tt.wantFaith) {
				t.Errorf("categories = %v, want the ten with %q and %q", cats, tt.wantCategory, tt.wantFaith)
			}
			if got := names(r.Data, "locales", "code"); !slices.Equal(got, []string{"nb", "nn", "en"}) {
				t.Errorf("locales = %v", got)
			}
		})
	}
}

func TestLocales(t *testing.T) {
	s := newServer(t)
	r := s.post(t, sliceQuery, nil)
	if get(r.Data, "locales.1.fallback.code") != "nb" || get(r.Data, "locales.0.isDefault") != true || get(r.Data, "locales.2.direction") != "LTR" {
		t.Errorf("locales = %v", get(r.Data, "locales"))
	}
	if get(r.Data, "municipality.defaultLocale.code") != "nb" {
		t.Errorf("defaultLocale = %v", get(r.Data, "municipality.defaultLocale"))
	}
	// A disabled locale is neither listed nor negotiated.
	s.exec(t, "UPDATE locales SET enabled = false WHERE code = 'en'")
	s.app.Tenants.Invalidate()
	r = s.post(t, sliceQuery, nil, "Accept-Language: en")
	if got := names(r.Data, "locales", "code"); !slices.Equal(got, []string{"nb", "nn"}) {
		t.Errorf("locales with en disabled = %v", got)
	}
	if r.Header.Get("Content-Language") != "nb" {
		t.Errorf("negotiated a disabled locale: %q", r.Header.Get("Content-Language"))
	}
}

func TestContentFallsBackAlongTheChain(t *testing.T) {
	s := newServer(t)
	// A sub-category written only in bokmål, under Idrett.
	s.exec(t, `INSERT INTO categories (id, municipality_id, parent_id, slug, sort_order)
		SELECT ?, municipality_id, id, 'svomming', 1 FROM categories WHERE slug = 'idrett-og-fysisk-aktivitet'`, uuid.Must(uuid.NewV7()))
	s.exec(t, `INSERT INTO category_translations (category_id, municipality_id, locale, name)
		SELECT id, municipality_id, 'nb', 'Svømming' FROM categories WHERE slug = 'svomming'`)
	for _, lang := range []string{"nb", "nn", "en"} {
		r := s.post(t, `{ category(slug: "idrett-og-fysisk-aktivitet") { children { name textLocale parent { slug } } } }`, nil, "Accept-Language: "+lang)
		if get(r.Data, "category.children.0.name") != "Svømming" || get(r.Data, "category.children.0.textLocale") != "nb" {
			t.Errorf("%s: children = %v %v", lang, get(r.Data, "category.children"), r.Errors)
		}
		if get(r.Data, "category.children.0.parent.slug") != "idrett-og-fysisk-aktivitet" {
			t.Errorf("%s: parent = %v", lang, get(r.Data, "category.children.0.parent"))
		}
	}
	// The top level still has ten: the child is not a root.
	if r := s.post(t, `{ categories { slug } }`, nil); len(names(r.Data, "categories", "slug")) != 10 {
		t.Errorf("categories = %v", get(r.Data, "categories"))
	}
}

func TestCategoryLookup(t *testing.T) {
	s := newServer(t)
	r := s.post(t, `{ category(slug: "natur-og-friluftsliv") { id name } }`, nil)
	id, _ := get(r.Data, "category.id").(string)
	if id == "" {
		t.Fatalf("by slug: %+v", r)
	}
	r = s.post(t, `query($id: ID!) { category(id: $id) { slug } node(id: $id) { id ... on Category { name } } }`, map[string]any{"id": id})
	if get(r.Data, "category.slug") != "natur-og-friluftsliv" || get(r.Data, "node.name") != "Natur og friluftsliv" || get(r.Data, "node.id") != id {
		t.Errorf("by id / node: %+v", r)
	}
	t.Run("MissingSlugIsNull", func(t *testing.T) {
		r := s.post(t, `{ category(slug: "finnes-ikke") { id } }`, nil)
		if len(r.Errors) > 0 || get(r.Data, "category") != nil {
			t.Errorf("%+v", r)
		}
	})
	t.Run("ErrBothIDAndSlug", func(t *testing.T) {
		r := s.post(t, `query($id: ID!) { category(id: $id, slug: "x") { id } }`, map[string]any{"id": id})
		if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "id" {
			t.Errorf("%+v", r.Errors)
		}
	})
	t.Run("ErrMalformedID", func(t *testing.T) {
		r := s.post(t, `{ category(id: "not-an-id") { id } }`, nil, "Accept-Language: en")
		if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "id" || r.Errors[0].Message != "The ID is not valid." {
			t.Errorf("%+v", r.Errors)
		}
	})
}

func TestNodeNeverCrossesMunicipalities(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	if _, err := s.app.Tenants.CreateMunicipality(ctx, tenantInput("larvik", "Larvik kommune", "portal.larvik.no")); err != nil {
		t.Fatal(err)
	}
	demo := s.post(t, `{ municipality { id } locales { id } categories { id } }`, nil, "X-Municipality: demo")
	larvik := s.post(t, `{ municipality { id name } categories { id } }`, nil, "X-Municipality: larvik")
	if get(larvik.Data, "municipality.name") != "Larvik kommune" {
		t.Fatalf("larvik: %+v", larvik)
	}
	for _, path := range []string{"municipality.id", "locales.0.id", "categories.0.id"} {
		id := get(demo.Data, path)
		own := s.post(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}, "X-Municipality: demo")
		if get(own.Data, "node.id") != id {
			t.Errorf("%s: demo cannot fetch its own node: %+v", path, own)
		}
		other := s.post(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}, "X-Municipality: larvik")
		if len(other.Errors) > 0 || get(other.Data, "node") != nil {
			t.Errorf("%s: larvik sees demo's node: %+v", path, other)
		}
	}
	if get(demo.Data, "categories.0.id") == get(larvik.Data, "categories.0.id") {
		t.Error("two municipalities share a category ID")
	}
	r := s.post(t, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []any{get(demo.Data, "categories.0.id"), get(larvik.Data, "categories.0.id")}}, "X-Municipality: larvik")
	if nodes, _ := get(r.Data, "nodes").([]any); len(nodes) != 2 || nodes[0] != nil || get(r.Data, "nodes.1.id") != get(larvik.Data, "categories.0.id") {
		t.Errorf("nodes = %+v", r)
	}
}
