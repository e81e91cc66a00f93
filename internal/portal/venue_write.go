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

// VenuePatch adds a venue or changes some of its fields. OrganisationID is read only when
// the venue is created: the organisation that keeps it (nil: the municipality's own).
type VenuePatch struct {
	ID                       *uuid.UUID
	OrganisationID           *uuid.UUID
	Name, Street, PostalCode Patch[string]
	Place                    Patch[string]
	Location                 Patch[*geo.Point]
	Accessibility            Patch[[]AccessibilityFeature]
}

// SaveVenue adds a venue (no ID) or changes one. An organisation's OWNER or EDITOR adds
// venues for it and keeps them; administrators and catalogue:write keys keep every venue.
// A new location moves the activities held there and recomputes neighbourhoods. Errors:
// UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT naming the field.
func (s *Service) SaveVenue(ctx context.Context, p VenuePatch) (*Venue, error) {
	var out *Venue
	err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		v, viewer, err := s.editableVenue(ctx, tx, p)
		if err != nil {
			return err
		}
		fields, err := applyVenuePatch(v, p)
		if err != nil {
			return err
		}
		if p.ID == nil {
			if v.Name == "" {
				return apperr.Invalid("input.name", "NameRequired", nil)
			}
			_, err = tx.NewInsert().Model(v).Returning("created_at, updated_at").Exec(ctx)
		} else if len(fields) > 0 {
			_, err = tx.NewUpdate().Model(v).Column(columnsOf(fields)...).Set("updated_at = now()").WherePK().Returning("updated_at").Exec(ctx)
		}
		if err != nil {
			return database.MapError(err, "save venue", "venue")
		}
		out = v
		if len(fields) == 0 && p.ID != nil {
			return nil
		}
		if p.ID == nil || p.Location.Set {
			if err := s.moveVenue(ctx, tx, v); err != nil {
				return err
			}
		}
		action := "update_venue"
		if p.ID == nil {
			action = "create_venue"
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: v.MunicipalityID, ActorID: actor(viewer), Action: action, ItemType: "Venue", ItemID: &v.ID, Fields: fields})
	})
	return out, err
}

// ArchiveVenue archives a venue (archived true) or brings it back. Activities already
// there keep it. Errors: as SaveVenue.
func (s *Service) ArchiveVenue(ctx context.Context, id uuid.UUID, archived bool) (*Venue, error) {
	var out *Venue
	err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		v, viewer, err := s.editableVenue(ctx, tx, VenuePatch{ID: &id})
		if err != nil {
			return err
		}
		err = tx.NewUpdate().Model(v).Set("archived_at = CASE WHEN ? THEN coalesce(archived_at, now()) END, updated_at = now()", archived).
			WherePK().Returning("archived_at, updated_at").Scan(ctx)
		if err != nil {
			return database.MapError(err, "archive venue", "venue")
		}
		out = v
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: v.MunicipalityID, ActorID: actor(viewer), Action: "archive_venue", ItemType: "Venue", ItemID: &v.ID, Fields: []string{"archived"}})
	})
	return out, err
}

