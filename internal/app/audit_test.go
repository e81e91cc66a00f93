package app_test

import (
	"testing"

	graphqlhttpaudit "github.com/fritid/fritid/test/graphql-http-audit"
)

// TestGraphQLOverHTTPAudit runs the graphql-http package's server audits (every MUST and
// SHOULD) against /graphql.
func TestGraphQLOverHTTPAudit(t *testing.T) {
	s := newServer(t)
	graphqlhttpaudit.Run(t, s.URL+"/graphql", nil)
}
