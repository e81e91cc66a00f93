package portal

import (
	"context"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/tenant"
)

// A venue's name in the municipality's default language is venues.name; its names in other
// languages are rows of venue_translations. A read takes the first name along the request's
// locale chain, and the default language's when the chain reaches it first.

// SetVenueName writes the venue's name in one enabled locale. In the default language it is
// the venue's name itself, which cannot be cleared; in another, "" removes that language's
// name so reads fall back. Allowed as for SaveVenue. Errors: UNAUTHENTICATED, FORBIDDEN,
// NOT_FOUND, BAD_USER_INPUT naming "locale" (not enabled) or "input.name".
func (s *Service) SetVenueName(ctx context.Context, id uuid.UUID, locale string, name Patch[string]) (*Venue, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	if err := t.CheckEnabled(locale, "locale"); err != nil {
		return nil, err
	}
	if name.Value, err = CheckText(name.Value, 200, "input.name"); err != nil {
		return nil, err
	}
	if locale == t.Municipality.DefaultLocale && name.Set && name.Value == "" {
		return nil, apperr.Invalid("input.name", "NameRequired", nil)
	}
	var out *Venue
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		// SECURITY: naming a venue is editing it: as SaveVenue (editableVenue).
		v, viewer, err := s.editableVenue(ctx, tx, VenuePatch{ID: &id})
		if err != nil {
			return err
		}
		out = v
		if !name.Set {
			return nil
		}
		if err := writeVenueName(ctx, tx, v, locale, t.Municipality.DefaultLocale, name.Value); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: v.MunicipalityID, ActorID: actor(viewer),
			Action: "set_venue_name", ItemType: "Venue", ItemID: &v.ID, Fields: []string{"name"}})
	})
	return out, err
}

// writeVenueName stores name as the venue's name in locale (def: the default language).
func writeVenueName(ctx context.Context, tx bun.IDB, v *Venue, locale, def, name string) error {
	st := stmt{"DELETE FROM venue_translations WHERE venue_id = ? AND locale = ?", []any{v.ID, locale}}
	switch {
	case locale == def:
		v.Name = name
		st = stmt{"UPDATE venues SET name = ? WHERE id = ?", []any{name, v.ID}}
	case name != "":
		st = stmt{`INSERT INTO venue_translations (venue_id, municipality_id, locale, name) VALUES (?, ?, ?, ?)
			ON CONFLICT (venue_id, locale) DO UPDATE SET name = EXCLUDED.name`, []any{v.ID, v.MunicipalityID, locale, name}}
	}
	touch := stmt{"UPDATE venues SET updated_at = now() WHERE id = ?", []any{v.ID}}
	return execAll(ctx, tx, "write venue name", "venue", []stmt{st, touch})
}

// VenueNames returns, for those of the venues (by ID) that have one, their name in the first
// locale of the request's chain that comes before the default language; the others read
// their own Name.
func (s *Service) VenueNames(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	sc, err := currentScope(ctx)
	if err != nil {
		return nil, err
	}
	var before []string
	for _, l := range sc.chain {
		if strings.EqualFold(l, sc.defaultLocale) {
			break
		}
		before = append(before, l)
	}
	out := make(map[uuid.UUID]string, len(ids))
	if len(before) == 0 || len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		VenueID uuid.UUID `bun:"venue_id,type:uuid"`
		Name    string    `bun:"name"`
	}
	err = s.reader(ctx).NewSelect().TableExpr("venue_translations AS t").
		DistinctOn("t.venue_id").
		Column("t.venue_id", "t.name").
		Where("t.municipality_id = ? AND t.venue_id IN (?) AND t.locale = ANY(?::text[])",
			sc.municipalityID, bun.In(ids), pgdialect.Array(before)).
		OrderExpr("t.venue_id, array_position(?::text[], t.locale)", pgdialect.Array(before)).
		Scan(ctx, &rows)
	if err != nil {
		return nil, database.MapError(err, "find venue names", "venue")
	}
	for _, r := range rows {
		out[r.VenueID] = r.Name
	}
	return out, nil
}

// VenueTranslation is a venue's name in one locale, as written.
type VenueTranslation struct {
	bun.BaseModel `bun:"table:venue_translations"`

	VenueID        uuid.UUID `bun:"venue_id,pk,type:uuid"`
	MunicipalityID uuid.UUID `bun:"municipality_id,type:uuid"`
	Locale         string    `bun:"locale,pk"`
	Name           string    `bun:"name"`
}

// VenueTranslations is ActivityTranslations for venues: every locale's name of those of the
// venues the viewer may edit (as SaveVenue), the default language's (venues.name) first.
// Three statements, whatever the number of venues.
func (s *Service) VenueTranslations(ctx context.Context,
	ids []uuid.UUID) (map[uuid.UUID]*Translations[VenueTranslation], error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	var ts []*VenueTranslation
	// SECURITY: every locale's names are shown to those who may edit the venue (editableIDs:
	// for the municipality's own venues, organisation_id is NULL, so only those who keep
	// every listing).
	out, err := translationsOf(ctx, s.db, ids, "venues AS i", "i.organisation_id", &ts,
		func(q *bun.SelectQuery, ids []uuid.UUID) *bun.SelectQuery {
			return q.Where("venue_id IN (?)", bun.In(ids))
		},
		func() []*VenueTranslation { return ts },
		func(t *VenueTranslation) (uuid.UUID, string) { return t.VenueID, t.Locale })
	if err != nil || len(out) == 0 {
		return out, err
	}
	var names []*Venue
	editable := make([]uuid.UUID, 0, len(out))
	for id := range out {
		editable = append(editable, id)
	}
	err = s.db.NewSelect().Model(&names).Column("id", "name").
		Where("v.municipality_id = ? AND v.id IN (?)", t.ID(), bun.In(editable)).
		Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find venue names", "venue")
	}
	def := t.Municipality.DefaultLocale
	for _, v := range names {
		tr := out[v.ID]
		tr.List = append([]*VenueTranslation{{VenueID: v.ID, MunicipalityID: t.ID(), Locale: def, Name: v.Name}}, tr.List...)
		tr.Missing = slices.DeleteFunc(tr.Missing, func(code string) bool { return code == def })
	}
	return out, nil
}
