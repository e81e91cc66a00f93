package app_test

import (
	"maps"
	"testing"

	graphqlhttpaudit "github.com/fritid/fritid/test/graphql-http-audit"
)

// TestGraphQLOverHTTPAudit runs the graphql-http package's server audits against /graphql:
// every one must pass, MAY included, and all of them must have run.
func TestGraphQLOverHTTPAudit(t *testing.T) {
	s := newServer(t)
	res := graphqlhttpaudit.Run(t, s.URL+"/graphql", nil)
	want := map[string]graphqlhttpaudit.Tally{"MUST": {Passed: 13, Total: 13}, "SHOULD": {Passed: 23, Total: 23}, "MAY": {Passed: 25, Total: 25}}
	if !maps.Equal(res.Levels, want) {
		t.Errorf("graphql-http audit: %s, want MUST 13/13, SHOULD 23/23, MAY 25/25", res)
	}
}
