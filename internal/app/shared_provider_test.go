package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/mail/mailtest"
	"github.com/fritid/fritid/internal/platform/config"
	"github.com/fritid/fritid/internal/platform/relay"
)

// sharedWorld is a county's bus company kept in Larvik (its home) that serves Sandefjord
// (accepted) and asked Porsgrunn (not answered), with each municipality's own listings.
type sharedWorld struct {
	s                              *testServer
	owner, larvikAdmin             string // Authorization headers, in Larvik
	sfjAdmin, sfjEditor, porsAdmin string // in Sandefjord, Sandefjord, Porsgrunn
	vkt, local, sfjOwn             string // global IDs: the provider, a Larvik club, a Sandefjord club
	bus, draft, onlySfj, onlyPors  string // global IDs of the provider's activities
	sfjCategory, larvikCategory    string // global IDs of a category of the same slug
}

const (
	larvikH = "X-Municipality: larvik"
	sfjH    = "X-Municipality: sandefjord"
	porsH   = "X-Municipality: porsgrunn"
)

const (
	setScopeQ = `mutation($o: ID!, $s: ProviderScope!, $r: String) {
		setProviderScope(organisationId: $o, scope: $s, region: $r) { organisation { scope region } } }`
	requestQ = `mutation($o: ID!, $m: String!) { requestMunicipality(organisationId: $o, municipality: $m) {
		servedMunicipality { status municipality { slug } homeMunicipality { slug } } } }`
	withdrawQ = `mutation($o: ID!, $m: String!) {
		withdrawMunicipality(organisationId: $o, municipality: $m) { withdrawn } }`
	acceptQ = `mutation($o: ID!) {
		acceptProvider(organisationId: $o) { servedMunicipality { status organisationName decidedAt } } }`
	dropQ  = `mutation($o: ID!) { dropProvider(organisationId: $o) { servedMunicipality { status } } }`
	limitQ = `mutation($a: ID!, $m: [String!]!) {
		setActivityMunicipalities(activityId: $a, municipalities: $m) { activity { servedMunicipalities } } }`
	requestsQ = `query($s: ServingStatus) {
		providerRequests(status: $s) { organisationName status scope region homeMunicipality { name } } }`
	orgNamesQ = `query($f: CatalogueFilterInput) {
		organisations(filter: $f, first: 50) { totalCount nodes { name } } }`
	actTitlesQ = `query($f: CatalogueFilterInput) {
		activities(filter: $f, first: 50) { totalCount nodes { title } } }`
	searchHitsQ = `query($q: String!) { search(query: $q) { totalCount edges { node { __typename
		... on Organisation { name } ... on Activity { title } } } } }`
	sportSlug = "idrett-og-fysisk-aktivitet"
)

