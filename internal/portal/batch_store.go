package portal

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database"
)

// The functions here fetch what many parents need in one statement each, for the
// per-request loaders. Every one is scoped by municipality.

func findOrganisationsByIDs(ctx context.Context, db bun.IDB, sc scope, ids []uuid.UUID, statuses []OrganisationStatus,
	sel selection) ([]*Organisation, error) {
	var os []*Organisation
	readable, args := sc.organisationReadable(statuses)
	err := withOrganisationTextsOf(db.NewSelect().Model(&os).ColumnExpr(sel.columns), sc.chain, sel).
		Where("o.id IN (?)", bun.In(ids)).
		Where(readable, args...).Scan(ctx)
	return os, database.MapError(err, "find organisations by id", "organisation")
}

func findActivitiesByIDs(ctx context.Context, db bun.IDB, sc scope, ids []uuid.UUID,
	sel selection) ([]*Activity, error) {
	var as []*Activity
	readable, args := sc.activityReadable()
	err := withActivityTextsOf(db.NewSelect().Model(&as).ColumnExpr(sel.columns), sc.chain, sel).
		Where("a.id IN (?)", bun.In(ids)).
		Where(readable, args...).Scan(ctx)
	return as, database.MapError(err, "find activities by id", "activity")
}

func findVenuesByIDs(ctx context.Context, db bun.IDB, mid uuid.UUID, ids []uuid.UUID) ([]*Venue, error) {
	var vs []*Venue
	// SECURITY: the municipality's venues, and those of the shared activities it shows.
	err := db.NewSelect().Model(&vs).Where("v.id IN (?)", bun.In(ids)).
		Where(`(v.municipality_id = ? OR v.id IN (SELECT a.venue_id FROM activities a
			WHERE a.id IN (SELECT fritid_served_activities(?))))`, mid, mid).Scan(ctx)
	return vs, database.MapError(err, "find venues by id", "venue")
}

// pair is one row of a link table: a parent and one of its children.
type pair struct {
	Parent uuid.UUID `bun:"parent,type:uuid"`
	Child  uuid.UUID `bun:"child,type:uuid"`
}

// findPairs returns parent -> children from a link table, in the table's order column.
// A shared provider's organisation or activity (parentCol organisation_id or activity_id)
// brings its images, and its categories as the municipality's categories of the same slug;
// its home neighbourhoods are not the municipality's, so it has none here.
func findPairs(ctx context.Context, db bun.IDB, table, parentCol, childCol, orderCol string, mid uuid.UUID,
	ids []uuid.UUID) (map[uuid.UUID][]uuid.UUID, error) {
	var ps []pair
	q := db.NewSelect().TableExpr(table+" AS l").
		ColumnExpr("l.? AS parent, l.? AS child", bun.Ident(parentCol), bun.Ident(childCol)).
		Where("l.? IN (?)", bun.Ident(parentCol), bun.In(ids))
	served := map[string]string{"organisation_id": "fritid_served_organisations",
		"activity_id": "fritid_served_activities"}
	switch fn := served[parentCol]; {
	case fn != "" && childCol == "category_id":
		// SECURITY: the municipality's own rows, or a served parent's mapped onto the
		// municipality's own categories by slug.
		q = db.NewSelect().TableExpr(table+" AS l").
			Join("JOIN categories c ON c.id = l.category_id").
			Join("JOIN categories here ON here.municipality_id = ? AND here.slug = c.slug", mid).
			ColumnExpr("l.? AS parent, here.id AS child", bun.Ident(parentCol)).
			Where("l.? IN (?)", bun.Ident(parentCol), bun.In(ids)).
			Where("(l.municipality_id = ? OR l.? IN (SELECT "+fn+"(?)))", mid, bun.Ident(parentCol), mid)
	case fn != "" && childCol == "media_id":
		// SECURITY: the municipality's own rows, or a served parent's.
		q = q.Where("(l.municipality_id = ? OR l.? IN (SELECT "+fn+"(?)))", mid, bun.Ident(parentCol), mid)
	default:
		q = q.Where("l.municipality_id = ?", mid)
	}
	if orderCol != "" {
		q = q.OrderExpr("l.?", bun.Ident(orderCol))
	}
	if err := q.Scan(ctx, &ps); err != nil {
		return nil, database.MapError(err, "find "+table, table)
	}
	out := make(map[uuid.UUID][]uuid.UUID, len(ids))
	for _, p := range ps {
		out[p.Parent] = append(out[p.Parent], p.Child)
	}
	return out, nil
}

