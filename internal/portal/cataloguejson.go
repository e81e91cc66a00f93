package portal

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
)

// The catalogue's list of activities, when its items show only texts, plain fields and
// their organisation, venue and categories by name, is written as JSON by the database in
// one statement (FindActivitiesJSON), as ListJSON does for nested lists: the list's rows,
// organisations and venues are neither scanned nor marshalled field by field, and no batch
// runs for them. Every other selection is answered the usual way.

// CatalogueJSONFields are the fields ListJSON can write for the catalogue's activities, by
// type: "Activity" for the items, the others for the objects they show.
var CatalogueJSONFields = map[string]map[string]bool{
	"Activity": {"id": true, "__typename": true, "title": true, "slug": true, "summary": true,
		"description": true, "textLocale": true, "priceOre": true, "free": true,
		"organisation": true, "venue": true, "categories": true},
	"Organisation": {"id": true, "__typename": true, "name": true, "slug": true, "summary": true},
	"Venue":        {"id": true, "__typename": true, "name": true, "address": true},
	"Address":      {"__typename": true, "street": true, "postalCode": true, "place": true},
}

// CategoryJSON is one category as an activity's categories list shows it: its JSON,
// written by the caller from the request's localised taxonomy. FindActivitiesJSON takes the
// municipality's categories in display order.
type CategoryJSON struct {
	ID   uuid.UUID
	JSON string
}

// catalogueJSON builds the expression of one item's JSON over the list's row "r", its
// organisation "o" and venue "v" (lateral joins the builder adds), and the categories.
type catalogueJSON struct {
	needOrg    bool
	needVenue  bool
	needCats   bool
	fields     Fields // the activity's fields shown
	orgSummary bool
	exact      bool // texts escaped as the executor writes them (JSONStringSQL)
}

// text is the JSON string of a text column.
func (c *catalogueJSON) text(expr string) string {
	if c.exact {
		return JSONStringSQL(expr)
	}
	return jsonText(expr)
}

// object returns the JSON of an object with fields over expressions expr gives, or an
// error for a field it cannot write.
func object(fields []ItemJSONField, expr func(ItemJSONField) (string, error)) (string, error) {
	if len(fields) == 0 {
		return "'{}'", nil
	}
	parts := make([]string, len(fields))
	for i, f := range fields {
		if !jsonKey.MatchString(f.Key) {
			return "", fmt.Errorf("list JSON: bad key %q", f.Key)
		}
		e, err := expr(f)
		if err != nil {
			return "", err
		}
		sep := ","
		if i == 0 {
			sep = "{"
		}
		parts[i] = `'` + sep + `"` + f.Key + `":' || ` + e
	}
	return strings.Join(parts, " || ") + " || '}'", nil
}

// plain checks f is a field of typename that ListJSON writes, with no fields of its own
// unless it is an object.
func plain(typename string, f ItemJSONField, object bool) error {
	if !CatalogueJSONFields[typename][f.Field] || (len(f.Sub) > 0) != object {
		return fmt.Errorf("list JSON: field %s.%s", typename, f.Field)
	}
	return nil
}

func jsonText(expr string) string { return "to_json(" + expr + ")::text" }

// activity returns the expression of an activity's JSON.
func (c *catalogueJSON) activity(fields []ItemJSONField) (string, error) {
	return object(fields, func(f ItemJSONField) (string, error) {
		nested := f.Field == "organisation" || f.Field == "venue" || f.Field == "categories"
		if err := plain("Activity", f, nested); err != nil {
			return "", err
		}
		c.fields[f.Field] = true
		switch f.Field {
		case "id":
			return jsonText(globalIDSQL("Activity", "r.id")), nil
		case "__typename":
			return `'"Activity"'`, nil
		case "title", "slug", "summary", "description":
			return jsonText("r." + f.Field), nil
		case "textLocale":
			return "coalesce(" + jsonText("r.text_locale") + ", 'null')", nil
		case "priceOre":
			return "r.price_ore::text", nil
		case "free":
			return "(r.price_ore = 0)::text", nil
		case "organisation":
			c.needOrg = true
			return c.organisation(f.Sub)
		case "venue":
			c.needVenue = true
			v, err := c.venue(f.Sub)
			return "CASE WHEN v.id IS NULL THEN 'null' ELSE " + v + " END", err
		default: // categories
			c.needCats = true
			return categoriesSQL, c.category(f.Sub)
		}
	})
}

func (c *catalogueJSON) organisation(fields []ItemJSONField) (string, error) {
	return object(fields, func(f ItemJSONField) (string, error) {
		if err := plain("Organisation", f, false); err != nil {
			return "", err
		}
		switch f.Field {
		case "id":
			return jsonText(globalIDSQL("Organisation", "o.id")), nil
		case "__typename":
			return `'"Organisation"'`, nil
		case "summary":
			c.orgSummary = true
			return c.text("o.summary"), nil
		default: // name, slug
			return c.text("o." + f.Field), nil
		}
	})
}

