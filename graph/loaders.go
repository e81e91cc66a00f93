package graph

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"github.com/fritid/fritid/internal/portal"
)

// loaders are per-operation caches and batchers, so a field resolved for many parents
// costs one query, not one per parent.
type loaders struct {
	portal *portal.Service

	taxOnce sync.Once
	tax     *portal.Taxonomy
	taxErr  error
}

// taxonomy returns the tenant's category tree, loaded once per operation.
func (l *loaders) taxonomy(ctx context.Context) (*portal.Taxonomy, error) {
	l.taxOnce.Do(func() { l.tax, l.taxErr = l.portal.FindTaxonomy(ctx) })
	return l.tax, l.taxErr
}

type loadersKey struct{}

// loaderExtension gives each operation fresh loaders.
type loaderExtension struct{ r *Resolver }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
} = loaderExtension{}

func (loaderExtension) ExtensionName() string                   { return "Loaders" }
func (loaderExtension) Validate(graphql.ExecutableSchema) error { return nil }

func (e loaderExtension) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	return next(context.WithValue(ctx, loadersKey{}, &loaders{portal: e.r.Portal}))
}

// loadersFor returns the operation's loaders.
func loadersFor(ctx context.Context) *loaders {
	return ctx.Value(loadersKey{}).(*loaders)
}