func newSharedWorld(t *testing.T, opts ...func(*config.Config)) *sharedWorld {
	t.Helper()
	s := newServer(t, opts...)
	ctx := context.Background()
	ids := map[string]string{}
	for _, m := range [][2]string{
		{"larvik", "Larvik kommune"}, {"sandefjord", "Sandefjord kommune"}, {"porsgrunn", "Porsgrunn kommune"},
	} {
		tn, err := s.app.Tenants.CreateMunicipality(ctx, tenantInput(m[0], m[1]))
		if err != nil {
			t.Fatal(err)
		}
		ids[m[0]] = tn.ID().String()
	}
	users := []struct {
		m, email string
		roles    []auth.MunicipalRole
	}{
		{"larvik", "eier@vkt.no", nil}, {"larvik", "admin@larvik.no", []auth.MunicipalRole{auth.RoleAdmin}},
		{"sandefjord", "admin@sandefjord.no", []auth.MunicipalRole{auth.RoleAdmin}},
		{"sandefjord", "redaktor@sandefjord.no", []auth.MunicipalRole{auth.RoleEditor}},
		{"porsgrunn", "admin@porsgrunn.no", []auth.MunicipalRole{auth.RoleAdmin}},
	}
	for _, u := range users {
		in := auth.CreateUserInput{MunicipalityID: parseUUID(t, ids[u.m]), Email: u.email,
			Password: "riktig hest batteri", Roles: u.roles}
		if _, err := s.app.Auth.CreateUser(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	org := func(m, slug, name, status string) string {
		var id string
		if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO organisations
			(municipality_id, slug, name, kind, status, lat, lon)
			VALUES (?, ?, ?, 'COMMERCIAL', ?, 59.05, 10.03) RETURNING id`,
			ids[m], slug, name, status).Scan(&id); err != nil {
			t.Fatal(err)
		}
		s.exec(t, `INSERT INTO organisation_translations (organisation_id, municipality_id, locale, summary)
			VALUES (?, ?, 'nb', ?)`, id, ids[m], name+" i fylket")
		s.exec(t, `INSERT INTO organisation_categories (organisation_id, category_id, municipality_id)
			SELECT ?, c.id, c.municipality_id FROM categories c WHERE c.municipality_id = ? AND c.slug = ?`,
			id, ids[m], sportSlug)
		return id
	}
	act := func(m, org, slug, title, status string) string {
		var id string
		if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO activities
			(municipality_id, organisation_id, slug, status, lat, lon)
			VALUES (?, ?, ?, ?, 59.05, 10.03) RETURNING id`, ids[m], org, slug, status).Scan(&id); err != nil {
			t.Fatal(err)
		}
		s.exec(t, `INSERT INTO activity_translations (activity_id, municipality_id, locale, title, summary)
			VALUES (?, ?, 'nb', ?, 'Bussbillett for hele fylket')`, id, ids[m], title)
		s.exec(t, `INSERT INTO activity_categories (activity_id, category_id, municipality_id)
			SELECT ?, c.id, c.municipality_id FROM categories c WHERE c.municipality_id = ? AND c.slug = ?`,
			id, ids[m], sportSlug)
		return id
	}
	vkt := org("larvik", "vkt", "Vestfold kollektivtrafikk", "PUBLISHED")
	w := &sharedWorld{s: s,
		vkt:      relayID("Organisation", vkt),
		local:    relayID("Organisation", org("larvik", "larvik-il", "Larvik IL", "PUBLISHED")),
		sfjOwn:   relayID("Organisation", org("sandefjord", "sandefjord-il", "Sandefjord IL", "PUBLISHED")),
		bus:      relayID("Activity", act("larvik", vkt, "klippekort", "Klippekort buss", "PUBLISHED")),
		draft:    relayID("Activity", act("larvik", vkt, "nattbuss", "Nattbuss utkast", "DRAFT")),
		onlySfj:  relayID("Activity", act("larvik", vkt, "sfj-buss", "Sandefjordbussen", "PUBLISHED")),
		onlyPors: relayID("Activity", act("larvik", vkt, "pors-buss", "Porsgrunnbussen", "PUBLISHED")),
	}
	var sfjCat, larvikCat string
	s.app.DB.QueryRowContext(ctx, `SELECT id FROM categories WHERE municipality_id = ? AND slug = ?`,
		ids["sandefjord"], sportSlug).
		Scan(&sfjCat)
	s.app.DB.QueryRowContext(ctx, `SELECT id FROM categories WHERE municipality_id = ? AND slug = ?`,
		ids["larvik"], sportSlug).
		Scan(&larvikCat)
	if sfjCat == "" || larvikCat == "" {
		t.Fatal("no category idrett")
	}
	w.sfjCategory, w.larvikCategory = relayID("Category", sfjCat), relayID("Category", larvikCat)
	s.exec(t, `INSERT INTO organisation_members (municipality_id, organisation_id, user_id, role)
		SELECT o.municipality_id, o.id, u.id, 'OWNER' FROM organisations o, users u
		WHERE o.slug = 'vkt' AND u.email = 'eier@vkt.no'`)
	act("larvik", parseUUID(t, mustLocal(t, w.local)).String(), "larvik-fotball", "Larvik fotball", "PUBLISHED")
	act("sandefjord", parseUUID(t, mustLocal(t, w.sfjOwn)).String(), "sfj-fotball", "Sandefjord fotball", "PUBLISHED")

	w.owner = login(t, s, "eier@vkt.no", larvikH)
	w.larvikAdmin = login(t, s, "admin@larvik.no", larvikH)
	w.sfjAdmin = login(t, s, "admin@sandefjord.no", sfjH)
	w.sfjEditor = login(t, s, "redaktor@sandefjord.no", sfjH)
	w.porsAdmin = login(t, s, "admin@porsgrunn.no", porsH)

	ok(t, s.post(t, setScopeQ, map[string]any{"o": w.vkt, "s": "REGION", "r": "Vestfold"}, larvikH, w.owner))
	for _, m := range []string{"sandefjord", "porsgrunn"} {
		r := ok(t, s.post(t, requestQ, map[string]any{"o": w.vkt, "m": m}, larvikH, w.owner))
		if get(r.Data, "requestMunicipality.servedMunicipality.status") != "REQUESTED" {
			t.Fatalf("request %s: %+v", m, r.Data)
		}
	}
	ok(t, s.post(t, limitQ, map[string]any{"a": w.onlySfj, "m": []string{"sandefjord"}}, larvikH, w.owner))
	ok(t, s.post(t, limitQ, map[string]any{"a": w.onlyPors, "m": []string{"porsgrunn"}}, larvikH, w.owner))
	return w
}

// mustLocal returns the UUID inside a global ID.
func mustLocal(t *testing.T, gid string) string {
	t.Helper()
	_, id, err := relay.ParseGlobalID(gid, "id")
	if err != nil {
		t.Fatal(err)
	}
	return id.String()
}

func parseUUID(t *testing.T, s string) uuid.UUID {
	t.Helper()
	id, err := uuid.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func sortedNames(r *gqlResponse, path, field string) []string {
	out := names(r.Data, path, field)
	sort.Strings(out)
	return out
}

// TestSharedProvider walks a county's provider through being asked for, accepted, shown,
// limited, protected and dropped, as each municipality's portal shows it.
func TestSharedProvider(t *testing.T) {
	t.Parallel()
	w := newSharedWorld(t)
	s := w.s

	t.Run("WaitingRequestShowsNothing", func(t *testing.T) {
		r := ok(t, s.post(t, orgNamesQ, nil, sfjH))
		if got := sortedNames(r, "organisations.nodes", "name"); !slices.Equal(got, []string{"Sandefjord IL"}) {
			t.Fatalf("before accepting: %q", got)
		}
		r = ok(t, s.post(t, requestsQ, map[string]any{"s": "REQUESTED"}, sfjH, w.sfjAdmin))
		if got := names(r.Data, "providerRequests", "organisationName"); !slices.Equal(
			got,
			[]string{"Vestfold kollektivtrafikk"},
		) ||
			get(r.Data, "providerRequests.0.region") != "Vestfold" ||
			get(r.Data, "providerRequests.0.scope") != "REGION" ||
			get(r.Data, "providerRequests.0.homeMunicipality.name") != "Larvik kommune" {
			t.Fatalf("requests: %+v", r.Data)
		}
	})

	r := ok(t, s.post(t, acceptQ, map[string]any{"o": w.vkt}, sfjH, w.sfjAdmin))
	if get(r.Data, "acceptProvider.servedMunicipality.status") != "ACCEPTED" ||
		get(r.Data, "acceptProvider.servedMunicipality.decidedAt") == nil {
		t.Fatalf("accept: %+v", r.Data)
	}

	t.Run("ListsOfTheServedMunicipality", func(t *testing.T) {
		r := ok(t, s.post(t, orgNamesQ, nil, sfjH))
		if got := sortedNames(r, "organisations.nodes", "name"); !slices.Equal(
			got,
			[]string{"Sandefjord IL", "Vestfold kollektivtrafikk"},
		) ||
			get(r.Data, "organisations.totalCount") != 2.0 {
			t.Fatalf("organisations: %q %v", got, get(r.Data, "organisations.totalCount"))
		}
		r = ok(t, s.post(t, actTitlesQ, nil, sfjH))
		want := []string{"Klippekort buss", "Sandefjord fotball", "Sandefjordbussen"}
		if got := sortedNames(r, "activities.nodes", "title"); !slices.Equal(got, want) ||
			get(r.Data, "activities.totalCount") != 3.0 {
			t.Fatalf("activities: %q, want %q", got, want)
		}
	})
	t.Run("FiltersByTheMunicipalitysCategory", func(t *testing.T) {
		f := map[string]any{"categories": []string{w.sfjCategory}, "organisationKinds": []string{"COMMERCIAL"}}
		r := ok(t, s.post(t, orgNamesQ, map[string]any{"f": f}, sfjH))
		if got := sortedNames(r, "organisations.nodes", "name"); !slices.Equal(
			got,
			[]string{"Sandefjord IL", "Vestfold kollektivtrafikk"},
		) {
			t.Fatalf("by category: %q", got)
		}
		r = ok(t, s.post(t, actTitlesQ, map[string]any{"f": map[string]any{"query": "klippekort"}}, sfjH))
		if got := names(r.Data, "activities.nodes", "title"); !slices.Equal(got, []string{"Klippekort buss"}) {
			t.Fatalf("by query: %q", got)
		}
	})
	t.Run("OneListingWithItsHomeAndCategories", func(t *testing.T) {
		q := `query($s: String!) { organisation(slug: $s) { name summary homeMunicipality { slug name } scope
			categories { id } servedMunicipalities { status } activities(first: 10) { nodes { title } } } }`
		r := ok(t, s.post(t, q, map[string]any{"s": "vkt"}, sfjH))
		o := get(r.Data, "organisation")
		if get(o, "summary") != "Vestfold kollektivtrafikk i fylket" || get(o, "homeMunicipality.slug") != "larvik" ||
			get(
				o,
				"scope",
			) != "REGION" || get(o, "categories.0.id") != w.sfjCategory || get(o, "servedMunicipalities") != nil {
			t.Fatalf("organisation: %+v", o)
		}
		if got := sortedNames(r, "organisation.activities.nodes", "title"); !slices.Equal(
			got,
			[]string{"Klippekort buss", "Sandefjordbussen"},
		) {
			t.Fatalf("its activities: %q", got)
		}
	})
	t.Run("Search", func(t *testing.T) {
		r := ok(t, s.post(t, searchHitsQ, map[string]any{"q": "klippekort"}, sfjH))
		if get(r.Data, "search.edges.0.node.title") != "Klippekort buss" {
			t.Fatalf("search in Sandefjord: %+v", r.Data)
		}
		r = ok(t, s.post(t, searchHitsQ, map[string]any{"q": "porsgrunnbussen"}, sfjH))
		if get(r.Data, "search.totalCount") != 0.0 {
			t.Fatalf("limited to Porsgrunn but found in Sandefjord: %+v", r.Data)
		}
	})
	t.Run("Map", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/geo/organisations.geojson", nil)
		req.Header.Set("X-Municipality", "sandefjord")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		var doc map[string]any
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		got := names(doc, "features", "properties.name")
		sort.Strings(got)
		if !slices.Equal(got, []string{"Sandefjord IL", "Vestfold kollektivtrafikk"}) {
			t.Fatalf("map: %q", got)
		}
	})
	t.Run("NotInAMunicipalityThatHasNotAccepted", func(t *testing.T) {
		r := ok(t, s.post(t, orgNamesQ, nil, porsH))
		if got := names(r.Data, "organisations.nodes", "name"); len(got) != 0 {
			t.Fatalf("Porsgrunn: %q", got)
		}
		r = ok(t, s.post(t, `query($id: ID!, $a: ID!) { organisation(id: $id) { name } activity(id: $a) { title } }`,
			map[string]any{"id": w.vkt, "a": w.onlyPors}, porsH, w.porsAdmin))
		if get(r.Data, "organisation") != nil || get(r.Data, "activity") != nil {
			t.Fatalf("Porsgrunn reads the provider: %+v", r.Data)
		}
	})
	t.Run("ReadOnlyOutsideItsHome", func(t *testing.T) {
		for _, caller := range []string{w.sfjAdmin, w.sfjEditor} {
			r := s.post(
				t,
				`mutation($id: ID!) { updateOrganisation(id: $id, input: {name: "Kapret"}) { organisation { name } } }`,
				map[string]any{"id": w.vkt},
				sfjH,
				caller,
			)
			if r.code() != "FORBIDDEN" || r.Errors[0].Extensions["field"] != "id" {
				t.Fatalf("update organisation: %+v", r.Errors)
			}
			r = s.post(
				t,
				`mutation($id: ID!) { updateActivity(id: $id, input: {title: "Kapret"}) { activity { title } } }`,
				map[string]any{"id": w.bus},
				sfjH,
				caller,
			)
			if r.code() != "FORBIDDEN" || r.Errors[0].Extensions["field"] != "id" {
				t.Fatalf("update activity: %+v", r.Errors)
			}
			r = s.post(t, setScopeQ, map[string]any{"o": w.vkt, "s": "COUNTRY"}, sfjH, caller)
			if r.code() != "FORBIDDEN" || r.Errors[0].Extensions["field"] != "organisationId" {
				t.Fatalf("set scope: %+v", r.Errors)
			}
		}
		r := ok(
			t,
			s.post(t, `query($id: ID!) { organisation(id: $id) { name } }`, map[string]any{"id": w.vkt}, larvikH),
		)
		if get(r.Data, "organisation.name") != "Vestfold kollektivtrafikk" {
			t.Fatalf("changed: %+v", r.Data)
		}
	})
	t.Run("DraftsStayHome", func(t *testing.T) {
		// The served municipality's administrator reads every listing of its own, but only
		// the published ones of a shared provider.
		r := ok(
			t,
			s.post(t, `query($a: ID!) { activity(id: $a) { title } }`, map[string]any{"a": w.draft}, sfjH, w.sfjAdmin),
		)
		if get(r.Data, "activity") != nil {
			t.Fatalf("draft read in Sandefjord: %+v", r.Data)
		}
		r = ok(t, s.post(t, `query($a: ID!) { activity(id: $a) { title servedMunicipalities } }`,
			map[string]any{"a": w.onlySfj}, larvikH, w.owner))
		if get(r.Data, "activity.title") != "Sandefjordbussen" ||
			get(r.Data, "activity.servedMunicipalities.0") != "sandefjord" {
			t.Fatalf("home reads its limited activity: %+v", r.Data)
		}
	})
	t.Run("TheProviderSeesWhereItIsShown", func(t *testing.T) {
		q := `query($id: ID!) { organisation(id: $id) { servedMunicipalities { municipality { slug } status } } }`
		r := ok(t, s.post(t, q, map[string]any{"id": w.vkt}, larvikH, w.owner))
		got := []string{}
		for _, m := range get(r.Data, "organisation.servedMunicipalities").([]any) {
			got = append(got, get(m, "municipality.slug").(string)+":"+get(m, "status").(string))
		}
		sort.Strings(got)
		if !slices.Equal(got, []string{"porsgrunn:REQUESTED", "sandefjord:ACCEPTED"}) {
			t.Fatalf("served: %q", got)
		}
		r = ok(t, s.post(t, q, map[string]any{"id": w.vkt}, larvikH))
		if get(r.Data, "organisation.servedMunicipalities") != nil {
			t.Fatalf("anonymous reads the requests: %+v", r.Data)
		}
	})
	t.Run("BadInput", func(t *testing.T) {
		cases := []struct {
			name, query string
			vars        map[string]any
			headers     []string
			code, field string
		}{
			{
				"HomeMunicipality",
				requestQ,
				map[string]any{"o": w.vkt, "m": "larvik"},
				[]string{larvikH, w.owner},
				"BAD_USER_INPUT",
				"municipality",
			},
			{
				"UnknownMunicipality",
				requestQ,
				map[string]any{"o": w.vkt, "m": "atlantis"},
				[]string{larvikH, w.owner},
				"NOT_FOUND",
				"municipality",
			},
			{
				"LocalScope",
				requestQ,
				map[string]any{"o": w.local, "m": "sandefjord"},
				[]string{larvikH, w.larvikAdmin},
				"BAD_USER_INPUT",
				"organisationId",
			},
			{
				"NotAMember",
				requestQ,
				map[string]any{"o": w.local, "m": "sandefjord"},
				[]string{larvikH, w.owner},
				"FORBIDDEN",
				"",
			},
			{
				"RegionWithoutCounty",
				setScopeQ,
				map[string]any{"o": w.vkt, "s": "REGION", "r": " "},
				[]string{larvikH, w.owner},
				"BAD_USER_INPUT",
				"region",
			},
			{
				"CountyForCountry",
				setScopeQ,
				map[string]any{"o": w.vkt, "s": "COUNTRY", "r": "Vestfold"},
				[]string{larvikH, w.owner},
				"BAD_USER_INPUT",
				"region",
			},
			{
				"LocalWhileServing",
				setScopeQ,
				map[string]any{"o": w.vkt, "s": "MUNICIPALITY"},
				[]string{larvikH, w.owner},
				"CONFLICT",
				"scope",
			},
			{
				"LimitToUnserved",
				limitQ,
				map[string]any{"a": w.bus, "m": []string{"sandefjord", "skien"}},
				[]string{larvikH, w.owner},
				"BAD_USER_INPUT",
				"municipalities[1]",
			},
			{
				"AcceptUnasked",
				acceptQ,
				map[string]any{"o": w.local},
				[]string{sfjH, w.sfjAdmin},
				"NOT_FOUND",
				"organisationId",
			},
			{
				"AcceptAnotherMunicipalitysOwn",
				acceptQ,
				map[string]any{"o": w.sfjOwn},
				[]string{porsH, w.porsAdmin},
				"NOT_FOUND",
				"organisationId",
			},
			{"AcceptAsEditor", acceptQ, map[string]any{"o": w.vkt}, []string{sfjH, w.sfjEditor}, "FORBIDDEN", ""},
			{
				"WithdrawNeverAsked",
				withdrawQ,
				map[string]any{"o": w.vkt, "m": "skien"},
				[]string{larvikH, w.owner},
				"NOT_FOUND",
				"municipality",
			},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := s.post(t, c.query, c.vars, c.headers...)
				if r.code() != c.code {
					t.Fatalf("got %+v, want %s", r.Errors, c.code)
				}
				if f, _ := r.Errors[0].Extensions["field"].(string); c.field != "" && f != c.field {
					t.Fatalf("field %q, want %q", f, c.field)
				}
			})
		}
	})
	t.Run("DroppedIsGone", func(t *testing.T) {
		ok(t, s.post(t, dropQ, map[string]any{"o": w.vkt}, sfjH, w.sfjAdmin))
		r := ok(t, s.post(t, orgNamesQ, nil, sfjH))
		if got := names(r.Data, "organisations.nodes", "name"); !slices.Equal(got, []string{"Sandefjord IL"}) {
			t.Fatalf("after dropping: %q", got)
		}
		r = ok(t, s.post(t, searchHitsQ, map[string]any{"q": "klippekort"}, sfjH))
		if get(r.Data, "search.totalCount") != 0.0 {
			t.Fatalf("found after dropping: %+v", r.Data)
		}
		r = ok(t, s.post(t, requestQ, map[string]any{"o": w.vkt, "m": "sandefjord"}, larvikH, w.owner))
		if get(r.Data, "requestMunicipality.servedMunicipality.status") != "REQUESTED" {
			t.Fatalf("asking anew: %+v", r.Data)
		}
	})
}

