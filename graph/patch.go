package graph

import (
	"github.com/google/uuid"

	"github.com/99designs/gqlgen/graphql"

	"github.com/fritid/fritid/graph/model"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/relay"
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
	for _, im := range []struct {
		o     graphql.Omittable[*string]
		dst   *portal.Patch[*uuid.UUID]
		field string
	}{{in.LogoID, &p.LogoID, "input.logoId"}, {in.CoverID, &p.CoverID, "input.coverId"}} {
		v, set := im.o.ValueOK()
		if !set {
			continue
		}
		im.dst.Set = true
		if v != nil {
			id, err := relay.ParseTypedID(*v, "Image", im.field)
			if err != nil {
				return p, err
			}
			im.dst.Value = &id
		}
	}
	if l, set := in.Location.ValueOK(); set {
		p.Location.Set = true
		if l != nil {
			p.Location.Value = &geo.Point{Lat: l.Lat, Lon: l.Lon}
		}
	}
	return organisationLists(in, p)
}

// organisationLists maps the organisation's links and categories. Errors: BAD_USER_INPUT
// naming a bad category ID.
func organisationLists(in model.UpdateOrganisationInput, p portal.OrganisationPatch) (portal.OrganisationPatch, error) {
	if v, set := in.Links.ValueOK(); set {
		links := make([]portal.LinkInput, len(v))
		for i, l := range v {
			links[i] = *l
		}
		p.Links = portal.Patch[[]portal.LinkInput]{Set: true, Value: links}
	}
	if v, set := in.Categories.ValueOK(); set {
		ids, err := parseIDs(v, "Category", "input.categories")
		if err != nil {
			return p, err
		}
		p.CategoryIDs = portal.Patch[[]uuid.UUID]{Set: true, Value: ids}
	}
	return p, nil
}

// activityPatch maps the API's activity input. Errors: BAD_USER_INPUT naming a bad ID or a
// field that cannot be cleared.
func activityPatch(in model.ActivityChangesInput) (portal.ActivityPatch, error) {
	p := portal.ActivityPatch{Title: textPatch(in.Title), Summary: textPatch(in.Summary), Description: textPatch(in.Description),
		PriceNote: textPatch(in.PriceNote), Schedule: textPatch(in.Schedule), SignupURL: textPatch(in.SignupURL),
		Email: textPatch(in.Email), Phone: textPatch(in.Phone)}
	if v, set := in.Categories.ValueOK(); set {
		ids, err := parseIDs(v, "Category", "input.categories")
		if err != nil {
			return p, err
		}
		p.CategoryIDs = portal.Patch[[]uuid.UUID]{Set: true, Value: ids}
	}
	p.TargetGroups = listPatch(in.TargetGroups)
	p.Accessibility = listPatch(in.Accessibility)
	p.Languages = listPatch(in.Languages)
	if v, set := in.Slots.ValueOK(); set {
		slots := make([]portal.WeeklySlot, len(v))
		for i, s := range v {
			slots[i] = portal.WeeklySlot{Weekday: s.Weekday, Start: s.Start, End: s.End}
		}
		p.Slots = portal.Patch[[]portal.WeeklySlot]{Set: true, Value: slots}
	}
	if v, set := in.AgeMin.ValueOK(); set {
		p.AgeMin = portal.Patch[*int]{Set: true, Value: v}
	}
	if v, set := in.AgeMax.ValueOK(); set {
		p.AgeMax = portal.Patch[*int]{Set: true, Value: v}
	}
	if v, set := in.PriceOre.ValueOK(); set {
		p.PriceOre = portal.Patch[int]{Set: true, Value: deref(v, 0)}
	}
	if v, set := in.AcceptsCard.ValueOK(); set {
		p.AcceptsCard = portal.Patch[bool]{Set: true, Value: deref(v, false)}
	}
	if v, set := in.PausesInSchoolHolidays.ValueOK(); set {
		p.PausesInSchoolHolidays = portal.Patch[bool]{Set: true, Value: deref(v, false)}
	}
	if v, set := in.PausesOnPublicHolidays.ValueOK(); set {
		p.PausesOnPublicHolidays = portal.Patch[bool]{Set: true, Value: deref(v, false)}
	}
	if v, set := in.VenueID.ValueOK(); set {
		p.VenueID.Set = true
		if v != nil {
			id, err := relay.ParseTypedID(*v, "Venue", "input.venueId")
			if err != nil {
				return p, err
			}
			p.VenueID.Value = &id
		}
	}
	if v, set := in.ImageIds.ValueOK(); set {
		ids, err := parseIDs(v, "Image", "input.imageIds")
		if err != nil {
			return p, err
		}
		p.ImageIDs = portal.Patch[[]uuid.UUID]{Set: true, Value: ids}
	}
	return p, nil
}

