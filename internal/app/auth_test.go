package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/fritid/fritid/internal/auth"
)

const loginMutation = `mutation($e: String!, $p: String!) {
	login(email: $e, password: $p) { token expiresAt viewer { user { email } roles } } }`

// createAdmin makes an ADMIN of the demo municipality.
func createAdmin(t *testing.T, s *testServer, email string) {
	t.Helper()
	tn, err := s.app.Tenants.FindMunicipalityBySlug(context.Background(), "demo")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.Auth.CreateUser(context.Background(), auth.CreateUserInput{MunicipalityID: tn.ID(), Email: email,
		Password: "riktig hest batteri", Roles: []auth.MunicipalRole{auth.RoleAdmin}}); err != nil {
		t.Fatal(err)
	}
}

func TestLoginViewerLogout(t *testing.T) {
	s := newServer(t)
	createAdmin(t, s, "Kari@Example.no")
	t.Run("UnknownEmailAndWrongPasswordLookTheSame", func(t *testing.T) {
		a := s.post(t, loginMutation, map[string]any{"e": "kari@example.no", "p": "feil passord!"}, "Accept-Language: en")
		b := s.post(t, loginMutation, map[string]any{"e": "ola@example.no", "p": "feil passord!"}, "Accept-Language: en")
		if a.code() != "UNAUTHENTICATED" || b.code() != "UNAUTHENTICATED" || a.Errors[0].Message != b.Errors[0].Message {
			t.Errorf("wrong password %+v, unknown e-mail %+v", a.Errors, b.Errors)
		}
	})
	r := ok(t, s.post(t, loginMutation, map[string]any{"e": " KARI@example.no", "p": "riktig hest batteri"}))
	token := get(r.Data, "login.token").(string)
	if len(token) < 43 || get(r.Data, "login.viewer.user.email") != "kari@example.no" {
		t.Fatalf("login: %+v", r.Data)
	}
	bearer := "Authorization: Bearer " + token
	v := ok(t, s.post(t, `{ viewer { user { email } roles } }`, nil, bearer))
	if get(v.Data, "viewer.user.email") != "kari@example.no" || !has(get(v.Data, "viewer.roles"), "ADMIN") {
		t.Errorf("viewer: %+v", v.Data)
	}
	if a := ok(t, s.post(t, `{ viewer { user { email } } }`, nil)); get(a.Data, "viewer") != nil {
		t.Errorf("anonymous viewer: %+v", a.Data)
	}
	t.Run("TokenOfAnotherMunicipality", func(t *testing.T) {
		if _, err := s.app.Tenants.CreateMunicipality(context.Background(), tenantInput("larvik", "Larvik kommune")); err != nil {
			t.Fatal(err)
		}
		r := s.post(t, `{ viewer { user { email } } }`, nil, bearer, "X-Municipality: larvik")
		if r.Status != http.StatusUnauthorized || r.code() != "UNAUTHENTICATED" {
			t.Errorf("%d %+v", r.Status, r.Errors)
		}
	})
	t.Run("GarbageToken", func(t *testing.T) {
		r := s.post(t, `{ municipality { name } }`, nil, "Authorization: Bearer not-a-token")
		if r.Status != http.StatusUnauthorized || r.code() != "UNAUTHENTICATED" {
			t.Errorf("%d %+v", r.Status, r.Errors)
		}
	})
	t.Run("ExpiredSession", func(t *testing.T) {
		r := ok(t, s.post(t, loginMutation, map[string]any{"e": "kari@example.no", "p": "riktig hest batteri"}))
		other := get(r.Data, "login.token").(string)
		s.exec(t, "UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE created_at = (SELECT max(created_at) FROM sessions)")
		if r := s.post(t, `{
			viewer { user { email } } }`, nil, "Authorization: Bearer "+other); r.code() != "UNAUTHENTICATED" {
			t.Errorf("expired token: %+v", r.Errors)
		}
	})
	if r := ok(t, s.post(t, `mutation {
		logout { sessionEnded } }`, nil, bearer)); get(r.Data, "logout.sessionEnded") != true {
		t.Fatalf("logout: %+v", r.Data)
	}
	if r := s.post(t, `{ viewer { user { email } } }`, nil, bearer); r.code() != "UNAUTHENTICATED" {
		t.Errorf("token works after logout: %+v", r)
	}
	if r := s.post(t, `mutation { logout { sessionEnded } }`, nil); r.code() != "UNAUTHENTICATED" {
		t.Errorf("anonymous logout: %+v", r.Errors)
	}
	var audited int
	s.app.DB.QueryRowContext(context.Background(), "SELECT count(*) FROM audit_log WHERE action IN ('login', 'login_failed', 'logout') AND request_id <> ''").Scan(&audited)
	if audited < 4 {
		t.Errorf("audit log has %d login entries with a request id", audited)
	}
	if _, err := s.app.DB.ExecContext(context.Background(), "DELETE FROM audit_log"); err == nil {
		t.Error("the audit log could be deleted")
	}
}

