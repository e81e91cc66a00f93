package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/fritid/fritid/internal/integration"
	"github.com/fritid/fritid/internal/mail/mailtest"
	"github.com/fritid/fritid/internal/platform/config"
	"github.com/fritid/fritid/internal/platform/jobs"
)

// receiver is a webhook receiver on 127.0.0.1 that verifies every delivery with the
// Standard Webhooks reference library and answers the statuses it is given in turn (200
// when they run out).
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	secrets  []string
	statuses []int
	got      []delivery
}

// delivery is what the receiver saw of one request.
type delivery struct {
	ID       string
	Type     string
	Cursor   string
	Subject  string
	Verified map[string]bool // by secret
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	t.Helper()
	r := &receiver{statuses: statuses}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	var env struct {
		Type string `json:"type"`
		Data struct {
			Cursor string `json:"cursor"`
			ID     string `json:"id"`
		} `json:"data"`
	}
	json.Unmarshal(body, &env) //nolint:errcheck // a bad body shows as an empty delivery
	r.mu.Lock()
	defer r.mu.Unlock()
	d := delivery{ID: req.Header.Get("webhook-id"), Type: env.Type, Cursor: env.Data.Cursor, Subject: env.Data.ID,
		Verified: map[string]bool{}}
	for _, s := range r.secrets {
		wh, err := standardwebhooks.NewWebhook(s)
		d.Verified[s] = err == nil && wh.Verify(body, req.Header) == nil
	}
	r.got = append(r.got, d)
	status := http.StatusOK
	if len(r.statuses) > 0 {
		status, r.statuses = r.statuses[0], r.statuses[1:]
	}
	w.WriteHeader(status)
	io.WriteString(w, "mottatt") //nolint:errcheck // test receiver
}

func (r *receiver) trust(secret string) {
	r.mu.Lock()
	r.secrets = append(r.secrets, secret)
	r.mu.Unlock()
}

func (r *receiver) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.got...)
}

// webhookServer is fritid allowed to deliver to 127.0.0.1, with its mail going to box,
// an administrator signed in, and its job queue working.
func webhookServer(t *testing.T) (*testServer, string, *mailtest.Inbox) {
	t.Helper()
	box, smtpURL := mailtest.Start(t)
	s := newServer(t, func(c *config.Config) { c.WebhookAllowPrivate, c.SMTPURL = true, smtpURL })
	createAdmin(t, s, "admin@example.no")
	startJobs(t, s)
	return s, login(t, s, "admin@example.no"), box
}

// settle sequences the committed changes and waits until every due delivery (and e-mail)
// has been worked.
func settle(t *testing.T, s *testServer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := s.app.Integration.Dispatch(ctx); err != nil {
		t.Fatal(err)
	}
	if err := jobs.WaitIdle(ctx, s.app.DB, integration.DeliverKind, "mail"); err != nil {
		t.Fatal(err)
	}
}

// retryNow makes the deliveries waiting for a retry due at once.
func retryNow(t *testing.T, s *testServer) {
	t.Helper()
	s.exec(t, "UPDATE river_job SET scheduled_at = now() WHERE kind = ? AND state = 'retryable'", integration.DeliverKind)
}

const createEndpoint = `mutation($in: WebhookEndpointInput!) {
	createWebhookEndpoint(input: $in) { secret webhookEndpoint { id enabled } } }`

// addEndpoint creates an endpoint for url and returns its ID and secret.
func addEndpoint(t *testing.T, s *testServer, admin, url string, types ...string) (string, string) {
	t.Helper()
	in := map[string]any{"url": url, "description": "Nyhetsbrevverktøy"}
	if types != nil {
		in["eventTypes"] = types
	}
	r := ok(t, s.post(t, createEndpoint, map[string]any{"in": in}, admin))
	return get(r.Data, "createWebhookEndpoint.webhookEndpoint.id").(string), get(r.Data, "createWebhookEndpoint.secret").(string)
}

// publishOrganisation adds a published organisation of the demo municipality.
func publishOrganisation(t *testing.T, s *testServer, slug string) {
	t.Helper()
	s.exec(t, `INSERT INTO organisations (municipality_id, slug, name, kind, status)
		SELECT id, ?, 'Lag', 'VOLUNTARY', 'PUBLISHED' FROM municipalities WHERE slug = 'demo'`, slug)
}

