package graph

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/portal"
)

// categoryJSONFields are the fields of a category that catalogueJSON writes.
var categoryJSONFields = map[string]bool{"id": true, "__typename": true, "name": true, "slug": true}

// catalogueJSON answers the catalogue's list (Query.activities) as JSON the database writes
// (portal.FindActivitiesJSON) when its selection allows; ok is false when it must be
// answered the usual way.
func (r *queryResolver) catalogueJSON(ctx context.Context, f portal.Filter, orderBy *portal.Order, p relay.Page,
	shape portal.ListJSON) (conn *portal.ActivityConnection, ok bool, err error) {
	var cats []portal.CategoryJSON
	for _, it := range shape[0].Item {
		if it.Field == "categories" {
			if cats, err = categoryJSONs(ctx, it.Sub); err != nil {
				return nil, false, err
			}
			break
		}
	}
	raw, ok, err := r.Portal.FindActivitiesJSON(ctx, f, orderBy, p, shape, cats)
	if err != nil || !ok {
		return nil, false, err
	}
	return &portal.ActivityConnection{JSON: raw}, true, nil
}

// categoryJSONs writes every category of the request's localised taxonomy with fields,
// in display order, as Category's fields show them.
func categoryJSONs(ctx context.Context, fields []portal.ItemJSONField) ([]portal.CategoryJSON, error) {
	tax, err := loadersFor(ctx).taxonomy(ctx)
	if err != nil {
		return nil, err
	}
	all := tax.All()
	out := make([]portal.CategoryJSON, len(all))
	var b strings.Builder
	for i, c := range all {
		b.Reset()
		for j, f := range fields {
			if j == 0 {
				b.WriteByte('{')
			} else {
				b.WriteByte(',')
			}
			var v string
			switch f.Field {
			case "id":
				v = c.GlobalID()
			case "__typename":
				v = "Category"
			case "name":
				v = c.Name
			case "slug":
				v = c.Slug
			}
			key, _ := json.Marshal(f.Key)
			val, _ := json.Marshal(v)
			b.Write(key)
			b.WriteByte(':')
			b.Write(val)
		}
		b.WriteByte('}')
		out[i] = portal.CategoryJSON{ID: c.ID, JSON: b.String()}
	}
	return out, nil
}