// TestSharedProviderIsolation: sharing a provider opens nothing else. Each municipality
// sees its own listings and the accepted providers' published ones, never another
// municipality's own clubs, drafts or requests.
func TestSharedProviderIsolation(t *testing.T) {
	t.Parallel()
	w := newSharedWorld(t)
	s := w.s
	ok(t, s.post(t, acceptQ, map[string]any{"o": w.vkt}, sfjH, w.sfjAdmin))
	for _, h := range []struct {
		header         string
		orgs, acts     []string
		foreignIDs     []string // global IDs the municipality must not read
		foreignQueries []string // words of others' listings: what they find must be its own
	}{
		{larvikH, []string{"Larvik IL", "Vestfold kollektivtrafikk"},
			[]string{"Klippekort buss", "Larvik fotball", "Porsgrunnbussen", "Sandefjordbussen"},
			[]string{w.sfjOwn}, []string{"sandefjord fotball"}},
		{sfjH, []string{"Sandefjord IL", "Vestfold kollektivtrafikk"},
			[]string{"Klippekort buss", "Sandefjord fotball", "Sandefjordbussen"},
			[]string{w.local, w.draft, w.onlyPors}, []string{"larvik fotball", "nattbuss", "porsgrunnbussen"}},
		{porsH, []string{}, []string{}, []string{w.vkt, w.local, w.sfjOwn, w.bus, w.onlyPors},
			[]string{"klippekort", "fotball", "porsgrunnbussen"}},
	} {
		t.Run(h.header, func(t *testing.T) {
			admin := map[string]string{larvikH: w.larvikAdmin, sfjH: w.sfjAdmin, porsH: w.porsAdmin}[h.header]
			for _, caller := range [][]string{{h.header}, {h.header, admin}} {
				r := ok(t, s.post(t, orgNamesQ, nil, caller...))
				if got := sortedNames(r, "organisations.nodes", "name"); !slices.Equal(got, h.orgs) {
					t.Errorf("organisations %q, want %q", got, h.orgs)
				}
				r = ok(t, s.post(t, actTitlesQ, nil, caller...))
				if got := sortedNames(r, "activities.nodes", "title"); !slices.Equal(got, h.acts) {
					t.Errorf("activities %q, want %q", got, h.acts)
				}
				for _, id := range h.foreignIDs {
					r := ok(
						t,
						s.post(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}, caller...),
					)
					if get(r.Data, "node") != nil {
						t.Errorf("reads %s", id)
					}
				}
				// Every hit of every search is one of the municipality's listings above.
				seen := append(append([]string{}, h.orgs...), h.acts...)
				for _, q := range h.foreignQueries {
					r := ok(t, s.post(t, searchHitsQ, map[string]any{"q": q}, caller...))
					for _, e := range get(r.Data, "search.edges").([]any) {
						name, _ := get(e, "node.name").(string)
						if title, _ := get(e, "node.title").(string); title != "" {
							name = title
						}
						if !slices.Contains(seen, name) {
							t.Errorf("search %q finds %q", q, name)
						}
					}
				}
			}
		})
	}
	t.Run("RequestsOnlyOfTheMunicipality", func(t *testing.T) {
		r := ok(t, s.post(t, requestsQ, nil, larvikH, w.larvikAdmin))
		if got := get(r.Data, "providerRequests").([]any); len(got) != 0 {
			t.Fatalf("Larvik sees requests made elsewhere: %+v", got)
		}
		r = ok(t, s.post(t, requestsQ, nil, porsH, w.porsAdmin))
		if got := names(r.Data, "providerRequests", "status"); !slices.Equal(got, []string{"REQUESTED"}) {
			t.Fatalf("Porsgrunn: %q", got)
		}
	})
}

