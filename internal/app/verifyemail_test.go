package app_test

import (
	"context"
	"io/fs"
	"regexp"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/mail"
	"github.com/fritid/fritid/internal/mail/mailtest"
	"github.com/fritid/fritid/internal/platform/config"
	"github.com/fritid/fritid/internal/platform/jobs"
	"github.com/fritid/fritid/migrations"
)

const resendMutation = `mutation($e: String!) { resendConfirmation(email: $e) { accepted } }`

// verifyLink finds the confirmation link's token in a delivered message.
var verifyLink = regexp.MustCompile(`/verify-email\?token=([A-Za-z0-9_-]{43})`)

// newMailServer starts fritid with its mail delivering through a local SMTP inbox.
func newMailServer(t *testing.T) (*testServer, *mailtest.Inbox) {
	t.Helper()
	box, url := mailtest.Start(t)
	return newServer(t, func(c *config.Config) { c.SMTPURL = url }), box
}

// deliver has the server's job queue work until no mail job is due (starting the queue
// the first time, stopped when the test ends) and returns how many messages were delivered
// since the last call; once it returns, the inbox holds them.
func deliver(t *testing.T, s *testServer) int {
	t.Helper()
	startJobs(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := jobs.WaitIdle(ctx, s.app.DB, mail.Kind); err != nil {
		t.Fatal(err)
	}
	var done int
	if err := s.app.DB.QueryRowContext(ctx, "SELECT count(*) FROM river_job WHERE kind = ? AND state = 'completed'", mail.Kind).Scan(&done); err != nil {
		t.Fatal(err)
	}
	s.mail.Lock()
	defer s.mail.Unlock()
	n := done - s.mail.delivered
	s.mail.delivered = done
	return n
}

// startJobs starts the server's job queue, once, until the test ends.
func startJobs(t *testing.T, s *testServer) {
	t.Helper()
	s.mail.Lock()
	defer s.mail.Unlock()
	if s.mail.started {
		return
	}
	if err := s.app.StartJobs(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.mail.started = true
	t.Cleanup(func() {
		if err := s.app.StopJobs(context.Background()); err != nil {
			t.Error(err)
		}
	})
}

// confirmationTokens returns the confirmation tokens e-mailed to address, oldest first.
func confirmationTokens(t *testing.T, box *mailtest.Inbox, address string) []string {
	t.Helper()
	var out []string
	for _, m := range box.To(address) {
		body, err := m.Body()
		if err != nil {
			t.Fatal(err)
		}
		if sub := verifyLink.FindStringSubmatch(body); sub != nil {
			out = append(out, sub[1])
		}
	}
	return out
}

// TestLoginWaitsForConfirmedEmail walks a self-registered owner from registration to a
// confirmed address: login is refused with EMAIL_NOT_VERIFIED only for the right password,
// a resent link arrives by SMTP and replaces the first, and after confirming login works.
func TestLoginWaitsForConfirmedEmail(t *testing.T) {
	t.Parallel()
	s, box := newMailServer(t)
	const owner, password = "leder@sjakk.no", "riktig hest batteri"
	ok(t, s.post(t, registerMutation, map[string]any{"in": map[string]any{"name": "Stavern Sjakklubb", "kind": "VOLUNTARY",
		"owner": map[string]any{"email": owner, "password": password}}}))
	deliver(t, s)
	first := confirmationTokens(t, box, owner)
	if len(first) != 1 {
		t.Fatalf("%d confirmation e-mails after registering, want 1", len(first))
	}

	unknown := s.post(t, loginMutation, map[string]any{"e": "ingen@sjakk.no", "p": password}, "Accept-Language: en")
	for _, tt := range []struct {
		name, email, password, code string
	}{
		{"RightPasswordNotVerified", owner, password, "EMAIL_NOT_VERIFIED"},
		{"WrongPasswordAsUsual", owner, "feil passord!", "UNAUTHENTICATED"},
		{"UnknownAddress", "ingen@sjakk.no", password, "UNAUTHENTICATED"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := s.post(t, loginMutation, map[string]any{"e": tt.email, "p": tt.password}, "Accept-Language: en")
			if r.code() != tt.code || get(r.Data, "login") != nil {
				t.Fatalf("%+v, want %s", r.Errors, tt.code)
			}
			if tt.code == "UNAUTHENTICATED" && r.Errors[0].Message != unknown.Errors[0].Message {
				t.Errorf("message %q differs from an unknown address's %q", r.Errors[0].Message, unknown.Errors[0].Message)
			}
		})
	}

	// Asking again: the same answer for the owner and for an unknown address; only the
	// owner gets a new link, and the first one stops working.
	a := ok(t, s.post(t, resendMutation, map[string]any{"e": " Leder@Sjakk.no"}))
	b := ok(t, s.post(t, resendMutation, map[string]any{"e": "ingen@sjakk.no"}))
	if get(a.Data, "resendConfirmation.accepted") != true || get(b.Data, "resendConfirmation.accepted") != true {
		t.Fatalf("%+v %+v", a.Data, b.Data)
	}
	if n := deliver(t, s); n != 1 {
		t.Errorf("delivered %d e-mails after two resend requests, want 1", n)
	}
	if m := box.To("ingen@sjakk.no"); len(m) != 0 {
		t.Errorf("%d e-mails to an address without an account", len(m))
	}
	tokens := confirmationTokens(t, box, owner)
	if len(tokens) != 2 || tokens[1] == first[0] {
		t.Fatalf("confirmation tokens %v, want a new second one", tokens)
	}
	verify := `mutation($t: String!) { verifyEmail(token: $t) { user { id } } }`
	if r := s.post(t, verify, map[string]any{"t": first[0]}); r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "token" {
		t.Errorf("the replaced link still works: %+v", r)
	}
	ok(t, s.post(t, verify, map[string]any{"t": tokens[1]}))
	r := ok(t, s.post(t, loginMutation, map[string]any{"e": owner, "p": password}))
	if get(r.Data, "login.viewer.user.email") != owner {
		t.Errorf("login after confirming: %+v", r.Data)
	}

	// Once confirmed, asking again still answers the same and sends nothing.
	ok(t, s.post(t, resendMutation, map[string]any{"e": owner}))
	if n := deliver(t, s); n != 0 {
		t.Errorf("delivered %d e-mails for a confirmed address", n)
	}
}

// TestStaffAccountsAreVerified signs in accounts an operator or administrator made, with
// no confirmation step: the operator vouches for the address, and an invited colleague
// proves it by using the e-mailed link to choose a password.
func TestStaffAccountsAreVerified(t *testing.T) {
	t.Parallel()
	s, box := newMailServer(t)
	createAdmin(t, s, "admin@example.no")
	admin := login(t, s, "admin@example.no")

	ok(t, s.post(t, `mutation {
		inviteUser(email: "kollega@example.no", displayName: "Kollega", roles: [EDITOR]) { userAccount { roles } } }`, nil, admin))
	deliver(t, s)
	invited := box.To("kollega@example.no")
	if len(invited) != 1 {
		t.Fatalf("%d invitation e-mails", len(invited))
	}
	body, err := invited[0].Body()
	if err != nil {
		t.Fatal(err)
	}
	token := regexp.MustCompile(`token=([A-Za-z0-9_-]{43})`).FindStringSubmatch(body)
	if token == nil {
		t.Fatalf("no link in the invitation:\n%s", body)
	}
	ok(t, s.post(t, `mutation($t: String!) {
		resetPassword(token: $t, password: "riktig hest batteri") { passwordChanged } }`, map[string]any{"t": token[1]}))
	login(t, s, "kollega@example.no")

	// Neither gets a confirmation link for the asking.
	for _, email := range []string{"admin@example.no", "kollega@example.no"} {
		ok(t, s.post(t, resendMutation, map[string]any{"e": email}))
	}
	if n := deliver(t, s); n != 0 {
		t.Errorf("delivered %d confirmation e-mails to staff", n)
	}
}

// TestResendConfirmationThrottled: asking too often is RATE_LIMITED after as many requests
// for an address without an account as for one with, so the limit reveals nothing either;
// a malformed address is the client's error.
func TestResendConfirmationThrottled(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	ok(t, s.post(t, registerMutation, map[string]any{"in": map[string]any{"name": "Lag", "kind": "VOLUNTARY",
		"owner": map[string]any{"email": "leder@lag.no", "password": "riktig hest batteri"}}}))
	allowed := map[string]int{}
	for _, email := range []string{"leder@lag.no", "ingen@lag.no"} {
		for allowed[email] = 0; allowed[email] < 50; allowed[email]++ {
			if r := s.post(t, resendMutation, map[string]any{"e": email}); r.code() == "RATE_LIMITED" {
				if r.Errors[0].Extensions["retryAfter"] == nil {
					t.Errorf("no retryAfter: %+v", r.Errors)
				}
				break
			} else if len(r.Errors) > 0 {
				t.Fatalf("%s: %+v", email, r.Errors)
			}
		}
	}
	if allowed["leder@lag.no"] != allowed["ingen@lag.no"] || allowed["leder@lag.no"] == 0 || allowed["leder@lag.no"] >= 50 {
		t.Errorf("allowed before the limit: %v", allowed)
	}
	if r := s.post(t, resendMutation, map[string]any{"e": "ikke en adresse"}); r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "email" {
		t.Errorf("malformed address: %+v", r.Errors)
	}
}

// TestMigrationMarksExistingAccountsVerified runs migration 0013 over accounts as they were
// before it: an operator's account without the mark signs in afterwards, a self-registered
// owner who never confirmed still has to.
func TestMigrationMarksExistingAccountsVerified(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	ctx := context.Background()
	createAdmin(t, s, "admin@example.no")
	ok(t, s.post(t, registerMutation, map[string]any{"in": map[string]any{"name": "Lag", "kind": "VOLUNTARY",
		"owner": map[string]any{"email": "leder@lag.no", "password": "riktig hest batteri"}}}))
	if _, err := s.app.DB.ExecContext(ctx, "UPDATE users SET email_verified_at = NULL"); err != nil {
		t.Fatal(err)
	}
	up, err := fs.ReadFile(migrations.FS, "0013_verified_accounts.tx.up.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.DB.ExecContext(ctx, string(up)); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ email, code string }{
		{"admin@example.no", ""},
		{"leder@lag.no", "EMAIL_NOT_VERIFIED"},
	} {
		if r := s.post(t, loginMutation, map[string]any{"e": tt.email, "p": "riktig hest batteri"}); r.code() != tt.code {
			t.Errorf("%s: %+v, want %q", tt.email, r.Errors, tt.code)
		}
	}
}
