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
	op := opCtx.Operation
	if op == nil {
		return nil
	}
	w := depthWalker{doc: opCtx.Doc, fragments: map[string]int{}}
	if depth := w.root(op.SelectionSet); depth > d.Limit {
		return &gqlerror.Error{
			Err:        &apperr.Error{Code: apperr.QueryTooDeep, Data: map[string]any{"Depth": depth, "Limit": d.Limit}},
			Message:    "query too deep",
			Extensions: map[string]any{"code": string(apperr.QueryTooDeep)},
		}
	}
	return nil
}

// depthWalker measures how deep an operation nests its fields. Each fragment's depth is
// measured once (memoised), so the work is linear in the document however its fragments
// spread each other.
type depthWalker struct {
	doc       *ast.QueryDocument
	fragments map[string]int
}

// root returns the depth of an operation's selection set, leaving out introspection.
func (w *depthWalker) root(set ast.SelectionSet) int {
	depth := 0
	for _, sel := range set {
		if f, ok := sel.(*ast.Field); ok && (f.Name == "__schema" || f.Name == "__type") {
			continue
		}
		depth = max(depth, w.set(ast.SelectionSet{sel}))
	}
	return depth
}

// set returns the depth of set: 1 for a set of leaf fields.
func (w *depthWalker) set(set ast.SelectionSet) int {
	depth := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			depth = max(depth, 1+w.set(s.SelectionSet))
		case *ast.InlineFragment:
			depth = max(depth, w.set(s.SelectionSet))
		case *ast.FragmentSpread:
			depth = max(depth, w.fragment(s.Name))
		}
	}
	return depth
}

func (w *depthWalker) fragment(name string) int {
	if d, ok := w.fragments[name]; ok {
		return d
	}
	def := w.doc.Fragments.ForName(name)
	if def == nil {
		return 0
	}
	w.fragments[name] = 0 // a cycle (validation forbids them) adds nothing
	d := w.set(def.SelectionSet)
	w.fragments[name] = d
	return d
}
