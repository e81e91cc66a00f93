package portal

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/portal/geo"
	"github.com/fritid/fritid/internal/tenant"
)

// Patch is one field of a partial update: Set false leaves the field as it is; Set true
// with the zero value clears it.
type Patch[T any] struct {
	Set   bool
	Value T
}

// OrganisationPatch changes some of an organisation's fields.
type OrganisationPatch struct {
	Name, Email, Phone, ContactPerson, Website, Street, PostalCode, Place Patch[string]
	Kind                                                                  Patch[OrganisationKind]
	OrgNumber                                                             Patch[*string]
	Location                                                              Patch[*geo.Point]
	LogoID, CoverID                                                       Patch[*uuid.UUID]
	// Links replace the organisation's links, in order.
	Links Patch[[]LinkInput]
	// CategoryIDs replace its categories (once it is approved).
	CategoryIDs Patch[[]uuid.UUID]
}

// canEdit returns the organisation of the request's municipality when the viewer may edit
// its content: an OWNER or EDITOR of it, an administrator, a municipal editor, or an API
// key with catalogue:write. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND.
func (s *Service) canEdit(ctx context.Context, db bun.IDB, id uuid.UUID) (*Organisation, *auth.Viewer, error) {
	return s.organisationFor(ctx, db, id, editsEveryListing)
}

// canManage is canEdit for the organisation's members and invitations: a municipal editor
// keeps content, not people. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND.
func (s *Service) canManage(ctx context.Context, db bun.IDB, id uuid.UUID) (*Organisation, *auth.Viewer, error) {
	return s.organisationFor(ctx, db, id, managesEveryOrganisation)
}

// organisationFor locks and returns the organisation of the request's municipality when
// the viewer is an OWNER or EDITOR member of it, or everyone(viewer) holds.
func (s *Service) organisationFor(ctx context.Context, db bun.IDB, id uuid.UUID,
	everyone func(*auth.Viewer) bool) (*Organisation, *auth.Viewer, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, nil, err
	}
	v := auth.ViewerFrom(ctx)
	if v == nil || (v.User == nil && v.APIKey == nil) {
		return nil, nil, apperr.New(apperr.Unauthenticated, "")
	}
	o := new(Organisation)
	err = db.NewSelect().Model(o).
		Where("o.id = ? AND o.municipality_id = ?", id, t.ID()).
		For("UPDATE").
		Scan(ctx)
	if err != nil {
		// SECURITY: a shared provider shown here is read-only here (FORBIDDEN naming "id").
		return nil, nil, sharedReadOnly(ctx, db, "organisations", id, "id",
			database.MapError(err, "find organisation", "organisation"))
	}
	// SECURITY: members who edit (OWNER, EDITOR), and those who keep every listing
	// (everyone: see editsEveryListing and managesEveryOrganisation).
	if everyone(v) {
		return o, v, nil
	}
	if v.User == nil {
		return nil, nil, apperr.New(apperr.Forbidden, "")
	}
	ok, err := db.NewSelect().Table("organisation_members").
		Where("organisation_id = ? AND user_id = ? AND role IN ('OWNER', 'EDITOR')", id, v.User.ID).
		Exists(ctx)
	if err != nil {
		return nil, nil, database.MapError(err, "check membership", "organisation")
	}
	if !ok {
		return nil, nil, apperr.New(apperr.Forbidden, "")
	}
	return o, v, nil
}

// UpdateOrganisation applies a partial update. A new location recomputes the
// neighbourhoods it lies in, and those of its activities without a venue; links and
// categories given replace those there. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND,
// BAD_USER_INPUT naming the field, CONFLICT naming "input.categories" (not approved yet).
func (s *Service) UpdateOrganisation(ctx context.Context, id uuid.UUID, p OrganisationPatch) (*Organisation, error) {
	var out *Organisation
	err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		o, v, err := s.canEdit(ctx, tx, id)
		if err != nil {
			return err
		}
		fields, err := applyPatch(o, p)
		if err != nil {
			return err
		}
		images, err := applyImages(ctx, tx, o, p)
		if err != nil {
			return err
		}
		fields = append(fields, images...)
		lists, err := s.applyLists(ctx, tx, o, p)
		if err != nil {
			return err
		}
		if len(fields) == 0 && len(lists) == 0 {
			out = o
			return nil
		}
		_, err = tx.NewUpdate().Model(o).
			Set("updated_at = now()").
			Column(columnsOf(fields)...).
			WherePK().
			Exec(ctx)
		if err != nil {
			return database.MapError(err, "update organisation", "organisation")
		}
		fields = append(fields, lists...)
		if p.Location.Set {
			if err := s.relocate(ctx, tx, o); err != nil {
				return err
			}
		}
		out = o
		if err := s.saveRevision(ctx, tx, o.MunicipalityID, "Organisation", o.ID, actor(v)); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: o.MunicipalityID, ActorID: actor(v), Action: "update_organisation", ItemType: "Organisation", ItemID: &o.ID, Fields: fields})
	})
	return out, err
}

