package app_test

import (
	"context"
	"testing"

	"github.com/fritid/fritid/internal/auth"
)

// createUser makes a signed-in account with no municipal roles in the demo municipality.
func createUser(t *testing.T, s *testServer, email string) string {
	t.Helper()
	tn, err := s.app.Tenants.FindMunicipalityBySlug(context.Background(), "demo")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.Auth.CreateUser(context.Background(), auth.CreateUserInput{MunicipalityID: tn.ID(), Email: email,
		Password: "riktig hest batteri"}); err != nil {
		t.Fatal(err)
	}
	return login(t, s, email)
}

// ownersWorld is a published organisation with an owner, an editor and a DRAFT activity,
// another organisation's owner, an administrator and a resident with no memberships.
type ownersWorld struct {
	org, activity, slug                         string
	owner, editor, other, admin, resident, anon string
	ownerID, editorID                           string
}

func newOwnersWorld(t *testing.T) (*testServer, ownersWorld) {
	t.Helper()
	s := newServer(t)
	var w ownersWorld
	w.org, w.owner = newOwnedOrganisation(t, s)
	createAdmin(t, s, "admin@example.no")
	w.admin = login(t, s, "admin@example.no")
	ok(t, s.post(t, `mutation($id: ID!) {
		approveOrganisation(id: $id) { organisation { id } } }`, map[string]any{"id": w.org}, w.admin))
	ok(t, s.post(t, registerMutation, map[string]any{"in": map[string]any{"name": "Korpset", "kind": "VOLUNTARY",
		"owner": map[string]any{"email": "eier@korps.no", "password": "riktig hest batteri"}}}))
	link := outboxLink(t, s, "VerifyEmail", "eier@korps.no")
	ok(t, s.post(t, `mutation($t: String!) {
		verifyEmail(token: $t) { user { id } } }`, map[string]any{"t": link[len(link)-43:]}))
	w.other = login(t, s, "eier@korps.no")
	w.editor = createUser(t, s, "redaktor@sjakk.no")
	w.resident = createUser(t, s, "beboer@example.no")
	w.ownerID, w.editorID = viewerID(t, s, w.owner), viewerID(t, s, w.editor)
	s.exec(t, `INSERT INTO organisation_members (municipality_id, organisation_id, user_id, role)
		SELECT municipality_id, id, ?, 'EDITOR' FROM organisations WHERE name = 'Sjakklubben'`, relayKey(t, w.editorID))
	r := ok(t, s.post(t, `mutation($o: ID!) {
		createActivity(organisationId: $o, input: {title: "Lynsjakk"}) { activity { id slug status } } }`,
		map[string]any{"o": w.org}, w.owner))
	w.activity, w.slug = get(r.Data, "createActivity.activity.id").(string), get(r.Data, "createActivity.activity.slug").(string)
	if get(r.Data, "createActivity.activity.status") != "DRAFT" {
		t.Fatalf("a new activity: %+v", r.Data)
	}
	ok(t, s.post(t, `mutation($o: ID!) {
		inviteMember(organisationId: $o, email: "ny@sjakk.no", role: EDITOR) { organisation { id } } }`,
		map[string]any{"o": w.org}, w.owner))
	return s, w
}

func viewerID(t *testing.T, s *testServer, bearer string) string {
	t.Helper()
	return get(ok(t, s.post(t, `{ viewer { user { id } } }`, nil, bearer)).Data, "viewer.user.id").(string)
}

