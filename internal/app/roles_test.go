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
	viewerNeighbourhoods = `{ viewer { neighbourhoods { slug } } }`
	readNeighbourhood    = `query($slug: String!) { neighbourhood(slug: $slug) {
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
	in := obj{"email": "utvalg@stavern.no", "phone": "33 11 22 33",
		"members": []any{obj{"name": "Kari Nordmann", "role": "leder"}, obj{"name": "Ola Nordmann", "role": "kasserer"}}}
	if r := s.post(t, setCommittee, obj{"id": stavern, "in": in}, committee, larvik); r.code() != "FORBIDDEN" {
		t.Fatalf("before: %+v", r.Errors)
	}
	r := ok(t, s.post(t, setNeighbourhoodEditor, obj{"n": stavern, "u": keeper, "e": true}, admin, larvik))
	if get(r.Data, "setNeighbourhoodEditor.neighbourhood.slug") != "stavern" {
		t.Errorf("payload: %+v", r.Data)
	}
	editors := `query($id: ID!) { node(id: $id) { ... on Neighbourhood { editors { email } } } }`
	r = ok(t, s.post(t, editors, obj{"id": stavern}, admin, larvik))
	if !slices.Equal(names(r.Data, "node.editors", "email"), []string{"leder@stavern.no"}) {
		t.Errorf("editors: %+v", r.Data)
	}
	r = ok(t, s.post(t, viewerNeighbourhoods, nil, committee, larvik))
	if !slices.Equal(names(r.Data, "viewer.neighbourhoods", "slug"), []string{"stavern"}) {
		t.Errorf("viewer.neighbourhoods: %+v", r.Data)
	}

	// The committee and the description round-trip through the public read.
	r = ok(t, s.post(t, setCommittee, obj{"id": stavern, "in": in}, committee, larvik))
	roles := names(r.Data, "setNeighbourhoodCommittee.neighbourhood.committee.members", "role")
	if !slices.Equal(roles, []string{"leder", "kasserer"}) {
		t.Errorf("payload: %+v", r.Data)
	}
	nn := obj{"description": "Sommarbyen."}
	ok(t, s.post(t, setNeighbourhoodText, obj{"id": stavern, "l": "nn", "in": nn}, committee, larvik))
	pub := ok(t, s.post(t, readNeighbourhood, obj{"slug": "stavern"}, larvik, "Accept-Language: nn"))
	members := names(pub.Data, "neighbourhood.committee.members", "name")
	if get(pub.Data, "neighbourhood.committee.email") != "utvalg@stavern.no" ||
		get(pub.Data, "neighbourhood.committee.website") != nil ||
		!slices.Equal(members, []string{"Kari Nordmann", "Ola Nordmann"}) {
		t.Errorf("committee: %+v", pub.Data)
	}
	// Nynorsk has a description and no name of its own: the name falls back on its own.
	if get(pub.Data, "neighbourhood.name") != "Stavern" || get(pub.Data, "neighbourhood.description") != "Sommarbyen." {
		t.Errorf("nynorsk: %+v", pub.Data)
	}
	r = ok(t, s.post(t, readNeighbourhood, obj{"slug": "stavern"}, larvik))
	if get(r.Data, "neighbourhood.description") == "Sommarbyen." {
		t.Errorf("bokmål took the nynorsk description: %+v", r.Data)
	}

	t.Run("ErrNothingElse", func(t *testing.T) {
		for name, r := range map[string]*gqlResponse{
			"another neighbourhood": s.post(t, setCommittee, obj{"id": sentrum, "in": in}, committee, larvik),
			"its description elsewhere": s.post(t, setNeighbourhoodText, obj{"id": sentrum, "l": "nb",
				"in": obj{"description": "x"}}, committee, larvik),
			"the whole neighbourhood": s.post(t, `mutation($in: NeighbourhoodChangesInput!) {
				saveNeighbourhood(input: $in) { neighbourhood { id } } }`,
				obj{"in": obj{"id": stavern, "slug": "stavern", "names": []any{obj{"locale": "nb", "name": "S"}},
					"area": `{"type":"Polygon","coordinates":[[[10,59],[10.1,59],[10.1,59.1],[10,59]]]}`}}, committee, larvik),
			"naming editors": s.post(t, setNeighbourhoodEditor, obj{"n": stavern, "u": keeper, "e": true}, committee, larvik),
		} {
			if r.code() != "FORBIDDEN" {
				t.Errorf("%s: %+v", name, r.Errors)
			}
		}
	})

	// An administrator who saves the name and area, leaving the committee and descriptions
	// out, does not undo what the committee editor wrote.
	ok(t, s.post(t, `mutation($in: NeighbourhoodChangesInput!) {
		saveNeighbourhood(input: $in) { neighbourhood { id } } }`,
		obj{"in": obj{"id": stavern, "slug": "stavern", "names": []any{obj{"locale": "nb", "name": "Stavern by"}},
			"area": `{"type":"Polygon","coordinates":[[[10,59],[10.1,59],[10.1,59.1],[10,59]]]}`}}, admin, larvik))
	pub = ok(t, s.post(t, readNeighbourhood, obj{"slug": "stavern"}, larvik, "Accept-Language: nn"))
	members = names(pub.Data, "neighbourhood.committee.members", "name")
	if get(pub.Data, "neighbourhood.name") != "Stavern by" ||
		get(pub.Data, "neighbourhood.description") != "Sommarbyen." ||
		get(pub.Data, "neighbourhood.committee.email") != "utvalg@stavern.no" ||
		!slices.Equal(members, []string{"Kari Nordmann", "Ola Nordmann"}) {
		t.Errorf("after the administrator's save: %+v", pub.Data)
	}
	t.Run("BadInput", func(t *testing.T) {
		for field, in := range map[string]obj{
			"input.email":           {"email": "ikke en adresse"},
			"input.website":         {"website": "ftp://stavern.no"},
			"input.members[1].name": {"members": []any{obj{"name": "Kari"}, obj{"name": " "}}},
		} {
			wantError(t, s.post(t, setCommittee, obj{"id": stavern, "in": in}, committee, larvik), "BAD_USER_INPUT", field)
		}
		r := s.post(t, setNeighbourhoodText, obj{"id": stavern, "l": "de", "in": obj{"description": "x"}}, committee, larvik)
		wantError(t, r, "BAD_USER_INPUT", "locale")
	})
	t.Run("ErrAnotherMunicipality", func(t *testing.T) {
		createAdmin(t, s, "admin@demo.no")
		other := login(t, s, "admin@demo.no")
		for name, r := range map[string]*gqlResponse{
			"committee":   s.post(t, setCommittee, obj{"id": stavern, "in": in}, other),
			"description": s.post(t, setNeighbourhoodText, obj{"id": stavern, "l": "nb", "in": obj{"description": "x"}}, other),
			"editor":      s.post(t, setNeighbourhoodEditor, obj{"n": stavern, "u": keeper, "e": true}, other),
		} {
			if r.code() != "NOT_FOUND" {
				t.Errorf("%s: %+v", name, r.Errors)
			}
		}
		demoUser := createUserIn(t, s, "demo", "nabo@demo.no")
		r := s.post(t, setNeighbourhoodEditor, obj{"n": stavern, "u": demoUser, "e": true}, admin, larvik)
		if r.code() != "NOT_FOUND" {
			t.Errorf("a user of another municipality: %+v", r.Errors)
		}
	})

	// Ended: they keep nothing again.
	ok(t, s.post(t, setNeighbourhoodEditor, obj{"n": stavern, "u": keeper, "e": false}, admin, larvik))
	r = ok(t, s.post(t, viewerNeighbourhoods, nil, committee, larvik))
	if len(get(r.Data, "viewer.neighbourhoods").([]any)) != 0 {
		t.Errorf("after: %+v", r.Data)
	}
	r = ok(t, s.post(t, editors, obj{"id": stavern}, admin, larvik))
	if len(get(r.Data, "node.editors").([]any)) != 0 {
		t.Errorf("after: %+v", r.Data)
	}
	if r := s.post(t, setCommittee, obj{"id": stavern, "in": in}, committee, larvik); r.code() != "FORBIDDEN" {
		t.Errorf("after: %+v", r.Errors)
	}
}

func TestMunicipalEditorsKeepEveryListing(t *testing.T) {
	t.Parallel()
	s := newDemoServer(t)
	larvik := "X-Municipality: larvik"
	org, owner := newOwnedOrganisation(t, s, larvik)
	createAdminIn(t, s, "larvik", "admin@larvik.no")
	admin := login(t, s, "admin@larvik.no", larvik)
	createUserIn(t, s, "larvik", "redaktor@larvik.no", auth.RoleEditor)
	editor := login(t, s, "redaktor@larvik.no", larvik)
	as := func(who, query string, vars obj) *gqlResponse { return s.post(t, query, vars, who, larvik) }
	ok(t, as(admin, `mutation($id: ID!) { approveOrganisation(id: $id) { organisation { id } } }`, obj{"id": org}))
	r := ok(t, as(owner, `mutation($o: ID!) {
		createActivity(organisationId: $o, input: {title: "Sjakk"}) { activity { id } } }`,
		obj{"o": org}))
	act := get(r.Data, "createActivity.activity.id")

	// What they may edit they may read, in every status: the new activity is a DRAFT.
	draft := `query($a: ID!) { activity(id: $a) { status } node(id: $a) { id } }`
	for who, header := range map[string]string{"admin": admin, "editor": editor} {
		if r := ok(t, as(header, draft, obj{"a": act})); get(r.Data, "activity.status") != "DRAFT" ||
			get(r.Data, "node.id") != act {
			t.Errorf("%s reads the draft: %+v", who, r.Data)
		}
	}
	if r := ok(t, s.post(t, draft, obj{"a": act}, larvik)); get(r.Data, "activity") != nil || get(r.Data, "node") != nil {
		t.Errorf("the public reads a draft: %+v", r.Data)
	}

	// Content, of any organisation: fields, texts, activities and their status, venues.
	links := []any{obj{"kind": "WEBSITE", "url": "https://sjakk.no"}}
	ok(t, as(editor, updateOrganisationLists, obj{"id": org, "in": obj{"place": "Stavern", "links": links}}))
	ok(t, as(editor, `mutation($id: ID!) {
		setOrganisationTranslation(id: $id, locale: "en", input: {summary: "A chess club"}) {
			organisation { id } } }`, obj{"id": org}))
	ok(t, as(editor, `mutation($id: ID!) {
		updateActivity(id: $id, input: {priceOre: 0}) { activity { id } } }`, obj{"id": act}))
	ok(t, as(editor, `mutation($id: ID!) {
		setActivityStatus(id: $id, status: PUBLISHED) { activity { status } } }`, obj{"id": act}))
	venue := get(ok(t, as(editor, saveVenue, obj{"in": obj{"name": "Rådhuset"}})).Data, "saveVenue.venue.id")
	ok(t, as(editor, `mutation($id: ID!) {
		setVenueTranslation(id: $id, locale: "en", input: {name: "The Town Hall"}) { venue { id } } }`, obj{"id": venue}))

	pub := ok(t, s.post(t, `query($id: ID!, $a: ID!) { organisation(id: $id) { summary address { place } links { url } }
		activity(id: $a) { status } }`, obj{"id": org, "a": act}, larvik, "Accept-Language: en"))
	if get(pub.Data, "organisation.summary") != "A chess club" ||
		get(pub.Data, "organisation.address.place") != "Stavern" ||
		get(pub.Data, "organisation.links.0.url") != "https://sjakk.no" || get(pub.Data, "activity.status") != "PUBLISHED" {
		t.Errorf("public read: %+v", pub.Data)
	}
	// What an editor edits, it reads in every language, and it sees the gaps.
	r = ok(t, as(editor, `query($id: ID!) { organisation(id: $id) { translations { locale } } }`, obj{"id": org}))
	if len(get(r.Data, "organisation.translations").([]any)) == 0 {
		t.Errorf("translations: %+v", r.Data)
	}
	ok(t, as(editor, `{ missingTranslations(first: 5) { pageInfo { hasNextPage } } }`, nil))

	// Not approval, not people, not keys, not the card.
	pending, _ := newOwnedOrganisationAs(t, s, "eier@sjakk2.no", larvik)
	for name, r := range map[string]*gqlResponse{
		"approveOrganisation": as(editor, `mutation($id: ID!) {
			approveOrganisation(id: $id) { organisation { id } } }`, obj{"id": pending}),
		"rejectOrganisation": as(editor, `mutation($id: ID!) {
			rejectOrganisation(id: $id, reason: "Nei") { organisation { id } } }`,
			obj{"id": pending}),
		"inviteMember": as(editor, `mutation($id: ID!) {
			inviteMember(organisationId: $id, email: "ny@sjakk.no", role: EDITOR) { organisation { id } } }`, obj{"id": org}),
		"Organisation.members": as(editor, `query($id: ID!) {
			organisation(id: $id) { members { role } } }`, obj{"id": org}),
		"inviteUser": as(editor, `mutation { inviteUser(email: "x@larvik.no", displayName: "X", roles: [EDITOR]) {
			userAccount { roles } } }`,
			nil),
		"createApiKey": as(editor, `mutation { createApiKey(name: "x", scopes: [CATALOGUE_WRITE]) { token } }`, nil),
		"saveCardAgency": as(editor, `mutation { saveCardAgency(input: {name: "NAV", kind: NAV}) {
			agency { id } } }`, nil),
	} {
		if r.code() != "FORBIDDEN" {
			t.Errorf("%s: %+v", name, r.Errors)
		}
	}
	t.Run("ErrAnotherMunicipality", func(t *testing.T) {
		createUserIn(t, s, "demo", "redaktor@demo.no", auth.RoleEditor)
		other := login(t, s, "redaktor@demo.no")
		for name, r := range map[string]*gqlResponse{
			"updateOrganisation": s.post(t, updateOrganisationLists, obj{"id": org, "in": obj{"place": "X"}}, other),
			"updateActivity": s.post(t, `mutation($id: ID!) {
				updateActivity(id: $id, input: {priceOre: 1}) { activity { id } } }`,
				obj{"id": act}, other),
			"saveVenue": s.post(t, saveVenue, obj{"in": obj{"id": venue, "name": "X"}}, other),
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
	r := ok(t, s.post(t, registerMutation, obj{"in": obj{"name": "Sjakklubb " + email, "kind": "VOLUNTARY",
		"owner": obj{"email": email, "password": "riktig hest batteri"}}}, headers...))
	link := outboxLink(t, s, "VerifyEmail", email)
	ok(t, s.post(t, `mutation($t: String!) {
		verifyEmail(token: $t) { user { id } } }`, obj{"t": link[len(link)-43:]}, headers...))
	return get(r.Data, "registerOrganisation.organisation.id").(string), login(t, s, email, headers...)
}
