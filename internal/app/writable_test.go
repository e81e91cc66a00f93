package app_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/fritid/fritid/internal/auth"
)

// obj is a GraphQL input object or a set of variables.
type obj = map[string]any

// createUserIn makes an account in the municipality slug with roles.
func createUserIn(t *testing.T, s *testServer, slug, email string, roles ...auth.MunicipalRole) string {
	t.Helper()
	tn, err := s.app.Tenants.FindMunicipalityBySlug(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.app.Auth.CreateUser(context.Background(), auth.CreateUserInput{MunicipalityID: tn.ID(), Email: email,
		Password: "riktig hest batteri", Roles: roles})
	if err != nil {
		t.Fatal(err)
	}
	return u.GlobalID()
}

// wantError fails t unless r failed with code on field.
func wantError(t *testing.T, r *gqlResponse, code, field string) {
	t.Helper()
	if r.code() != code || r.Errors[0].Extensions["field"] != field {
		t.Errorf("got %+v, want %s on %s", r.Errors, code, field)
	}
}

const updateOrganisationLists = `mutation($id: ID!, $in: UpdateOrganisationInput!) {
	updateOrganisation(id: $id, input: $in) { organisation { id } } }`

func TestOrganisationLinksAndCategories(t *testing.T) {
	t.Parallel()
	s := newDemoServer(t)
	larvik := "X-Municipality: larvik"
	org, owner := newOwnedOrganisation(t, s, larvik)
	createAdminIn(t, s, "larvik", "admin@larvik.no")
	admin := login(t, s, "admin@larvik.no", larvik)
	taxonomy := ok(t, s.post(t, `{ categories { id slug } }`, nil, larvik))
	sport := idOf(taxonomy, "categories", "idrett-og-fysisk-aktivitet")
	culture := idOf(taxonomy, "categories", "kunst-og-kultur")
	links := []any{obj{"kind": "WEBSITE", "url": "https://sjakk.no"},
		obj{"kind": "FACEBOOK", "url": "https://facebook.com/sjakk"}}

	t.Run("ErrCategoriesBeforeApproval", func(t *testing.T) {
		r := s.post(t, updateOrganisationLists, obj{"id": org, "in": obj{"categories": []any{sport}}}, owner, larvik)
		wantError(t, r, "CONFLICT", "input.categories")
	})
	// Links are the organisation's own: they may change while it waits.
	ok(t, s.post(t, updateOrganisationLists, obj{"id": org, "in": obj{"links": links}}, owner, larvik))
	ok(t, s.post(t, `mutation($id: ID!) {
		approveOrganisation(id: $id) { organisation { id } } }`, obj{"id": org}, admin, larvik))
	both := obj{"categories": []any{sport, culture}}
	ok(t, s.post(t, updateOrganisationLists, obj{"id": org, "in": both}, owner, larvik))

	read := `query($id: ID!) { organisation(id: $id) { links { kind url } categories { slug } } }`
	r := ok(t, s.post(t, read, obj{"id": org}, larvik)) // the public read
	urls := []string{"https://sjakk.no", "https://facebook.com/sjakk"}
	if got := names(r.Data, "organisation.links", "url"); !slices.Equal(got, urls) ||
		get(r.Data, "organisation.links.1.kind") != "FACEBOOK" {
		t.Errorf("links: %+v", r.Data)
	}
	if got := names(r.Data, "organisation.categories", "slug"); len(got) != 2 || !slices.Contains(got, "kunst-og-kultur") {
		t.Errorf("categories: %+v", got)
	}

	// Null clears; a list replaces.
	one := obj{"links": nil, "categories": []any{culture}}
	ok(t, s.post(t, updateOrganisationLists, obj{"id": org, "in": one}, owner, larvik))
	r = ok(t, s.post(t, read, obj{"id": org}, larvik))
	if len(get(r.Data, "organisation.links").([]any)) != 0 ||
		!slices.Equal(names(r.Data, "organisation.categories", "slug"), []string{"kunst-og-kultur"}) {
		t.Errorf("after clearing: %+v", r.Data)
	}
	// The revision before the clearing puts the links back, in order.
	r = ok(t, s.post(t, `query($id: ID!) { revisions(itemId: $id) { nodes { id } } }`, obj{"id": org}, owner, larvik))
	before := get(r.Data, "revisions.nodes.1.id")
	ok(t, s.post(t, `mutation($id: ID!) {
		restoreRevision(id: $id) { revision { id } } }`, obj{"id": before}, owner, larvik))
	r = ok(t, s.post(t, read, obj{"id": org}, larvik))
	if got := names(r.Data, "organisation.links", "url"); !slices.Equal(got, urls) ||
		len(names(r.Data, "organisation.categories", "slug")) != 2 {
		t.Errorf("restored: %+v", r.Data)
	}

	demoSport := idOf(ok(t, s.post(t, `{ categories { id slug } }`, nil)), "categories", "idrett-og-fysisk-aktivitet")
	tooMany := make([]any, 21)
	for i := range tooMany {
		tooMany[i] = obj{"kind": "OTHER", "url": fmt.Sprintf("https://example.no/%d", i)}
	}
	for name, tt := range map[string]struct {
		in          map[string]any
		code, field string
	}{
		"ErrLinkNotHTTP": {obj{"links": []any{links[0], obj{"kind": "OTHER", "url": "javascript:alert(1)"}}},
			"BAD_USER_INPUT", "input.links[1].url"},
		"ErrLinkEmpty": {obj{"links": []any{obj{"kind": "OTHER", "url": " "}}},
			"BAD_USER_INPUT", "input.links[0].url"},
		"ErrTooManyLinks":      {obj{"links": tooMany}, "BAD_USER_INPUT", "input.links"},
		"ErrOtherMunicipality": {obj{"categories": []any{demoSport}}, "BAD_USER_INPUT", "input.categories"},
		"ErrNotACategory":      {obj{"categories": []any{org}}, "BAD_USER_INPUT", "input.categories"},
	} {
		t.Run(name, func(t *testing.T) {
			wantError(t, s.post(t, updateOrganisationLists, obj{"id": org, "in": tt.in}, owner, larvik), tt.code, tt.field)
		})
	}
	t.Run("ErrAnotherMunicipality", func(t *testing.T) {
		createAdmin(t, s, "admin@demo.no")
		r := s.post(t, updateOrganisationLists, obj{"id": org, "in": obj{"links": links}}, login(t, s, "admin@demo.no"))
		if r.code() != "NOT_FOUND" {
			t.Errorf("%+v", r.Errors)
		}
	})
}

func TestCategoryDescriptions(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	createAdmin(t, s, "admin@example.no")
	admin := login(t, s, "admin@example.no")
	createUserIn(t, s, "demo", "redaktor@example.no", auth.RoleEditor)
	editor := login(t, s, "redaktor@example.no")
	save := `mutation($in: CategoryChangesInput!) { saveCategory(input: $in) { category { id description } } }`
	r := ok(t, s.post(t, save, obj{"in": obj{"slug": "sjakk", "names": []any{
		obj{"locale": "nb", "name": "Sjakk", "description": "Brett og brikker"},
		obj{"locale": "en", "name": "Chess"}}}}, admin))
	id := get(r.Data, "saveCategory.category.id")
	if get(r.Data, "saveCategory.category.description") != "Brett og brikker" {
		t.Errorf("saved: %+v", r.Data)
	}
	read := `{ category(slug: "sjakk") { name description } }`
	// English has a name but no description: the description falls back on its own.
	if r := ok(t, s.post(t, read, nil, "Accept-Language: en")); get(r.Data, "category.name") != "Chess" ||
		get(r.Data, "category.description") != "Brett og brikker" {
		t.Errorf("English before: %+v", r.Data)
	}

	// The municipality's editor writes the English description, leaving the taxonomy as it is.
	set := `mutation($id: ID!, $l: String!, $in: CategoryTextInput!) {
		setCategoryTranslation(id: $id, locale: $l, input: $in) { category { name description } } }`
	en := obj{"description": "Boards and pieces"}
	r = ok(t, s.post(t, set, obj{"id": id, "l": "en", "in": en}, editor, "Accept-Language: en"))
	if get(r.Data, "setCategoryTranslation.category.description") != "Boards and pieces" {
		t.Errorf("payload: %+v", r.Data)
	}
	if r := ok(t, s.post(t, read, nil, "Accept-Language: en")); get(r.Data, "category.name") != "Chess" ||
		get(r.Data, "category.description") != "Boards and pieces" {
		t.Errorf("English after: %+v", r.Data)
	}
	if r := ok(t, s.post(t, read, nil)); get(r.Data, "category.description") != "Brett og brikker" {
		t.Errorf("Norwegian after: %+v", r.Data)
	}

	for name, tt := range map[string]struct {
		locale      string
		in          map[string]any
		code, field string
	}{
		"ErrNoNameInANewLanguage": {"nn", obj{"description": "Brett og brikker"}, "BAD_USER_INPUT", "input.name"},
		"ErrDefaultNameCleared":   {"nb", obj{"name": nil}, "BAD_USER_INPUT", "input.name"},
		"ErrLocaleNotEnabled":     {"de", obj{"name": "Schach"}, "BAD_USER_INPUT", "locale"},
		"ErrDescriptionTooLong": {"en", obj{"description": strings.Repeat("a", 5001)},
			"BAD_USER_INPUT", "input.description"},
		"ErrSaveCategoryNotEditors": {"en", nil, "FORBIDDEN", ""},
	} {
		t.Run(name, func(t *testing.T) {
			var r *gqlResponse
			if tt.in == nil {
				in := obj{"id": id, "slug": "sjakk2", "names": []any{obj{"locale": "nb", "name": "Sjakk"}}}
				r = s.post(t, save, obj{"in": in}, editor)
			} else {
				r = s.post(t, set, obj{"id": id, "l": tt.locale, "in": tt.in}, editor)
			}
			if tt.field == "" {
				if r.code() != tt.code {
					t.Errorf("%+v", r.Errors)
				}
				return
			}
			wantError(t, r, tt.code, tt.field)
		})
	}
	t.Run("ErrAnotherMunicipality", func(t *testing.T) {
		_, err := s.app.Tenants.CreateMunicipality(context.Background(), tenantInput("larvik", "Larvik kommune"))
		if err != nil {
			t.Fatal(err)
		}
		createUserIn(t, s, "larvik", "redaktor@larvik.no", auth.RoleEditor)
		r := s.post(t, set, obj{"id": id, "l": "nb", "in": obj{"name": "Kapret"}},
			login(t, s, "redaktor@larvik.no", "X-Municipality: larvik"), "X-Municipality: larvik")
		if r.code() != "NOT_FOUND" {
			t.Errorf("%+v", r.Errors)
		}
	})
}

func TestVenueNamesPerLanguage(t *testing.T) {
	t.Parallel()
	s := newDemoServer(t)
	larvik := "X-Municipality: larvik"
	org, owner := newOwnedOrganisation(t, s, larvik)
	r := ok(t, s.post(t, saveVenue, obj{"in": obj{"organisationId": org, "name": "Klubbhuset"}}, owner, larvik))
	venue := get(r.Data, "saveVenue.venue.id")
	set := `mutation($id: ID!, $l: String!, $in: VenueTextInput!) {
		setVenueTranslation(id: $id, locale: $l, input: $in) { venue { name } } }`
	en := obj{"name": "The Clubhouse"}
	r = ok(t, s.post(t, set, obj{"id": venue, "l": "en", "in": en}, owner, larvik, "Accept-Language: en"))
	if get(r.Data, "setVenueTranslation.venue.name") != "The Clubhouse" {
		t.Errorf("payload: %+v", r.Data)
	}
	read := `query($id: ID!) { node(id: $id) { ... on Venue { name } } }`
	for lang, want := range map[string]string{"en": "The Clubhouse", "nb": "Klubbhuset", "nn": "Klubbhuset"} {
		if r := ok(t, s.post(t, read, obj{"id": venue}, larvik, "Accept-Language: "+lang)); get(r.Data, "node.name") != want {
			t.Errorf("%s: %+v, want %s", lang, r.Data, want)
		}
	}
	// Those who may edit it read every language's name as written, and what is missing.
	texts := `query($id: ID!) { node(id: $id) { ... on Venue { translations { locale name } missingLocales } } }`
	r = ok(t, s.post(t, texts, obj{"id": venue}, owner, larvik))
	if !slices.Equal(names(r.Data, "node.translations", "locale"), []string{"nb", "en"}) ||
		!slices.Equal(names(r.Data, "node.translations", "name"), []string{"Klubbhuset", "The Clubhouse"}) {
		t.Errorf("translations: %+v", r.Data)
	}
	if missing, _ := get(r.Data, "node.missingLocales").([]any); len(missing) != 1 || missing[0] != "nn" {
		t.Errorf("missingLocales: %+v", r.Data)
	}
	r = s.post(t, texts, obj{"id": venue}, larvik)
	if r.code() != "FORBIDDEN" || get(r.Data, "node.translations") != nil {
		t.Errorf("anonymous: %+v %+v", r.Errors, r.Data)
	}
	// In a list, too.
	listed := ok(t, s.post(t, `{ venues(first: 100) { nodes { id name } } }`, nil, larvik, "Accept-Language: en"))
	found := false
	for _, n := range list(listed, "venues") {
		found = found || n["id"] == venue && n["name"] == "The Clubhouse"
	}
	if !found {
		t.Errorf("the English name is not in the list: %+v", listed.Data)
	}

	// The default language's name is the venue's name; clearing another language's falls back.
	ok(t, s.post(t, set, obj{"id": venue, "l": "nb", "in": obj{"name": "Klubbhuset på Bøkeskogen"}}, owner, larvik))
	ok(t, s.post(t, set, obj{"id": venue, "l": "en", "in": obj{"name": nil}}, owner, larvik))
	r = ok(t, s.post(t, read, obj{"id": venue}, larvik, "Accept-Language: en"))
	if get(r.Data, "node.name") != "Klubbhuset på Bøkeskogen" {
		t.Errorf("after clearing English: %+v", r.Data)
	}

	r = s.post(t, set, obj{"id": venue, "l": "nb", "in": obj{"name": ""}}, owner, larvik)
	wantError(t, r, "BAD_USER_INPUT", "input.name")
	r = s.post(t, set, obj{"id": venue, "l": "sv", "in": obj{"name": "Klubbhuset"}}, owner, larvik)
	wantError(t, r, "BAD_USER_INPUT", "locale")
	t.Run("ErrAnotherMunicipality", func(t *testing.T) {
		createAdmin(t, s, "admin@demo.no")
		r := s.post(t, set, obj{"id": venue, "l": "en", "in": obj{"name": "Stolen"}}, login(t, s, "admin@demo.no"))
		if r.code() != "NOT_FOUND" {
			t.Errorf("%+v", r.Errors)
		}
	})
}
