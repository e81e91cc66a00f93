package app_test

import (
	"context"
	"testing"

	"github.com/fritid/fritid/internal/portal/demo"
)

// newDemoServer is newServer with the demo municipality (Larvik) and its catalogue.
func newDemoServer(t testing.TB) *testServer {
	t.Helper()
	s := newServer(t)
	if _, err := demo.Seed(context.Background(), s.app.Tenants); err != nil {
		t.Fatalf("seed demo: %v", err)
	}
	return s
}

// larvik posts a query to the demo municipality.
func (s *testServer) larvik(t testing.TB, query string, vars map[string]any, headers ...string) *gqlResponse {
	t.Helper()
	return s.post(t, query, vars, append([]string{"X-Municipality: larvik"}, headers...)...)
}

// ok fails t when r has errors.
func ok(t testing.TB, r *gqlResponse) *gqlResponse {
	t.Helper()
	if len(r.Errors) > 0 || r.Status != 200 {
		t.Fatalf("status %d errors %+v", r.Status, r.Errors)
	}
	return r
}

// list returns the nodes of the connection at path.
func list(r *gqlResponse, path string) []map[string]any {
	raw, _ := get(r.Data, path+".nodes").([]any)
	if raw == nil {
		edges, _ := get(r.Data, path+".edges").([]any)
		for _, e := range edges {
			raw = append(raw, get(e, "node"))
		}
	}
	out := make([]map[string]any, len(raw))
	for i, n := range raw {
		out[i], _ = n.(map[string]any)
	}
	return out
}
