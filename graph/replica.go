package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/replica"
)

// readPolicy lets an anonymous caller's query read the catalogue from the read replica
// (replica.Allow), which may lag the primary. A signed-in caller (user, identity or API
// key) and every mutation read the primary, so whoever writes reads their own writes.
type readPolicy struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
} = readPolicy{}

func (readPolicy) ExtensionName() string                   { return "ReadPolicy" }
func (readPolicy) Validate(graphql.ExecutableSchema) error { return nil }

func (readPolicy) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if op := graphql.GetOperationContext(ctx).Operation; op != nil && op.Operation == ast.Query {
		ctx = allowReplica(ctx)
	}
	return next(ctx)
}

// allowReplica returns ctx marked to read the replica when its caller is anonymous.
func allowReplica(ctx context.Context) context.Context {
	v := auth.ViewerFrom(ctx)
	if v != nil && (v.User != nil || v.APIKey != nil || v.Identity != nil) {
		return ctx
	}
	return replica.Allow(ctx)
}
