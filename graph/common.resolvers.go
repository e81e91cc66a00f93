package graph

import (
	"context"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/relay"
)

// Node is the resolver for the node field.
func (r *queryResolver) Node(ctx context.Context, id string) (relay.Node, error) {
	return r.fetchNode(ctx, id, "id")
}

// Nodes is the resolver for the nodes field.
func (r *queryResolver) Nodes(ctx context.Context, ids []string) ([]relay.Node, error) {
	if len(ids) > relay.MaxPageSize {
		return nil, apperr.Invalid("ids", "TooManyIDs", map[string]any{"Max": relay.MaxPageSize})
	}
	nodes := make([]relay.Node, len(ids))
	for i, id := range ids {
		n, err := r.fetchNode(ctx, id, "ids")
		if err != nil {
			return nil, err
		}
		nodes[i] = n
	}
	return nodes, nil
}

// Query returns QueryResolver implementation.
func (r *Resolver) Query() QueryResolver { return &queryResolver{r} }

type queryResolver struct{ *Resolver }
