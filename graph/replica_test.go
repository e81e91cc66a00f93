package graph

import (
	"context"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/replica"
)

// TestReadPolicy: only an anonymous caller's query may read the replica; a mutation, and
// any request of a signed-in user, identity or API key, reads the primary.
func TestReadPolicy(t *testing.T) {
	user := &auth.Viewer{User: &auth.User{ID: uuid.New()}}
	identity := &auth.Viewer{Identity: &auth.Identity{Issuer: "https://idporten.example", Subject: "s"}}
	key := &auth.Viewer{APIKey: &auth.APIKey{ID: uuid.New()}}
	for _, tt := range []struct {
		name   string
		op     ast.Operation
		viewer *auth.Viewer
		want   bool
	}{
		{"AnonymousQuery", ast.Query, nil, true},
		{"AnonymousMutation", ast.Mutation, nil, false},
		{"SignedInQuery", ast.Query, user, false},
		{"IdentityQuery", ast.Query, identity, false},
		{"APIKeyQuery", ast.Query, key, false},
		{"SignedInMutation", ast.Mutation, user, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.viewer != nil {
				ctx = auth.WithViewer(ctx, tt.viewer)
			}
			ctx = graphql.WithOperationContext(ctx, &graphql.OperationContext{
				Operation: &ast.OperationDefinition{Operation: tt.op}})
			var got bool
			readPolicy{}.InterceptOperation(ctx, func(ctx context.Context) graphql.ResponseHandler {
				got = replica.Allowed(ctx)
				return nil
			})
			if got != tt.want {
				t.Errorf("replica allowed = %v, want %v", got, tt.want)
			}
		})
	}
}
