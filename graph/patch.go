package graph

import (
	"github.com/99designs/gqlgen/graphql"

	"github.com/fritid/fritid/graph/model"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/portal/geo"
)

// textPatch maps an omittable text to a domain patch: omitted is unchanged, null is "".
func textPatch(o graphql.Omittable[*string]) portal.Patch[string] {
	v, set := o.ValueOK()
	return portal.Patch[string]{Set: set, Value: deref(v, "")}
}

// organisationPatch maps the API's update input. Errors: BAD_USER_INPUT naming a field
// that cannot be cleared.
func organisationPatch(in model.UpdateOrganisationInput) (portal.OrganisationPatch, error) {
	p := portal.OrganisationPatch{Name: textPatch(in.Name), Email: textPatch(in.Email), Phone: textPatch(in.Phone),
		ContactPerson: textPatch(in.ContactPerson), Website: textPatch(in.Website), Street: textPatch(in.Street),
		PostalCode: textPatch(in.PostalCode), Place: textPatch(in.Place)}
	if k, set := in.Kind.ValueOK(); set {
		if k == nil {
			return p, apperr.Invalid("input.kind", "BAD_USER_INPUT", nil)
		}
		p.Kind = portal.Patch[portal.OrganisationKind]{Set: true, Value: *k}
	}
	if n, set := in.OrgNumber.ValueOK(); set {
		p.OrgNumber = portal.Patch[*string]{Set: true, Value: n}
	}
	if l, set := in.Location.ValueOK(); set {
		p.Location.Set = true
		if l != nil {
			p.Location.Value = &geo.Point{Lat: l.Lat, Lon: l.Lon}
		}
	}
	return p, nil
}
