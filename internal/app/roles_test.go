package app_test

import (
	"slices"
	"testing"

	"github.com/fritid/fritid/internal/auth"
)

const (
	setNeighbourhoodEditor = `mutation($n: ID!, $u: ID!, $e: Boolean!) {
		setNeighbourhoodEditor(neighbourhoodId: $n, userId: $u, editor: $e) { neighbourhood { slug } } }`
	setCommittee = `mutation($id: ID!, $in: CommitteeInput!) {
		setNeighbourhoodCommittee(id: $id, input: $in) { neighbourhood { committee { email members { name role } } } } }`
	setNeighbourhoodText = `mutation($id: ID!, $l: String!, $in: NeighbourhoodTextInput!) {
		setNeighbourhoodTranslation(id: $id, locale: $l, input: $in) { neighbourhood { name description } } }`
	readNeighbourhood = `query($slug: String!) { neighbourhood(slug: $slug) {
		name description committee { email phone website members { name role } } } }`
)

func TestCommitteeEditorsKeepTheirNeighbourhood(t *testing.T) {
	t.Parallel()
	s := newDemoServer(t)
	larvik := "X-Municipality: larvik"
	createAdminIn(t, s, "larvik", "admin@larvik.no")
	admin := login(t, s, "admin@larvik.no", larvik)
	keeper := createUserIn(t, s, "larvik", "leder@stavern.no")
	committee := login(t, s, "leder@stavern.no", larvik)
	nbs := ok(t, s.post(t, `{ neighbourhoods { nodes { id slug } } }`, nil, larvik))
	var stavern, sentrum string
	for _, n := range list(nbs, "neighbourhoods") {
		switch n["slug"] {
		case "stavern":
			stavern = n["id"].(string)
		case "larvik-sentrum":
			sentrum = n["id"].(string)
		}
	}

	// Before an administrator makes them its editor, they keep nothing.
	in := map[string]any{"email": "utvalg@stavern.no", "phone": "33 11 22 33",
		"members": []any{map[string]any{"name": "Kari Nordmann", "role": "leder"}, map[string]any{"name": "Ola Nordmann", "role": "kasserer"}}}
	if r := s.post(t, setCommittee, map[string]any{"id": stavern, "in": in}, committee, larvik); r.code() != "FORBIDDEN" {
		t.Fatalf("before: %+v", r.Errors)
	}
	r := ok(t, s.post(t, setNeighbourhoodEditor, map[string]any{"n": stavern, "u": keeper, "e": true}, admin, larvik))
	if get(r.Data, "setNeighbourhoodEditor.neighbourhood.slug") != "stavern" {
		t.Errorf("payload: %+v", r.Data)
	}
	if r := ok(t, s.post(t, `{ viewer { neighbourhoods { slug } } }`, nil, committee, larvik)); !slices.Equal(names(r.Data, "viewer.neighbourhoods", "slug"), []string{"stavern"}) {
		t.Errorf("viewer.neighbourhoods: %+v", r.Data)
	}

	// The committee and the description round-trip through the public read.
	r = ok(t, s.post(t, setCommittee, map[string]any{"id": stavern, "in": in}, committee, larvik))
	if got := names(r.Data, "setNeighbourhoodCommittee.neighbourhood.committee.members", "role"); !slices.Equal(got, []string{"leder", "kasserer"}) {
		t.Errorf("payload: %+v", r.Data)
	}
	ok(t, s.post(t, setNeighbourhoodText, map[string]any{"id": stavern, "l": "nn", "in": map[string]any{"description": "Sommarbyen."}}, committee, larvik))
	pub := ok(t, s.post(t, readNeighbourhood, map[string]any{"slug": "stavern"}, larvik, "Accept-Language: nn"))
	if get(pub.Data, "neighbourhood.committee.email") != "utvalg@stavern.no" || get(pub.Data, "neighbourhood.committee.website") != nil ||
		!slices.Equal(names(pub.Data, "neighbourhood.committee.members", "name"), []string{"Kari Nordmann", "Ola Nordmann"}) {
		t.Errorf("committee: %+v", pub.Data)
	}
	// Nynorsk has a description and no name of its own: the name falls back on its own.
	if get(pub.Data, "neighbourhood.name") != "Stavern" || get(pub.Data, "neighbourhood.description") != "Sommarbyen." {
		t.Errorf("nynorsk: %+v", pub.Data)
	}
	if r := ok(t, s.post(t, readNeighbourhood, map[string]any{"slug": "stavern"}, larvik)); get(r.Data, "neighbourhood.description") == "Sommarbyen." {
		t.Errorf("bokmål took the nynorsk description: %+v", r.Data)
	}

	t.Run("ErrNothingElse", func(t *testing.T) {
		for name, r := range map[string]*gqlResponse{
			"another neighbourhood": s.post(t, setCommittee, map[string]any{"id": sentrum, "in": in}, committee, larvik),
			"its description elsewhere": s.post(t, setNeighbourhoodText, map[string]any{"id": sentrum, "l": "nb",
				"in": map[string]any{"description": "x"}}, committee, larvik),
			"the whole neighbourhood": s.post(t, `mutation { saveNeighbourhood(input: {id: "`+stavern+`", slug: "stavern",
				area: "{\"type\":\"Polygon\",\"coordinates\":[[[10,59],[10.1,59],[10.1,59.1],[10,59]]]}", names: [{locale: "nb", name: "S"}]}) { id } }`,
				nil, committee, larvik),
			"naming editors": s.post(t, setNeighbourhoodEditor, map[string]any{"n": stavern, "u": keeper, "e": true}, committee, larvik),
		} {
			if r.code() != "FORBIDDEN" {
				t.Errorf("%s: %+v", name, r.Errors)
			}
		}
	})
	t.Run("BadInput", func(t *testing.T) {
		for field, in := range map[string]map[string]any{
			"input.email":           {"email": "ikke en adresse"},
			"input.website":         {"website": "ftp://stavern.no"},
			"input.members[1].name": {"members": []any{map[string]any{"name": "Kari"}, map[string]any{"name": " "}}},
		} {
			wantError(t, s.post(t, setCommittee, map[string]any{"id": stavern, "in": in}, committee, larvik), "BAD_USER_INPUT", field)
		}
		wantError(t, s.post(t, setNeighbourhoodText, map[string]any{"id": stavern, "l": "de", "in": map[string]any{"description": "x"}}, committee, larvik),
			"BAD_USER_INPUT", "locale")
	})
	t.Run("ErrAnotherMunicipality", func(t *testing.T) {
		createAdmin(t, s, "admin@demo.no")
		other := login(t, s, "admin@demo.no")
		for name, r := range map[string]*gqlResponse{
			"committee":   s.post(t, setCommittee, map[string]any{"id": stavern, "in": in}, other),
			"description": s.post(t, setNeighbourhoodText, map[string]any{"id": stavern, "l": "nb", "in": map[string]any{"description": "x"}}, other),
			"editor":      s.post(t, setNeighbourhoodEditor, map[string]any{"n": stavern, "u": keeper, "e": true}, other),
		} {
			if r.code() != "NOT_FOUND" {
				t.Errorf("%s: %+v", name, r.Errors)
			}
		}
		demoUser := createUserIn(t, s, "demo", "nabo@demo.no")
		if r := s.post(t, setNeighbourhoodEditor, map[string]any{"n": stavern, "u": demoUser, "e": true}, admin, larvik); r.code() != "NOT_FOUND" {
			t.Errorf("a user of another municipality: %+v", r.Errors)
		}
	})

	// Ended: they keep nothing again.
	ok(t, s.post(t, setNeighbourhoodEditor, map[string]any{"n": stavern, "u": keeper, "e": false}, admin, larvik))
	if r := ok(t, s.post(t, `{ viewer { neighbourhoods { slug } } }`, nil, committee, larvik)); len(get(r.Data, "viewer.neighbourhoods").([]any)) != 0 {
		t.Errorf("after: %+v", r.Data)
	}
	if r := s.post(t, setCommittee, map[string]any{"id": stavern, "in": in}, committee, larvik); r.code() != "FORBIDDEN" {
		t.Errorf("after: %+v", r.Errors)
	}
}