// TestWebhooksAreSignedAndCarryTheirCursor: a change is delivered to the endpoints that
// want it, signed as the reference library verifies, with the cursor the change feed has.
func TestWebhooksAreSignedAndCarryTheirCursor(t *testing.T) {
	t.Parallel()
	s, admin, _ := webhookServer(t)
	all, venuesOnly := newReceiver(t), newReceiver(t)
	_, secret := addEndpoint(t, s, admin, all.URL+"/hooks")
	all.trust(secret)
	addEndpoint(t, s, admin, venuesOnly.URL, "VENUE_PUBLISHED")
	publishOrganisation(t, s, "sjakklubben")
	settle(t, s)
	got := all.deliveries()
	if len(got) != 1 || got[0].Type != "organisation.published" || !got[0].Verified[secret] || !strings.HasPrefix(got[0].ID, "msg_") {
		t.Fatalf("deliveries: %+v", got)
	}
	var stored string
	if err := s.app.DB.QueryRowContext(context.Background(), "SELECT secret FROM webhook_endpoints WHERE url = ?", all.URL+"/hooks").Scan(&stored); err != nil ||
		!strings.HasPrefix(stored, "sealed:v1:") || strings.Contains(stored, strings.TrimPrefix(secret, "whsec_")) {
		t.Errorf("the secret is stored as %q (%v); want it sealed", stored, err)
	}
	if n := len(venuesOnly.deliveries()); n != 0 {
		t.Errorf("an endpoint for venues got %d organisation events", n)
	}
	r := ok(t, s.post(t, `{ changes(types: [ORGANISATION_PUBLISHED]) { nodes { cursor name
		payload { __typename id ... on OrganisationChangePayload { cursor } } } } }`, nil, admin))
	node := get(r.Data, "changes.nodes.0")
	if get(node, "cursor") != got[0].Cursor || get(node, "payload.id") != got[0].Subject ||
		get(node, "payload.__typename") != "OrganisationChangePayload" || get(node, "name") != "organisation.published" {
		t.Errorf("the feed says %v, the webhook %+v", node, got[0])
	}
}

// TestWebhookRetriesAndRotation: a delivery answered 500 is tried again with the same
// webhook-id; after a rotation both secrets sign, and each attempt is listed.
func TestWebhookRetriesAndRotation(t *testing.T) {
	t.Parallel()
	s, admin, _ := webhookServer(t)
	rec := newReceiver(t, http.StatusInternalServerError)
	id, old := addEndpoint(t, s, admin, rec.URL)
	r := ok(t, s.post(t, `mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret
		webhookEndpoint { previousSecretExpiresAt } } }`, map[string]any{"id": id}, admin))
	fresh := get(r.Data, "rotateWebhookSecret.secret").(string)
	rec.trust(old)
	rec.trust(fresh)
	publishOrganisation(t, s, "sjakklubben")
	settle(t, s)
	retryNow(t, s)
	settle(t, s)
	got := rec.deliveries()
	if len(got) != 2 || got[0].ID != got[1].ID {
		t.Fatalf("want the same message twice (500, then 200): %+v", got)
	}
	if !got[1].Verified[old] || !got[1].Verified[fresh] || fresh == old {
		t.Errorf("during the rotation both secrets should verify: %+v", got[1].Verified)
	}
	r = ok(t, s.post(t, `{ webhookEndpoints { failingSince attempts { statusCode succeeded eventType webhookId response } } }`, nil, admin))
	attempts := get(r.Data, "webhookEndpoints.0.attempts").([]any)
	if len(attempts) != 2 || get(attempts[0], "succeeded") != true || get(attempts[1], "statusCode") != float64(500) ||
		get(attempts[0], "webhookId") != got[0].ID || get(attempts[0], "response") != "mottatt" {
		t.Errorf("attempts: %v", attempts)
	}
	if get(r.Data, "webhookEndpoints.0.failingSince") != nil {
		t.Errorf("a success leaves the endpoint failing since %v", get(r.Data, "webhookEndpoints.0.failingSince"))
	}
	ok(t, s.post(t, `mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { deletedId } }`, map[string]any{"id": id}, admin))
	r = ok(t, s.post(t, `query($id: ID!) { auditLog(filter: {itemId: $id}) { nodes { action } } }`, map[string]any{"id": id}, admin))
	if got := names(r.Data, "auditLog.nodes", "action"); !slices.Equal(got,
		[]string{"delete_webhook_endpoint", "rotate_webhook_secret", "create_webhook_endpoint"}) {
		t.Errorf("audit log: %v", got)
	}
}