func actor(v *auth.Viewer) *uuid.UUID {
	if v.User != nil {
		return &v.User.ID
	}
	return nil
}

// applyPatch validates and applies p to o and returns the API names of the fields changed.
func applyPatch(o *Organisation, p OrganisationPatch) ([]string, error) {
	var fields []string
	text := func(pp Patch[string], dst *string, name string, check func(string, string) (string, error)) error {
		if !pp.Set {
			return nil
		}
		v, err := check(pp.Value, "input."+name)
		if err != nil {
			return err
		}
		*dst = v
		fields = append(fields, name)
		return nil
	}
	plain := func(max int) func(string, string) (string, error) {
		return func(s, f string) (string, error) { return CheckText(s, max, f) }
	}
	email := func(s, f string) (string, error) {
		if s == "" {
			return "", nil
		}
		return auth.NormaliseEmail(s, f)
	}
	for _, step := range []error{
		text(p.Name, &o.Name, "name", nonEmpty(plain(200))), text(p.Email, &o.Email, "email", email),
		text(p.Phone, &o.Phone, "phone", CheckPhone), text(p.ContactPerson, &o.ContactPerson, "contactPerson", plain(200)),
		text(p.Website, &o.Website, "website", CheckURL), text(p.Street, &o.Street, "street", plain(200)),
		text(p.PostalCode, &o.PostalCode, "postalCode", CheckPostalCode), text(p.Place, &o.Place, "place", plain(100)),
	} {
		if step != nil {
			return nil, step
		}
	}
	return applyOther(o, p, fields)
}

func applyOther(o *Organisation, p OrganisationPatch, fields []string) ([]string, error) {
	if p.Kind.Set {
		o.Kind, fields = p.Kind.Value, append(fields, "kind")
	}
	if p.OrgNumber.Set {
		if n := p.OrgNumber.Value; n != nil && !ValidOrgNumber(*n) {
			return nil, invalidOrgNumber("input.orgNumber")
		}
		o.OrgNumber, fields = p.OrgNumber.Value, append(fields, "orgNumber")
	}
	if p.Location.Set {
		if err := setLocation(p.Location.Value, &o.Lat, &o.Lon); err != nil {
			return nil, err
		}
		fields = append(fields, "location")
	}
	return fields, nil
}

// setLocation validates a new location (nil clears it) and stores it in lat and lon.
func setLocation(pt *geo.Point, lat, lon **float64) error {
	*lat, *lon = nil, nil
	if pt == nil {
		return nil
	}
	if err := geo.ValidatePoint(*pt, "input.location"); err != nil {
		return err
	}
	*lat, *lon = &pt.Lat, &pt.Lon
	return nil
}

// stmt is one SQL statement with its arguments.
type stmt struct {
	q    string
	args []any
}

// execAll runs stmts in order on tx; what names the work in errors.
func execAll(ctx context.Context, tx bun.IDB, what, kind string, stmts []stmt) error {
	for _, st := range stmts {
		if _, err := tx.ExecContext(ctx, st.q, st.args...); err != nil {
			return database.MapError(err, what, kind)
		}
	}
	return nil
}

func nonEmpty(check func(string, string) (string, error)) func(string, string) (string, error) {
	return func(s, f string) (string, error) {
		v, err := check(s, f)
		if err == nil && v == "" {
			return "", apperr.Invalid(f, "NameRequired", nil)
		}
		return v, err
	}
}

// columnsOf maps API field names to the columns they are stored in.
func columnsOf(fields []string) []string {
	cols := map[string][]string{"name": {"name"}, "email": {"email"}, "phone": {"phone"}, "contactPerson": {"contact_person"},
		"website": {"website"}, "street": {"street"}, "postalCode": {"postal_code"}, "place": {"place"}, "kind": {"kind"},
		"orgNumber": {"org_number"}, "location": {"lat", "lon"}, "logo": {"logo_id"}, "cover": {"cover_id"}, "accessibility": {"accessibility"}}
	var out []string
	for _, f := range fields {
		out = append(out, cols[f]...)
	}
	return out
}

