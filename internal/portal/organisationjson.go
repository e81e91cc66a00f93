package portal

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
)

// The organisations' list, when its items show only plain fields and their first page of
// activities as a list ListJSON writes, is written as JSON by the database in one
// statement (FindOrganisationsJSON): the page of organisations, and for each its page of
// activities through a lateral join, as ActivitiesOfJSON writes them. No row is scanned
// and no item marshalled by the executor, and no batch runs for the activities.

// OrganisationJSONFields are the fields of an organisation that FindOrganisationsJSON
// writes; "activities" is a nested list (ItemJSONField.List).
var OrganisationJSONFields = map[string]bool{"id": true, "__typename": true, "name": true, "slug": true,
	"activities": true}

// FindOrganisationsJSON is FindOrganisations for a list the database writes as JSON
// (shape): the same organisations, in the same order and page, each with the same first
// page of activities as Organisation.activities gives (ActivitiesOf). ok is false when the
// list cannot be written so (a nested page size out of range: the executor's way answers
// it with its error, in its place).
func (s *Service) FindOrganisationsJSON(ctx context.Context, f Filter, order *Order, page relay.Page,
	shape ListJSON) ([]byte, bool, error) {
	// SECURITY: the same organisations as FindOrganisations (published, of the request's
	// municipality, the filter inside that scope).
	sc, o, err := s.prepare(ctx, &f, order, "filter")
	if err != nil {
		return nil, false, err
	}
	esc, err := editorScope(ctx)
	if err != nil {
		return nil, false, err
	}
	db := s.reader(ctx)
	fields := Fields{}
	var lists []ItemJSONField
	for _, l := range shape {
		for _, it := range l.Item {
			if !OrganisationJSONFields[it.Field] || (it.Field == "activities") != (it.List != nil) {
				return nil, false, fmt.Errorf("organisation JSON: field %q", it.Field)
			}
			fields[it.Field] = true
			if it.Field == "activities" {
				lists = append(lists, it)
			}
		}
	}
	rows, err := organisationsQuery(db, db.NewSelect().TableExpr("organisations AS o"), sc, &f, o, page,
		organisationColumns.selectionOf(fields))
	if err != nil {
		return nil, false, err
	}
	q := db.NewSelect().
		TableExpr("(SELECT r0.*, row_number() OVER () AS rn FROM (?) AS r0) AS og", rows).
		Where("og.rn <= ?", page.Limit)
	// Each nested list is a lateral join over the organisation's row: the rows ActivitiesOf
	// reads for it (the visible ones, SECURITY: activityVisible, for the caller's scope as
	// Organisation.activities has it), aggregated as ActivitiesOfJSON does.
	listSQL := make(map[string]string, len(lists))
	for i, l := range lists {
		np, err := nestedPage(l.First, nil)
		if err != nil {
			return nil, false, nil
		}
		agg, err := l.List.sql("Activity")
		if err != nil {
			return nil, false, err
		}
		lf := Fields{}
		for _, lf0 := range l.List {
			for _, it := range lf0.Item {
				lf[it.Field] = true
			}
		}
		n := s.nestedActivities(esc, ByOrganisation, nil, lf)
		inner, err := s.nestedRowsOf(ctx, db.NewSelect(), esc, n, ByOrganisation, nil,
			bun.Safe("ARRAY[og.id]"), np, np.Limit)
		if err != nil {
			return nil, false, err
		}
		alias := fmt.Sprintf("l%d", i)
		q = q.Join("LEFT JOIN LATERAL (SELECT "+agg+" AS json FROM (?) AS r) AS "+alias+" ON true", inner)
		listSQL[l.Key] = "coalesce(" + alias + ".json, '" + string(l.List.empty()) + "')"
	}
	items := make([]string, len(shape))
	for i, l := range shape {
		items[i], err = object(l.Item, func(it ItemJSONField) (string, error) {
			switch it.Field {
			case "id":
				return jsonText(globalIDSQL("Organisation", "og.id")), nil
			case "__typename":
				return `'"Organisation"'`, nil
			case "activities":
				return listSQL[it.Key], nil
			default: // name, slug
				return JSONStringSQL("og." + it.Field), nil
			}
		})
		if err != nil {
			return nil, false, err
		}
		q = q.ColumnExpr(fmt.Sprintf("%s AS json%d", items[i], i))
	}
	dir := "ASC"
	if page.Backward {
		dir = "DESC"
	}
	sqlRows, err := q.OrderExpr("og.rn " + dir).Rows(ctx)
	if err != nil {
		return nil, false, database.MapError(err, "find organisations", "organisation")
	}
	defer sqlRows.Close()
	raw, _, err := scanList(sqlRows, shape, nil, nil)
	if err != nil {
		return nil, false, database.MapError(err, "find organisations", "organisation")
	}
	return raw, true, nil
}
