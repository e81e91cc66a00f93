package app_test

import (
	"context"
	"regexp"
	"testing"
)

const registerMutation = `mutation($in: RegisterOrganisationInput!) {
	registerOrganisation(input: $in) { organisation { id slug name status } } }`

// outboxLink returns the link in the newest queued e-mail of template to address.
func outboxLink(t *testing.T, s *testServer, template, to string) string {
	t.Helper()
	var link string
	err := s.app.DB.QueryRowContext(context.Background(),
		"SELECT data->>'Link' FROM outbox WHERE template = ? AND to_address = ? ORDER BY created_at DESC LIMIT 1", template, to).Scan(&link)
	if err != nil {
		t.Fatalf("no %s e-mail to %s: %v", template, to, err)
	}
	return link
}

func TestRegisterVerifyApprove(t *testing.T) {
	s := newServer(t)
	createAdmin(t, s, "admin@example.no")
	in := map[string]any{"name": "Stavern Sjakklubb", "kind": "VOLUNTARY", "orgNumber": "974760673", "summary": "Sjakk for alle",
		"owner": map[string]any{"email": "Leder@Sjakk.no", "password": "riktig hest batteri", "displayName": "Leder"}}
	r := ok(t, s.post(t, registerMutation, map[string]any{"in": in}))
	if get(r.Data, "registerOrganisation.organisation.status") != "PENDING" || get(r.Data, "registerOrganisation.organisation.slug") != "stavern-sjakklubb" {
		t.Fatalf("%+v", r.Data)
	}
	id := get(r.Data, "registerOrganisation.organisation.id")
	// Not public while pending.
	if p := ok(t, s.post(t, `{
		organisation(slug: "stavern-sjakklubb") { name } }`, nil)); get(p.Data, "organisation") != nil {
		t.Error("a pending organisation is public")
	}
	// The owner confirms the address with the link from the e-mail, once.
	link := outboxLink(t, s, "VerifyEmail", "leder@sjakk.no")
	token := regexp.MustCompile(`token=([A-Za-z0-9_-]+)`).FindStringSubmatch(link)[1]
	if v := ok(t, s.post(t, `mutation($t: String!) {
		verifyEmail(token: $t) { user { email displayName } } }`, map[string]any{"t": token})); get(v.Data, "verifyEmail.user.email") != "leder@sjakk.no" || get(v.Data, "verifyEmail.user.displayName") != "Leder" {
		t.Errorf("verify: %+v", v.Data)
	}
	if v := s.post(t, `mutation($t: String!) {
		verifyEmail(token: $t) { user { id } } }`, map[string]any{"t": token}); v.code() != "BAD_USER_INPUT" {
		t.Errorf("a used link works again: %+v", v.Errors)
	}
	// The owner can sign in; the administrator approves; the owner is told.
	ok(t, s.post(t, loginMutation, map[string]any{"e": "leder@sjakk.no", "p": "riktig hest batteri"}))
	admin := login(t, s, "admin@example.no")
	a := ok(t, s.post(t, `mutation($id: ID!) {
		approveOrganisation(id: $id) { organisation { status } } }`, map[string]any{"id": id}, admin))
	if get(a.Data, "approveOrganisation.organisation.status") != "PUBLISHED" {
		t.Fatalf("%+v", a.Data)
	}
	if p := ok(t, s.post(t, `{
		organisation(slug: "stavern-sjakklubb") { name summary } }`, nil)); get(p.Data, "organisation.summary") != "Sjakk for alle" {
		t.Errorf("approved organisation: %+v", p.Data)
	}
	var told int
	s.app.DB.QueryRowContext(context.Background(), "SELECT count(*) FROM outbox WHERE template = 'OrganisationApproved' AND to_address = 'leder@sjakk.no'").Scan(&told)
	if told != 1 {
		t.Errorf("%d approval e-mails to the owner", told)
	}
	// A decision is made once: approving or rejecting it again is a CONFLICT.
	if a := s.post(t, `mutation($id: ID!) {
		approveOrganisation(id: $id) { organisation { status } } }`, map[string]any{"id": id}, admin); a.code() != "CONFLICT" {
		t.Errorf("approving twice: %+v", a.Errors)
	}
	if rj := s.post(t, `mutation($id: ID!) {
		rejectOrganisation(id: $id, reason: "For sent") { organisation { status } } }`, map[string]any{"id": id}, admin); rj.code() != "CONFLICT" {
		t.Errorf("rejecting an approved organisation: %+v", rj.Errors)
	}
	// A second organisation of the same name gets its own slug; rejecting needs a reason.
	in["owner"] = map[string]any{"email": "ny@sjakk.no", "password": "riktig hest batteri"}
	r2 := ok(t, s.post(t, registerMutation, map[string]any{"in": in}))
	if get(r2.Data, "registerOrganisation.organisation.slug") != "stavern-sjakklubb-2" {
		t.Errorf("second slug: %+v", r2.Data)
	}
	id2 := get(r2.Data, "registerOrganisation.organisation.id")
	if rj := s.post(t, `mutation($id: ID!) {
		rejectOrganisation(id: $id, reason: " ") { organisation { status } } }`, map[string]any{"id": id2}, admin); rj.code() != "BAD_USER_INPUT" || rj.Errors[0].Extensions["field"] != "reason" {
		t.Errorf("empty reason: %+v", rj.Errors)
	}
	if rj := ok(t, s.post(t, `mutation($id: ID!) {
		rejectOrganisation(id: $id, reason: "Finnes fra før") { organisation { status } } }`, map[string]any{"id": id2}, admin)); get(rj.Data, "rejectOrganisation.organisation.status") != "REJECTED" {
		t.Errorf("reject: %+v", rj.Data)
	}
}

