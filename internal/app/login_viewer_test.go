package app_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/fritid/fritid/internal/auth"
)

// viewerFields is every field of Viewer, as login's payload and the viewer query ask it.
const viewerFields = `user { id email displayName } apiKey { id } roles`

// TestLoginViewerIsTheTokensViewer proves that the viewer in login's payload is exactly
// what the viewer query answers afterwards with the token it gives: roles included, for
// one role, several roles, and an organisation's owner with no municipal role.
func TestLoginViewerIsTheTokensViewer(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	ctx := context.Background()
	demo, err := s.app.Tenants.FindMunicipalityBySlug(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	users := []struct {
		email string
		roles []auth.MunicipalRole
		want  []any
	}{
		{"admin@example.no", []auth.MunicipalRole{auth.RoleAdmin}, []any{"ADMIN"}},
		{"mange@example.no", []auth.MunicipalRole{auth.RoleCaseworker, auth.RoleEditor, auth.RoleCardCoordinator},
			[]any{"CARD_COORDINATOR", "CASEWORKER", "EDITOR"}},
		{"eier@example.no", nil, []any{}},
	}
	for _, u := range users {
		if _, err := s.app.Auth.CreateUser(ctx, auth.CreateUserInput{MunicipalityID: demo.ID(), Email: u.email,
			Password: "riktig hest batteri", Roles: u.roles}); err != nil {
			t.Fatal(err)
		}
	}
	s.exec(t, `INSERT INTO organisations (municipality_id, slug, name, kind, status) VALUES (?, 'lag', 'Laget', 'VOLUNTARY', 'PUBLISHED')`, demo.ID())
	s.exec(t, `INSERT INTO organisation_members (municipality_id, organisation_id, user_id, role)
		SELECT o.municipality_id, o.id, u.id, 'OWNER' FROM organisations o, users u WHERE o.slug = 'lag' AND u.email = 'eier@example.no'`)

	for _, u := range users {
		t.Run(u.email, func(t *testing.T) {
			in := ok(t, s.post(t, `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token viewer { `+viewerFields+` } } }`,
				map[string]any{"e": u.email, "p": "riktig hest batteri"}))
			payload := get(in.Data, "login.viewer")
			after := ok(t, s.post(t, `{ viewer { `+viewerFields+` } }`, nil, "Authorization: Bearer "+get(in.Data, "login.token").(string)))
			if !reflect.DeepEqual(payload, get(after.Data, "viewer")) {
				t.Errorf("login's viewer %+v, the token's viewer %+v", payload, get(after.Data, "viewer"))
			}
			if got := get(payload, "roles"); !reflect.DeepEqual(got, u.want) {
				t.Errorf("login's roles %v, want %v", got, u.want)
			}
			if get(payload, "user.email") != u.email {
				t.Errorf("login's user %+v", get(payload, "user"))
			}
		})
	}
}