func TestMunicipalEditorsKeepEveryListing(t *testing.T) {
	t.Parallel()
	s := newDemoServer(t)
	larvik := "X-Municipality: larvik"
	org, owner := newOwnedOrganisation(t, s, larvik)
	createAdminIn(t, s, "larvik", "admin@larvik.no")
	ok(t, s.post(t, `mutation($id: ID!) { approveOrganisation(id: $id) { id } }`, map[string]any{"id": org}, login(t, s, "admin@larvik.no", larvik), larvik))
	act := get(ok(t, s.post(t, `mutation($o: ID!) { createActivity(organisationId: $o, input: {title: "Sjakk for barn"}) { id } }`,
		map[string]any{"o": org}, owner, larvik)).Data, "createActivity.id")
	createUserIn(t, s, "larvik", "redaktor@larvik.no", auth.RoleEditor)
	editor := login(t, s, "redaktor@larvik.no", larvik)

	// Content, of any organisation: fields, texts, activities and their status, venues.
	ok(t, s.post(t, updateOrganisationLists, map[string]any{"id": org, "in": map[string]any{"place": "Stavern",
		"links": []any{map[string]any{"kind": "WEBSITE", "url": "https://sjakk.no"}}}}, editor, larvik))
	ok(t, s.post(t, `mutation($id: ID!) { setOrganisationTranslation(id: $id, locale: "en", input: {summary: "A chess club"}) { id } }`,
		map[string]any{"id": org}, editor, larvik))
	ok(t, s.post(t, `mutation($id: ID!) { updateActivity(id: $id, input: {priceOre: 0}) { id } }`, map[string]any{"id": act}, editor, larvik))
	ok(t, s.post(t, `mutation($id: ID!) { setActivityStatus(id: $id, status: PUBLISHED) { status } }`, map[string]any{"id": act}, editor, larvik))
	venue := get(ok(t, s.post(t, saveVenue, map[string]any{"in": map[string]any{"name": "Rådhuset"}}, editor, larvik)).Data, "saveVenue.id")
	ok(t, s.post(t, `mutation($id: ID!) { setVenueTranslation(id: $id, locale: "en", input: {name: "The Town Hall"}) { venue { id } } }`,
		map[string]any{"id": venue}, editor, larvik))

	pub := ok(t, s.post(t, `query($id: ID!, $a: ID!) { organisation(id: $id) { summary address { place } links { url } }
		activity(id: $a) { status priceOre } }`, map[string]any{"id": org, "a": act}, larvik, "Accept-Language: en"))
	if get(pub.Data, "organisation.summary") != "A chess club" || get(pub.Data, "organisation.address.place") != "Stavern" ||
		get(pub.Data, "organisation.links.0.url") != "https://sjakk.no" || get(pub.Data, "activity.status") != "PUBLISHED" {
		t.Errorf("public read: %+v", pub.Data)
	}
	// What an editor edits, it reads in every language, and it sees the gaps.
	if r := ok(t, s.post(t, `query($id: ID!) { organisation(id: $id) { translations { locale } } }`, map[string]any{"id": org}, editor, larvik)); len(get(r.Data, "organisation.translations").([]any)) == 0 {
		t.Errorf("translations: %+v", r.Data)
	}
	ok(t, s.post(t, `{ missingTranslations(first: 5) { pageInfo { hasNextPage } } }`, nil, editor, larvik))

	// Not approval, not people, not keys, not the card.
	pending, _ := newOwnedOrganisationAs(t, s, "eier@sjakk2.no", larvik)
	for name, r := range map[string]*gqlResponse{
		"approveOrganisation": s.post(t, `mutation($id: ID!) { approveOrganisation(id: $id) { id } }`, map[string]any{"id": pending}, editor, larvik),
		"rejectOrganisation": s.post(t, `mutation($id: ID!) { rejectOrganisation(id: $id, reason: "Nei") { id } }`,
			map[string]any{"id": pending}, editor, larvik),
		"inviteMember": s.post(t, `mutation($id: ID!) { inviteMember(organisationId: $id, email: "ny@sjakk.no", role: EDITOR) }`,
			map[string]any{"id": org}, editor, larvik),
		"Organisation.members": s.post(t, `query($id: ID!) { organisation(id: $id) { members { role } } }`, map[string]any{"id": org}, editor, larvik),
		"inviteUser":           s.post(t, `mutation { inviteUser(email: "x@larvik.no", displayName: "X", roles: [EDITOR]) { roles } }`, nil, editor, larvik),
		"createApiKey":         s.post(t, `mutation { createApiKey(name: "x", scopes: [CATALOGUE_WRITE]) { token } }`, nil, editor, larvik),
		"saveCardAgency":       s.post(t, `mutation { saveCardAgency(input: {name: "NAV", kind: NAV}) { id } }`, nil, editor, larvik),
	} {
		if r.code() != "FORBIDDEN" {
			t.Errorf("%s: %+v", name, r.Errors)
		}
	}
	t.Run("ErrAnotherMunicipality", func(t *testing.T) {
		createUserIn(t, s, "demo", "redaktor@demo.no", auth.RoleEditor)
		other := login(t, s, "redaktor@demo.no")
		for name, r := range map[string]*gqlResponse{
			"updateOrganisation": s.post(t, updateOrganisationLists, map[string]any{"id": org, "in": map[string]any{"place": "X"}}, other),
			"updateActivity":     s.post(t, `mutation($id: ID!) { updateActivity(id: $id, input: {priceOre: 1}) { id } }`, map[string]any{"id": act}, other),
			"saveVenue":          s.post(t, saveVenue, map[string]any{"in": map[string]any{"id": venue, "name": "X"}}, other),
		} {
			if r.code() != "NOT_FOUND" {
				t.Errorf("%s: %+v", name, r.Errors)
			}
		}
	})
}

// newOwnedOrganisationAs is newOwnedOrganisation with the owner's e-mail address given.
func newOwnedOrganisationAs(t *testing.T, s *testServer, email string, headers ...string) (string, string) {
	t.Helper()
	r := ok(t, s.post(t, registerMutation, map[string]any{"in": map[string]any{"name": "Sjakklubb " + email, "kind": "VOLUNTARY",
		"owner": map[string]any{"email": email, "password": "riktig hest batteri"}}}, headers...))
	link := outboxLink(t, s, "VerifyEmail", email)
	ok(t, s.post(t, `mutation($t: String!) { verifyEmail(token: $t) }`, map[string]any{"t": link[len(link)-43:]}, headers...))
	return get(r.Data, "registerOrganisation.id").(string), login(t, s, email, headers...)
}