// editableVenue returns the venue p names (or a new one) when the viewer may write it.
func (s *Service) editableVenue(ctx context.Context, tx bun.IDB, p VenuePatch) (*Venue, *auth.Viewer, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, nil, err
	}
	v := &Venue{ID: newID(), MunicipalityID: t.ID(), OrganisationID: p.OrganisationID, Accessibility: []AccessibilityFeature{}}
	if p.ID != nil {
		v = new(Venue)
		// SECURITY: the request's municipality only; another's venue is NOT_FOUND.
		if err := tx.NewSelect().Model(v).Where("v.id = ? AND v.municipality_id = ?", *p.ID, t.ID()).For("UPDATE").Scan(ctx); err != nil {
			if viewer := auth.ViewerFrom(ctx); viewer == nil {
				return nil, nil, apperr.New(apperr.Unauthenticated, "")
			}
			return nil, nil, database.MapError(err, "find venue", "venue")
		}
	}
	// SECURITY: a venue kept by an organisation is written by those who edit that
	// organisation (its OWNER and EDITORs, administrators, municipal editors, catalogue:write
	// keys); the municipality's own venues by administrators, municipal editors and
	// catalogue:write keys only.
	if v.OrganisationID != nil {
		_, viewer, err := s.canEdit(ctx, tx, *v.OrganisationID)
		if err != nil && p.ID == nil && apperr.CodeOf(err) == apperr.NotFound {
			return nil, nil, apperr.Invalid("input.organisationId", "UnknownOrganisation", nil)
		}
		return v, viewer, err
	}
	viewer := auth.ViewerFrom(ctx)
	switch {
	case viewer == nil || (viewer.User == nil && viewer.APIKey == nil):
		return nil, nil, apperr.New(apperr.Unauthenticated, "")
	case editsEveryListing(viewer):
		return v, viewer, nil
	default:
		return nil, nil, apperr.New(apperr.Forbidden, "")
	}
}

// applyVenuePatch validates p and applies it to v; it returns the API names of the fields
// changed.
func applyVenuePatch(v *Venue, p VenuePatch) ([]string, error) {
	var fields []string
	plain := func(max int) func(string, string) (string, error) {
		return func(s, f string) (string, error) { return CheckText(s, max, f) }
	}
	for _, f := range []struct {
		p     Patch[string]
		dst   *string
		name  string
		check func(string, string) (string, error)
	}{
		{p.Name, &v.Name, "name", nonEmpty(plain(200))}, {p.Street, &v.Street, "street", plain(200)},
		{p.PostalCode, &v.PostalCode, "postalCode", CheckPostalCode}, {p.Place, &v.Place, "place", plain(100)},
	} {
		if !f.p.Set {
			continue
		}
		val, err := f.check(f.p.Value, "input."+f.name)
		if err != nil {
			return nil, err
		}
		*f.dst, fields = val, append(fields, f.name)
	}
	if p.Location.Set {
		if err := setLocation(p.Location.Value, &v.Lat, &v.Lon); err != nil {
			return nil, err
		}
		fields = append(fields, "location")
	}
	if p.Accessibility.Set {
		v.Accessibility = p.Accessibility.Value
		if v.Accessibility == nil {
			v.Accessibility = []AccessibilityFeature{}
		}
		fields = append(fields, "accessibility")
	}
	return fields, nil
}

// moveVenue recomputes the neighbourhoods a venue lies in and moves the activities held
// there with it.
func (s *Service) moveVenue(ctx context.Context, tx bun.IDB, v *Venue) error {
	nbs, err := containing(ctx, tx, v.MunicipalityID, v.Lat, v.Lon)
	if err != nil {
		return err
	}
	stmts := []stmt{
		{"DELETE FROM venue_neighbourhoods WHERE venue_id = ?", []any{v.ID}},
		{"INSERT INTO venue_neighbourhoods (venue_id, neighbourhood_id, municipality_id) SELECT ?, unnest(?::uuid[]), ?", []any{v.ID, uuidArray(nbs), v.MunicipalityID}},
	}
	if v.Lat != nil {
		stmts = append(stmts, []stmt{
			{"UPDATE activities SET lat = ?, lon = ?, updated_at = now() WHERE venue_id = ?", []any{v.Lat, v.Lon, v.ID}},
			{"DELETE FROM activity_neighbourhoods WHERE activity_id IN (SELECT id FROM activities WHERE venue_id = ?)", []any{v.ID}},
			{"INSERT INTO activity_neighbourhoods (activity_id, neighbourhood_id, municipality_id) SELECT a.id, n, a.municipality_id FROM activities a, unnest(?::uuid[]) n WHERE a.venue_id = ?", []any{uuidArray(nbs), v.ID}},
		}...)
	}
	return execAll(ctx, tx, "move venue", "venue", stmts)
}