func TestOwnersReadTheirDrafts(t *testing.T) {
	t.Parallel()
	s, w := newOwnersWorld(t)
	queries := []struct{ name, query, path, arg string }{
		{"ActivityByID", `query($v: ID!) { activity(id: $v) { id status } }`, "activity.id", w.activity},
		{"ActivityBySlug", `query($v: String!) { activity(slug: $v) { id status } }`, "activity.id", w.slug},
		{"Node", `query($v: ID!) { node(id: $v) { id } }`, "node.id", w.activity},
		{"OrganisationActivities", `query($v: String!) {
			organisation(slug: $v) { activities { totalCount nodes { id } } } }`,
			"organisation.activities.nodes.0.id", "sjakklubben"},
	}
	callers := []struct {
		name, bearer string
		sees         bool
	}{
		{"Owner", w.owner, true},
		{"Editor", w.editor, true},
		{"Anonymous", "", false},
		{"OtherOrganisationsOwner", w.other, false},
		{"Resident", w.resident, false},
	}
	for _, q := range queries {
		for _, c := range callers {
			t.Run(q.name+"/"+c.name, func(t *testing.T) {
				var headers []string
				if c.bearer != "" {
					headers = append(headers, c.bearer)
				}
				r := ok(t, s.post(t, q.query, map[string]any{"v": q.arg}, headers...))
				got := get(r.Data, q.path)
				if c.sees && got != w.activity {
					t.Errorf("the draft is hidden: %+v", r.Data)
				}
				if !c.sees && got != nil {
					t.Errorf("the draft shows: %+v", r.Data)
				}
			})
		}
	}
	pending := []struct {
		name, bearer string
		sees         bool
	}{
		{"Owner", w.other, true},
		{"Anonymous", "", false},
		{"AnotherOrganisationsOwner", w.owner, false},
	}
	for _, c := range pending {
		t.Run("PendingOrganisation/"+c.name, func(t *testing.T) {
			var headers []string
			if c.bearer != "" {
				headers = append(headers, c.bearer)
			}
			r := ok(t, s.post(t, `{ organisation(slug: "korpset") { name status } }`, nil, headers...))
			if got := get(r.Data, "organisation.status"); (got == "PENDING") != c.sees || (!c.sees && got != nil) {
				t.Errorf("sees %v, want %v: %+v", got, c.sees, r.Data)
			}
		})
	}
	statusFilter := []struct {
		name, bearer, status string
		want                 float64
	}{
		{"OwnerAsksForDrafts", w.owner, "DRAFT", 1},
		{"OwnerAsksForPublished", w.owner, "PUBLISHED", 0},
		{"EditorAsksForDrafts", w.editor, "DRAFT", 1},
		{"AnonymousAsksForDrafts", "", "DRAFT", 0},
		{"OtherOwnerAsksForDrafts", w.other, "DRAFT", 0},
	}
	for _, c := range statusFilter {
		t.Run("StatusFilter/"+c.name, func(t *testing.T) {
			var headers []string
			if c.bearer != "" {
				headers = append(headers, c.bearer)
			}
			r := ok(t, s.post(t, `query($s: [ActivityStatus!]) { organisation(slug: "sjakklubben") {
				activities(status: $s) { totalCount nodes { id status } } } }`, map[string]any{"s": []string{c.status}}, headers...))
			nodes := get(r.Data, "organisation.activities.nodes").([]any)
			if n := get(r.Data, "organisation.activities.totalCount"); n != c.want || float64(len(nodes)) != c.want {
				t.Errorf("%d listed, %v counted, want %v", len(nodes), n, c.want)
			}
		})
	}
	t.Run("PublicListsStayPublic", func(t *testing.T) {
		r := ok(t, s.post(t, `{ activities { totalCount } }`, nil, w.owner))
		if n := get(r.Data, "activities.totalCount"); n != float64(0) {
			t.Errorf("the catalogue lists a draft to its owner: %v", n)
		}
	})
}

func TestOwnersSeeMembersAndInvitations(t *testing.T) {
	t.Parallel()
	s, w := newOwnersWorld(t)
	query := `query($id: ID!) { organisation(id: $id) { name members { user { email displayName } role since }
		invitations { email role invitedAt expiresAt } } }`
	cases := []struct {
		name, bearer, code string
	}{
		{"Owner", w.owner, ""},
		{"Administrator", w.admin, ""},
		{"Editor", w.editor, "FORBIDDEN"},
		{"OtherOrganisationsOwner", w.other, "FORBIDDEN"},
		{"Resident", w.resident, "FORBIDDEN"},
		{"Anonymous", "", "UNAUTHENTICATED"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var headers []string
			if c.bearer != "" {
				headers = append(headers, c.bearer)
			}
			r := s.post(t, query, map[string]any{"id": w.org}, headers...)
			if get(r.Data, "organisation.name") != "Sjakklubben" {
				t.Fatalf("the organisation itself: %+v %+v", r.Data, r.Errors)
			}
			if c.code != "" {
				if r.code() != c.code || get(r.Data, "organisation.members") != nil || get(r.Data, "organisation.invitations") != nil {
					t.Errorf("want null members with %s: %+v %+v", c.code, r.Data, r.Errors)
				}
				return
			}
			if len(r.Errors) > 0 {
				t.Fatalf("errors: %+v", r.Errors)
			}
			roles := map[string]any{}
			for _, m := range get(r.Data, "organisation.members").([]any) {
				m := m.(map[string]any)
				roles[get(m, "user.email").(string)] = m["role"]
			}
			if len(roles) != 2 || roles["eier@sjakk.no"] != "OWNER" || roles["redaktor@sjakk.no"] != "EDITOR" {
				t.Errorf("members: %v", roles)
			}
			if get(r.Data, "organisation.invitations.0.email") != "ny@sjakk.no" || get(r.Data, "organisation.invitations.0.role") != "EDITOR" ||
				get(r.Data, "organisation.invitations.0.expiresAt") == nil {
				t.Errorf("invitations: %+v", get(r.Data, "organisation.invitations"))
			}
		})
	}
}

