package portal

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/schema"

	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/portal/geo"
)

// activityRow is an activity with its sort value, as a list query returns it.
type activityRow struct {
	Activity `bun:",extend"`
	SortKey  string `bun:"sort_key,scanonly"`
}

func (r *activityRow) key() (string, uuid.UUID) { return r.SortKey, r.ID }

// scope says whose rows a list query may see and in which locales texts are wanted.
type scope struct {
	municipalityID uuid.UUID
	chain          []string // the request's locale chain, ending in the default
	defaultLocale  string
	editor         uuid.UUID // a signed-in user whose own items are visible too (editorScope); Nil: public only
	everyListing   bool      // the caller keeps every listing's content (editorScope): all are visible
	// homes are the home municipalities of the providers the municipality has accepted,
	// when homesKnown (withHomes): lists then scan those municipalities' rows only.
	homes      []uuid.UUID
	homesKnown bool
}

// whereActivities adds the filter's conditions on activities "a" to q.
func whereActivities(q *bun.SelectQuery, sc scope, f *Filter) *bun.SelectQuery {
	readable, args := sc.activityReadable()
	q = q.Where(readable, args...)
	if len(f.CategoryIDs) > 0 {
		q = q.Where("a.id IN (SELECT ac.activity_id FROM activity_categories ac WHERE ac.category_id IN ("+
			sameSlugCategories+"))", bun.In(f.CategoryIDs))
	}
	if len(f.TargetGroups) > 0 {
		q = q.Where("a.target_groups && ?::text[]", pgdialect.Array(f.TargetGroups))
	}
	if f.Age != nil {
		q = q.Where("(a.age_min IS NULL OR a.age_min <= ?) AND (a.age_max IS NULL OR a.age_max >= ?)", *f.Age, *f.Age)
	}
	if f.FreeOnly {
		q = q.Where("a.price_ore = 0")
	}
	if len(f.Accessibility) > 0 {
		q = q.Where("a.accessibility @> ?::text[]", pgdialect.Array(f.Accessibility))
	}
	if len(f.Languages) > 0 {
		q = q.Where("a.languages && ?::text[]", pgdialect.Array(f.Languages))
	}
	if len(f.NeighbourhoodIDs) > 0 {
		q = q.Where("a.id IN (SELECT an.activity_id FROM activity_neighbourhoods an WHERE an.neighbourhood_id IN (?))", bun.In(f.NeighbourhoodIDs))
	}
	if len(f.OrganisationKinds) > 0 {
		here, hereArgs := sc.organisationsHere("o")
		q = q.Where("a.organisation_id IN (SELECT o.id FROM organisations o WHERE "+here+" AND o.kind IN (?))",
			append(hereArgs, bun.In(f.OrganisationKinds))...)
	}
	if f.AcceptsCard != nil {
		q = q.Where("a.accepts_card = ?", *f.AcceptsCard)
	}
	if f.OrganisationID != nil {
		q = q.Where("a.organisation_id = ?", *f.OrganisationID)
	}
	if len(f.Statuses) > 0 {
		q = q.Where("a.status IN (?)", bun.In(f.Statuses))
	}
	if f.VenueID != nil {
		q = q.Where("a.venue_id = ?", *f.VenueID)
	}
	if f.Query != "" {
		rows, rowArgs := sc.homeRows("t")
		q = q.Where("a.id IN (SELECT t.activity_id FROM activity_translations t WHERE "+rows+" AND ("+
			textMatch("t", "title")+"))", append(rowArgs, textArgs(sc.municipalityID, f.Query)[1:]...)...)
	}
	return wherePlace(q, "a", f)
}

// wherePlace adds the near and within conditions on the lat/lon columns of alias.
func wherePlace(q *bun.SelectQuery, alias string, f *Filter) *bun.SelectQuery {
	if f.Near != nil {
		b := geo.AroundBox(f.Near.Point, f.Near.RadiusKm)
		q = q.Where(alias+".lat BETWEEN ? AND ? AND "+alias+".lon BETWEEN ? AND ?", b.MinLat, b.MaxLat, b.MinLon, b.MaxLon).
			Where(distanceSQL(alias)+" <= ?", f.Near.Point.Lat, f.Near.Point.Lon, f.Near.RadiusKm)
	}
	if f.Within != nil {
		w := f.Within
		q = q.Where(alias+".lat BETWEEN ? AND ? AND "+alias+".lon BETWEEN ? AND ?", w.MinLat, w.MaxLat, w.MinLon, w.MaxLon)
	}
	return q
}

// distanceSQL is the great-circle distance in km from alias's location to a point given as
// two placeholders (lat, lon).
func distanceSQL(alias string) string {
	return fmt.Sprintf("fritid_distance_km(%s.lat, %s.lon, ?, ?)", alias, alias)
}

