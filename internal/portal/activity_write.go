package portal

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/tenant"
)

// ActivityPatch changes some of an activity's fields; in CreateActivity, unset fields take
// their defaults. Texts are written in the request's locale.
type ActivityPatch struct {
	Title, Summary, Description, PriceNote, Schedule Patch[string]
	SignupURL, Email, Phone                          Patch[string]
	CategoryIDs                                      Patch[[]uuid.UUID]
	TargetGroups                                     Patch[[]TargetGroup]
	Accessibility                                    Patch[[]AccessibilityFeature]
	Languages                                        Patch[[]string]
	Slots                                            Patch[[]WeeklySlot]
	AgeMin, AgeMax                                   Patch[*int]
	PriceOre                                         Patch[int]
	AcceptsCard                                      Patch[bool]
	PausesInSchoolHolidays, PausesOnPublicHolidays   Patch[bool]
	VenueID                                          Patch[*uuid.UUID]
	// ImageIDs are uploaded images of the municipality, in the order shown.
	ImageIDs Patch[[]uuid.UUID]
}

// CreateActivity adds a DRAFT activity to an organisation. Errors: UNAUTHENTICATED,
// FORBIDDEN, NOT_FOUND, BAD_USER_INPUT naming the field (a title is required).
func (s *Service) CreateActivity(ctx context.Context, orgID uuid.UUID, p ActivityPatch) (*Activity, error) {
	if !p.Title.Set || strings.TrimSpace(p.Title.Value) == "" {
		return nil, apperr.Invalid("input.title", "NameRequired", nil)
	}
	var out *Activity
	err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		o, v, err := s.canEdit(ctx, tx, orgID)
		if err != nil {
			return err
		}
		a := &Activity{ID: newID(), MunicipalityID: o.MunicipalityID, OrganisationID: o.ID, Status: ActivityDraft, Org: o,
			TargetGroups: []TargetGroup{}, Accessibility: []AccessibilityFeature{}, Languages: []string{}, Slots: []WeeklySlot{}, Lat: o.Lat, Lon: o.Lon}
		if a.Slug, err = freeSlug(ctx, tx, "activities", o.MunicipalityID, p.Title.Value); err != nil {
			return err
		}
		fields, err := s.writeActivity(ctx, tx, a, p, true)
		if err != nil {
			return err
		}
		out = a
		if err := s.saveRevision(ctx, tx, a.MunicipalityID, "Activity", a.ID, actor(v)); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: a.MunicipalityID, ActorID: actor(v), Action: "create_activity", ItemType: "Activity", ItemID: &a.ID, Fields: fields})
	})
	return out, err
}

// UpdateActivity applies a partial update. Errors: as CreateActivity.
func (s *Service) UpdateActivity(ctx context.Context, id uuid.UUID, p ActivityPatch) (*Activity, error) {
	var out *Activity
	err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		a, v, err := s.editableActivity(ctx, tx, id)
		if err != nil {
			return err
		}
		fields, err := s.writeActivity(ctx, tx, a, p, false)
		if err != nil || len(fields) == 0 {
			out = a
			return err
		}
		out = a
		if err := s.saveRevision(ctx, tx, a.MunicipalityID, "Activity", a.ID, actor(v)); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: a.MunicipalityID, ActorID: actor(v), Action: "update_activity", ItemType: "Activity", ItemID: &a.ID, Fields: fields})
	})
	return out, err
}

// SetActivityStatus publishes, archives or returns an activity to draft. Errors: as
// UpdateActivity.
func (s *Service) SetActivityStatus(ctx context.Context, id uuid.UUID, status ActivityStatus) (*Activity, error) {
	var out *Activity
	err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		a, v, err := s.editableActivity(ctx, tx, id)
		if err != nil {
			return err
		}
		a.Status = status
		if _, err := tx.NewUpdate().Model(a).Column("status").Set("updated_at = now()").WherePK().Exec(ctx); err != nil {
			return database.MapError(err, "set activity status", "activity")
		}
		out = a
		if err := s.saveRevision(ctx, tx, a.MunicipalityID, "Activity", a.ID, actor(v)); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: a.MunicipalityID, ActorID: actor(v), Action: "set_activity_status", ItemType: "Activity", ItemID: &a.ID, Fields: []string{"status"}})
	})
	return out, err
}

