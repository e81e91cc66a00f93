package portal

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
)

// Group names the parent of a nested list: activities of an organisation, of a venue, in a
// category, in a neighbourhood; organisations in a category or a neighbourhood.
type Group int

// The groups.
const (
	ByOrganisation Group = iota
	ByVenue
	ByCategory
	ByNeighbourhood
)

// categoryJoin is the join that puts an item in every requested category that is it or
// one of its ancestors: its two placeholders are the arrays of (requested, member) pairs.
const categoryJoin = `JOIN (SELECT DISTINCT x.%[1]s, m.parent_id FROM %[2]s x
	JOIN unnest(?::uuid[], ?::uuid[]) AS m(parent_id, category_id) ON m.category_id = x.category_id) g ON g.%[1]s = %[3]s.id`

// activityGroup returns the join (if any) and the parent column for an activity group.
func activityGroup(g Group) (join, col string) {
	switch g {
	case ByVenue:
		return "", "a.venue_id"
	case ByCategory:
		return fmt.Sprintf(categoryJoin, "activity_id", "activity_categories", "a"), "g.parent_id"
	case ByNeighbourhood:
		return "JOIN activity_neighbourhoods g ON g.activity_id = a.id", "g.neighbourhood_id"
	}
	return "", "a.organisation_id"
}

func organisationGroup(g Group) (join, col string) {
	if g == ByNeighbourhood {
		return "JOIN organisation_neighbourhoods g ON g.organisation_id = o.id", "g.neighbourhood_id"
	}
	return fmt.Sprintf(categoryJoin, "organisation_id", "organisation_categories", "o"), "g.parent_id"
}

type groupedActivity struct {
	activityRow `bun:",extend"`
	GroupID     uuid.UUID `bun:"group_id,scanonly"`
	RowNumber   int       `bun:"rn,scanonly"`
}

type groupedOrganisation struct {
	organisationRow `bun:",extend"`
	GroupID         uuid.UUID `bun:"group_id,scanonly"`
	RowNumber       int       `bun:"rn,scanonly"`
}

// nestedPage checks a nested list's page: forward only.
func nestedPage(first *int, after *string) (relay.Page, error) {
	return relay.NewPage(first, nil, after, nil, 20)
}

// ActivitiesOf returns, for each parent, the first page (by name) of its published
// activities: one statement for all parents. An organisation's list also holds, for its
// owners and editors, its activities in every status; statuses, if any, narrows every
// list to those. parentIDs for ByCategory should already include sub-categories' own
// lists; a parent category's list holds its own activities.
//
// fields says what the lists' activities must hold (nil: everything).
func (s *Service) ActivitiesOf(ctx context.Context, g Group, parentIDs []uuid.UUID, first *int, after *string,
	statuses []ActivityStatus, fields Fields) (map[uuid.UUID]*ActivityConnection, error) {
	sc, err := currentScope(ctx)
	if g == ByOrganisation {
		sc, err = editorScope(ctx)
	}
	if err != nil {
		return nil, err
	}
	page, err := nestedPage(first, after)
	if err != nil {
		return nil, err
	}
	// SECURITY: published activities of the request's municipality, and an organisation's
	// own for its owners and editors (activityVisible).
	var rows []*groupedActivity
	n := s.nestedActivities(sc, g, statuses, fields)
	if err := s.findNested(ctx, sc, n, g, parentIDs, page, &rows); err != nil {
		return nil, err
	}
	filters, err := s.groupFilters(ctx, g, parentIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]*ActivityConnection, len(parentIDs))
	for _, id := range parentIDs {
		filters[id].Statuses = statuses
		out[id] = &ActivityConnection{PageInfo: &relay.PageInfo{}, sc: sc, filter: filters[id]}
	}
	for _, r := range groupedByParent(rows, func(r *groupedActivity) uuid.UUID { return r.GroupID }) {
		rs, info := windowOf(r.rows, OrderName, page)
		c := out[r.parent]
		c.PageInfo = info
		c.Edges = make([]*ActivityEdge, len(rs))
		for i, row := range rs {
			c.Edges[i] = &ActivityEdge{edgeCursor: edgeCursor{OrderName, row.SortKey, row.ID}, Node: &row.Activity}
		}
	}
	return out, nil
}

// nestedActivities describes the nested activity lists of group g for scope sc: the
// visible ones (activityVisible), of statuses when given, with the columns and texts of
// fields.
func (s *Service) nestedActivities(sc scope, g Group, statuses []ActivityStatus, fields Fields) nested {
	spec, _ := activitySort(OrderName, sc, &Filter{})
	join, col := activityGroup(g)
	visible, args := sc.activityReadable()
	if len(statuses) > 0 {
		visible, args = visible+" AND a.status IN (?)", append(args, bun.In(statuses))
	}
	return nested{table: "activities", alias: "a", visible: visible, visibleArgs: args, sort: spec,
		sel: activityColumns.selectionOf(fields), texts: withActivityTextsOf, join: join, col: col}
}

