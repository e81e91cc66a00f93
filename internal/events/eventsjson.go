package events

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/platform/keyset"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/portal"
)

// A list of events whose items show only texts, plain fields, their venue, organisation,
// categories and images (the list a portal or an app shows) is written as JSON by the
// database in the statement that reads its page, as the catalogue's list is
// (portal.FindActivitiesJSON): the events are neither scanned nor marshalled field by
// field, and no batch runs for them. FindEventsJSON writes a whole page of events(...)
// with its edges, cursors, pageInfo and totalCount; EventsBetweenJSON each event of the
// calendar. Every other selection is answered the usual way.

// EventJSONFields are the fields the database writes for a list of events, by type:
// "Event" for the events, the connection's types for FindEventsJSON, and the objects an
// event shows (its venue, with its address, and its organisation are written as the
// catalogue writes them: portal.CatalogueJSONFields; its categories by the caller, see
// portal.CategoryJSON).
var EventJSONFields = map[string]map[string]bool{
	"Event": set("id", "__typename", "slug", "title", "summary", "description", "textLocale", "startsAt", "endsAt",
		"allDay", "timeZone", "status", "publication", "place", "free", "priceOre", "ageMin", "ageMax", "targetGroups",
		"accessibility", "holidayProgramme", "overridden", "recurrenceStart", "cardOfferId", "updatedAt", "venue",
		"organisation", "categories", "images"),
	"RichText":        set("__typename", "json", "html", "plainText"),
	"Image":           set("__typename", "id", "url", "width", "height"),
	"EventConnection": set("__typename", "edges", "nodes", "pageInfo", "totalCount"),
	"EventEdge":       set("__typename", "cursor", "node"),
	"PageInfo":        set("__typename", "hasNextPage", "hasPreviousPage", "startCursor", "endCursor"),
}

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// eventTimeFields are the Event fields that are times.
var eventTimeFields = set("startsAt", "endsAt", "recurrenceStart", "updatedAt")

// timesInUTC: the executor writes the times the database gives in the server's local time
// zone; the database writes them in UTC, the same text where that zone is always UTC (as in
// the container image). Elsewhere a list showing a time is left to the executor.
var timesInUTC = alwaysUTC(time.Local)

// alwaysUTC reports whether loc is UTC (an offset of zero) all year round, from 1970 to 2200.
func alwaysUTC(loc *time.Location) bool {
	for y := 1970; y <= 2200; y++ {
		for m := time.January; m <= time.December; m++ {
			if _, off := time.Date(y, m, 1, 0, 0, 0, 0, loc).Zone(); off != 0 {
				return false
			}
		}
	}
	return true
}

// eventJSON builds the expressions of events' JSON over the list's rows "r" (events'
// columns), with the lateral joins they need: texts "tx", venue "v", organisation "o",
// and the categories "kc" (see portal.CategoryJSON).
type eventJSON struct {
	ctx     context.Context
	chain   []string
	texts   map[string]bool // title, textLocale, summary, description's html, plainText and json
	venue   *portal.JSONJoin
	orgs    [][]portal.ItemJSONField // every organisation selection, for one join that serves them all
	needCat bool
}

// event returns the expression of an event's JSON with fields, or an error for a field it
// cannot write.
func (c *eventJSON) event(fields []portal.ItemJSONField) (string, error) {
	return portal.ObjectJSONSQL(fields, func(f portal.ItemJSONField) (string, error) {
		object := f.Field == "venue" || f.Field == "organisation" || f.Field == "categories" || f.Field == "images" ||
			f.Field == "description"
		if err := plainField("Event", f, object); err != nil {
			return "", err
		}
		if eventTimeFields[f.Field] && !timesInUTC {
			return "", fmt.Errorf("events JSON: times in the local time zone")
		}
		switch f.Field {
		case "id":
			return jsonText(portal.GlobalIDSQL("Event", "r.id")), nil
		case "__typename":
			return `'"Event"'`, nil
		case "slug", "timeZone", "place", "status", "publication":
			return portal.JSONStringSQL("r." + column(f.Field)), nil
		case "title", "summary", "textLocale":
			c.texts[f.Field] = true
			return portal.JSONStringSQL("coalesce(tx." + column(f.Field) + ", '')"), nil
		case "startsAt", "endsAt", "updatedAt", "recurrenceStart":
			return timeJSON("r." + column(f.Field)), nil
		case "allDay", "holidayProgramme", "overridden":
			return "r." + column(f.Field) + "::text", nil
		case "free":
			return "(r.price_ore = 0)::text", nil
		case "priceOre", "ageMin", "ageMax":
			return "coalesce(r." + column(f.Field) + "::text, 'null')", nil
		case "targetGroups", "accessibility":
			return "coalesce(to_json(r." + column(f.Field) + ")::text, '[]')", nil
		case "cardOfferId":
			return "CASE WHEN r.card_offer_id IS NULL THEN 'null' ELSE " +
				jsonText(portal.GlobalIDSQL("CardOffer", "r.card_offer_id")) + " END", nil
		case "description":
			return c.description(f.Sub)
		case "venue":
			v, err := portal.VenueJSON(c.ctx, "r.venue_id", f.Sub)
			if err == nil {
				c.venue = &v
			}
			return v.Expr, err
		case "organisation":
			o, err := portal.OrganisationJSON(c.ctx, "r.organisation_id", f.Sub)
			c.orgs = append(c.orgs, f.Sub)
			return o.Expr, err
		case "categories":
			c.needCat = true
			return categoriesSQL, checkCategory(f.Sub)
		default: // images
			return c.images(f.Sub)
		}
	})
}

