package graph

import (
	"context"

	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// ID is the resolver for the id field.
func (r *localeResolver) ID(ctx context.Context, obj *tenant.Locale) (string, error) {
	return localeGlobalID(obj), nil
}

// Fallback is the resolver for the fallback field.
func (r *localeResolver) Fallback(ctx context.Context, obj *tenant.Locale) (*tenant.Locale, error) {
	t, err := tenant.Current(ctx)
	if err != nil || obj.FallbackCode == nil {
		return nil, err
	}
	return t.Locale(*obj.FallbackCode), nil
}

// IsDefault is the resolver for the isDefault field.
func (r *localeResolver) IsDefault(ctx context.Context, obj *tenant.Locale) (bool, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return false, err
	}
	return t.Municipality.DefaultLocale == obj.Code, nil
}

// ID is the resolver for the id field.
func (r *municipalityResolver) ID(ctx context.Context, obj *tenant.Municipality) (string, error) {
	return relay.GlobalID("Municipality", obj.ID), nil
}

// DefaultLocale is the resolver for the defaultLocale field.
func (r *municipalityResolver) DefaultLocale(ctx context.Context, obj *tenant.Municipality) (*tenant.Locale, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	return t.Locale(obj.DefaultLocale), nil
}

// Locales is the resolver for the locales field.
func (r *municipalityResolver) Locales(ctx context.Context, obj *tenant.Municipality) ([]*tenant.Locale, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	return t.Locales, nil
}

// Municipality is the resolver for the municipality field.
func (r *queryResolver) Municipality(ctx context.Context) (*tenant.Municipality, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	return t.Municipality, nil
}

// Locales is the resolver for the locales field.
func (r *queryResolver) Locales(ctx context.Context) ([]*tenant.Locale, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	var enabled []*tenant.Locale
	for _, l := range t.Locales {
		if l.Enabled {
			enabled = append(enabled, l)
		}
	}
	return enabled, nil
}

// Locale returns LocaleResolver implementation.
func (r *Resolver) Locale() LocaleResolver { return &localeResolver{r} }

// Municipality returns MunicipalityResolver implementation.
func (r *Resolver) Municipality() MunicipalityResolver { return &municipalityResolver{r} }

type localeResolver struct{ *Resolver }
type municipalityResolver struct{ *Resolver }