func (c *catalogueJSON) venue(fields []ItemJSONField) (string, error) {
	return object(fields, func(f ItemJSONField) (string, error) {
		if err := plain("Venue", f, f.Field == "address"); err != nil {
			return "", err
		}
		switch f.Field {
		case "id":
			return jsonText(globalIDSQL("Venue", "v.id")), nil
		case "__typename":
			return `'"Venue"'`, nil
		case "name":
			return c.text("v.name"), nil
		default: // address: null when it has none, as address()
			a, err := object(f.Sub, func(f ItemJSONField) (string, error) {
				if err := plain("Address", f, false); err != nil {
					return "", err
				}
				switch f.Field {
				case "__typename":
					return `'"Address"'`, nil
				case "postalCode":
					return c.text("v.postal_code"), nil
				default: // street, place
					return c.text("v." + f.Field), nil
				}
			})
			return "CASE WHEN v.street = '' AND v.postal_code = '' AND v.place = '' THEN 'null' ELSE " + a + " END", err
		}
	})
}

// category checks a category's fields: the caller writes their JSON (CategoryJSON).
func (c *catalogueJSON) category(fields []ItemJSONField) error {
	for _, f := range fields {
		switch f.Field {
		case "id", "__typename", "name", "slug":
		default:
			return fmt.Errorf("list JSON: field Category.%s", f.Field)
		}
	}
	return nil
}

// categoriesSQL is the expression of an activity's categories: those of the taxonomy
// ("k": the municipality's categories, see CategoryJSON) it belongs to, in its order.
const categoriesSQL = `'[' || coalesce((SELECT string_agg(k.json, ',' ORDER BY k.ord) FROM activity_categories ac
	JOIN unnest(kc.ids, kc.jsons) WITH ORDINALITY AS k(id, json, ord) ON k.id = ac.category_id
	WHERE ac.municipality_id = r.municipality_id AND ac.activity_id = r.id), '') || ']'`

// FindActivitiesJSON is FindActivities for a list the database writes as JSON (shape; cats
// are the municipality's categories, see CategoryJSON): the same activities, in the same
// order and page, with the same organisations and venues as FindActivities and the
// request's batches give them. ok is false when the list cannot be written so: an activity
// whose organisation the caller may not read (FindActivities' way answers it with an error).
func (s *Service) FindActivitiesJSON(ctx context.Context, f Filter, order *Order, page relay.Page,
	shape ListJSON, cats []CategoryJSON) ([]byte, bool, error) {
	// SECURITY: the same activities as FindActivities (published, of the request's
	// municipality, the filter inside that scope), and the same organisations as
	// OrganisationsByID: an activity whose organisation the caller may not read is not
	// written here, but left to FindActivities' way.
	sc, o, err := s.prepare(ctx, &f, order, "filter")
	if err != nil {
		return nil, false, err
	}
	esc, err := editorScope(ctx)
	if err != nil {
		return nil, false, err
	}
	statuses := []OrganisationStatus{OrganisationPublished}
	if auth.ViewerFrom(ctx).Has(auth.RoleAdmin) {
		statuses = append(statuses, OrganisationPending)
	}
	c := &catalogueJSON{fields: Fields{}}
	orgVisible, orgArgs := esc.organisationReadable(statuses)
	items, ok, err := c.itemsSQL(shape)
	if err != nil || !ok {
		return nil, false, err
	}
	db := s.reader(ctx)
	rows, err := activitiesQuery(db, db.NewSelect().TableExpr("activities AS a"), sc, &f, o, page,
		activityColumns.selectionOf(c.fields))
	if err != nil {
		return nil, false, err
	}
	// rn numbers the page's rows in the order the page's statement returns them (its ORDER
	// BY, read straight from the subquery), so the rows after the page are left out and the
	// items written in its order.
	q := db.NewSelect().
		TableExpr("(SELECT r0.*, row_number() OVER () AS rn FROM (?) AS r0) AS r", rows).
		ColumnExpr("r.rn").
		Where("r.rn <= ?", page.Limit)
	if c.needOrg {
		summary := ""
		if c.orgSummary {
			summary = ", coalesce((SELECT t.summary FROM organisation_translations t WHERE t.organisation_id = o.id" +
				" AND t.summary <> '' ORDER BY " + chainOrder + " LIMIT 1), '') AS summary"
		}
		args := []any{}
		if c.orgSummary {
			args = append(args, pgdialect.Array(sc.chain))
		}
		args = append(args, orgArgs...)
		q = q.Join("LEFT JOIN LATERAL (SELECT o.id, o.name, o.slug"+summary+
			" FROM organisations o WHERE o.id = r.organisation_id AND "+orgVisible+
			") AS o ON true", args...).
			ColumnExpr("o.id IS NOT NULL AS org_ok")
	} else {
		q = q.ColumnExpr("true AS org_ok")
	}
	if c.needVenue {
		q = q.Join("LEFT JOIN LATERAL (SELECT v.id, v.street, v.postal_code, v.place, "+venueNameSQL(sc)+
			" AS name FROM venues v WHERE v.id = r.venue_id AND v.municipality_id = r.municipality_id) AS v ON true",
			venueNameArgs(sc)...)
	}
	if c.needCats {
		ids := make([]string, len(cats))
		jsons := make([]string, len(cats))
		for i, k := range cats {
			ids[i], jsons[i] = k.ID.String(), k.JSON
		}
		q = q.Join("CROSS JOIN (SELECT ?::uuid[] AS ids, ?::text[] AS jsons) AS kc",
			pgdialect.Array(ids), pgdialect.Array(jsons))
	}
	for i, item := range items {
		q = q.ColumnExpr(fmt.Sprintf("%s AS json%d", item, i))
	}
	dir := "ASC"
	if page.Backward {
		dir = "DESC"
	}
	q = q.OrderExpr("r.rn " + dir)
	sqlRows, err := q.Rows(ctx)
	if err != nil {
		return nil, false, database.MapError(err, "find activities", "activity")
	}
	defer sqlRows.Close()
	var rn int64
	var orgOK bool
	raw, ok, err := scanList(sqlRows, shape, []any{&rn, &orgOK}, func() bool { return orgOK })
	if err != nil {
		return nil, false, database.MapError(err, "find activities", "activity")
	}
	return raw, ok, nil
}