// TestWebhookGoneDisablesAndTellsAdministrators: a 410 disables the endpoint at once, with
// an e-mail to the administrators; so do days of failures.
func TestWebhookGoneDisablesAndTellsAdministrators(t *testing.T) {
	t.Parallel()
	s, admin, box := webhookServer(t)
	gone, failing := newReceiver(t, http.StatusGone), newReceiver(t, http.StatusBadGateway)
	addEndpoint(t, s, admin, gone.URL)
	failingID, _ := addEndpoint(t, s, admin, failing.URL)
	s.exec(t, "UPDATE webhook_endpoints SET failing_since = now() - interval '6 days' WHERE url = ?", failing.URL)
	publishOrganisation(t, s, "sjakklubben")
	settle(t, s)
	publishOrganisation(t, s, "bridgeklubben")
	settle(t, s)
	if n, m := len(gone.deliveries()), len(failing.deliveries()); n != 1 || m != 1 {
		t.Errorf("deliveries after disabling: gone %d, failing %d; want 1 each", n, m)
	}
	r := ok(t, s.post(t, `{ webhookEndpoints { url enabled disabledReason } }`, nil, admin))
	reasons := map[string]any{}
	for _, e := range get(r.Data, "webhookEndpoints").([]any) {
		if get(e, "enabled") != false {
			t.Errorf("still enabled: %v", e)
		}
		reasons[get(e, "url").(string)] = get(e, "disabledReason")
	}
	if reasons[gone.URL] != "GONE" || reasons[failing.URL] != "FAILING" {
		t.Errorf("reasons: %v", reasons)
	}
	bodies := bodiesTo(t, s, box, "admin@example.no")
	if len(bodies) != 2 || !strings.Contains(strings.Join(bodies, "\n"), gone.URL) {
		t.Errorf("the administrator got %d e-mails: %q", len(bodies), bodies)
	}
	// Pings and replays wait until it is enabled again.
	if r := s.post(t, `mutation($id: ID!) { pingWebhookEndpoint(id: $id) { webhookId } }`, map[string]any{"id": failingID}, admin); r.code() != "CONFLICT" {
		t.Errorf("ping to a disabled endpoint: %+v", r.Errors)
	}
	ok(t, s.post(t, `mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: {enabled: true}) { webhookEndpoint { enabled } } }`,
		map[string]any{"id": failingID}, admin))
	r = ok(t, s.post(t, `mutation($id: ID!) { replayWebhooks(id: $id, since: "2000-01-01T00:00:00Z") { queued } }`,
		map[string]any{"id": failingID}, admin))
	if get(r.Data, "replayWebhooks.queued") != float64(2) {
		t.Errorf("replay queued %v, want both organisations", get(r.Data, "replayWebhooks.queued"))
	}
	ok(t, s.post(t, `mutation($id: ID!) { pingWebhookEndpoint(id: $id) { webhookId } }`, map[string]any{"id": failingID}, admin))
	settle(t, s)
	types := map[string]int{}
	for _, d := range failing.deliveries() {
		types[d.Type]++
	}
	if types["organisation.published"] != 3 || types["webhook.test"] != 1 {
		t.Errorf("after enabling, replaying and pinging: %v", types)
	}
}

// TestWebhooksSurviveACrash: changes committed while no queue ran, and deliveries queued
// but never worked, are delivered by a new instance's queue.
func TestWebhooksSurviveACrash(t *testing.T) {
	t.Parallel()
	// b is a second instance over the same database (and secret key), started after a is gone.
	a, b := newPair(t, func(c *config.Config) { c.WebhookAllowPrivate = true })
	createAdmin(t, a, "admin@example.no")
	rec := newReceiver(t)
	addEndpoint(t, a, login(t, a, "admin@example.no"), rec.URL)
	publishOrganisation(t, a, "sjakklubben")
	if _, err := a.app.Integration.Dispatch(context.Background()); err != nil { // queued, never worked
		t.Fatal(err)
	}
	publishOrganisation(t, a, "bridgeklubben") // committed, never dispatched
	a.app.Close()

	startJobs(t, b)
	settle(t, b)
	if got := rec.deliveries(); len(got) != 2 || got[0].Cursor == got[1].Cursor {
		t.Errorf("after the crash the new instance delivered %+v", got)
	}
}

