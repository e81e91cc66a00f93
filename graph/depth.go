package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// depthLimit rejects operations that nest fields deeper than Limit. Introspection
// (__schema, __type) is not counted: its depth is fixed by the GraphQL spec, not by the client.
type depthLimit struct{ Limit int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = depthLimit{}

func (depthLimit) ExtensionName() string                   { return "DepthLimit" }
func (depthLimit) Validate(graphql.ExecutableSchema) error { return nil }

func (d depthLimit) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	op := opCtx.Doc.Operations.ForName(opCtx.OperationName)
	if op == nil {
		return nil
	}
	if depth := selectionDepth(op.SelectionSet, 0, d.Limit+1); depth > d.Limit {
		return &gqlerror.Error{
			Err:        &apperr.Error{Code: apperr.QueryTooDeep, Data: map[string]any{"Depth": depth, "Limit": d.Limit}},
			Message:    "query too deep",
			Extensions: map[string]any{"code": string(apperr.QueryTooDeep)},
		}
	}
	return nil
}

// selectionDepth returns the depth of set, counting no further than stop (so a cyclic or
// huge document costs bounded work).
func selectionDepth(set ast.SelectionSet, depth, stop int) int {
	if depth >= stop {
		return depth
	}
	max := depth
	for _, sel := range set {
		var d int
		switch s := sel.(type) {
		case *ast.Field:
			if depth == 0 && (s.Name == "__schema" || s.Name == "__type") {
				continue
			}
			d = depth + 1
			if len(s.SelectionSet) > 0 {
				d = selectionDepth(s.SelectionSet, depth+1, stop)
			}
		case *ast.InlineFragment:
			d = selectionDepth(s.SelectionSet, depth, stop)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				d = selectionDepth(s.Definition.SelectionSet, depth, stop)
			}
		}
		if d > max {
			max = d
		}
	}
	return max
}