// plainField checks f is a field of typename the database writes, with fields of its own
// only when it is an object.
func plainField(typename string, f portal.ItemJSONField, object bool) error {
	if !EventJSONFields[typename][f.Field] || (len(f.Sub) > 0) != object {
		return fmt.Errorf("events JSON: field %s.%s", typename, f.Field)
	}
	return nil
}

// column is the column of an Event field (or of its texts, "tx").
func column(field string) string {
	switch field {
	case "textLocale":
		return "text_locale"
	}
	var b strings.Builder
	for _, r := range field {
		if r >= 'A' && r <= 'Z' {
			b.WriteByte('_')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func jsonText(expr string) string { return "to_json(" + expr + ")::text" }

// timeJSON is the JSON of a timestamptz as the executor writes a Time in UTC (RFC 3339 with
// nanoseconds, trailing zeros left out), null for NULL.
func timeJSON(expr string) string {
	return `coalesce('"' || to_char(` + expr + ` AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') ||
		rtrim(rtrim('.' || to_char(` + expr + ` AT TIME ZONE 'UTC', 'US'), '0'), '.') || 'Z"', 'null')`
}

// description returns the expression of an event's description (RichText), the one of the
// first language along the chain that has one, as resolve picks it.
func (c *eventJSON) description(fields []portal.ItemJSONField) (string, error) {
	return portal.ObjectJSONSQL(fields, func(f portal.ItemJSONField) (string, error) {
		if err := plainField("RichText", f, false); err != nil {
			return "", err
		}
		c.texts[f.Field] = true
		switch f.Field {
		case "__typename":
			return `'"RichText"'`, nil
		case "json":
			return `coalesce(tx.description_json, '{"blocks":[]}')`, nil
		case "html":
			return portal.JSONStringSQL("coalesce(tx.description_html, '')"), nil
		default: // plainText
			return portal.JSONStringSQL("coalesce(tx.description_text, '')"), nil
		}
	})
}

// images returns the expression of an event's images: those of its image_ids still in the
// municipality's library, in order, as imagesOf gives them.
func (c *eventJSON) images(fields []portal.ItemJSONField) (string, error) {
	img, err := portal.ObjectJSONSQL(fields, func(f portal.ItemJSONField) (string, error) {
		if err := plainField("Image", f, false); err != nil {
			return "", err
		}
		switch f.Field {
		case "__typename":
			return `'"Image"'`, nil
		case "id":
			return jsonText(portal.GlobalIDSQL("Image", "m.id")), nil
		case "url":
			return portal.JSONStringSQL("m.url"), nil
		default: // width, height
			return "m." + f.Field + "::text", nil
		}
	})
	return `'[' || coalesce((SELECT string_agg(` + img + `, ',' ORDER BY k.ord)
		FROM unnest(r.image_ids) WITH ORDINALITY AS k(id, ord)
		JOIN media m ON m.id = k.id AND m.municipality_id = r.municipality_id), '') || ']'`, err
}

// checkCategory checks a category's fields: the caller writes their JSON.
func checkCategory(fields []portal.ItemJSONField) error {
	for _, f := range fields {
		switch f.Field {
		case "id", "__typename", "name", "slug":
		default:
			return fmt.Errorf("events JSON: field Category.%s", f.Field)
		}
	}
	return nil
}

// categoriesSQL is an event's categories: those of the taxonomy ("kc", the municipality's
// categories in display order) it belongs to, in that order, as categoriesOf gives them (a
// shared provider's categories as the municipality's of the same slug, as withLinks).
const categoriesSQL = `'[' || coalesce((SELECT string_agg(k.json, ',' ORDER BY k.ord) FROM event_categories ec
	JOIN unnest(kc.ids, kc.jsons) WITH ORDINALITY AS k(id, json, ord) ON k.id = CASE
		WHEN ec.category_id = ANY(kc.ids) THEN ec.category_id
		ELSE (SELECT here.id FROM categories ck JOIN categories here ON here.slug = ck.slug
			WHERE ck.id = ec.category_id AND here.id = ANY(kc.ids) LIMIT 1) END
	WHERE ec.event_id = r.id), '') || ']'`

// textOrder orders an event's translations "t" along the chain (the placeholder): as
// resolve ranks them, the chain's locales first, then the others by locale.
const textOrder = `array_position(?::text[], t.locale) NULLS LAST, t.locale`

// joins adds to q the lateral joins the expressions built so far need, and the categories.
func (c *eventJSON) joins(q *bun.SelectQuery, cats []portal.CategoryJSON) (*bun.SelectQuery, error) {
	if len(c.texts) > 0 {
		var cols []string
		var args []any
		first := func(col, cond string) {
			cols = append(cols, "(array_agg("+col+" ORDER BY "+textOrder+") FILTER (WHERE "+cond+"))[1]")
			args = append(args, pgdialect.Array(c.chain))
		}
		// As resolve: the title and its language from the first language with a title, the
		// summary from the first with one, the description from the first with its HTML.
		for _, t := range []struct{ field, col, cond, as string }{
			{"title", "t.title", "t.title <> ''", "title"},
			{"textLocale", "t.locale", "t.title <> ''", "text_locale"},
			{"summary", "t.summary", "t.summary <> ''", "summary"},
			{"json", "t.description::text", "t.description_html <> ''", "description_json"},
			{"html", "t.description_html", "t.description_html <> ''", "description_html"},
			{"plainText", "t.description_text", "t.description_html <> ''", "description_text"},
		} {
			if c.texts[t.field] {
				first(t.col, t.cond)
				cols[len(cols)-1] += " AS " + t.as
			}
		}
		q = q.Join("LEFT JOIN LATERAL (SELECT "+strings.Join(cols, ", ")+" FROM event_translations t"+
			" WHERE t.municipality_id = r.municipality_id AND t.event_id = r.id) AS tx ON true", args...)
	}
	if c.venue != nil {
		q = q.Join(c.venue.Join, c.venue.Args...)
	}
	if len(c.orgs) > 0 {
		var all []portal.ItemJSONField
		for _, o := range c.orgs {
			all = append(all, o...)
		}
		o, err := portal.OrganisationJSON(c.ctx, "r.organisation_id", all)
		if err != nil {
			return nil, err
		}
		q = q.Join(o.Join, o.Args...)
	}
	if c.needCat {
		ids := make([]string, len(cats))
		jsons := make([]string, len(cats))
		for i, k := range cats {
			ids[i], jsons[i] = k.ID.String(), k.JSON
		}
		q = q.Join("CROSS JOIN (SELECT ?::uuid[] AS ids, ?::text[] AS jsons) AS kc",
			pgdialect.Array(ids), pgdialect.Array(jsons))
	}
	return q, nil
}

// EventsJSON is the shape of a list of events written as JSON: the fields of the
// connection (FindEventsJSON), or of each event (EventsBetweenJSON), in order, with the
// fields of the objects they show (see EventJSONFields).
type EventsJSON []portal.ItemJSONField

// FindEventsJSON is FindEvents for a page the database writes as JSON: the same events,
// in the same order and page, with the same cursors, page info and count, written with
// the connection's fields shape (see EventJSONFields). ok is false when the page cannot
// be written so; cats are the municipality's categories when the events show theirs.
func (s *Service) FindEventsJSON(ctx context.Context, f Filter, order Order, page relay.Page, shape EventsJSON,
	cats []portal.CategoryJSON) (_ []byte, ok bool, _ error) {
	if page.Backward || len(shape) == 0 || s.NoJSON.Load() {
		return nil, false, nil
	}
	c := &eventJSON{ctx: ctx, chain: i18n.FromContext(ctx).Chain, texts: map[string]bool{}}
	// Each list of events the connection shows (edges { node }, nodes, under their aliases)
	// is one column of the statement.
	var items []string
	count := false
	for _, cf := range shape {
		if err := plainField("EventConnection", cf, cf.Field != "totalCount" && cf.Field != "__typename"); err != nil {
			return nil, false, nil //nolint:nilerr // a selection the database does not write
		}
		switch cf.Field {
		case "nodes":
			item, err := c.event(cf.Sub)
			if err != nil {
				return nil, false, nil //nolint:nilerr // a selection the database does not write
			}
			items = append(items, item)
		case "edges":
			for _, ef := range cf.Sub {
				if err := plainField("EventEdge", ef, ef.Field == "node"); err != nil {
					return nil, false, nil //nolint:nilerr // as above
				}
				if ef.Field == "node" {
					item, err := c.event(ef.Sub)
					if err != nil {
						return nil, false, nil //nolint:nilerr // as above
					}
					items = append(items, item)
				}
			}
		case "pageInfo":
			for _, pf := range cf.Sub {
				if err := plainField("PageInfo", pf, false); err != nil {
					return nil, false, nil //nolint:nilerr // as above
				}
			}
		case "totalCount":
			count = true
		}
	}
	// SECURITY: the same events as FindEvents (eventList: of the request's municipality,
	// those the reader may see), and the same venues and organisations as the batches give
	// (portal.VenueJSON, portal.OrganisationJSON).
	l, err := s.eventList(ctx, f, order)
	if err != nil {
		return nil, false, err
	}
	inner, err := l.sort.Apply(l.base().ColumnExpr("e.*"), page)
	if err != nil {
		return nil, false, err
	}
	rows, err := c.read(s.db, inner, items, cats, "r.sort_key")
	if err != nil {
		return nil, false, err
	}
	rows, info := keyset.Window(rows, jsonRow.key, l.sort.Order, page)
	total := 0
	if count {
		if total, err = keyset.CountOf(l.base(), "event")(ctx); err != nil {
			return nil, false, err
		}
	}
	return shape.write(rows, l.sort.Order, info, total), true, nil
}

// jsonRow is an event of a list written as JSON: its sort value and ID (its cursor), its
// times (for the calendar) and its JSON, one per list of the shape.
type jsonRow struct {
	sortKey    string
	id         uuid.UUID
	start, end time.Time
	json       []string
}

func (r jsonRow) key() (string, uuid.UUID) { return r.sortKey, r.id }

// read runs the statement that writes the JSON of items (expressions built by c) for the
// events inner selects (with their columns), in its order; sortKey is the expression of
// each row's sort value (its cursor's).
func (c *eventJSON) read(db bun.IDB, inner *bun.SelectQuery, items []string, cats []portal.CategoryJSON,
	sortKey string) ([]jsonRow, error) {
	// rn numbers the rows in the order the page's statement returns them, so the items are
	// written in its order.
	q := db.NewSelect().
		TableExpr("(SELECT r0.*, row_number() OVER () AS rn FROM (?) AS r0) AS r", inner).
		ColumnExpr(sortKey + ", r.id, r.starts_at, r.ends_at")
	q, err := c.joins(q, cats)
	if err != nil {
		return nil, err
	}
	for i, item := range items {
		q = q.ColumnExpr(fmt.Sprintf("%s AS json%d", item, i))
	}
	sqlRows, err := q.OrderExpr("r.rn").Rows(c.ctx)
	if err != nil {
		return nil, database.MapError(err, "find events", "event")
	}
	defer sqlRows.Close()
	var out []jsonRow
	for sqlRows.Next() {
		r := jsonRow{json: make([]string, len(items))}
		dest := make([]any, 0, 4+len(items))
		dest = append(dest, &r.sortKey, &r.id, &r.start, &r.end)
		for i := range r.json {
			dest = append(dest, &r.json[i])
		}
		if err := sqlRows.Scan(dest...); err != nil {
			return nil, database.MapError(err, "find events", "event")
		}
		out = append(out, r)
	}
	if err := sqlRows.Err(); err != nil {
		return nil, database.MapError(err, "find events", "event")
	}
	return out, nil
}

// write returns the connection's JSON with rows, in the order of the shape's fields, as
// the executor writes it.
func (l EventsJSON) write(rows []jsonRow, order string, info *relay.PageInfo, total int) []byte {
	var b strings.Builder
	b.Grow(64 + size(rows))
	cursors := make([]string, len(rows))
	cursor := func(i int) string {
		if cursors[i] == "" {
			cursors[i] = keyset.Cursor(order, rows[i].sortKey, rows[i].id)
		}
		return cursors[i]
	}
	item := 0 // the column of the next list of events
	b.WriteByte('{')
	for i, f := range l {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + f.Key + `":`)
		switch f.Field {
		case "__typename":
			b.WriteString(`"EventConnection"`)
		case "totalCount":
			b.WriteString(strconv.Itoa(total))
		case "nodes":
			b.WriteByte('[')
			for j, r := range rows {
				if j > 0 {
					b.WriteByte(',')
				}
				b.WriteString(r.json[item])
			}
			b.WriteByte(']')
			item++
		case "edges":
			b.WriteByte('[')
			for j, r := range rows {
				if j > 0 {
					b.WriteByte(',')
				}
				b.WriteByte('{')
				for k, ef := range f.Sub {
					if k > 0 {
						b.WriteByte(',')
					}
					b.WriteString(`"` + ef.Key + `":`)
					switch ef.Field {
					case "__typename":
						b.WriteString(`"EventEdge"`)
					case "cursor":
						b.WriteString(`"` + cursor(j) + `"`)
					default: // node
						b.WriteString(r.json[item+nodeIndex(f.Sub, k)])
					}
				}
				b.WriteByte('}')
			}
			b.WriteByte(']')
			item += nodeIndex(f.Sub, len(f.Sub))
		default: // pageInfo
			b.WriteByte('{')
			for k, pf := range f.Sub {
				if k > 0 {
					b.WriteByte(',')
				}
				b.WriteString(`"` + pf.Key + `":`)
				switch pf.Field {
				case "__typename":
					b.WriteString(`"PageInfo"`)
				case "hasNextPage":
					b.WriteString(strconv.FormatBool(info.HasNextPage))
				case "hasPreviousPage":
					b.WriteString(strconv.FormatBool(info.HasPreviousPage))
				case "startCursor":
					writeCursor(&b, info.StartCursor)
				default: // endCursor
					writeCursor(&b, info.EndCursor)
				}
			}
			b.WriteByte('}')
		}
	}
	b.WriteByte('}')
	return []byte(b.String())
}

// nodeIndex is how many of an edge's fields before the k-th are its node (aliases may
// show it more than once).
func nodeIndex(edge []portal.ItemJSONField, k int) int {
	n := 0
	for _, f := range edge[:k] {
		if f.Field == "node" {
			n++
		}
	}
	return n
}

// size is about the bytes of rows' JSON.
func size(rows []jsonRow) int {
	n := 0
	for _, r := range rows {
		for _, j := range r.json {
			n += len(j) + 128
		}
	}
	return n
}

func writeCursor(b *strings.Builder, c *string) {
	if c == nil {
		b.WriteString("null")
		return
	}
	b.WriteString(`"` + *c + `"`) // URL-safe base64: nothing to escape
}

// EventsBetweenJSON is EventsBetween for events the database writes as JSON, each with the
// fields of item (see EventJSONFields): the same events, in the same order, each with its
// ID, times and JSON only. ok is false when they cannot be written so; cats are the
// municipality's categories when the events show theirs.
func (s *Service) EventsBetweenJSON(ctx context.Context, start, end time.Time, f Filter, item EventsJSON,
	cats []portal.CategoryJSON) (_ []*Event, ok bool, _ error) {
	if s.NoJSON.Load() {
		return nil, false, nil
	}
	c := &eventJSON{ctx: ctx, chain: i18n.FromContext(ctx).Chain, texts: map[string]bool{}}
	expr, err := c.event(item)
	if err != nil {
		return nil, false, nil //nolint:nilerr // a selection the database does not write
	}
	q, err := s.between(ctx, s.db.NewSelect().TableExpr("events AS e").ColumnExpr("e.*"), start, end, f)
	if err != nil {
		return nil, false, err
	}
	rows, err := c.read(s.db, q, []string{expr}, cats, "''")
	if err != nil {
		return nil, false, err
	}
	evs := make([]*Event, len(rows))
	for i, r := range rows {
		evs[i] = &Event{ID: r.id, StartsAt: r.start, EndsAt: r.end, JSON: []byte(r.json[0])}
	}
	return evs, true, nil
}