// TestProviderRequestIsMailedToTheAdministrators delivers, through SMTP, the e-mail that
// tells a municipality's administrators (and nobody else) that a provider of another
// municipality asks to be shown in their portal: once per request, again after a drop.
func TestProviderRequestIsMailedToTheAdministrators(t *testing.T) {
	t.Parallel()
	box, url := mailtest.Start(t)
	w := newSharedWorld(t, func(c *config.Config) { c.SMTPURL, c.PublicURL = url, "https://fritid.example" })
	s := w.s
	got := bodiesTo(t, s, box, "admin@sandefjord.no")
	if len(got) != 1 || !strings.Contains(got[0], "Vestfold kollektivtrafikk, en tilbyder som Larvik kommune") ||
		!strings.Contains(got[0], "aktivitetsportalen til Sandefjord kommune") ||
		!strings.Contains(got[0], "https://fritid.example") {
		t.Fatalf("Sandefjord's administrator got %q", got)
	}
	if n := len(bodiesTo(t, s, box, "admin@porsgrunn.no")); n != 1 {
		t.Errorf("Porsgrunn's administrator got %d e-mails", n)
	}
	for _, other := range []string{"redaktor@sandefjord.no", "admin@larvik.no", "eier@vkt.no"} {
		if n := len(bodiesTo(t, s, box, other)); n != 0 {
			t.Errorf("%s got %d e-mails", other, n)
		}
	}
	// Asking again while the request waits tells nobody again; after a drop it does.
	ok(t, s.post(t, requestQ, map[string]any{"o": w.vkt, "m": "sandefjord"}, larvikH, w.owner))
	if n := len(bodiesTo(t, s, box, "admin@sandefjord.no")); n != 1 {
		t.Errorf("a repeated request sent %d e-mails in all", n)
	}
	ok(t, s.post(t, dropQ, map[string]any{"o": w.vkt}, sfjH, w.sfjAdmin))
	ok(t, s.post(t, requestQ, map[string]any{"o": w.vkt, "m": "sandefjord"}, larvikH, w.owner))
	if n := len(bodiesTo(t, s, box, "admin@sandefjord.no")); n != 2 {
		t.Errorf("a request after a drop: %d e-mails in all", n)
	}
}

