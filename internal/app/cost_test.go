package app_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/fritid/fritid/internal/platform/config"
)

// TestCostBudgetPerCaller spends an anonymous client's budget: each answer tells what the
// operation cost and what is left, and once the budget is spent the client gets HTTP 429,
// RATE_LIMITED and when to come back.
func TestCostBudgetPerCaller(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(c *config.Config) { c.MaxComplexity, c.BudgetAnonymous = 1000, 2000 })
	body := []byte(`{"query": "{ organisations(first: 100) { nodes { id name slug } } }", "extensions": {"cost": true}}`)
	first := s.do(t, http.MethodPost, "/graphql", "application/json", body)
	if first.Status != 200 || len(first.Errors) > 0 {
		t.Fatalf("first request: %d %+v", first.Status, first.Errors)
	}
	c, _ := first.Extensions["cost"].(map[string]any)
	throttle, _ := c["throttleStatus"].(map[string]any)
	// organisations and nodes once, id, name and slug for each of 100: 302.
	if c["requestedQueryCost"] != 302.0 || c["maximumQueryCost"] != 1000.0 || throttle["maximumAvailable"] != 2000.0 {
		t.Fatalf("extensions.cost = %v, want 302 of at most 1000, from 2000 a minute", c)
	}
	if left, _ := throttle["currentlyAvailable"].(float64); left > 2000-302 {
		t.Fatalf("currentlyAvailable = %v after spending 302 of 2000", left)
	}
	// 2000 a minute pays six of these; the budget refills by 33 a second.
	for i := 0; i < 20; i++ {
		r := s.do(t, http.MethodPost, "/graphql", "application/json", body)
		if r.code() == "" {
			continue
		}
		if r.code() != "RATE_LIMITED" || r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
			t.Fatalf("got %d %q Retry-After %q, want 429 RATE_LIMITED with Retry-After", r.Status, r.code(), r.Header.Get("Retry-After"))
		}
		if ra, _ := r.Errors[0].Extensions["retryAfter"].(float64); ra < 1 {
			t.Fatalf("extensions.retryAfter = %v, want at least 1 second", r.Errors[0].Extensions["retryAfter"])
		}
		return
	}
	t.Fatal("20 operations costing 302 each never spent a budget of 2000 a minute")
}

// TestLargeRequestsAreRefusedBeforeParsing sends a 10 MB query and 9 MB of variables: both
// are refused with 413 before anything parses them, while an upload may be larger.
func TestLargeRequestsAreRefusedBeforeParsing(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(c *config.Config) { c.MaxBodyBytes, c.MaxJSONBodySize = 10<<20, 1<<20 })
	comment := `{"query": "#` + strings.Repeat("x", 10<<20-100) + `\n{ municipality { name } }"}`
	vars := `{"query": "{ municipality { name } }", "variables": {"pad": "` + strings.Repeat("x", 9<<20) + `"}}`
	longQuery := `{"query": "#` + strings.Repeat("x", 200_000) + `\n{ municipality { name } }"}`
	for _, tt := range []struct{ name, body string }{{"Comment", comment}, {"Variables", vars}, {"QueryText", longQuery}} {
		r := s.do(t, http.MethodPost, "/graphql", "application/json", []byte(tt.body))
		if r.Status != http.StatusRequestEntityTooLarge || r.code() != "PAYLOAD_TOO_LARGE" {
			t.Errorf("%s: got %d %q, want 413 PAYLOAD_TOO_LARGE", tt.name, r.Status, r.code())
		}
	}
	// A 2 MiB upload is over the JSON limit but within the body limit: not refused for size.
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("operations", `{"query": "mutation($f: Upload!) { uploadImage(file: $f, alt: \"x\") { image { id } } }", "variables": {"f": null}}`) //nolint:errcheck // in memory
	mw.WriteField("map", `{"0": ["variables.f"]}`)                                                                                                     //nolint:errcheck // in memory
	fw, _ := mw.CreateFormFile("0", "photo.png")
	fw.Write(bytes.Repeat([]byte{0}, 2<<20)) //nolint:errcheck // in memory
	mw.Close()
	r := s.do(t, http.MethodPost, "/graphql", mw.FormDataContentType(), b.Bytes())
	if r.Status == http.StatusRequestEntityTooLarge || r.code() == "PAYLOAD_TOO_LARGE" {
		t.Errorf("a 2 MiB upload was refused for its size: %d %q", r.Status, r.code())
	}
}