// editableActivity loads an activity of the request's municipality that the viewer may
// edit (through its organisation).
func (s *Service) editableActivity(ctx context.Context, tx bun.IDB, id uuid.UUID) (*Activity, *auth.Viewer, error) {
	sc, err := currentScope(ctx)
	if err != nil {
		return nil, nil, err
	}
	a := new(Activity)
	err = withActivityTexts(tx.NewSelect().Model(a).ColumnExpr("a.*"), sc.chain).
		Where("a.id = ? AND a.municipality_id = ?", id, sc.municipalityID).Scan(ctx)
	if err != nil {
		// SECURITY: a shared provider's activity shown here is read-only here.
		return nil, nil, sharedReadOnly(ctx, tx, "activities", id, "id",
			database.MapError(err, "find activity", "activity"))
	}
	// SECURITY: editing an activity is editing its organisation (members, admins, write keys).
	o, v, err := s.canEdit(ctx, tx, a.OrganisationID)
	a.Org = o
	return a, v, err
}

// writeActivity validates p, applies it to a and writes the row and its texts, categories
// and neighbourhoods; it returns the API names of the fields changed.
func (s *Service) writeActivity(ctx context.Context, tx bun.IDB, a *Activity, p ActivityPatch, insert bool) ([]string, error) {
	fields, err := applyActivityPatch(a, p)
	if err != nil {
		return nil, err
	}
	if p.VenueID.Set {
		if err := s.placeActivity(ctx, tx, a, p.VenueID.Value); err != nil {
			return nil, err
		}
	}
	if insert {
		_, err = tx.NewInsert().Model(a).Returning("created_at, updated_at").Exec(ctx)
	} else if len(fields) > 0 {
		_, err = tx.NewUpdate().Model(a).ExcludeColumn("id", "municipality_id", "organisation_id", "slug", "status", "created_at", "updated_at").
			Set("updated_at = now()").WherePK().Exec(ctx)
	}
	if err != nil {
		return nil, database.MapError(err, "write activity", "activity")
	}
	if err := s.writeActivityTexts(ctx, tx, a, p); err != nil {
		return nil, err
	}
	if err := s.writeActivityLinks(ctx, tx, a, p); err != nil {
		return nil, err
	}
	if p.ImageIDs.Set {
		if err := writeActivityImages(ctx, tx, a, p.ImageIDs.Value); err != nil {
			return nil, err
		}
		fields = append(fields, "images")
	}
	return fields, nil
}

// writeActivityTexts upserts the texts given, in the request's locale.
func (s *Service) writeActivityTexts(ctx context.Context, tx bun.IDB, a *Activity, p ActivityPatch) error {
	tr := &ActivityTranslation{ActivityID: a.ID, MunicipalityID: a.MunicipalityID, Locale: i18n.FromContext(ctx).Code,
		Title: a.Title, Summary: a.Summary, Description: a.Description, PriceNote: a.PriceNote, Schedule: a.ScheduleText}
	var set []string
	for _, f := range []struct {
		p   Patch[string]
		col string
	}{{p.Title, "title"}, {p.Summary, "summary"}, {p.Description, "description"}, {p.PriceNote, "price_note"}, {p.Schedule, "schedule"}} {
		if f.p.Set {
			set = append(set, f.col)
		}
	}
	if len(set) == 0 {
		return nil
	}
	if tr.Title == "" { // a new locale's row needs a title: take the one shown now
		tr.Title = a.Title
	}
	q := tx.NewInsert().Model(tr).On("CONFLICT (activity_id, locale) DO UPDATE")
	for _, c := range set {
		q = q.Set("? = EXCLUDED.?", bun.Ident(c), bun.Ident(c))
	}
	_, err := q.Exec(ctx)
	return database.MapError(err, "write activity texts", "activity")
}