// TestSharedProviderChanges reads the change feed of a municipality that accepts a
// provider: the provider and its public rows arrive when it is accepted, their changes at
// home arrive too (an activity limited elsewhere does not), and they leave when it is
// dropped; a municipality that has not accepted it hears nothing.
func TestSharedProviderChanges(t *testing.T) {
	t.Parallel()
	w := newSharedWorld(t)
	s := w.s
	feed := func(header, admin string) []string {
		t.Helper()
		if _, err := s.app.Integration.Dispatch(context.Background()); err != nil {
			t.Fatal(err)
		}
		r := ok(t, s.post(t, `{ changes(first: 100) { nodes { name payload { id } } } }`, nil, header, admin))
		var out []string
		for _, n := range items(r.Data, "changes.nodes") {
			out = append(out, get(n, "name").(string)+" "+get(n, "payload.id").(string))
		}
		return out
	}
	before := len(feed(sfjH, w.sfjAdmin))
	ok(t, s.post(t, acceptQ, map[string]any{"o": w.vkt}, sfjH, w.sfjAdmin))
	got := feed(sfjH, w.sfjAdmin)[before:]
	sort.Strings(got)
	want := []string{"activity.published " + w.bus, "activity.published " + w.onlySfj,
		"organisation.published " + w.vkt}
	if !slices.Equal(got, want) {
		t.Fatalf("after accepting: %q, want %q", got, want)
	}
	// Changes at home reach Sandefjord, except of the activity limited to Porsgrunn.
	before = len(feed(sfjH, w.sfjAdmin))
	for _, a := range []string{w.bus, w.onlyPors} {
		ok(t, s.post(t, `mutation($id: ID!) { updateActivity(id: $id, input: {priceOre: 5000}) { activity { id } } }`,
			map[string]any{"id": a}, larvikH, w.owner))
	}
	if got := feed(sfjH, w.sfjAdmin)[before:]; !slices.Equal(got, []string{"activity.updated " + w.bus}) {
		t.Errorf("changes at home: %q", got)
	}
	if got := feed(porsH, w.porsAdmin); len(got) != 0 {
		t.Errorf("Porsgrunn, which has not accepted the provider, hears %q", got)
	}
	before = len(feed(sfjH, w.sfjAdmin))
	ok(t, s.post(t, dropQ, map[string]any{"o": w.vkt}, sfjH, w.sfjAdmin))
	got = feed(sfjH, w.sfjAdmin)[before:]
	sort.Strings(got)
	want = []string{"activity.archived " + w.bus, "activity.archived " + w.onlySfj,
		"organisation.archived " + w.vkt}
	if !slices.Equal(got, want) {
		t.Errorf("after dropping: %q, want %q", got, want)
	}
}
