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

// searchHit loads a search result: a page or article as the public reads it, anything
// else as node does.
func (r *Resolver) searchHit(ctx context.Context, typ string, id uuid.UUID) (relay.Node, error) {
	l := loadersFor(ctx)
	switch {
	case typ == "Page" && l.pages != nil:
		return nodeOrNil(l.pages.get(ctx, id))
	case typ == "Article" && l.articles != nil:
		return nodeOrNil(l.articles.get(ctx, id))
	case typ == "Event" && l.events != nil:
		return nodeOrNil(l.events.event.get(ctx, id))
	case typ == "Event":
		return nodeOrNil(r.Calendar.FindEvent(ctx, &id, ""))
	case typ == "Page":
		return nodeOrNil(r.Content.FindPageByID(ctx, id))
	case typ == "Article":
		return nodeOrNil(r.Content.FindArticle(ctx, &id, "", ""))
	}
	switch {
	case typ == "Activity" && l.hitActivities != nil:
		a, err := l.hitActivities.get(ctx, id)
		if a == nil || err != nil {
			return nil, err
		}
		return a, attachFields(ctx, nodeFields(ctx, activityImplementors), a)
	case typ == "Organisation" && l.hitOrganisations != nil:
		return nodeOrNil(l.hitOrganisations.get(ctx, id))
	}
	return fetchShownHere(ctx, typ, id)
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

// withContent adds the batches of page and article bodies to l.
func (l *loaders) withContent(cs *content.Service) *loaders {
	if cs == nil {
		return l
	}
	l.contentBodies = map[string]*batch[*content.RichText]{}
	for _, typ := range []string{"Page", "Article"} {
		l.contentBodies[typ] = newBatch(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*content.RichText, error) {
			return cs.BodiesOf(ctx, typ, ids)
		})
	}
	l.pages = newBatch(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*content.Page, error) {
		m, err := cs.PagesByID(ctx, ids)
		for _, p := range m {
			if p.Body == nil {
				l.contentBodies["Page"].register(p.ID)
			}
		}
		return m, err
	})
	l.articles = newBatch(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*content.Article, error) {
		m, err := cs.ArticlesByID(ctx, ids)
		arts := values(m)
		for _, a := range arts {
			if a.Body == nil {
				l.contentBodies["Article"].register(a.ID)
			}
		}
		registerArticleRelations(ctx, arts)
		return m, err
	})
	return l
}

// registerPageBodies queues the bodies of pages and the pages below them, so that a menu
// showing bodies reads them in one statement.
func registerPageBodies(ctx context.Context, pages []*content.Page) {
	b := loadersFor(ctx).contentBodies["Page"]
	if b == nil {
		return
	}
	var walk func([]*content.Page)
	walk = func(ps []*content.Page) {
		for _, p := range ps {
			if p.Body == nil {
				b.register(p.ID)
			}
			walk(p.Children)
		}
	}
	walk(pages)
}

// bodyOf returns the body of a page or article read without it.
func (r *Resolver) bodyOf(ctx context.Context, typ string, id uuid.UUID) (*content.RichText, error) {
	if b := loadersFor(ctx).contentBodies[typ]; b != nil {
		return b.get(ctx, id)
	}
	return r.Content.BodyOf(ctx, typ, id)
}

// registerArticleRelations queues the organisations, activities and images of a page of
// articles, so that each relation loads in one statement for them all.
func registerArticleRelations(ctx context.Context, arts []*content.Article) {
	l := loadersFor(ctx)
	for _, a := range arts {
		for _, id := range []*uuid.UUID{a.OrganisationID, a.AboutOrganisationID} {
			if id != nil {
				l.organisations.register(*id)
			}
		}
		if a.AboutActivityID != nil {
			l.activities.register(*a.AboutActivityID)
		}
		if a.HeroImageID != nil {
			l.media.register(*a.HeroImageID)
		}
	}
}