// OrganisationsOf returns, for each category or neighbourhood, the first page (by name) of
// its published organisations: one statement for all parents. fields says what the lists'
// organisations must hold (nil: everything).
func (s *Service) OrganisationsOf(ctx context.Context, g Group, parentIDs []uuid.UUID, first *int, after *string,
	fields Fields) (map[uuid.UUID]*OrganisationConnection, error) {
	sc, err := currentScope(ctx)
	if err != nil {
		return nil, err
	}
	page, err := nestedPage(first, after)
	if err != nil {
		return nil, err
	}
	// SECURITY: published organisations of the request's municipality only.
	spec, _ := organisationSort(OrderName, &Filter{})
	join, col := organisationGroup(g)
	var rows []*groupedOrganisation
	here, hereArgs := sc.organisationsHere("o")
	n := nested{table: "organisations", alias: "o", visible: here + " AND o.status = 'PUBLISHED'",
		visibleArgs: hereArgs, sort: spec, sel: organisationColumns.selectionOf(fields),
		texts: withOrganisationTextsOf, join: join, col: col}
	if err := s.findNested(ctx, sc, n, g, parentIDs, page, &rows); err != nil {
		return nil, err
	}
	filters, err := s.groupFilters(ctx, g, parentIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]*OrganisationConnection, len(parentIDs))
	for _, id := range parentIDs {
		out[id] = &OrganisationConnection{PageInfo: &relay.PageInfo{}, sc: sc, filter: filters[id]}
	}
	for _, r := range groupedByParent(rows, func(r *groupedOrganisation) uuid.UUID { return r.GroupID }) {
		rs, info := windowOf(r.rows, OrderName, page)
		c := out[r.parent]
		c.PageInfo = info
		c.Edges = make([]*OrganisationEdge, len(rs))
		for i, row := range rs {
			c.Edges[i] = &OrganisationEdge{edgeCursor: edgeCursor{OrderName, row.SortKey, row.ID}, Node: &row.Organisation}
		}
	}
	return out, nil
}

// nested describes one kind of nested list for findNested.
type nested struct {
	table, alias, visible string // the table, its alias, and the condition for "visible" here, scope included
	visibleArgs           []any  // the visible condition's arguments
	sort                  sortSpec
	sel                   selection
	texts                 func(*bun.SelectQuery, []string, selection) *bun.SelectQuery
	join, col             string // the group's join (if any) and parent column
}

// findNested reads the first page of every parent's list in one statement: for each parent
// a lateral subquery reads its rows in order up to a page and one more (an index serves
// it), and only those rows get their texts. rows is a pointer to a slice of grouped rows,
// in the order of parentIDs, each parent's in list order.
func (s *Service) findNested(ctx context.Context, sc scope, n nested, g Group, parentIDs []uuid.UUID, page relay.Page,
	rows any) error {
	q, err := s.nestedRows(ctx, s.db.NewSelect().Model(rows), sc, n, g, parentIDs, page, page.Limit+1)
	if err != nil {
		return err
	}
	return database.MapError(q.Scan(ctx), "find nested "+n.table, n.table)
}

// nestedRows builds findNested's statement on q, with up to limit rows per parent; q has
// a model (rows to scan into) or none (a subquery).
func (s *Service) nestedRows(ctx context.Context, q *bun.SelectQuery, sc scope, n nested, g Group,
	parentIDs []uuid.UUID, page relay.Page, limit int) (*bun.SelectQuery, error) {
	return s.nestedRowsOf(ctx, q, sc, n, g, parentIDs, pgdialect.Array(unique(parentIDs)), page, limit)
}

