package app_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/config"
	"github.com/fritid/fritid/internal/platform/relay"
)

// outcome is what a caller gets from a mutation.
type outcome string

const (
	allowed         outcome = "allowed"
	forbidden       outcome = "FORBIDDEN"
	unauthenticated outcome = "UNAUTHENTICATED"
)

// uploadQuery marks a case sent as a GraphQL multipart request uploading a small JPEG.
const uploadQuery = "(multipart upload)"

// TestAccessMatrix walks every mutation against every kind of caller and asserts exactly
// what docs/access.md says: allowed, FORBIDDEN or UNAUTHENTICATED.
func TestAccessMatrix(t *testing.T) {
	iss := newIssuer(t)
	s := newServer(t, func(c *config.Config) { c.OIDCIssuers = []config.OIDCIssuer{{Issuer: iss.URL, Audience: "fritid"}} })
	ctx := context.Background()
	demo, _ := s.app.Tenants.FindMunicipalityBySlug(ctx, "demo")
	larvik, err := s.app.Tenants.CreateMunicipality(ctx, tenantInput("larvik", "Larvik kommune"))
	if err != nil {
		t.Fatal(err)
	}
	users := map[string][]auth.MunicipalRole{"admin": {auth.RoleAdmin}, "editor": {auth.RoleEditor},
		"coordinator": {auth.RoleCardCoordinator}, "caseworker": {auth.RoleCaseworker}, "orgeditor": nil, "otherorgeditor": nil}
	for name, roles := range users {
		if _, err := s.app.Auth.CreateUser(ctx, auth.CreateUserInput{MunicipalityID: demo.ID(), Email: name + "@example.no", Password: "riktig hest batteri", Roles: roles}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.app.Auth.CreateUser(ctx, auth.CreateUserInput{MunicipalityID: larvik.ID(), Email: "admin@larvik.no", Password: "riktig hest batteri", Roles: []auth.MunicipalRole{auth.RoleAdmin}}); err != nil {
		t.Fatal(err)
	}
	s.exec(t, `INSERT INTO organisations (municipality_id, slug, name, kind, status) VALUES (?, 'lag-a', 'Lag A', 'VOLUNTARY', 'PUBLISHED'), (?, 'lag-b', 'Lag B', 'VOLUNTARY', 'PUBLISHED')`, demo.ID(), demo.ID())
	if _, err := s.app.Auth.CreateUser(ctx, auth.CreateUserInput{MunicipalityID: demo.ID(), Email: "eier-a@example.no", Password: "riktig hest batteri"}); err != nil {
		t.Fatal(err)
	}
	s.exec(t, `INSERT INTO organisation_members (municipality_id, organisation_id, user_id, role)
		SELECT o.municipality_id, o.id, u.id, 'OWNER' FROM organisations o, users u WHERE o.slug = 'lag-a' AND u.email = 'eier-a@example.no'`)
	s.exec(t, `INSERT INTO organisation_members (municipality_id, organisation_id, user_id, role)
		SELECT o.municipality_id, o.id, u.id, 'EDITOR' FROM organisations o, users u
		WHERE (o.slug = 'lag-a' AND u.email = 'orgeditor@example.no') OR (o.slug = 'lag-b' AND u.email = 'otherorgeditor@example.no')`)

	// Each caller's Authorization header, made fresh for every case (logout ends sessions).
	login := func(email string, headers ...string) string {
		r := ok(t, s.post(t, loginMutation, map[string]any{"e": email, "p": "riktig hest batteri"}, headers...))
		return "Authorization: Bearer " + get(r.Data, "login.token").(string)
	}
	callers := map[string]func() []string{
		"anonymous": func() []string { return nil },
		"resident": func() []string {
			now := time.Now()
			tok := iss.sign(t, iss.key, map[string]any{"iss": iss.URL, "aud": "fritid", "sub": "r1", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})
			return []string{"Authorization: Bearer " + tok}
		},
		"org editor of this org":    func() []string { return []string{login("orgeditor@example.no")} },
		"org editor of another org": func() []string { return []string{login("otherorgeditor@example.no")} },
		"ADMIN":                     func() []string { return []string{login("admin@example.no")} },
		"EDITOR":                    func() []string { return []string{login("editor@example.no")} },
		"CARD_COORDINATOR":          func() []string { return []string{login("coordinator@example.no")} },
		"CASEWORKER":                func() []string { return []string{login("caseworker@example.no")} },
		"user of another municipality": func() []string {
			return []string{login("admin@larvik.no", "X-Municipality: larvik")}
		},
	}
	adminOnly := map[string]outcome{"anonymous": unauthenticated, "resident": unauthenticated, "org editor of this org": forbidden,
		"org editor of another org": forbidden, "ADMIN": allowed, "EDITOR": forbidden, "CARD_COORDINATOR": forbidden,
		"CASEWORKER": forbidden, "user of another municipality": unauthenticated}
	signedIn := map[string]outcome{"anonymous": unauthenticated, "resident": unauthenticated, "org editor of this org": allowed,
		"org editor of another org": allowed, "ADMIN": allowed, "EDITOR": allowed, "CARD_COORDINATOR": allowed,
		"CASEWORKER": allowed, "user of another municipality": unauthenticated}
	anyone := map[string]outcome{"anonymous": allowed, "resident": allowed, "org editor of this org": allowed,
		"org editor of another org": allowed, "ADMIN": allowed, "EDITOR": allowed, "CARD_COORDINATOR": allowed,
		"CASEWORKER": allowed, "user of another municipality": unauthenticated}
	keyID := func() any {
		r := ok(t, s.post(t, `mutation { createApiKey(name: "k", scopes: [CATALOGUE_READ]) { key { id } } }`, nil, login("admin@example.no")))
		return get(r.Data, "createApiKey.key.id")
	}
	n := 0
	owner := func() map[string]any {
		n++
		return map[string]any{"email": fmt.Sprintf("eier%d@example.no", n), "password": "riktig hest batteri"}
	}
	pendingOrg := func() map[string]any {
		n++
		var id string
		if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO organisations (municipality_id, slug, name, kind) VALUES (?, ?, 'Nytt lag', 'OTHER') RETURNING id`,
			demo.ID(), fmt.Sprintf("nytt-lag-%d", n)).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return map[string]any{"id": relayID("Organisation", id), "reason": "Mangler opplysninger"}
	}
	verifyToken := func() map[string]any {
		o := owner()
		ok(t, s.post(t, registerMutation, map[string]any{"in": map[string]any{"name": "Lag", "kind": "OTHER", "owner": o}}))
		link := outboxLink(t, s, "VerifyEmail", o["email"].(string))
		return map[string]any{"t": link[len(link)-43:]}
	}
	orgEditors := map[string]outcome{"anonymous": unauthenticated, "resident": unauthenticated, "org editor of this org": allowed,
		"org editor of another org": forbidden, "ADMIN": allowed, "EDITOR": forbidden, "CARD_COORDINATOR": forbidden,
		"CASEWORKER": forbidden, "user of another municipality": unauthenticated}
	var lagA string
	if err := s.app.DB.QueryRowContext(ctx, "SELECT id FROM organisations WHERE slug = 'lag-a'").Scan(&lagA); err != nil {
		t.Fatal(err)
	}
	lagAID := func() map[string]any { return map[string]any{"id": relayID("Organisation", lagA)} }
	var actA string
	if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO activities (municipality_id, organisation_id, slug) VALUES (?, ?, 'aktivitet-a') RETURNING id`, demo.ID(), lagA).Scan(&actA); err != nil {
		t.Fatal(err)
	}
	s.exec(t, `INSERT INTO activity_translations (activity_id, municipality_id, locale, title) VALUES (?, ?, 'nb', 'Aktivitet A')`, actA, demo.ID())
	actAID := func() map[string]any { return map[string]any{"id": relayID("Activity", actA)} }
	revisionOfA := func() map[string]any {
		var id string
		if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO revisions (municipality_id, item_type, item_id, snapshot)
			SELECT municipality_id, 'Organisation', id, jsonb_build_object('row', to_jsonb(o), 'texts', '[]'::jsonb, 'categories', '[]'::jsonb)
			FROM organisations o WHERE id = ? RETURNING id`, lagA).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return map[string]any{"id": relayID("Revision", id)}
	}
	var venueA string
	if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO venues (municipality_id, name, organisation_id) VALUES (?, 'Klubbhuset', ?) RETURNING id`, demo.ID(), lagA).Scan(&venueA); err != nil {
		t.Fatal(err)
	}
	venueAID := func() map[string]any { return map[string]any{"id": relayID("Venue", venueA)} }
	mutations := []struct {
		name, query string
		vars        func() map[string]any
		want        map[string]outcome
	}{
		{"login", loginMutation, func() map[string]any { return map[string]any{"e": "editor@example.no", "p": "riktig hest batteri"} }, anyone},
		{"logout", `mutation { logout }`, nil, signedIn},
		{"logoutEverywhere", `mutation { logoutEverywhere }`, nil, signedIn},
		{"createApiKey", `mutation { createApiKey(name: "x", scopes: [CATALOGUE_READ]) { token } }`, nil, adminOnly},
		{"revokeApiKey", `mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, func() map[string]any { return map[string]any{"id": keyID()} }, adminOnly},
		{"registerOrganisation", registerMutation, func() map[string]any {
			return map[string]any{"in": map[string]any{"name": "Nytt lag", "kind": "VOLUNTARY", "owner": owner()}}
		}, anyone},
		{"verifyEmail", `mutation($t: String!) { verifyEmail(token: $t) }`, verifyToken, anyone},
		{"approveOrganisation", `mutation($id: ID!) { approveOrganisation(id: $id) { status } }`, pendingOrg, adminOnly},
		{"updateOrganisation", `mutation($id: ID!) { updateOrganisation(id: $id, input: {place: "Larvik"}) { id } }`, lagAID, orgEditors},
		{"setOrganisationTranslation", `mutation($id: ID!) { setOrganisationTranslation(id: $id, locale: "nn", input: {summary: "Eit lag"}) { id } }`, lagAID, orgEditors},
		{"createActivity", `mutation($id: ID!) { createActivity(organisationId: $id, input: {title: "Ny aktivitet"}) { id } }`, lagAID, orgEditors},
		{"updateActivity", `mutation($id: ID!) { updateActivity(id: $id, input: {priceOre: 5000}) { id } }`, actAID, orgEditors},
		{"setActivityStatus", `mutation($id: ID!) { setActivityStatus(id: $id, status: PUBLISHED) { status } }`, actAID, orgEditors},
		{"requestPasswordReset", `mutation($e: String!) { requestPasswordReset(email: $e) }`, func() map[string]any {
			return map[string]any{"e": owner()["email"]}
		}, anyone},
		{"resetPassword", `mutation($t: String!) { resetPassword(token: $t, password: "et helt nytt passord") }`, func() map[string]any {
			o := owner()
			if _, err := s.app.Auth.CreateUser(ctx, auth.CreateUserInput{MunicipalityID: demo.ID(), Email: o["email"].(string), Password: "riktig hest batteri"}); err != nil {
				t.Fatal(err)
			}
			ok(t, s.post(t, `mutation($e: String!) { requestPasswordReset(email: $e) }`, map[string]any{"e": o["email"]}))
			link := outboxLink(t, s, "PasswordReset", o["email"].(string))
			return map[string]any{"t": link[len(link)-43:]}
		}, anyone},
		{"inviteMember", `mutation($id: ID!) { inviteMember(organisationId: $id, email: "gjest@example.no", role: EDITOR) }`, lagAID, orgEditors},
		{"acceptInvitation", `mutation($t: String!) { acceptInvitation(token: $t) { id } }`, func() map[string]any {
			o := owner()
			other := pendingOrg()["id"] // an organisation of its own, so joining it changes nobody's other rights
			ok(t, s.post(t, `mutation($id: ID!, $e: String!) { inviteMember(organisationId: $id, email: $e, role: EDITOR) }`,
				map[string]any{"id": other, "e": o["email"]}, login("admin@example.no")))
			link := outboxLink(t, s, "Invitation", o["email"].(string))
			return map[string]any{"t": link[len(link)-43:]}
		}, signedIn},
		{"setMemberRole", `mutation($id: ID!, $u: ID!) { setMemberRole(organisationId: $id, userId: $u, role: TICKET_CHECKER) }`, func() map[string]any {
			o := owner()
			u, err := s.app.Auth.CreateUser(ctx, auth.CreateUserInput{MunicipalityID: demo.ID(), Email: o["email"].(string), Password: "riktig hest batteri"})
			if err != nil {
				t.Fatal(err)
			}
			s.exec(t, `INSERT INTO organisation_members (municipality_id, organisation_id, user_id, role) VALUES (?, ?, ?, 'EDITOR')`, demo.ID(), lagA, u.ID)
			return map[string]any{"id": relayID("Organisation", lagA), "u": u.GlobalID()}
		}, orgEditors},
		{"saveLocale", `mutation { saveLocale(input: {code: "en", nativeName: "English"}) { code } }`, nil, adminOnly},
		{"saveCategory", `mutation { saveCategory(input: {slug: "ny-kategori", names: [{locale: "nb", name: "Ny"}]}) { id } }`, nil, adminOnly},
		{"deleteCategory", `mutation($id: ID!) { deleteCategory(id: $id) }`, func() map[string]any {
			n++
			var id string
			if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO categories (municipality_id, slug) VALUES (?, ?) RETURNING id`, demo.ID(), fmt.Sprintf("kat-%d", n)).Scan(&id); err != nil {
				t.Fatal(err)
			}
			s.app.Portal.InvalidateCategories()
			return map[string]any{"id": relayID("Category", id)}
		}, adminOnly},
		{"saveNeighbourhood", `mutation { saveNeighbourhood(input: {slug: "omrade", area: "{\"type\":\"Polygon\",\"coordinates\":[[[10,59],[10.1,59],[10.1,59.1],[10,59]]]}", names: [{locale: "nb", name: "Område"}]}) { id } }`, nil, adminOnly},
		{"setUserRoles", `mutation($u: ID!) { setUserRoles(userId: $u, roles: [EDITOR]) }`, func() map[string]any {
			o := owner()
			u, err := s.app.Auth.CreateUser(ctx, auth.CreateUserInput{MunicipalityID: demo.ID(), Email: o["email"].(string), Password: "riktig hest batteri"})
			if err != nil {
				t.Fatal(err)
			}
			return map[string]any{"u": u.GlobalID()}
		}, adminOnly},
		{"restoreRevision", `mutation($id: ID!) { restoreRevision(id: $id) { id } }`, revisionOfA, orgEditors},
		{"setActivityTranslation", `mutation($id: ID!) { setActivityTranslation(id: $id, locale: "en", input: {title: "Activity A"}) { id } }`, actAID, orgEditors},
		{"saveVenue", `mutation($id: ID!) { saveVenue(input: {organisationId: $id, name: "Banen"}) { id } }`, lagAID, orgEditors},
		{"saveVenue (the municipality's own)", `mutation { saveVenue(input: {name: "Rådhuset"}) { id } }`, nil, adminOnly},
		{"archiveVenue", `mutation($id: ID!) { archiveVenue(id: $id, archived: false) { id } }`, venueAID, orgEditors},
		{"updateMunicipality", `mutation { updateMunicipality(input: {settings: {theme: "blå"}}) { name } }`, nil, adminOnly},
		{"uploadImage", uploadQuery, nil, signedIn},
		{"inviteUser", `mutation($email: String!) { inviteUser(email: $email, displayName: "Ny ansatt", roles: [EDITOR]) { roles } }`, owner, adminOnly},
		{"rejectOrganisation", `mutation($id: ID!, $reason: String!) { rejectOrganisation(id: $id, reason: $reason) { status } }`, pendingOrg, adminOnly},
	}
	t.Run("every mutation is in the matrix and in docs/access.md", func(t *testing.T) {
		covered := map[string]bool{}
		for _, m := range mutations {
			covered[strings.Fields(m.name)[0]] = true
		}
		doc, err := os.ReadFile("../../docs/access.md")
		if err != nil {
			t.Fatal(err)
		}
		r := ok(t, s.post(t, `{ __schema { mutationType { fields { name } } } }`, nil))
		for _, f := range get(r.Data, "__schema.mutationType.fields").([]any) {
			name := f.(map[string]any)["name"].(string)
			if !covered[name] {
				t.Errorf("mutation %s has no case in TestAccessMatrix", name)
			}
			if !strings.Contains(string(doc), "| `"+name+"` |") {
				t.Errorf("mutation %s has no row in docs/access.md", name)
			}
		}
	})
	for _, m := range mutations {
		for caller, headers := range callers {
			t.Run(fmt.Sprintf("%s/%s", m.name, caller), func(t *testing.T) {
				var vars map[string]any
				if m.vars != nil {
					vars = m.vars()
				}
				var r *gqlResponse
				if m.query == uploadQuery {
					var jpg bytes.Buffer
					jpeg.Encode(&jpg, image.NewRGBA(image.Rect(0, 0, 40, 30)), nil)
					body, ct := uploadRequest(t, jpg.Bytes(), "a.jpg")
					r = s.do(t, http.MethodPost, "/graphql", ct, body, headers()...)
				} else {
					r = s.post(t, m.query, vars, headers()...)
				}
				got := allowed
				if len(r.Errors) > 0 {
					got = outcome(r.code())
				}
				if want := m.want[caller]; got != want {
					t.Errorf("got %s, want %s (%+v)", got, want, r.Errors)
				}
			})
		}
	}
}

// relayID makes the global ID of a row, as the API shows it.
func relayID(typ, id string) string {
	return relay.GlobalKey(typ, id)
}