// itemsSQL returns, for each field of shape, the expression of one item's JSON.
func (c *catalogueJSON) itemsSQL(shape ListJSON) ([]string, bool, error) {
	if len(shape) == 0 {
		return nil, false, nil
	}
	out := make([]string, len(shape))
	for i, f := range shape {
		item, err := c.activity(f.Item)
		if err != nil {
			return nil, false, err
		}
		out[i] = item
	}
	return out, true, nil
}

// listBuffer collects a list's JSON (of shape) as its rows are read: for each field, its
// items' JSON in order, so each row's texts are copied once, into a buffer sized as it grows.
type listBuffer struct {
	shape  ListJSON
	fields [][]byte
	n      int
}

func newListBuffer(shape ListJSON) *listBuffer {
	return &listBuffer{shape: shape, fields: make([][]byte, len(shape))}
}

// add appends one row: the JSON of its item in each field of the shape.
func (b *listBuffer) add(row []sql.RawBytes) {
	for i, f := range b.shape {
		buf := b.fields[i]
		if b.n > 0 {
			buf = append(buf, ',')
		}
		if f.EdgeKey != "" {
			buf = append(append(append(buf, `{"`...), f.EdgeKey...), `":`...)
		}
		buf = append(buf, row[i]...)
		if f.EdgeKey != "" {
			buf = append(buf, '}')
		}
		b.fields[i] = buf
	}
	b.n++
}

// bytes returns the list's JSON.
func (b *listBuffer) bytes() []byte {
	size := 2
	for i, f := range b.shape {
		size += len(f.Key) + 6 + len(b.fields[i])
	}
	out := make([]byte, 0, size)
	out = append(out, '{')
	for i, f := range b.shape {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(append(append(append(out, '"'), f.Key...), `":[`...), b.fields[i]...)
		out = append(out, ']')
	}
	return append(out, '}')
}

// scanList reads rows whose columns are skip columns (scanned into skipTo, may be nil)
// and then each field's item JSON, into a list of shape. stop, when it returns false
// for a row's skipped columns, ends the read with ok false.
func scanList(rows *sql.Rows, shape ListJSON, skipTo []any, stop func() bool) ([]byte, bool, error) {
	b := newListBuffer(shape)
	raw := make([]sql.RawBytes, len(shape))
	dest := append([]any{}, skipTo...)
	for i := range raw {
		dest = append(dest, &raw[i])
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, false, err
		}
		if stop != nil && !stop() {
			return nil, false, nil
		}
		b.add(raw)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	return b.bytes(), true, nil
}

// venueNameSQL is a venue "v"'s name as VenueNames and the venue's resolver give it: the
// first name along the request's chain before the default language, if not empty, else
// the venue's own name. Its placeholders are filled by venueNameArgs.
func venueNameSQL(sc scope) string {
	if len(localesBeforeDefault(sc)) == 0 {
		return "v.name"
	}
	return `coalesce(nullif((SELECT t.name FROM venue_translations t WHERE t.municipality_id = v.municipality_id
		AND t.venue_id = v.id AND t.locale = ANY(?::text[]) ORDER BY array_position(?::text[], t.locale) LIMIT 1), ''),
		v.name)`
}

// venueNameArgs returns venueNameSQL's arguments followed by more.
func venueNameArgs(sc scope, more ...any) []any {
	before := localesBeforeDefault(sc)
	if len(before) == 0 {
		return more
	}
	return append([]any{pgdialect.Array(before), pgdialect.Array(before)}, more...)
}

// localesBeforeDefault are the chain's locales before the default language.
func localesBeforeDefault(sc scope) []string {
	var before []string
	for _, l := range sc.chain {
		if strings.EqualFold(l, sc.defaultLocale) {
			break
		}
		before = append(before, l)
	}
	return before
}
