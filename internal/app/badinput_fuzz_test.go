package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// fuzzOperations take one fuzzed string as $s, each where a string once reached SQL
// unchecked. $org and $activity are a demo organisation and activity, changed as an
// administrator.
var fuzzOperations = []string{
	`query($s: String!) { organisation(slug: $s) { id name } }`,
	`query($s: String!) { activity(slug: $s) { id title } }`,
	`query($s: String!) { search(query: $s, first: 5) { totalCount } }`,
	`query($s: String!) { search(query: "bowling", after: $s) { totalCount } }`,
	`query($s: String!) { activities(first: 5, filter: {query: $s}) { totalCount } }`,
	`query($s: String!) { activities(first: 5, filter: {languages: [$s]}) { totalCount } }`,
	`query($s: String!) { activities(first: 5, after: $s) { totalCount } }`,
	`query($s: String!) { venues(first: 5, after: $s) { totalCount } }`,
	`query($s: ID!) { node(id: $s) { id } }`,
	`query($s: String) { auditLog(filter: {action: $s}) { edges { cursor } } }`,
	`query($s: Date) { cardSettlement(programmeId: "x", from: $s) { nodes { ore } } }`,
	`query($s: Time) { auditLog(filter: {since: $s}) { edges { cursor } } }`,
	`mutation($s: String!) { login(email: $s, password: $s) { token } }`,
	`mutation($s: String!) { openCard(access: {number: $s, pin: $s}) { card { id } } }`,
	`mutation($s: String!) { registerOrganisation(input: {name: $s, kind: VOLUNTARY}) { organisation { id } } }`,
	`mutation($s: String, $org: ID!) {
		updateOrganisation(id: $org, input: {contactPerson: $s}) { organisation { id } } }`,
	`mutation($s: String, $activity: ID!) { updateActivity(id: $activity, input: {summary: $s}) { activity { id } } }`,
	`mutation($s: String!) {
		issueCard(input: {programmeId: "x", childIdentityNumber: $s, givenName: $s, birthDate: "2015-01-01"}) { card { id } } }`,
}

// FuzzGraphQLStrings sends one fuzzed string through every fuzzOperation, as a variable,
// and as a literal in a document, through the whole server on one database: no answer is
// INTERNAL or HTTP 5xx.
func FuzzGraphQLStrings(f *testing.F) {
	s := newDemoServer(f)
	createAdminIn(f, s, "larvik", "admin@larvik.no")
	admin := login(f, s, "admin@larvik.no", "X-Municipality: larvik")
	ids := ok(f, s.larvik(f, `{ organisations(first: 1) { nodes { id } } activities(first: 1) { nodes { id } } }`, nil))
	vars := map[string]any{"org": get(ids.Data, "organisations.nodes.0.id"), "activity": get(ids.Data, "activities.nodes.0.id")}
	f.Fuzz(func(t *testing.T, str string) {
		for _, op := range fuzzOperations {
			vars["s"] = str
			used := map[string]any{}
			for k, v := range vars {
				if strings.Contains(op, "$"+k) {
					used[k] = v
				}
			}
			notInternal(t, op, s.larvik(t, op, used, admin))
		}
		literal, _ := json.Marshal(str) // a JSON string is a GraphQL string
		op := `{ organisation(slug: ` + string(literal) + `) { id } }`
		notInternal(t, op, s.larvik(t, op, nil, admin))
	})
}

// notInternal fails t when r is a server error.
func notInternal(t *testing.T, op string, r *gqlResponse) {
	t.Helper()
	if r.Status >= 500 {
		t.Fatalf("%s: HTTP %d %+v", op, r.Status, r.Errors)
	}
	for _, e := range r.Errors {
		if c := e.Extensions["code"]; c == "INTERNAL" || c == nil {
			t.Fatalf("%s: %+v", op, r.Errors)
		}
		if e.Extensions["code"] == "BAD_USER_INPUT" && e.Extensions["field"] == nil {
			t.Errorf("%s: BAD_USER_INPUT without a field: %+v", op, e)
		}
	}
}

// FuzzGeoFeed sends a fuzzed query string to both GeoJSON feeds on one database: each
// answer is a FeatureCollection, or HTTP 400 with BAD_USER_INPUT naming the filter or a field of it;
// never HTTP 5xx.
func FuzzGeoFeed(f *testing.F) {
	s := newDemoServer(f)
	f.Fuzz(func(t *testing.T, raw string) {
		for _, path := range []string{"/geo/activities.geojson", "/geo/organisations.geojson"} {
			req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.URL.RawQuery = raw
			req.Header.Set("X-Municipality", "larvik")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				return // the client will not send it (a control character): no request to answer
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			geoAnswer(t, raw, res.StatusCode, body)
		}
	})
}

// geoAnswer checks one answer of the geo feed.
func geoAnswer(t *testing.T, raw string, status int, body []byte) {
	t.Helper()
	var doc struct {
		Type   string `json:"type"`
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if status == http.StatusBadRequest && strings.HasPrefix(string(body), "400 Bad Request") {
		return // net/http refused a malformed request line before any handler
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("?%.200s: HTTP %d, not JSON: %.200q", raw, status, body)
	}
	ok := status == http.StatusOK && doc.Type == "FeatureCollection"
	if status == http.StatusBadRequest && len(doc.Errors) > 0 {
		field, _ := doc.Errors[0].Extensions["field"].(string)
		ok = doc.Errors[0].Extensions["code"] == "BAD_USER_INPUT" && (field == "filter" || strings.HasPrefix(field, "filter."))
	}
	if !ok {
		t.Fatalf("?%.200s: HTTP %d %.300s", raw, status, body)
	}
}