// relocate recomputes the neighbourhoods of an organisation that moved, and moves its
// activities that have no venue with it.
func (s *Service) relocate(ctx context.Context, tx bun.IDB, o *Organisation) error {
	nbs, err := containing(ctx, tx, o.MunicipalityID, o.Lat, o.Lon)
	if err != nil {
		return err
	}
	return execAll(ctx, tx, "relocate organisation", "organisation", []stmt{
		{"DELETE FROM organisation_neighbourhoods WHERE organisation_id = ? AND NOT manual", []any{o.ID}},
		{"INSERT INTO organisation_neighbourhoods (organisation_id, neighbourhood_id, municipality_id) SELECT ?, unnest(?::uuid[]), ? ON CONFLICT DO NOTHING", []any{o.ID, uuidArray(nbs), o.MunicipalityID}},
		{"UPDATE activities SET lat = ?, lon = ?, updated_at = now() WHERE organisation_id = ? AND venue_id IS NULL", []any{o.Lat, o.Lon, o.ID}},
		{"DELETE FROM activity_neighbourhoods WHERE activity_id IN (SELECT id FROM activities WHERE organisation_id = ? AND venue_id IS NULL)", []any{o.ID}},
		{"INSERT INTO activity_neighbourhoods (activity_id, neighbourhood_id, municipality_id) SELECT a.id, n, a.municipality_id FROM activities a, unnest(?::uuid[]) n WHERE a.organisation_id = ? AND a.venue_id IS NULL", []any{uuidArray(nbs), o.ID}},
	})
}

// containing returns the municipality's neighbourhoods whose area contains the point.
func containing(ctx context.Context, db bun.IDB, mid uuid.UUID, lat, lon *float64) ([]uuid.UUID, error) {
	if lat == nil || lon == nil {
		return nil, nil
	}
	var ns []*Neighbourhood
	err := db.NewSelect().Model(&ns).Column("id", "area").
		Where("n.municipality_id = ? AND ? BETWEEN n.min_lat AND n.max_lat AND ? BETWEEN n.min_lon AND n.max_lon", mid, *lat, *lon).Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find neighbourhoods", "neighbourhood")
	}
	var out []uuid.UUID
	for _, n := range ns {
		if a, err := geo.ParseArea(n.Area, "area"); err == nil && a.Contains(geo.Point{Lat: *lat, Lon: *lon}) {
			out = append(out, n.ID)
		}
	}
	return out, nil
}

func uuidArray(ids []uuid.UUID) string {
	s := "{"
	for i, id := range ids {
		if i > 0 {
			s += ","
		}
		s += id.String()
	}
	return s + "}"
}

// applyImages sets the logo and cover to uploaded images of the same municipality.
func applyImages(ctx context.Context, tx bun.IDB, o *Organisation, p OrganisationPatch) ([]string, error) {
	var fields []string
	for _, im := range []struct {
		p    Patch[*uuid.UUID]
		dst  **uuid.UUID
		name string
	}{{p.LogoID, &o.LogoID, "logo"}, {p.CoverID, &o.CoverID, "cover"}} {
		if !im.p.Set {
			continue
		}
		if id := im.p.Value; id != nil {
			ok, err := tx.NewSelect().Table("media").Where("id = ? AND municipality_id = ?", *id, o.MunicipalityID).Exists(ctx)
			if err != nil {
				return nil, database.MapError(err, "find image", "media")
			}
			if !ok {
				return nil, apperr.Invalid("input."+im.name+"Id", "UnknownImage", nil)
			}
		}
		*im.dst, fields = im.p.Value, append(fields, im.name)
		if im.p.Value != nil {
			if err := adoptImages(ctx, tx, o.MunicipalityID, o.ID, *im.p.Value); err != nil {
				return nil, err
			}
		}
	}
	return fields, nil
}

// adoptImages puts the images ids that belong to no organisation yet in the library of
// organisation org, the first to use them.
func adoptImages(ctx context.Context, tx bun.IDB, mid, org uuid.UUID, ids ...uuid.UUID) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := tx.NewUpdate().Table("media").Set("organisation_id = ?", org).
		Where("municipality_id = ? AND id IN (?) AND organisation_id IS NULL", mid, bun.In(ids)).
		Exec(ctx)
	return database.MapError(err, "adopt images", "image")
}