// textMatch is the condition that translation alias t (with a title-like column) matches a
// text query: full-text search in the translation's own language, or trigram similarity
// of the title (typos). Its placeholders are filled by textArgs after the municipality.
func textMatch(t, titleCol string) string {
	return fmt.Sprintf(`(fritid_ts_config(%[1]s.locale) = 'norwegian'::regconfig AND %[1]s.search @@ to_tsquery('norwegian', ?))
		OR (fritid_ts_config(%[1]s.locale) = 'english'::regconfig AND %[1]s.search @@ to_tsquery('english', ?))
		OR (fritid_ts_config(%[1]s.locale) = 'simple'::regconfig AND %[1]s.search @@ to_tsquery('simple', ?))
		OR ? <%% %[1]s.%[2]s`, t, titleCol)
}

func textArgs(municipalityID uuid.UUID, query string) []any {
	tq := tsQuery(queryWords(query))
	return []any{municipalityID, tq, tq, tq, queryWordsJoined(query)}
}

// activitySort returns the keyset order for order in scope.
func activitySort(order Order, sc scope, f *Filter) (sortSpec, []any) {
	switch order {
	case OrderRelevance:
		tq := tsQuery(queryWords(f.Query))
		words := queryWordsJoined(f.Query)
		expr := `(SELECT max(ts_rank(t.search, to_tsquery(fritid_ts_config(t.locale), ?)) + word_similarity(?, t.title))::float8
			FROM activity_translations t WHERE t.activity_id = a.id)`
		return sortSpec{order: order, expr: expr, cast: "float8", desc: true, idCol: "a.id"}, []any{tq, words}
	case OrderDistance:
		return sortSpec{order: order, expr: distanceSQL("a"), cast: "float8", idCol: "a.id"}, []any{f.Near.Point.Lat, f.Near.Point.Lon}
	case OrderUpdatedAt:
		return sortSpec{order: order, expr: "a.updated_at", cast: "timestamptz", desc: true, idCol: "a.id"}, nil
	}
	return sortSpec{order: OrderName, expr: nameExpr(sc), cast: `text COLLATE "nb-x-icu"`, idCol: "a.id"}, nil
}

// nameExpr is an activity's title in the request's locale chain, for sorting: the stored
// sort name when the chain leads to the default locale at once, else the first title found.
func nameExpr(sc scope) string {
	var parts []string
	for _, loc := range sc.chain {
		if loc == sc.defaultLocale {
			break
		}
		parts = append(parts, fmt.Sprintf("(SELECT t.title FROM activity_translations t WHERE t.activity_id = a.id AND t.locale = '%s')", sqlLiteral(loc)))
	}
	if len(parts) == 0 { // the plain column, so the name index serves the order
		return `(a.sort_name COLLATE "nb-x-icu")`
	}
	parts = append(parts, "a.sort_name")
	return `(COALESCE(` + strings.Join(parts, ", ") + `) COLLATE "nb-x-icu")`
}

// sqlLiteral guards a locale code (already validated) for use inside a SQL literal.
func sqlLiteral(s string) string { return strings.ReplaceAll(s, "'", "''") }

// findActivities returns a page of activities with what sel selects, each with its sort value.
func findActivities(ctx context.Context, db bun.IDB, sc scope, f *Filter, order Order, page relay.Page,
	sel selection) ([]*activityRow, error) {
	var rows []*activityRow
	q, err := activitiesQuery(db, db.NewSelect().Model(&rows), sc, f, order, page, sel)
	if err != nil {
		return nil, err
	}
	if err := q.Scan(ctx); err != nil {
		return nil, database.MapError(err, "find activities", "activity")
	}
	return rows, nil
}

// activitiesQuery adds to q (over activities "a") what findActivities selects, filters and
// orders: one page of activities with what sel selects, each with its sort value.
func activitiesQuery(db bun.IDB, q *bun.SelectQuery, sc scope, f *Filter, order Order, page relay.Page,
	sel selection) (*bun.SelectQuery, error) {
	spec, sortArgs := activitySort(order, sc, f)
	q = withActivityTextsOf(q.ColumnExpr(sel.columns), sc.chain, sel)
	if f.Near != nil {
		q = q.ColumnExpr(distanceSQL("a")+" AS distance_km", f.Near.Point.Lat, f.Near.Point.Lon)
	}
	q = whereActivities(q, sc, f)
	spec.expr = bindExpr(db, spec.expr, sortArgs)
	return spec.apply(q, page)
}

// bindExpr fills an expression's placeholders now, so it can be repeated in SELECT, WHERE
// and ORDER BY.
func bindExpr(db bun.IDB, expr string, args []any) string {
	if len(args) == 0 {
		return expr
	}
	return schema.NewQueryGen(db.Dialect()).FormatQuery(expr, args...)
}

// countActivities returns how many activities match the filter.
func countActivities(ctx context.Context, db bun.IDB, sc scope, f *Filter) (int, error) {
	q := whereActivities(db.NewSelect().TableExpr("activities AS a"), sc, f)
	n, err := q.Count(ctx)
	return int(n), database.MapError(err, "count activities", "activity")
}