func TestLogoutEverywhere(t *testing.T) {
	s := newServer(t)
	createAdmin(t, s, "kari@example.no")
	var tokens []string
	for range 3 {
		r := ok(t, s.post(t, loginMutation, map[string]any{"e": "kari@example.no", "p": "riktig hest batteri"}))
		tokens = append(tokens, get(r.Data, "login.token").(string))
	}
	r := ok(t, s.post(t, `mutation { logoutEverywhere { sessionsEnded } }`, nil, "Authorization: Bearer "+tokens[0]))
	if get(r.Data, "logoutEverywhere.sessionsEnded") != 3.0 {
		t.Errorf("ended %v sessions, want 3", get(r.Data, "logoutEverywhere.sessionsEnded"))
	}
	for _, tok := range tokens {
		if r := s.post(t, `{
			viewer { user { email } } }`, nil, "Authorization: Bearer "+tok); r.code() != "UNAUTHENTICATED" {
			t.Errorf("a token still works: %+v", r.Data)
		}
	}
}

// TestFailedLoginsAreThrottled: after five failures the account is locked for a while,
// even for the right password, with a retry-after; other accounts are not.
func TestFailedLoginsAreThrottled(t *testing.T) {
	s := newServer(t)
	createAdmin(t, s, "kari@example.no")
	createAdmin(t, s, "ola@example.no")
	for range 5 {
		if r := s.post(t, loginMutation, map[string]any{"e": "kari@example.no", "p": "feil passord!"}); r.code() != "UNAUTHENTICATED" {
			t.Fatalf("%+v", r.Errors)
		}
	}
	r := s.post(t, loginMutation, map[string]any{"e": "kari@example.no", "p": "riktig hest batteri"}, "Accept-Language: en")
	if r.code() != "RATE_LIMITED" || r.Errors[0].Extensions["retryAfter"] == nil || r.Errors[0].Extensions["retryAfter"].(float64) < 1 {
		t.Fatalf("sixth attempt: %+v", r.Errors)
	}
	if r := s.post(t, loginMutation, map[string]any{"e": "ola@example.no", "p": "riktig hest batteri"}); len(r.Errors) > 0 {
		t.Errorf("another account is locked too: %+v", r.Errors)
	}
	// Failures are kept as keyed hashes only: the table has no column for the address or e-mail.
	var rows, hashed int
	if err := s.app.DB.QueryRowContext(context.Background(), "SELECT count(*), count(*) FILTER (WHERE length(key_hash) = 32) FROM login_failures").Scan(&rows, &hashed); err != nil {
		t.Fatal(err)
	}
	if rows != 10 || hashed != rows {
		t.Errorf("login_failures: %d rows, %d of them 32-byte hashes; want 10 (5 per account, 5 per client)", rows, hashed)
	}
}