func TestViewerMemberships(t *testing.T) {
	t.Parallel()
	s, w := newOwnersWorld(t)
	query := `{ viewer { memberships { role organisation { name status } } } }`
	cases := []struct {
		name, bearer, want, role string
	}{
		{"Owner", w.owner, "Sjakklubben", "OWNER"},
		{"Editor", w.editor, "Sjakklubben", "EDITOR"},
		{"PendingOrganisationsOwner", w.other, "Korpset", "OWNER"},
		{"Resident", w.resident, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ms := get(ok(t, s.post(t, query, nil, c.bearer)).Data, "viewer.memberships").([]any)
			if c.want == "" {
				if len(ms) != 0 {
					t.Errorf("memberships: %+v", ms)
				}
				return
			}
			if len(ms) != 1 || get(ms[0], "organisation.name") != c.want || get(ms[0], "role") != c.role {
				t.Errorf("memberships: %+v", ms)
			}
		})
	}
}

func TestMemberRoleRules(t *testing.T) {
	t.Parallel()
	s, w := newOwnersWorld(t)
	const grantMsg = "Only an owner of the organisation can make someone an owner."
	invite := `mutation($o: ID!, $r: OrganisationRole!) {
		inviteMember(organisationId: $o, email: "x@sjakk.no", role: $r) { organisation { id } } }`
	set := `mutation($o: ID!, $u: ID!, $r: OrganisationRole) {
		setMemberRole(organisationId: $o, userId: $u, role: $r) { organisation { id } } }`
	cases := []struct {
		name, query, bearer string
		vars                map[string]any
		code, field, msg    string
	}{
		{"EditorInvitesOwner", invite, w.editor, map[string]any{"o": w.org, "r": "OWNER"}, "FORBIDDEN", "", grantMsg},
		{"EditorMakesThemselfOwner", set, w.editor, map[string]any{"o": w.org, "u": w.editorID, "r": "OWNER"}, "FORBIDDEN", "", grantMsg},
		{"EditorDemotesOwner", set, w.editor, map[string]any{"o": w.org, "u": w.ownerID, "r": "EDITOR"}, "FORBIDDEN", "",
			"Only an owner of the organisation can change or remove an owner."},
		{"LastOwnerStepsDown", set, w.owner, map[string]any{"o": w.org, "u": w.ownerID, "r": "EDITOR"}, "CONFLICT", "role", ""},
		{"LastOwnerLeaves", set, w.owner, map[string]any{"o": w.org, "u": w.ownerID, "r": nil}, "CONFLICT", "role", ""},
		{"EditorInvitesEditor", invite, w.editor, map[string]any{"o": w.org, "r": "EDITOR"}, "", "", ""},
		{"OwnerInvitesOwner", invite, w.owner, map[string]any{"o": w.org, "r": "OWNER"}, "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.post(t, c.query, c.vars, c.bearer, "Accept-Language: en")
			if r.code() != c.code {
				t.Fatalf("want %q, got %+v", c.code, r.Errors)
			}
			if c.code == "" {
				return
			}
			if f, _ := r.Errors[0].Extensions["field"].(string); f != c.field {
				t.Errorf("field %q, want %q", f, c.field)
			}
			if c.msg != "" && r.Errors[0].Message != c.msg {
				t.Errorf("message: %q", r.Errors[0].Message)
			}
		})
	}
}