// writeActivityLinks replaces the categories and recomputes the neighbourhoods.
func (s *Service) writeActivityLinks(ctx context.Context, tx bun.IDB, a *Activity, p ActivityPatch) error {
	if p.CategoryIDs.Set {
		tax, err := s.FindTaxonomy(ctx)
		if err != nil {
			return err
		}
		for _, id := range p.CategoryIDs.Value {
			if _, err := tax.ByID(id); err != nil {
				return apperr.Invalid("input.categories", "UnknownCategory", nil)
			}
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM activity_categories WHERE activity_id = ?", a.ID); err != nil {
			return database.MapError(err, "write categories", "activity")
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO activity_categories (activity_id, category_id, municipality_id) SELECT ?, unnest(?::uuid[]), ? ON CONFLICT DO NOTHING",
			a.ID, pgdialect.Array(p.CategoryIDs.Value), a.MunicipalityID); err != nil {
			return database.MapError(err, "write categories", "activity")
		}
	}
	return setActivityNeighbourhoods(ctx, tx, a)
}

// setActivityNeighbourhoods recomputes the neighbourhoods an activity lies in.
func setActivityNeighbourhoods(ctx context.Context, tx bun.IDB, a *Activity) error {
	nbs, err := containing(ctx, tx, a.MunicipalityID, a.Lat, a.Lon)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM activity_neighbourhoods WHERE activity_id = ?", a.ID); err != nil {
		return database.MapError(err, "write neighbourhoods", "activity")
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO activity_neighbourhoods (activity_id, neighbourhood_id, municipality_id) SELECT ?, unnest(?::uuid[]), ?", a.ID, uuidArray(nbs), a.MunicipalityID)
	return database.MapError(err, "write neighbourhoods", "activity")
}

// placeActivity sets the venue (of the same municipality; an archived one only if the
// activity is there already) and the location that follows.
func (s *Service) placeActivity(ctx context.Context, tx bun.IDB, a *Activity, venueID *uuid.UUID) error {
	previous := a.VenueID
	a.VenueID = venueID
	if venueID == nil {
		var o Organisation
		if err := tx.NewSelect().Model(&o).Column("lat", "lon").Where("o.id = ?", a.OrganisationID).Scan(ctx); err != nil {
			return database.MapError(err, "find organisation", "organisation")
		}
		a.Lat, a.Lon = o.Lat, o.Lon
		return nil
	}
	var v Venue
	err := tx.NewSelect().Model(&v).Where("v.id = ? AND v.municipality_id = ?", *venueID, a.MunicipalityID).Scan(ctx)
	if err != nil || (v.ArchivedAt != nil && (previous == nil || *previous != *venueID)) {
		return apperr.Invalid("input.venueId", "UnknownVenue", nil)
	}
	if v.Lat != nil {
		a.Lat, a.Lon = v.Lat, v.Lon
	}
	return nil
}

