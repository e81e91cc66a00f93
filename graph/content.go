package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/fritid/fritid/internal/content"
	"github.com/fritid/fritid/internal/platform/relay"
)

// contentTypes are the types whose selections selectsField looks into.
var contentTypes = []string{"Page", "Article", "ArticleConnection", "ArticleEdge"}

// selectsField reports whether the current field's selection asks, at any depth, for a
// field called name: a list reads its items' bodies only when they are shown.
func selectsField(ctx context.Context, name string) bool {
	fc := graphql.GetFieldContext(ctx)
	oc := graphql.GetOperationContext(ctx)
	if fc == nil || oc == nil {
		return true
	}
	var walk func(ast.SelectionSet, int) bool
	walk = func(sel ast.SelectionSet, depth int) bool {
		if depth > 8 {
			return false
		}
		for _, f := range graphql.CollectFields(oc, sel, contentTypes) {
			if f.Name == name || walk(f.Selections, depth+1) {
				return true
			}
		}
		return false
	}
	return walk(fc.Field.Selections, 0)
}

// contentNode returns a page or article for node(id), or nil.
func (r *queryResolver) contentNode(ctx context.Context, typ string, id uuid.UUID) (relay.Node, error) {
	if typ == "Page" {
		return nodeOrNil(r.Content.FindPageByID(ctx, id))
	}
	return nodeOrNil(r.Content.FindArticle(ctx, &id, "", ""))
}

// editedPage returns a page as its editor sees it after a change.
func (r *mutationResolver) editedPage(ctx context.Context, id uuid.UUID) (*content.Page, error) {
	return r.Content.FindPageByID(ctx, id)
}

// editedArticle returns an article as its writer sees it after a change.
func (r *mutationResolver) editedArticle(ctx context.Context, id uuid.UUID) (*content.Article, error) {
	return r.Content.FindArticle(ctx, &id, "", "")
}

func strOr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
