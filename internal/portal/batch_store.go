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
	visible, args := sc.organisationVisible(statuses)
	err := withOrganisationTextsOf(db.NewSelect().Model(&os).ColumnExpr(sel.columns), sc.chain, sel).
		Where("o.municipality_id = ? AND o.id IN (?)", sc.municipalityID, bun.In(ids)).
		Where(visible, args...).Scan(ctx)
	return os, database.MapError(err, "find organisations by id", "organisation")
}

func findActivitiesByIDs(ctx context.Context, db bun.IDB, sc scope, ids []uuid.UUID,
	sel selection) ([]*Activity, error) {
	var as []*Activity
	visible, args := sc.activityVisible()
	err := withActivityTextsOf(db.NewSelect().Model(&as).ColumnExpr(sel.columns), sc.chain, sel).
		Where("a.municipality_id = ? AND a.id IN (?)", sc.municipalityID, bun.In(ids)).
		Where(visible, args...).Scan(ctx)
	return as, database.MapError(err, "find activities by id", "activity")
}

func findVenuesByIDs(ctx context.Context, db bun.IDB, mid uuid.UUID, ids []uuid.UUID) ([]*Venue, error) {
	var vs []*Venue
	err := db.NewSelect().Model(&vs).Where("v.municipality_id = ? AND v.id IN (?)", mid, bun.In(ids)).Scan(ctx)
	return vs, database.MapError(err, "find venues by id", "venue")
}

// pair is one row of a link table: a parent and one of its children.
type pair struct {
	Parent uuid.UUID `bun:"parent,type:uuid"`
	Child  uuid.UUID `bun:"child,type:uuid"`
}

// findPairs returns parent -> children from a link table, in the table's order column.
func findPairs(ctx context.Context, db bun.IDB, table, parentCol, childCol, orderCol string, mid uuid.UUID, ids []uuid.UUID) (map[uuid.UUID][]uuid.UUID, error) {
	var ps []pair
	q := db.NewSelect().TableExpr(table).
		ColumnExpr("? AS parent, ? AS child", bun.Ident(parentCol), bun.Ident(childCol)).
		Where("municipality_id = ? AND ? IN (?)", mid, bun.Ident(parentCol), bun.In(ids))
	if orderCol != "" {
		q = q.OrderExpr("?", bun.Ident(orderCol))
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
	err := db.NewSelect().Model(&ms).Relation("Translations").
		Where("media.municipality_id = ? AND media.id IN (?)", mid, bun.In(ids)).Scan(ctx)
	return ms, database.MapError(err, "find media", "media")
}

func findLinks(ctx context.Context, db bun.IDB, mid uuid.UUID, orgIDs []uuid.UUID) ([]*Link, error) {
	var ls []*Link
	err := db.NewSelect().Model(&ls).
		Where("municipality_id = ? AND organisation_id IN (?)", mid, bun.In(orgIDs)).
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

// findBySlug returns the ID of the row of table with slug in the municipality.
func findIDBySlug(ctx context.Context, db bun.IDB, table string, mid uuid.UUID, slug string) (uuid.UUID, error) {
	var id uuid.UUID
	err := db.NewSelect().
		TableExpr(table).
		Column("id").
		Where("municipality_id = ? AND slug = ?", mid, slug).
		Scan(ctx, &id)
	return id, database.MapError(err, "find "+table+" by slug", table)
}