// writeActivityImages replaces an activity's images with uploaded images of its
// municipality, in the order given.
func writeActivityImages(ctx context.Context, tx bun.IDB, a *Activity, ids []uuid.UUID) error {
	if len(ids) > maxActivityImages {
		return apperr.Invalid("input.imageIds", "TooManyImages", map[string]any{"Max": maxActivityImages})
	}
	seen := map[uuid.UUID]bool{}
	for i, id := range ids {
		if seen[id] {
			return apperr.Invalid(fmt.Sprintf("input.imageIds[%d]", i), "UnknownImage", nil)
		}
		seen[id] = true
	}
	if len(ids) > 0 {
		var found []uuid.UUID
		// SECURITY: only images of the activity's own municipality can be attached.
		err := tx.NewSelect().Table("media").Column("id").Where("municipality_id = ? AND id IN (?)", a.MunicipalityID, bun.In(ids)).Scan(ctx, &found)
		if err != nil {
			return database.MapError(err, "find images", "media")
		}
		have := map[uuid.UUID]bool{}
		for _, id := range found {
			have[id] = true
		}
		for i, id := range ids {
			if !have[id] {
				return apperr.Invalid(fmt.Sprintf("input.imageIds[%d]", i), "UnknownImage", nil)
			}
		}
	}
	if err := adoptImages(ctx, tx, a.MunicipalityID, a.OrganisationID, ids...); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM activity_images WHERE activity_id = ?", a.ID); err != nil {
		return database.MapError(err, "write images", "activity")
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO activity_images (activity_id, media_id, municipality_id, sort_order)
		SELECT ?, m, ?, o FROM unnest(?::uuid[]) WITH ORDINALITY AS t(m, o)`, a.ID, a.MunicipalityID, uuidArray(ids))
	return database.MapError(err, "write images", "activity")
}

// maxActivityImages is how many images an activity shows at most.
const maxActivityImages = 20

// SetActivityTranslation writes an activity's texts in one locale: an omitted field keeps
// its text, an empty one clears it, and a locale without texts yet needs a title. Only the
// texts of p are read. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT naming
// "locale" (not enabled in the municipality) or a field.
func (s *Service) SetActivityTranslation(ctx context.Context, id uuid.UUID, locale string, p ActivityPatch) (*Activity, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	if err := t.CheckEnabled(locale, "locale"); err != nil {
		return nil, err
	}
	tr := &ActivityTranslation{ActivityID: id, MunicipalityID: t.ID(), Locale: locale}
	var fields, cols []string
	for _, f := range []struct {
		p         Patch[string]
		dst       *string
		name, col string
		max       int
	}{{p.Title, &tr.Title, "title", "title", 200}, {p.Summary, &tr.Summary, "summary", "summary", 1000},
		{p.Description, &tr.Description, "description", "description", 20000},
		{p.PriceNote, &tr.PriceNote, "priceNote", "price_note", 500}, {p.Schedule, &tr.Schedule, "schedule", "schedule", 1000}} {
		if !f.p.Set {
			continue
		}
		v, err := CheckText(f.p.Value, f.max, "input."+f.name)
		if err != nil {
			return nil, err
		}
		if f.name == "title" && v == "" {
			return nil, apperr.Invalid("input.title", "NameRequired", nil)
		}
		*f.dst, fields, cols = v, append(fields, f.name), append(cols, f.col)
	}
	var out *Activity
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		a, v, err := s.editableActivity(ctx, tx, id)
		if err != nil {
			return err
		}
		out = a
		if len(fields) == 0 {
			return nil
		}
		if !p.Title.Set {
			exists, err := tx.NewSelect().Model((*ActivityTranslation)(nil)).Where("activity_id = ? AND locale = ?", id, locale).Exists(ctx)
			if err != nil {
				return database.MapError(err, "find activity texts", "activity")
			}
			if !exists {
				return apperr.Invalid("input.title", "NameRequired", nil)
			}
		}
		q := tx.NewInsert().Model(tr).On("CONFLICT (activity_id, locale) DO UPDATE")
		for _, c := range cols {
			q = q.Set("? = EXCLUDED.?", bun.Ident(c), bun.Ident(c))
		}
		if _, err := q.Exec(ctx); err != nil {
			return database.MapError(err, "set activity translation", "activity")
		}
		if _, err := tx.NewUpdate().Model(a).Set("updated_at = now()").WherePK().Exec(ctx); err != nil {
			return database.MapError(err, "touch activity", "activity")
		}
		if err := s.saveRevision(ctx, tx, t.ID(), "Activity", a.ID, actor(v)); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: actor(v), Action: "set_activity_translation",
			ItemType: "Activity", ItemID: &a.ID, Fields: prefixed(locale, fields)})
	})
	return out, err
}
