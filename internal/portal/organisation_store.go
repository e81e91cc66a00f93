package portal

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
)

// organisationRow is an organisation with its sort value, as a list query returns it.
type organisationRow struct {
	Organisation `bun:",extend"`
	SortKey      string `bun:"sort_key,scanonly"`
}

func (r *organisationRow) key() (string, uuid.UUID) { return r.SortKey, r.ID }

// whereOrganisations adds the filter's conditions on organisations "o" to q. Filters that
// describe activities (age, target groups, free ...) match organisations that have such a
// published activity.
func whereOrganisations(q *bun.SelectQuery, sc scope, f *Filter) *bun.SelectQuery {
	here, hereArgs := sc.organisationsHere("o")
	q = q.Where(here, hereArgs...).Where("o.status = 'PUBLISHED'")
	if len(f.CategoryIDs) > 0 {
		q = q.Where("o.id IN (SELECT oc.organisation_id FROM organisation_categories oc WHERE oc.category_id IN ("+
			sameSlugCategories+"))", bun.In(f.CategoryIDs))
	}
	if len(f.NeighbourhoodIDs) > 0 {
		q = q.Where("o.id IN (SELECT onb.organisation_id FROM organisation_neighbourhoods onb WHERE onb.neighbourhood_id IN (?))", bun.In(f.NeighbourhoodIDs))
	}
	if len(f.OrganisationKinds) > 0 {
		q = q.Where("o.kind IN (?)", bun.In(f.OrganisationKinds))
	}
	if f.Query != "" {
		// The translations are matched against organisations already in scope (o.id IN ...).
		args := textArgs(sc.municipalityID, f.Query)
		rows, rowArgs := sc.homeRows("t")
		q = q.Where(`(o.id IN (SELECT t.organisation_id FROM organisation_translations t WHERE `+rows+` AND (`+
			textMatchNoTitle("t")+`))
			OR to_tsvector('simple', o.name) @@ to_tsquery('simple', ?) OR ? <% o.name)`,
			append(rowArgs, args[1], args[2], args[3], args[3], args[4])...)
	}
	if af := activityPart(f); af != nil {
		sub := whereActivities(q.DB().NewSelect().TableExpr("activities AS a").Column("a.organisation_id"), sc, af)
		q = q.Where("o.id IN (?)", sub)
	}
	return wherePlace(q, "o", f)
}

// textMatchNoTitle is textMatch for translations without a title column.
func textMatchNoTitle(t string) string {
	return `(fritid_ts_config(` + t + `.locale) = 'norwegian'::regconfig AND ` + t + `.search @@ to_tsquery('norwegian', ?))
		OR (fritid_ts_config(` + t + `.locale) = 'english'::regconfig AND ` + t + `.search @@ to_tsquery('english', ?))
		OR (fritid_ts_config(` + t + `.locale) = 'simple'::regconfig AND ` + t + `.search @@ to_tsquery('simple', ?))`
}

// activityPart returns the part of f that is about activities, or nil when there is none.
func activityPart(f *Filter) *Filter {
	af := &Filter{TargetGroups: f.TargetGroups, Age: f.Age, FreeOnly: f.FreeOnly, Accessibility: f.Accessibility, Languages: f.Languages, AcceptsCard: f.AcceptsCard}
	if len(af.TargetGroups) == 0 && af.Age == nil && !af.FreeOnly && len(af.Accessibility) == 0 && len(af.Languages) == 0 && af.AcceptsCard == nil {
		return nil
	}
	return af
}

// organisationSort returns the keyset order for organisations.
func organisationSort(order Order, f *Filter) (sortSpec, []any) {
	switch order {
	case OrderRelevance:
		words := queryWordsJoined(f.Query)
		tq := tsQuery(queryWords(f.Query))
		expr := `(word_similarity(?, o.name) + coalesce((SELECT max(ts_rank(t.search, to_tsquery(fritid_ts_config(t.locale), ?)))
			FROM organisation_translations t WHERE t.organisation_id = o.id), 0))::float8`
		return sortSpec{order: order, expr: expr, cast: "float8", desc: true, idCol: "o.id"}, []any{words, tq}
	case OrderDistance:
		return sortSpec{order: order, expr: distanceSQL("o"), cast: "float8", idCol: "o.id"}, []any{f.Near.Point.Lat, f.Near.Point.Lon}
	case OrderUpdatedAt:
		return sortSpec{order: order, expr: "o.updated_at", cast: "timestamptz", desc: true, idCol: "o.id"}, nil
	}
	return sortSpec{order: OrderName, expr: `(o.name COLLATE "nb-x-icu")`, cast: `text COLLATE "nb-x-icu"`, idCol: "o.id"}, nil
}

// findOrganisations returns a page of organisations with what sel selects, each with its
// sort value.
func findOrganisations(ctx context.Context, db bun.IDB, sc scope, f *Filter, order Order, page relay.Page,
	sel selection) ([]*organisationRow, error) {
	var rows []*organisationRow
	q, err := organisationsQuery(db, db.NewSelect().Model(&rows), sc, f, order, page, sel)
	if err != nil {
		return nil, err
	}
	if err := q.Scan(ctx); err != nil {
		return nil, database.MapError(err, "find organisations", "organisation")
	}
	return rows, nil
}

// organisationsQuery adds to q (over organisations "o") what findOrganisations selects,
// filters and orders: one page of organisations with what sel selects, each with its sort
// value.
func organisationsQuery(db bun.IDB, q *bun.SelectQuery, sc scope, f *Filter, order Order, page relay.Page,
	sel selection) (*bun.SelectQuery, error) {
	spec, sortArgs := organisationSort(order, f)
	q = withOrganisationTextsOf(q.ColumnExpr(sel.columns), sc.chain, sel)
	if f.Near != nil {
		q = q.ColumnExpr(distanceSQL("o")+" AS distance_km", f.Near.Point.Lat, f.Near.Point.Lon)
	}
	q = whereOrganisations(q, sc, f)
	spec.expr = bindExpr(db, spec.expr, sortArgs)
	return spec.apply(q, page)
}

// countOrganisations returns how many organisations match the filter.
func countOrganisations(ctx context.Context, db bun.IDB, sc scope, f *Filter) (int, error) {
	n, err := whereOrganisations(db.NewSelect().TableExpr("organisations AS o"), sc, f).Count(ctx)
	return int(n), database.MapError(err, "count organisations", "organisation")
}
