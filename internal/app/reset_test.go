package app_test

import (
	"context"
	"regexp"
	"testing"
)

func TestPasswordReset(t *testing.T) {
	s := newServer(t)
	createAdmin(t, s, "kari@example.no")
	old := login(t, s, "kari@example.no")
	ask := `mutation($e: String!) { requestPasswordReset(email: $e) { accepted } }`
	// Known and unknown addresses get the same answer; only the known one gets an e-mail.
	a := ok(t, s.post(t, ask, map[string]any{"e": "Kari@example.no"}))
	b := ok(t, s.post(t, ask, map[string]any{"e": "ingen@example.no"}))
	if get(a.Data, "requestPasswordReset.accepted") != true || get(b.Data, "requestPasswordReset.accepted") != true {
		t.Fatalf("%+v %+v", a.Data, b.Data)
	}
	var mails int
	s.app.DB.QueryRowContext(context.Background(), "SELECT count(*) FROM outbox WHERE template = 'PasswordReset'").Scan(&mails)
	if mails != 1 {
		t.Errorf("%d reset e-mails, want 1", mails)
	}
	token := regexp.MustCompile(`token=([A-Za-z0-9_-]+)`).FindStringSubmatch(outboxLink(t, s, "PasswordReset", "kari@example.no"))[1]
	reset := `mutation($t: String!, $p: String!) { resetPassword(token: $t, password: $p) { passwordChanged } }`
	if r := s.post(t, reset, map[string]any{"t": token, "p": "kort"}); r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "password" {
		t.Errorf("short password: %+v", r.Errors)
	}
	ok(t, s.post(t, reset, map[string]any{"t": token, "p": "et helt nytt passord"}))
	if r := s.post(t, reset, map[string]any{"t": token, "p": "et helt nytt passord"}); r.code() != "BAD_USER_INPUT" {
		t.Errorf("a used link works again: %+v", r.Errors)
	}
	// The old password and the old sessions no longer work; the new password does.
	if r := s.post(t, loginMutation, map[string]any{"e": "kari@example.no", "p": "riktig hest batteri"}); r.code() != "UNAUTHENTICATED" {
		t.Errorf("old password: %+v", r.Errors)
	}
	if r := s.post(t, `{ viewer { user { email } } }`, nil, old); r.code() != "UNAUTHENTICATED" {
		t.Errorf("an old session survives the reset: %+v", r)
	}
	ok(t, s.post(t, loginMutation, map[string]any{"e": "kari@example.no", "p": "et helt nytt passord"}))
}
