package portal

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/portal/geo"
	"github.com/fritid/fritid/internal/tenant"
)

// SaveNeighbourhood adds (ID nil) or changes a neighbourhood and its committee, validating
// its area, and recomputes which organisations, venues and activities lie in it. Errors:
// UNAUTHENTICATED, FORBIDDEN (administrators only), NOT_FOUND, CONFLICT (slug taken),
// BAD_USER_INPUT naming the field (a bad slug or area, a name missing in the default
// language).
func (s *Service) SaveNeighbourhood(ctx context.Context, id *uuid.UUID, in NeighbourhoodInput) (*Neighbourhood, error) {
	// SECURITY: only an administrator of the request's municipality changes neighbourhoods.
	v, t, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	if !slugPattern.MatchString(in.Slug) {
		return nil, apperr.Invalid("input.slug", "SlugInvalid", nil)
	}
	if strings.TrimSpace(in.Name[t.Municipality.DefaultLocale]) == "" {
		return nil, apperr.Invalid("input.names", "NameRequired", nil)
	}
	area, err := geo.ParseArea(in.Area, "input.area")
	if err != nil {
		return nil, err
	}
	committee := committeeOf(in)
	if !in.KeepCommittee {
		if err := checkCommittee(&committee, "input.committee."); err != nil {
			return nil, err
		}
	}
	in.Committee.Email, in.Committee.Phone, in.Committee.Website = committee.Email, committee.Phone, committee.Website
	n := &Neighbourhood{ID: newID(), MunicipalityID: t.ID(), Slug: in.Slug, Area: area.GeoJSON(), MinLat: area.Box.MinLat, MinLon: area.Box.MinLon,
		MaxLat: area.Box.MaxLat, MaxLon: area.Box.MaxLon, CommitteeEmail: in.Committee.Email, CommitteePhone: in.Committee.Phone, CommitteeWebsite: in.Committee.Website}
	if id != nil {
		n.ID = *id
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if id != nil {
			ok, err := tx.NewSelect().Table("neighbourhoods").Where("id = ? AND municipality_id = ?", *id, t.ID()).Exists(ctx)
			if err != nil || !ok {
				return apperr.NotFoundf("neighbourhood")
			}
		}
		if err := writeNeighbourhood(ctx, tx, n, in, t); err != nil {
			return err
		}
		if id == nil || !in.KeepCommittee {
			if err := writeCommitteeMembers(ctx, tx, n, committee.Members); err != nil {
				return err
			}
		}
		if err := assignArea(ctx, tx, n, area); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID, Action: "save_neighbourhood", ItemType: "Neighbourhood", ItemID: &n.ID, Fields: []string{"slug", "names", "area", "committee"}})
	})
	return n, err
}

// writeNeighbourhood upserts n and replaces its names with in's. A description left out
// of in stays as saved, in every language, also in one whose name in does not give: the
// committee editor may have written it.
func writeNeighbourhood(ctx context.Context, tx bun.IDB, n *Neighbourhood, in NeighbourhoodInput, t *tenant.Tenant) error {
	committee := "committee_email = EXCLUDED.committee_email, committee_phone = EXCLUDED.committee_phone, " +
		"committee_website = EXCLUDED.committee_website, "
	if in.KeepCommittee {
		committee = ""
	}
	_, err := tx.NewInsert().Model(n).On("CONFLICT (id) DO UPDATE").
		Set("slug = EXCLUDED.slug, area = EXCLUDED.area").
		Set("min_lat = EXCLUDED.min_lat, min_lon = EXCLUDED.min_lon, max_lat = EXCLUDED.max_lat, max_lon = EXCLUDED.max_lon").
		Set(committee + "updated_at = now()").
		Exec(ctx)
	if err != nil {
		return conflictOn(database.MapError(err, "save neighbourhood", "neighbourhood"), "slug")
	}
	var saved []NeighbourhoodTranslation
	err = tx.NewSelect().Model(&saved).Where("neighbourhood_id = ?", n.ID).Scan(ctx)
	if err != nil {
		return database.MapError(err, "save neighbourhood", "neighbourhood")
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM neighbourhood_translations WHERE neighbourhood_id = ?", n.ID); err != nil {
		return database.MapError(err, "save neighbourhood", "neighbourhood")
	}
	rows := map[string]*NeighbourhoodTranslation{}
	for _, tr := range saved {
		if tr.Description != "" {
			rows[tr.Locale] = &NeighbourhoodTranslation{NeighbourhoodID: n.ID, MunicipalityID: n.MunicipalityID,
				Locale: tr.Locale, Description: tr.Description}
		}
	}
	for loc, name := range in.Name {
		if t.Locale(loc) == nil {
			return apperr.Invalid("input.names", "LocaleNotEnabled", map[string]any{"Locale": loc})
		}
		tr := rows[loc]
		if tr == nil {
			tr = &NeighbourhoodTranslation{NeighbourhoodID: n.ID, MunicipalityID: n.MunicipalityID, Locale: loc}
			rows[loc] = tr
		}
		tr.Name = strings.TrimSpace(name)
		if d, given := in.Description[loc]; given {
			tr.Description = d
		}
	}
	for _, tr := range rows {
		if tr.Name == "" && tr.Description == "" {
			continue
		}
		if _, err := tx.NewInsert().Model(tr).Exec(ctx); err != nil {
			return database.MapError(err, "save neighbourhood names", "neighbourhood")
		}
	}
	return nil
}

// committeeOf returns the committee of a neighbourhood's input.
func committeeOf(in NeighbourhoodInput) CommitteeChanges {
	c := CommitteeChanges{Email: in.Committee.Email, Phone: in.Committee.Phone, Website: in.Committee.Website}
	for _, m := range in.Committee.Members {
		c.Members = append(c.Members, CommitteeMember{Name: m.Name, Role: m.Role})
	}
	return c
}

// assignArea recomputes which organisations (unless assigned by hand), venues and
// activities lie in the neighbourhood.
func assignArea(ctx context.Context, tx bun.IDB, n *Neighbourhood, area *geo.Area) error {
	for _, k := range []struct{ table, link, key, keep string }{
		{"organisations", "organisation_neighbourhoods", "organisation_id", " AND NOT manual"},
		{"venues", "venue_neighbourhoods", "venue_id", ""},
		{"activities", "activity_neighbourhoods", "activity_id", ""},
	} {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+k.link+" WHERE neighbourhood_id = ?"+k.keep, n.ID); err != nil {
			return database.MapError(err, "reassign area", "neighbourhood")
		}
		var rows []struct {
			ID       uuid.UUID `bun:"id,type:uuid"`
			Lat, Lon float64
		}
		err := tx.NewSelect().TableExpr(k.table).Column("id", "lat", "lon").
			Where("municipality_id = ? AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?", n.MunicipalityID, n.MinLat, n.MaxLat, n.MinLon, n.MaxLon).Scan(ctx, &rows)
		if err != nil {
			return database.MapError(err, "reassign area", "neighbourhood")
		}
		var inside []uuid.UUID
		for _, r := range rows {
			if area.Contains(geo.Point{Lat: r.Lat, Lon: r.Lon}) {
				inside = append(inside, r.ID)
			}
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO "+k.link+" ("+k.key+", neighbourhood_id, municipality_id) SELECT unnest(?::uuid[]), ?, ? ON CONFLICT DO NOTHING",
			pgdialect.Array(inside), n.ID, n.MunicipalityID); err != nil {
			return database.MapError(err, "reassign area", "neighbourhood")
		}
	}
	return nil
}