func TestAPIKeys(t *testing.T) {
	s := newServer(t)
	createAdmin(t, s, "kari@example.no")
	login := ok(t, s.post(t, loginMutation, map[string]any{"e": "kari@example.no", "p": "riktig hest batteri"}))
	admin := "Authorization: Bearer " + get(login.Data, "login.token").(string)
	r := ok(t, s.post(t, `mutation {
		createApiKey(name: "Nyhetsbrev", scopes: [CATALOGUE_READ, SUBSCRIBERS_READ]) { token apiKey { id prefix scopes } } }`, nil, admin))
	token := get(r.Data, "createApiKey.token").(string)
	prefix := get(r.Data, "createApiKey.apiKey.prefix").(string)
	if !strings.HasPrefix(token, prefix+"_") || !strings.HasPrefix(prefix, "fritid_") || len(token) < 60 {
		t.Fatalf("token %q prefix %q", token, prefix)
	}
	keyAuth := "Authorization: Bearer " + token
	v := ok(t, s.post(t, `{ viewer { user { email } apiKey { name scopes lastUsedAt } } }`, nil, keyAuth))
	if get(v.Data, "viewer.apiKey.name") != "Nyhetsbrev" || get(v.Data, "viewer.user") != nil || !has(get(v.Data, "viewer.apiKey.scopes"), "SUBSCRIBERS_READ") {
		t.Errorf("viewer with key: %+v", v.Data)
	}
	list := ok(t, s.post(t, `{ apiKeys { nodes { prefix lastUsedAt revokedAt } } }`, nil, admin))
	if get(list.Data, "apiKeys.nodes.0.prefix") != prefix || get(list.Data, "apiKeys.nodes.0.lastUsedAt") == nil {
		t.Errorf("apiKeys: %+v", list.Data)
	}
	var stored string
	s.app.DB.QueryRowContext(context.Background(), "SELECT encode(token_hash, 'hex') FROM api_keys").Scan(&stored)
	if strings.Contains(stored, strings.TrimPrefix(token, prefix+"_")) {
		t.Error("the token is stored in clear")
	}
	t.Run("OnlyAdmins", func(t *testing.T) {
		for name, headers := range map[string][]string{"anonymous": nil, "api key": {keyAuth}} {
			r := s.post(t, `mutation { createApiKey(name: "x", scopes: [CATALOGUE_READ]) { token } }`, nil, headers...)
			want := "UNAUTHENTICATED"
			if r.code() != want {
				t.Errorf("%s: %+v, want %s", name, r.Errors, want)
			}
		}
		tn, _ := s.app.Tenants.FindMunicipalityBySlug(context.Background(), "demo")
		if _, err := s.app.Auth.CreateUser(context.Background(), auth.CreateUserInput{MunicipalityID: tn.ID(), Email: "editor@example.no",
			Password: "riktig hest batteri", Roles: []auth.MunicipalRole{auth.RoleEditor}}); err != nil {
			t.Fatal(err)
		}
		e := ok(t, s.post(t, loginMutation, map[string]any{"e": "editor@example.no", "p": "riktig hest batteri"}))
		r := s.post(t, `{
			apiKeys { nodes { prefix } } }`, nil, "Authorization: Bearer "+get(e.Data, "login.token").(string))
		if r.code() != "FORBIDDEN" {
			t.Errorf("editor lists keys: %+v", r.Errors)
		}
	})
	id := get(r.Data, "createApiKey.apiKey.id")
	if rv := ok(t, s.post(t, `mutation($id: ID!) {
		revokeApiKey(id: $id) { apiKey { revokedAt } } }`, map[string]any{"id": id}, admin)); get(rv.Data, "revokeApiKey.apiKey.revokedAt") == nil {
		t.Fatalf("revoke: %+v", rv.Data)
	}
	if r := s.post(t, `{
		viewer { apiKey { name } } }`, nil, keyAuth); r.Status != http.StatusUnauthorized || r.code() != "UNAUTHENTICATED" {
		t.Errorf("a revoked key works: %d %+v", r.Status, r.Errors)
	}
	t.Run("NotFoundInAnotherMunicipality", func(t *testing.T) {
		if _, err := s.app.Tenants.CreateMunicipality(context.Background(), tenantInput("larvik", "Larvik kommune")); err != nil {
			t.Fatal(err)
		}
		tn, _ := s.app.Tenants.FindMunicipalityBySlug(context.Background(), "larvik")
		if _, err := s.app.Auth.CreateUser(context.Background(), auth.CreateUserInput{MunicipalityID: tn.ID(), Email: "admin@larvik.no",
			Password: "riktig hest batteri", Roles: []auth.MunicipalRole{auth.RoleAdmin}}); err != nil {
			t.Fatal(err)
		}
		l := ok(t, s.post(t, loginMutation, map[string]any{"e": "admin@larvik.no", "p": "riktig hest batteri"}, "X-Municipality: larvik"))
		other := "Authorization: Bearer " + get(l.Data, "login.token").(string)
		r := s.post(t, `mutation($id: ID!) {
			revokeApiKey(id: $id) { apiKey { revokedAt } } }`, map[string]any{"id": id}, other, "X-Municipality: larvik")
		if r.code() != "NOT_FOUND" {
			t.Errorf("larvik's admin revokes demo's key: %+v", r.Errors)
		}
		if l := ok(t, s.post(t, `{
			apiKeys { nodes { prefix } } }`, nil, other, "X-Municipality: larvik")); len(get(l.Data, "apiKeys.nodes").([]any)) != 0 {
			t.Errorf("larvik sees demo's keys: %+v", l.Data)
		}
	})
}

