package app_test

import (
	"testing"
)

func TestAdministratorsManageRoles(t *testing.T) {
	s := newServer(t)
	createAdmin(t, s, "kari@example.no")
	createAdmin(t, s, "ola@example.no")
	admin := login(t, s, "kari@example.no")
	ola := login(t, s, "ola@example.no")
	r := ok(t, s.post(t, `{ users { nodes { user { id email } roles disabled } } }`, nil, admin))
	if len(get(r.Data, "users.nodes").([]any)) != 2 || get(r.Data, "users.nodes.1.user.email") != "ola@example.no" {
		t.Fatalf("%+v", r.Data)
	}
	olaID, kariID := get(r.Data, "users.nodes.1.user.id"), get(r.Data, "users.nodes.0.user.id")
	set := `mutation($u: ID!, $r: [MunicipalRole!]!, $d: Boolean) {
		setUserRoles(userId: $u, roles: $r, disabled: $d) { userAccount { roles disabled } } }`
	if r := ok(t, s.post(t, set, map[string]any{"u": olaID, "r": []string{"CASEWORKER"}}, admin)); !has(get(r.Data, "setUserRoles.userAccount.roles"), "CASEWORKER") ||
		get(r.Data, "setUserRoles.userAccount.disabled") != false {
		t.Errorf("set roles: %+v", r.Data)
	}
	if v := ok(t, s.post(t, `{
		viewer { roles } }`, nil, ola)); !has(get(v.Data, "viewer.roles"), "CASEWORKER") || has(get(v.Data, "viewer.roles"), "ADMIN") {
		t.Errorf("ola's roles: %+v", v.Data)
	}
	if r := s.post(t, set, map[string]any{"u": kariID, "r": []string{"EDITOR"}}, admin); r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "roles" {
		t.Errorf("dropping one's own ADMIN: %+v", r.Errors)
	}
	if r := ok(t, s.post(t, set, map[string]any{"u": olaID, "r": []string{"CASEWORKER"}, "d": true}, admin)); get(r.Data, "setUserRoles.userAccount.disabled") != true {
		t.Errorf("disable: %+v", r.Data)
	}
	if r := s.post(t, `{ viewer { roles } }`, nil, ola); r.code() != "UNAUTHENTICATED" {
		t.Errorf("a disabled user's session still works: %+v", r)
	}
	if r := s.post(t, loginMutation, map[string]any{"e": "ola@example.no", "p": "riktig hest batteri"}); r.code() != "UNAUTHENTICATED" {
		t.Errorf("a disabled user signs in: %+v", r.Errors)
	}
}
