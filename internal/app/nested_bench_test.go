package app_test

import (
	"context"
	"testing"

	"github.com/fritid/fritid/internal/portal/synthetic"
)

// nestedQuery is the read of bench/peers.sh: organisations by name, each with its first 10
// activities (id and title, in Bokmål with fallback).
const nestedQuery = `query Nested($first: Int) { organisations(first: $first) { edges { node { id
	activities(first: 10) { edges { node { id title } } } } } } }`

// newSyntheticServer is newServer with a synthetic municipality "synthetic" of orgs
// organisations, each with per activities.
func newSyntheticServer(t testing.TB, orgs, per int) *testServer {
	t.Helper()
	s := newServer(t)
	opt := synthetic.Options{Slug: "synthetic", Organisations: orgs, ActivitiesPerOrganisation: per, Seed: 1}
	if _, err := synthetic.Generate(context.Background(), s.app.Tenants, opt); err != nil {
		t.Fatalf("seed synthetic: %v", err)
	}
	return s
}

// BenchmarkNestedRead reads 50 organisations with their first 10 activities each: the cost
// per request of a nested list, its statements, scanning and output.
// Run: go test ./internal/app/ -run '^$' -bench NestedRead -benchmem
func BenchmarkNestedRead(b *testing.B) {
	s := newSyntheticServer(b, 200, 10)
	vars := map[string]any{"first": 50}
	ok(b, s.post(b, nestedQuery, vars, "X-Municipality: synthetic", "Accept-Language: nb"))
	b.ResetTimer()
	for range b.N {
		s.post(b, nestedQuery, vars, "X-Municipality: synthetic", "Accept-Language: nb")
	}
}