func TestAuditLog(t *testing.T) {
	s := newServer(t)
	createAdmin(t, s, "kari@example.no")
	s.post(t, loginMutation, map[string]any{"e": "kari@example.no", "p": "feil passord!"})
	login := ok(t, s.post(t, loginMutation, map[string]any{"e": "kari@example.no", "p": "riktig hest batteri"}))
	admin := "Authorization: Bearer " + get(login.Data, "login.token").(string)
	q := `query($f: AuditFilterInput, $after: String) { auditLog(filter: $f, first: 2, after: $after) {
	  edges { cursor node { action actorId itemType itemId fields requestId } } pageInfo { hasNextPage endCursor } } }`
	r := ok(t, s.post(t, q, nil, admin))
	var actions []string
	for page := 0; page < 10; page++ {
		for _, e := range get(r.Data, "auditLog.edges").([]any) {
			actions = append(actions, get(e, "node.action").(string))
		}
		if get(r.Data, "auditLog.pageInfo.hasNextPage") != true {
			break
		}
		r = ok(t, s.post(t, q, map[string]any{"after": get(r.Data, "auditLog.pageInfo.endCursor")}, admin))
	}
	// Newest first: the login, the failed login, the account's creation.
	if len(actions) != 3 || actions[0] != "login" || actions[1] != "login_failed" || actions[2] != "create_user" {
		t.Errorf("actions = %v", actions)
	}
	f := ok(t, s.post(t, q, map[string]any{"f": map[string]any{"action": "login_failed"}}, admin))
	if n := len(get(f.Data, "auditLog.edges").([]any)); n != 1 || get(f.Data, "auditLog.edges.0.node.requestId") == "" {
		t.Errorf("filtered: %+v", f.Data)
	}
	if r := s.post(t, q, nil); r.code() != "UNAUTHENTICATED" {
		t.Errorf("anonymous reads the audit log: %+v", r.Errors)
	}
}

// createAdminIn makes an ADMIN of the municipality with slug.
func createAdminIn(t testing.TB, s *testServer, slug, email string) {
	t.Helper()
	tn, err := s.app.Tenants.FindMunicipalityBySlug(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.Auth.CreateUser(context.Background(), auth.CreateUserInput{MunicipalityID: tn.ID(), Email: email,
		Password: "riktig hest batteri", Roles: []auth.MunicipalRole{auth.RoleAdmin}}); err != nil {
		t.Fatal(err)
	}
}
