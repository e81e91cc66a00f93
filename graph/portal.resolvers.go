package graph

import (
	"context"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/portal"
)

// ID is the resolver for the id field.
func (r *categoryResolver) ID(ctx context.Context, obj *portal.Category) (string, error) {
	return relay.GlobalID("Category", obj.ID), nil
}

// Name is the resolver for the name field.
func (r *categoryResolver) Name(ctx context.Context, obj *portal.Category) (string, error) {
	return obj.Text(i18n.FromContext(ctx).Chain).Name, nil
}

// Description is the resolver for the description field.
func (r *categoryResolver) Description(ctx context.Context, obj *portal.Category) (string, error) {
	return obj.Text(i18n.FromContext(ctx).Chain).Description, nil
}

// TextLocale is the resolver for the textLocale field.
func (r *categoryResolver) TextLocale(ctx context.Context, obj *portal.Category) (string, error) {
	return obj.Text(i18n.FromContext(ctx).Chain).Locale, nil
}

// Parent is the resolver for the parent field.
func (r *categoryResolver) Parent(ctx context.Context, obj *portal.Category) (*portal.Category, error) {
	return obj.Parent, nil
}

// Children is the resolver for the children field.
func (r *categoryResolver) Children(ctx context.Context, obj *portal.Category) ([]*portal.Category, error) {
	if obj.Children == nil {
		return []*portal.Category{}, nil
	}
	return obj.Children, nil
}

// Categories is the resolver for the categories field.
func (r *queryResolver) Categories(ctx context.Context) ([]*portal.Category, error) {
	tax, err := loadersFor(ctx).taxonomy(ctx)
	if err != nil {
		return nil, err
	}
	return tax.Roots, nil
}

// Category is the resolver for the category field.
func (r *queryResolver) Category(ctx context.Context, id *string, slug *string) (*portal.Category, error) {
	if (id == nil) == (slug == nil) {
		return nil, apperr.Invalid("id", "OneOfIDOrSlug", nil)
	}
	tax, err := loadersFor(ctx).taxonomy(ctx)
	if err != nil {
		return nil, err
	}
	var c *portal.Category
	if id != nil {
		uid, perr := relay.ParseTypedID(*id, "Category", "id")
		if perr != nil {
			return nil, perr
		}
		c, err = tax.ByID(uid)
	} else {
		c, err = tax.BySlug(*slug)
	}
	return nullIfNotFound(c, err)
}

// Category returns CategoryResolver implementation.
func (r *Resolver) Category() CategoryResolver { return &categoryResolver{r} }

type categoryResolver struct{ *Resolver }