func TestRegisterBadInput(t *testing.T) {
	s := newServer(t)
	owner := map[string]any{"email": "leder@sjakk.no", "password": "riktig hest batteri"}
	tests := []struct {
		name  string
		in    map[string]any
		field string
		code  string
	}{
		{"NoOwnerWhenAnonymous", map[string]any{"name": "Lag", "kind": "VOLUNTARY"}, "input.owner", "BAD_USER_INPUT"},
		{"EmptyName", map[string]any{"name": "  ", "kind": "VOLUNTARY", "owner": owner}, "input.name", "BAD_USER_INPUT"},
		{"BadOrgNumber", map[string]any{"name": "Lag", "kind": "VOLUNTARY", "orgNumber": "123456789", "owner": owner}, "input.orgNumber", "BAD_USER_INPUT"},
		{"BadOwnerEmail", map[string]any{"name": "Lag", "kind": "VOLUNTARY", "owner": map[string]any{"email": "nei", "password": "riktig hest batteri"}}, "input.owner.email", "BAD_USER_INPUT"},
		{"ShortPassword", map[string]any{"name": "Lag", "kind": "VOLUNTARY", "owner": map[string]any{"email": "a@b.no", "password": "kort"}}, "input.owner.password", "BAD_USER_INPUT"},
		{"UnknownCategory", map[string]any{"name": "Lag", "kind": "VOLUNTARY", "categories": []string{"Q2F0ZWdvcnk6MDE5MDAwMDAtMDAwMC03MDAwLTgwMDAtMDAwMDAwMDAwMDAw"}, "owner": owner}, "input.categories", "BAD_USER_INPUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.post(t, registerMutation, map[string]any{"in": tt.in})
			if r.code() != tt.code || r.Errors[0].Extensions["field"] != tt.field {
				t.Errorf("%+v, want %s on %s", r.Errors, tt.code, tt.field)
			}
		})
	}
	var n int
	s.app.DB.QueryRowContext(context.Background(), "SELECT count(*) FROM organisations").Scan(&n)
	if n != 0 {
		t.Errorf("failed registrations left %d organisations", n)
	}
}

// login signs email in and returns its Authorization header.
func login(t testing.TB, s *testServer, email string, headers ...string) string {
	t.Helper()
	r := ok(t, s.post(t, loginMutation, map[string]any{"e": email, "p": "riktig hest batteri"}, headers...))
	return "Authorization: Bearer " + get(r.Data, "login.token").(string)
}