// nestedRowsOf is nestedRows with the parents' IDs given by parents, an argument that is
// an array of UUIDs in SQL: the IDs as an array, or an expression over an outer row.
func (s *Service) nestedRowsOf(ctx context.Context, q *bun.SelectQuery, sc scope, n nested, g Group,
	parentIDs []uuid.UUID, parents any, page relay.Page, limit int) (*bun.SelectQuery, error) {
	a := n.alias
	inner := s.db.NewSelect().TableExpr(n.table+" AS "+a).ColumnExpr(n.sel.columns).
		ColumnExpr(n.sort.expr+"::text AS sort_key").
		ColumnExpr(fmt.Sprintf("row_number() OVER (ORDER BY %s, %s.id) AS rn", n.sort.expr, a)).
		Where(n.col+" = p.group_id").
		Where(n.visible, n.visibleArgs...). // SECURITY: the municipality's scope (activityReadable, organisationsHere)
		OrderExpr(n.sort.expr + ", " + a + ".id").Limit(int64(limit))
	inner, err := s.joinGroup(ctx, inner, g, n.join, parentIDs)
	if err != nil {
		return nil, err
	}
	if inner, err = afterCondition(inner, n.sort, page); err != nil {
		return nil, err
	}
	from, args := "unnest(?::uuid[]) WITH ORDINALITY AS p(group_id, ord) CROSS JOIN LATERAL (?) AS "+a,
		[]any{parents, inner}
	if q.GetModel() == nil {
		q = q.TableExpr(from, args...)
	} else {
		q = q.ModelTableExpr(from, args...)
	}
	q = q.ColumnExpr(a + ".*").ColumnExpr("p.group_id")
	return n.texts(q, sc.chain, n.sel).OrderExpr("p.ord, " + a + ".rn"), nil
}

// unique returns ids without repeats, in order.
func unique(ids []uuid.UUID) []uuid.UUID {
	seen := make(map[uuid.UUID]bool, len(ids))
	out := make([]uuid.UUID, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// joinGroup adds a group's join; for categories it pairs each requested category with
// itself and its descendants.
func (s *Service) joinGroup(ctx context.Context, q *bun.SelectQuery, g Group, join string, parentIDs []uuid.UUID) (*bun.SelectQuery, error) {
	if join == "" {
		return q, nil
	}
	if g != ByCategory {
		return q.Join(join), nil
	}
	tax, err := s.FindTaxonomy(ctx)
	if err != nil {
		return nil, err
	}
	var parents, members []uuid.UUID
	for _, p := range parentIDs {
		ids, err := tax.withDescendants([]uuid.UUID{p}, "id")
		if err != nil {
			return nil, err
		}
		for _, m := range ids {
			parents, members = append(parents, p), append(members, m)
		}
	}
	return q.Join(join, pgdialect.Array(parents), pgdialect.Array(members)), nil
}

// afterCondition adds a nested list's after-cursor condition.
func afterCondition(q *bun.SelectQuery, spec sortSpec, page relay.Page) (*bun.SelectQuery, error) {
	if page.After == "" {
		return q, nil
	}
	var key cursorKey
	if err := relay.DecodeCursor(page.After, "after", &key); err != nil {
		return nil, err
	}
	if key.O != spec.order {
		return nil, apperr.Invalid("after", "InvalidCursor", nil)
	}
	return q.Where(fmt.Sprintf("(%s, %s) > (?::%s, ?::uuid)", spec.expr, spec.idCol, spec.cast), key.K, key.ID), nil
}

// groupFilters returns each parent's filter, for totalCount: a category's includes its
// descendants.
func (s *Service) groupFilters(ctx context.Context, g Group, parentIDs []uuid.UUID) (map[uuid.UUID]*Filter, error) {
	out := make(map[uuid.UUID]*Filter, len(parentIDs))
	var tax *Taxonomy
	if g == ByCategory {
		var err error
		if tax, err = s.FindTaxonomy(ctx); err != nil {
			return nil, err
		}
	}
	for _, id := range parentIDs {
		f := &Filter{}
		setGroupFilter(f, g, id)
		if tax != nil {
			ids, err := tax.withDescendants(f.CategoryIDs, "id")
			if err != nil {
				return nil, err
			}
			f.CategoryIDs = ids
		}
		out[id] = f
	}
	return out, nil
}

// setGroupFilter makes f the filter of one parent's list, for totalCount.
func setGroupFilter(f *Filter, g Group, id uuid.UUID) {
	switch g {
	case ByOrganisation:
		f.OrganisationID = &id
	case ByVenue:
		f.VenueID = &id
	case ByCategory:
		f.CategoryIDs = []uuid.UUID{id}
	case ByNeighbourhood:
		f.NeighbourhoodIDs = []uuid.UUID{id}
	}
}

type parentRows[T any] struct {
	parent uuid.UUID
	rows   []T
}

// groupedByParent splits rows sorted by parent into runs.
func groupedByParent[T any](rows []T, parent func(T) uuid.UUID) []parentRows[T] {
	var out []parentRows[T]
	for _, r := range rows {
		p := parent(r)
		if len(out) == 0 || out[len(out)-1].parent != p {
			out = append(out, parentRows[T]{parent: p})
		}
		out[len(out)-1].rows = append(out[len(out)-1].rows, r)
	}
	return out
}