func findMediaByIDs(ctx context.Context, db bun.IDB, mid uuid.UUID, ids []uuid.UUID) ([]*Media, error) {
	var ms []*Media
	// SECURITY: the municipality's images, and those its shared providers show.
	err := db.NewSelect().Model(&ms).Relation("Translations").
		Where("media.id IN (?)", bun.In(ids)).
		Where("(media.municipality_id = ? OR media.id IN (SELECT fritid_served_media(?)))", mid, mid).Scan(ctx)
	return ms, database.MapError(err, "find media", "media")
}

func findLinks(ctx context.Context, db bun.IDB, mid uuid.UUID, orgIDs []uuid.UUID) ([]*Link, error) {
	var ls []*Link
	// SECURITY: links of the municipality's organisations and of its shared providers.
	err := db.NewSelect().Model(&ls).
		Where("organisation_id IN (?)", bun.In(orgIDs)).
		Where("(municipality_id = ? OR organisation_id IN (SELECT fritid_served_organisations(?)))", mid, mid).
		Order("organisation_id", "sort_order").Scan(ctx)
	return ls, database.MapError(err, "find links", "link")
}

func findNeighbourhoods(ctx context.Context, db bun.IDB, mid uuid.UUID) ([]*Neighbourhood, []*NeighbourhoodTranslation, []*CommitteeMember, error) {
	var ns []*Neighbourhood
	err := db.NewSelect().
		Model(&ns).
		ExcludeColumn("area").
		Where("n.municipality_id = ?", mid).
		Order("n.sort_order", "n.slug").
		Scan(ctx)
	if err != nil {
		return nil, nil, nil, database.MapError(err, "find neighbourhoods", "neighbourhood")
	}
	var ts []*NeighbourhoodTranslation
	if err := db.NewSelect().Model(&ts).Where("municipality_id = ?", mid).Scan(ctx); err != nil {
		return nil, nil, nil, database.MapError(err, "find neighbourhood translations", "neighbourhood")
	}
	var ms []*CommitteeMember
	err = db.NewSelect().
		Model(&ms).
		Where("municipality_id = ?", mid).
		Order("neighbourhood_id", "sort_order").
		Scan(ctx)
	if err != nil {
		return nil, nil, nil, database.MapError(err, "find committee members", "neighbourhood")
	}
	return ns, ts, ms, nil
}

func findNeighbourhoodAreas(ctx context.Context, db bun.IDB, mid uuid.UUID, ids []uuid.UUID) ([]*Neighbourhood, error) {
	var ns []*Neighbourhood
	err := db.NewSelect().
		Model(&ns).
		Column("id", "area").
		Where("n.municipality_id = ? AND n.id IN (?)", mid, bun.In(ids)).
		Scan(ctx)
	return ns, database.MapError(err, "find neighbourhood areas", "neighbourhood")
}

// findBySlug returns the ID of the row of table with slug in the municipality; for
// organisations and activities also of a shared provider's, the municipality's own first.
func findIDBySlug(ctx context.Context, db bun.IDB, table string, mid uuid.UUID, slug string) (uuid.UUID, error) {
	var id uuid.UUID
	q := db.NewSelect().TableExpr(table+" AS x").Column("x.id").Where("x.slug = ?", slug)
	// SECURITY: shared rows only through the served functions (accepted and published).
	switch table {
	case "organisations":
		q = q.Where("(x.municipality_id = ? OR x.id IN (SELECT fritid_served_organisations(?)))", mid, mid)
	case "activities":
		q = q.Where("(x.municipality_id = ? OR x.id IN (SELECT fritid_served_activities(?)))", mid, mid)
	default:
		q = q.Where("x.municipality_id = ?", mid)
	}
	err := q.OrderExpr("x.municipality_id = ? DESC", mid).Limit(1).Scan(ctx, &id)
	return id, database.MapError(err, "find "+table+" by slug", table)
}
