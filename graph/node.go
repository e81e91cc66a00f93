package graph

import (
	"context"
	"strings"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// fetchNode returns the current municipality's object with global ID gid, or nil when it has
// none: another municipality's ID is as absent as one that never existed.
func (r *queryResolver) fetchNode(ctx context.Context, gid, field string) (relay.Node, error) {
	typ, key, err := relay.ParseGlobalKey(gid, field)
	if err != nil {
		return nil, err
	}
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	switch typ {
	case "Municipality":
		if key == t.ID().String() {
			return t.Municipality, nil
		}
	case "Locale":
		if mid, code, ok := strings.Cut(key, "/"); ok && mid == t.ID().String() {
			if l := t.Locale(code); l != nil {
				return l, nil
			}
		}
	case "Category":
		_, id, err := relay.ParseGlobalID(gid, field)
		if err != nil {
			return nil, err
		}
		tax, err := loadersFor(ctx).taxonomy(ctx)
		if err != nil {
			return nil, err
		}
		if c, err := nullIfNotFound(tax.ByID(id)); c != nil || err != nil {
			return c, err
		}
	}
	return nil, nil
}

// localeGlobalID returns a locale's global ID: its municipality and code.
func localeGlobalID(l *tenant.Locale) string {
	return relay.GlobalKey("Locale", l.MunicipalityID.String()+"/"+l.Code)
}

// nullIfNotFound turns NOT_FOUND into a null result, as nullable single-object fields
// answer for something that is not there.
func nullIfNotFound[T any](v *T, err error) (*T, error) {
	if apperr.CodeOf(err) == apperr.NotFound {
		return nil, nil
	}
	return v, err
}