// activityTexts maps the API's per-language texts of an activity.
func activityTexts(in model.ActivityTextsInput) portal.ActivityPatch {
	return portal.ActivityPatch{Title: textPatch(in.Title), Summary: textPatch(in.Summary), Description: textPatch(in.Description),
		PriceNote: textPatch(in.PriceNote), Schedule: textPatch(in.Schedule)}
}

// venuePatch maps the API's venue input. Errors: BAD_USER_INPUT naming a bad ID.
func venuePatch(in model.VenueChangesInput) (portal.VenuePatch, error) {
	p := portal.VenuePatch{Name: textPatch(in.Name), Street: textPatch(in.Street), PostalCode: textPatch(in.PostalCode),
		Place: textPatch(in.Place), Accessibility: listPatch(in.Accessibility)}
	var err error
	if p.ID, err = optionalID(in.ID, "Venue", "input.id"); err != nil {
		return p, err
	}
	if p.OrganisationID, err = optionalID(in.OrganisationID, "Organisation", "input.organisationId"); err != nil {
		return p, err
	}
	if l, set := in.Location.ValueOK(); set {
		p.Location.Set = true
		if l != nil {
			p.Location.Value = &geo.Point{Lat: l.Lat, Lon: l.Lon}
		}
	}
	return p, nil
}

// optionalID parses a global ID of typ when given.
func optionalID(gid *string, typ, field string) (*uuid.UUID, error) {
	if gid == nil {
		return nil, nil
	}
	id, err := relay.ParseTypedID(*gid, typ, field)
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// listPatch maps an omittable list: null clears it.
func listPatch[T any](o graphql.Omittable[[]T]) portal.Patch[[]T] {
	v, set := o.ValueOK()
	return portal.Patch[[]T]{Set: set, Value: v}
}

// categoryInput maps the API's category input. Errors: BAD_USER_INPUT naming a bad ID.
func categoryInput(in model.CategoryChangesInput) (portal.CategoryInput, error) {
	out := portal.CategoryInput{Slug: in.Slug, Icon: deref(in.Icon, ""), SortOrder: deref(in.SortOrder, 0), Names: map[string]string{}}
	var err error
	if out.ID, err = optionalID(in.ID, "Category", "input.id"); err != nil {
		return out, err
	}
	if out.ParentID, err = optionalID(in.ParentID, "Category", "input.parentId"); err != nil {
		return out, err
	}
	out.Descriptions = map[string]string{}
	for _, n := range in.Names {
		out.Names[n.Locale], out.Descriptions[n.Locale] = n.Name, deref(n.Description, "")
	}
	return out, nil
}

// neighbourhoodInput maps the API's neighbourhood input. Errors: BAD_USER_INPUT naming a
// bad ID.
func neighbourhoodInput(in model.NeighbourhoodChangesInput) (*uuid.UUID, portal.NeighbourhoodInput, error) {
	out := portal.NeighbourhoodInput{Slug: in.Slug, Area: []byte(in.Area), Name: portal.Texts{}, Description: portal.Texts{}}
	for _, n := range in.Names {
		out.Name[n.Locale] = n.Name
		if n.Description != nil { // left out, the saved description stays
			out.Description[n.Locale] = *n.Description
		}
	}
	out.KeepCommittee = in.Committee == nil
	if c := in.Committee; c != nil {
		out.Committee.Email, out.Committee.Phone, out.Committee.Website = deref(c.Email, ""), deref(c.Phone, ""), deref(c.Website, "")
		for _, m := range c.Members {
			out.Committee.Members = append(out.Committee.Members, struct {
				Name string `json:"name"`
				Role string `json:"role"`
			}{m.Name, deref(m.Role, "")})
		}
	}
	id, err := optionalID(in.ID, "Neighbourhood", "input.id")
	return id, out, err
}

// committeeChanges maps the API's committee input: what is left out or null is cleared.
func committeeChanges(in model.CommitteeInput) portal.CommitteeChanges {
	c := portal.CommitteeChanges{Email: deref(in.Email, ""), Phone: deref(in.Phone, ""), Website: deref(in.Website, "")}
	for _, m := range in.Members {
		c.Members = append(c.Members, portal.CommitteeMember{Name: m.Name, Role: deref(m.Role, "")})
	}
	return c
}
