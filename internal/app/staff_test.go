package app_test

import (
	"context"
	"strings"
	"testing"
)

func TestInviteStaff(t *testing.T) {
	s := newServer(t)
	createAdmin(t, s, "admin@example.no")
	admin := login(t, s, "admin@example.no")
	invite := `mutation($e: String!, $r: [MunicipalRole!]!) {
		inviteUser(email: $e, displayName: "Nina Saksbehandler", roles: $r) { userAccount { user { email } roles disabled } } }`
	r := ok(t, s.post(t, invite, map[string]any{"e": "Nina@Larvik.kommune.no", "r": []string{"CASEWORKER"}}, admin))
	if get(r.Data, "inviteUser.userAccount.user.email") != "nina@larvik.kommune.no" || get(r.Data, "inviteUser.userAccount.roles.0") != "CASEWORKER" {
		t.Fatalf("invite: %+v", r.Data)
	}
	// No password yet: nobody can sign in as the new account until the link is used.
	if r := s.post(t, loginMutation, map[string]any{"e": "nina@larvik.kommune.no", "p": "riktig hest batteri"}); r.code() != "UNAUTHENTICATED" {
		t.Errorf("sign-in before choosing a password: %+v", r.Errors)
	}
	link := outboxLink(t, s, "StaffInvitation", "nina@larvik.kommune.no")
	token := link[strings.Index(link, "token=")+len("token="):]
	ok(t, s.post(t, `mutation($t: String!) {
		resetPassword(token: $t, password: "riktig hest batteri") { passwordChanged } }`, map[string]any{"t": token}))
	nina := login(t, s, "nina@larvik.kommune.no")
	v := ok(t, s.post(t, `{ viewer { roles } }`, nil, nina))
	if get(v.Data, "viewer.roles.0") != "CASEWORKER" {
		t.Errorf("viewer after accepting: %+v", v.Data)
	}
	if r := s.post(t, `mutation($t: String!) {
		resetPassword(token: $t, password: "et annet passord her") { passwordChanged } }`, map[string]any{"t": token}); r.code() != "BAD_USER_INPUT" {
		t.Errorf("the link worked twice: %+v", r.Errors)
	}
	var fields string
	s.app.DB.QueryRowContext(context.Background(), "SELECT array_to_string(fields, ',') FROM audit_log WHERE action = 'invite_user'").Scan(&fields)
	if fields != "email,displayName,roles" {
		t.Errorf("audit fields %q", fields)
	}
	for name, tt := range map[string]struct {
		email, code, field string
		roles              []string
	}{
		"Taken":      {"nina@larvik.kommune.no", "CONFLICT", "email", []string{"EDITOR"}},
		"BadAddress": {"nina", "BAD_USER_INPUT", "email", []string{"EDITOR"}},
	} {
		t.Run(name, func(t *testing.T) {
			r := s.post(t, invite, map[string]any{"e": tt.email, "r": tt.roles}, admin)
			if r.code() != tt.code || r.Errors[0].Extensions["field"] != tt.field {
				t.Errorf("%+v", r.Errors)
			}
		})
	}
}

func TestUpdateMunicipality(t *testing.T) {
	s := newServer(t)
	createAdmin(t, s, "admin@example.no")
	admin := login(t, s, "admin@example.no")
	update := `mutation($in: MunicipalityChangesInput!) {
		updateMunicipality(input: $in) { municipality { name timeZone settings } } }`
	r := ok(t, s.post(t, update, map[string]any{"in": map[string]any{"name": "Larvik kommune", "timeZone": "Europe/Oslo",
		"settings": map[string]any{"primaryColour": "#00529b", "contact": map[string]any{"email": "fritid@larvik.kommune.no"}}}}, admin))
	if get(r.Data, "updateMunicipality.municipality.name") != "Larvik kommune" || get(r.Data, "updateMunicipality.municipality.settings.primaryColour") != "#00529b" {
		t.Fatalf("update: %+v", r.Data)
	}
	// Public at once, for anyone; a field left out stays.
	ok(t, s.post(t, update, map[string]any{"in": map[string]any{"timeZone": "Arctic/Longyearbyen"}}, admin))
	pub := ok(t, s.post(t, `{ municipality { name timeZone settings } }`, nil))
	if get(pub.Data, "municipality.name") != "Larvik kommune" || get(pub.Data, "municipality.timeZone") != "Arctic/Longyearbyen" ||
		get(pub.Data, "municipality.settings.contact.email") != "fritid@larvik.kommune.no" {
		t.Errorf("public view: %+v", pub.Data)
	}
	var fields string
	s.app.DB.QueryRowContext(context.Background(), "SELECT array_to_string(fields, ',') FROM audit_log WHERE action = 'update_municipality' ORDER BY created_at LIMIT 1").Scan(&fields)
	if fields != "name,settings,timeZone" {
		t.Errorf("audit fields %q", fields)
	}
	for field, in := range map[string]map[string]any{
		"input.name":     {"name": "  "},
		"input.timeZone": {"timeZone": "Europe/Larvik"},
		"input.settings": {"settings": []any{1, 2}},
	} {
		if r := s.post(t, update, map[string]any{"in": in}, admin); r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != field {
			t.Errorf("%s: %+v", field, r.Errors)
		}
	}
	if r := s.post(t, update, map[string]any{"in": map[string]any{"settings": map[string]any{"big": strings.Repeat("x", 17<<10)}}}, admin); r.code() != "BAD_USER_INPUT" {
		t.Errorf("17 KiB of settings: %+v", r.Errors)
	}
}