// TestWebhookEndpointInput: bad input names its field.
func TestWebhookEndpointInput(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.app.Integration.Development = false // as in production
	createAdmin(t, s, "admin@example.no")
	admin := login(t, s, "admin@example.no")
	for _, tc := range []struct {
		name  string
		in    map[string]any
		field string
	}{
		{"ErrHTTPInProduction", map[string]any{"url": "http://mottak.example.no/"}, "url"},
		{"ErrNotAURL", map[string]any{"url": "mottak"}, "url"},
		{"ErrCredentials", map[string]any{"url": "https://bruker:passord@mottak.example.no/"}, "url"},
		{"ErrDescription", map[string]any{"url": "https://mottak.example.no/", "description": strings.Repeat("x", 501)}, "description"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.post(t, createEndpoint, map[string]any{"in": tc.in}, admin)
			if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != tc.field {
				t.Errorf("%+v", r.Errors)
			}
		})
	}
	r := ok(t, s.post(t, createEndpoint, map[string]any{"in": map[string]any{"url": "https://mottak.example.no/"}}, admin))
	if secret, _ := get(r.Data, "createWebhookEndpoint.secret").(string); !strings.HasPrefix(secret, "whsec_") {
		t.Errorf("secret %q", secret)
	}
}

// TestChangeFeedForAPIKeys: a key with CHANGES_READ reads the feed, one without it is
// FORBIDDEN; an endpoint is a node to its administrators alone.
func TestChangeFeedForAPIKeys(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	createAdmin(t, s, "admin@example.no")
	admin := login(t, s, "admin@example.no")
	key := func(scope string) string {
		r := ok(t, s.post(t, `mutation($s: [ApiScope!]!) { createApiKey(name: "Synk", scopes: $s) { token } }`,
			map[string]any{"s": []string{scope}}, admin))
		return "Authorization: Bearer " + get(r.Data, "createApiKey.token").(string)
	}
	publishOrganisation(t, s, "sjakklubben")
	if _, err := s.app.Integration.Dispatch(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := ok(t, s.post(t, `{ changes(first: 10) { edges { cursor node { name } } pageInfo { endCursor hasNextPage } } }`, nil, key("CHANGES_READ")))
	if get(r.Data, "changes.edges.0.node.name") != "organisation.published" || get(r.Data, "changes.pageInfo.hasNextPage") != false {
		t.Errorf("the key reads %v", r.Data)
	}
	end := get(r.Data, "changes.pageInfo.endCursor")
	r = ok(t, s.post(t, `query($a: String) { changes(after: $a) { edges { cursor } pageInfo { endCursor } } }`,
		map[string]any{"a": end}, key("CHANGES_READ")))
	if n := len(get(r.Data, "changes.edges").([]any)); n != 0 || get(r.Data, "changes.pageInfo.endCursor") != end {
		t.Errorf("after the last event: %d events, end %v", n, get(r.Data, "changes.pageInfo.endCursor"))
	}
	if r := s.post(t, `{ changes { edges { cursor } } }`, nil, key("CATALOGUE_READ")); r.code() != "FORBIDDEN" {
		t.Errorf("a catalogue key: %+v", r.Errors)
	}
	if r := s.post(t, `{ changes(after: "tre") { edges { cursor } } }`, nil, admin); r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "after" {
		t.Errorf("a bad cursor: %+v", r.Errors)
	}
	id, _ := addEndpoint(t, s, admin, "https://mottak.example.no/")
	const node = `query($id: ID!) { node(id: $id) { ... on WebhookEndpoint { url } } }`
	if r := ok(t, s.post(t, node, map[string]any{"id": id}, admin)); get(r.Data, "node.url") != "https://mottak.example.no/" {
		t.Errorf("node for the administrator: %v", r.Data)
	}
	if r := ok(t, s.post(t, node, map[string]any{"id": id}, key("CHANGES_READ"))); get(r.Data, "node") != nil {
		t.Errorf("node for a key: %v", r.Data)
	}
}
