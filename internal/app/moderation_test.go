package app_test

import (
	"context"
	"testing"

	"github.com/fritid/fritid/internal/auth"
)

const pendingQuery = `query($first: Int, $after: String) { pendingOrganisations(first: $first, after: $after) {
	totalCount pageInfo { hasNextPage endCursor }
	edges { cursor node { ownerEmail ownerName registeredAt organisation { id slug name status summary } } } } }`

// outboxCount returns how many queued e-mails of template go to address and match where
// (an extra SQL condition on the outbox row, or "true").
func outboxCount(t *testing.T, s *testServer, template, to, where string, args ...any) int {
	t.Helper()
	var n int
	args = append([]any{template, to}, args...)
	err := s.app.DB.QueryRowContext(context.Background(),
		"SELECT count(*) FROM outbox WHERE template = ? AND to_address = ? AND "+where, args...).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// createEditor makes a municipal EDITOR (not an administrator) in the demo municipality.
func createEditor(t *testing.T, s *testServer, email string) {
	t.Helper()
	tn, err := s.app.Tenants.FindMunicipalityBySlug(context.Background(), "demo")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.Auth.CreateUser(context.Background(), auth.CreateUserInput{MunicipalityID: tn.ID(), Email: email,
		Password: "riktig hest batteri", Roles: []auth.MunicipalRole{auth.RoleEditor}}); err != nil {
		t.Fatal(err)
	}
}

// registerOrg registers name anonymously with a new owner and returns its global ID.
func registerOrg(t *testing.T, s *testServer, name, owner, ownerName string) string {
	t.Helper()
	in := map[string]any{"name": name, "kind": "VOLUNTARY", "summary": "Sjakk for alle",
		"owner": map[string]any{"email": owner, "password": "riktig hest batteri", "displayName": ownerName}}
	return get(ok(t, s.post(t, registerMutation, map[string]any{"in": in})).Data, "registerOrganisation.organisation.id").(string)
}

func TestModerateRegistrations(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	createAdmin(t, s, "admin@example.no")
	createEditor(t, s, "redaktor@example.no")
	first := registerOrg(t, s, "Stavern Sjakklubb", "leder@sjakk.no", "Leder")
	second := registerOrg(t, s, "Larvik Bridgeklubb", "leder@bridge.no", "")
	admin, editor := login(t, s, "admin@example.no"), login(t, s, "redaktor@example.no")

	t.Run("AdministratorsAreToldWithoutPersonalData", func(t *testing.T) {
		if n := outboxCount(t, s, "OrganisationRegistered", "admin@example.no", "data->>'Link' <> '' AND data::text NOT LIKE '%leder@%'"); n != 2 {
			t.Errorf("%d registration e-mails to the administrator, want 2 with a link and no owner address", n)
		}
		if n := outboxCount(t, s, "OrganisationRegistered", "redaktor@example.no", "true"); n != 0 {
			t.Errorf("an editor got %d registration e-mails", n)
		}
	})
	t.Run("AdministratorSeesThemOldestFirst", func(t *testing.T) {
		r := ok(t, s.post(t, pendingQuery, map[string]any{"first": 1}, admin))
		if get(r.Data, "pendingOrganisations.totalCount") != float64(2) || get(r.Data, "pendingOrganisations.pageInfo.hasNextPage") != true {
			t.Fatalf("%+v", r.Data)
		}
		e := get(r.Data, "pendingOrganisations.edges").([]any)[0]
		if get(e, "node.organisation.id") != first || get(e, "node.ownerEmail") != "leder@sjakk.no" || get(e, "node.ownerName") != "Leder" ||
			get(e, "node.organisation.summary") != "Sjakk for alle" || get(e, "node.organisation.status") != "PENDING" || get(e, "node.registeredAt") == nil {
			t.Errorf("first registration: %+v", e)
		}
		r = ok(t, s.post(t, pendingQuery, map[string]any{"first": 1, "after": get(r.Data, "pendingOrganisations.pageInfo.endCursor")}, admin))
		e = get(r.Data, "pendingOrganisations.edges").([]any)[0]
		if get(e, "node.organisation.id") != second || get(e, "node.ownerName") != nil {
			t.Errorf("second registration: %+v", e)
		}
	})
	t.Run("AdministratorReadsAPendingOne", func(t *testing.T) {
		n := ok(t, s.post(t, `query($id: ID!) {
			node(id: $id) { ... on Organisation { status } } }`, map[string]any{"id": first}, admin))
		o := ok(t, s.post(t, `{ organisation(slug: "stavern-sjakklubb") { name } }`, nil, admin))
		if get(n.Data, "node.status") != "PENDING" || get(o.Data, "organisation.name") != "Stavern Sjakklubb" {
			t.Errorf("node %+v, organisation %+v", n.Data, o.Data)
		}
	})
	t.Run("OthersDoNot", func(t *testing.T) {
		for _, who := range []struct{ name, header, code string }{{"Editor", editor, "FORBIDDEN"}, {"Anonymous", "", "UNAUTHENTICATED"}} {
			var h []string
			if who.header != "" {
				h = []string{who.header}
			}
			if r := s.post(t, pendingQuery, nil, h...); r.code() != who.code {
				t.Errorf("%s lists registrations: %+v", who.name, r.Errors)
			}
			// The municipal editor may edit every listing's content, so it reads a pending
			// one too (not the queue, and it cannot approve); the public does not.
			n := ok(t, s.post(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": first}, h...))
			o := ok(t, s.post(t, `{ organisation(slug: "stavern-sjakklubb") { name } }`, nil, h...))
			if reads := get(n.Data, "node") != nil && get(o.Data, "organisation") != nil; reads != (who.name == "Editor") {
				t.Errorf("%s reads a pending organisation: %v (%+v %+v)", who.name, reads, n.Data, o.Data)
			}
		}
	})
	t.Run("ApproveOnce", func(t *testing.T) {
		ok(t, s.post(t, `mutation($id: ID!) {
			approveOrganisation(id: $id) { organisation { status } } }`, map[string]any{"id": first}, admin))
		if p := ok(t, s.post(t, `{
			organisation(slug: "stavern-sjakklubb") { status } }`, nil)); get(p.Data, "organisation.status") != "PUBLISHED" {
			t.Errorf("approved organisation is not public: %+v", p.Data)
		}
		if n := outboxCount(t, s, "OrganisationApproved", "leder@sjakk.no", "locale = 'nb' AND data->>'Name' = 'Stavern Sjakklubb'"); n != 1 {
			t.Errorf("%d approval e-mails to the owner", n)
		}
		if r := s.post(t, `mutation($id: ID!) {
			approveOrganisation(id: $id) { organisation { status } } }`, map[string]any{"id": first}, admin); r.code() != "CONFLICT" || r.Errors[0].Message == "" {
			t.Errorf("approving twice: %+v", r.Errors)
		}
	})
	t.Run("RejectWithAReason", func(t *testing.T) {
		const reject = `mutation($id: ID!, $r: String!) {
			rejectOrganisation(id: $id, reason: $r) { organisation { status } } }`
		if r := s.post(t, reject, map[string]any{"id": second, "r": "  "}, admin); r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "reason" {
			t.Errorf("no reason: %+v", r.Errors)
		}
		r := ok(t, s.post(t, reject, map[string]any{"id": second, "r": "Klubben finnes fra før"}, admin))
		if get(r.Data, "rejectOrganisation.organisation.status") != "REJECTED" {
			t.Errorf("reject: %+v", r.Data)
		}
		if n := outboxCount(t, s, "OrganisationRejected", "leder@bridge.no", "data->>'Reason' = ?", "Klubben finnes fra før"); n != 1 {
			t.Errorf("%d rejection e-mails with the reason to the owner", n)
		}
		const status = `query($id: ID!) { node(id: $id) { ... on Organisation { status } } }`
		if n := ok(t, s.post(t, status, map[string]any{"id": second})); get(n.Data, "node") != nil {
			t.Errorf("the public reads a rejected organisation: %+v", n.Data)
		}
		if n := ok(t, s.post(t, status, map[string]any{"id": second}, admin)); get(n.Data, "node.status") != "REJECTED" {
			t.Errorf("the administrator does not find the rejected organisation: %+v", n.Data)
		}
		if p := ok(t, s.post(t, pendingQuery, nil, admin)); get(p.Data, "pendingOrganisations.totalCount") != float64(0) {
			t.Errorf("still pending: %+v", p.Data)
		}
	})
	t.Run("EachDecisionIsAudited", func(t *testing.T) {
		var n int
		err := s.app.DB.QueryRowContext(context.Background(),
			"SELECT count(*) FROM audit_log WHERE action IN ('approve_organisation', 'reject_organisation')").Scan(&n)
		if err != nil || n != 2 {
			t.Errorf("%d decisions audited (%v), want 2", n, err)
		}
	})
}
