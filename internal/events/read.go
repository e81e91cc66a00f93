package events

import (
	"context"
	"database/sql"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/keyset"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/portal/geo"
	"github.com/fritid/fritid/internal/tenant"
)

// Filter narrows the events listed; empty fields do not filter.
type Filter struct {
	// From and To bound the time: events that have not ended at From and start before To.
	// Without From: the events not ended now (upcoming). From to To is at most
	// MaxRangeDays.
	From, To       *time.Time
	Categories     []uuid.UUID
	Neighbourhoods []uuid.UUID
	Organisation   *uuid.UUID
	FreeOnly       bool
	// Age: events for someone this old (no age bounds: for all).
	Age *int
	// Series: the occurrences of one series.
	Series *uuid.UUID
	// HideSeriesOccurrences shows only the first occurrence of each series in the range.
	HideSeriesOccurrences bool
	// HolidayProgramme: the events of one umbrella event.
	HolidayProgramme *uuid.UUID
	ChangedSince     *time.Time
	// SignupOpen: true, the events whose sign-up is open now; false, the others.
	SignupOpen *bool
	// AcceptsCard: true, the events free with the activity card (a published card offer);
	// false, the others.
	AcceptsCard *bool
	// Near and Within: events at venues within RadiusKm of a point, or inside a box
	// (events with a free-text place only have no location and are left out).
	Near   *portal.Near
	Within *geo.BBox
	// TargetGroups: events for any of these groups; Accessibility: events with every one
	// of these features.
	TargetGroups  []portal.TargetGroup
	Accessibility []portal.AccessibilityFeature
	// Words (from portal.SearchWords): events whose texts, in any language, have every
	// word as search matches it (prefixes, the municipality's compounds and typos).
	Words []string
}

// Order is how a list of events is sorted.
type Order string

const (
	// OrderStart: by start, the default.
	OrderStart Order = "START"
	// OrderRelevance: best match of Filter.Words first.
	OrderRelevance Order = "RELEVANCE"
	// OrderDistance: nearest to Filter.Near first.
	OrderDistance Order = "DISTANCE"
)

// Connection is a page of events, by start.
type Connection struct {
	Edges    []*Edge
	PageInfo *relay.PageInfo
	count    keyset.Counter
	// JSON, when set, is the whole page as the API writes it, written by the database
	// (FindEventsJSON); the other fields are then empty.
	JSON []byte
}

// Edge is an event in a page, with its cursor.
type Edge struct {
	Cursor string
	Node   *Event
}

// Nodes returns the page's events alone.
func (c *Connection) Nodes() []*Event {
	out := make([]*Event, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node
	}
	return out
}

// TotalCount returns how many events match the filter.
func (c *Connection) TotalCount(ctx context.Context) (int, error) { return c.count(ctx) }

var startSort = keyset.Spec{Order: "EVENT_START", Expr: "e.starts_at", Cast: "timestamptz", IDCol: "e.id"}

// sortOf returns the keyset order for order, tsquery being the words' query. Errors:
// BAD_USER_INPUT naming "orderBy" for an order that needs what the filter lacks.
func sortOf(order Order, f Filter, tsquery *string) (keyset.Spec, error) {
	switch order {
	case OrderRelevance:
		if len(f.Words) == 0 {
			return keyset.Spec{}, apperr.Invalid("orderBy", "RelevanceNeedsQuery", nil)
		}
		// The texts' weights rank a word in the title above one in the description.
		return keyset.Spec{Order: "EVENT_RELEVANCE", Desc: true, Cast: "float8", IDCol: "e.id",
			Expr: `(SELECT coalesce(max(ts_rank(t.search, ?::tsquery)), 0)::float8 FROM event_translations t
				WHERE t.event_id = e.id)`, Args: []any{tsquery}}, nil
	case OrderDistance:
		if f.Near == nil {
			return keyset.Spec{}, apperr.Invalid("orderBy", "DistanceNeedsNear", nil)
		}
		// Events without a venue (a free-text place) come last.
		return keyset.Spec{Order: "EVENT_DISTANCE", Cast: "float8", IDCol: "e.id",
			Expr: `coalesce((SELECT fritid_distance_km(v.lat, v.lon, ?, ?) FROM venues v WHERE v.id = e.venue_id),
				'Infinity')::float8`, Args: []any{f.Near.Point.Lat, f.Near.Point.Lon}}, nil
	}
	return startSort, nil
}

type eventRow struct {
	Event   `bun:",extend"`
	SortKey string `bun:"sort_key,scanonly"`
}

func (r *eventRow) key() (string, uuid.UUID) { return r.SortKey, r.ID }

// FindEvents returns a page of the events matching f that the reader may see, in order
// (by start when empty). Errors: BAD_USER_INPUT naming "filter.to" for a range too long,
// "orderBy" for an order that needs what the filter lacks, "after" for a cursor of another
// list or order.
func (s *Service) FindEvents(ctx context.Context, f Filter, order Order, page relay.Page) (*Connection, error) {
	l, err := s.eventList(ctx, f, order)
	if err != nil {
		return nil, err
	}
	q, err := l.sort.Apply(withLinks(l.base(), l.mid), page)
	if err != nil {
		return nil, err
	}
	var rows []*eventRow
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, database.MapError(err, "find events", "event")
	}
	rows, cursors, info := keyset.Paginate(rows, (*eventRow).key, l.sort.Order, page)
	evs := make([]*Event, len(rows))
	for i, r := range rows {
		evs[i] = &r.Event
	}
	if err := setTexts(ctx, s.db, l.mid, evs); err != nil {
		return nil, err
	}
	conn := &Connection{PageInfo: info, count: keyset.CountOf(l.base(), "event"), Edges: []*Edge{}}
	for i, e := range evs {
		conn.Edges = append(conn.Edges, &Edge{Cursor: cursors[i], Node: e})
	}
	return conn, nil
}

// eventList is a list of events as FindEvents reads it: the municipality's, its order, and
// the statement of every event it holds (alias e), without order or page.
type eventList struct {
	mid  uuid.UUID
	sort keyset.Spec
	base func() *bun.SelectQuery
}

// eventList returns the list of the events matching f that the reader may see, in order.
// Errors: as FindEvents'.
func (s *Service) eventList(ctx context.Context, f Filter, order Order) (*eventList, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	from := now
	if f.From != nil {
		from = *f.From
	}
	if f.To != nil {
		if err := checkRange(from, *f.To, "filter.to"); err != nil {
			return nil, err
		}
	}
	tsquery, err := s.wordsQuery(ctx, t.ID(), f.Words)
	if err != nil {
		return nil, err
	}
	sort, err := sortOf(order, f, tsquery)
	if err != nil {
		return nil, err
	}
	d, err := draftsOf(ctx, s.db, t.ID())
	if err != nil {
		return nil, err
	}
	here, hereArgs, err := s.hereCond(ctx, t.ID())
	if err != nil {
		return nil, err
	}
	base := func() *bun.SelectQuery {
		// SECURITY: the tenant's events the reader may see (published, or drafts they may
		// write), as visible says.
		q := s.db.NewSelect().TableExpr("events AS e").Where(here, hereArgs...).Where("e.ends_at > ?", from)
		if len(f.Words) > 0 {
			q = q.Where("EXISTS (SELECT 1 FROM event_translations t WHERE t.event_id = e.id AND t.search @@ ?::tsquery)",
				tsquery)
		}
		return filterSignupOpen(filterEvents(d.visible(q), f, from), f.SignupOpen, now)
	}
	return &eventList{mid: t.ID(), sort: sort, base: base}, nil
}

// wordsQuery returns the tsquery (as text) that matches texts with every one of words, as
// search makes it with the municipality's dictionary; nil without words, or when the words
// make no query (only stop words), which then matches nothing (NULL).
func (s *Service) wordsQuery(ctx context.Context, mid uuid.UUID, words []string) (*string, error) {
	if len(words) == 0 {
		return nil, nil
	}
	var tq sql.NullString
	err := s.db.NewRaw("SELECT all_words::text FROM fritid_search_query(?, ?::text[], 0)", mid, pgdialect.Array(words)).
		Scan(ctx, &tq)
	if err != nil {
		return nil, database.MapError(err, "make the words' query", "query")
	}
	if !tq.Valid {
		return nil, nil
	}
	return &tq.String, nil
}

func filterEvents(q *bun.SelectQuery, f Filter, from time.Time) *bun.SelectQuery {
	if f.To != nil {
		q = q.Where("e.starts_at < ?", *f.To)
	}
	if len(f.Categories) > 0 {
		// A shared provider's event matches by its categories' slugs, as its activities do.
		q = q.Where(`EXISTS (SELECT 1 FROM event_categories c WHERE c.event_id = e.id AND (c.category_id IN (?0)
			OR c.category_id IN (SELECT k.id FROM categories k JOIN categories f ON f.slug = k.slug
				WHERE f.id IN (?0) AND k.municipality_id = e.municipality_id)))`, bun.In(f.Categories))
	}
	if len(f.Neighbourhoods) > 0 {
		q = q.Where(`EXISTS (SELECT 1 FROM venue_neighbourhoods n WHERE n.venue_id = e.venue_id
			AND n.neighbourhood_id IN (?))`, bun.In(f.Neighbourhoods))
	}
	if f.Organisation != nil {
		q = q.Where("e.organisation_id = ?", *f.Organisation)
	}
	if f.FreeOnly {
		q = q.Where("e.price_ore = 0")
	}
	if len(f.TargetGroups) > 0 {
		q = q.Where("e.target_groups && ?::text[]", pgdialect.Array(f.TargetGroups))
	}
	if len(f.Accessibility) > 0 {
		q = q.Where("e.accessibility @> ?::text[]", pgdialect.Array(f.Accessibility))
	}
	if f.Near != nil {
		b := geo.AroundBox(f.Near.Point, f.Near.RadiusKm)
		q = q.Where(`EXISTS (SELECT 1 FROM venues nv WHERE nv.id = e.venue_id AND nv.lat BETWEEN ? AND ?
			AND nv.lon BETWEEN ? AND ? AND fritid_distance_km(nv.lat, nv.lon, ?, ?) <= ?)`,
			b.MinLat, b.MaxLat, b.MinLon, b.MaxLon, f.Near.Point.Lat, f.Near.Point.Lon, f.Near.RadiusKm)
	}
	if w := f.Within; w != nil {
		q = q.Where(`EXISTS (SELECT 1 FROM venues wv WHERE wv.id = e.venue_id AND wv.lat BETWEEN ? AND ?
			AND wv.lon BETWEEN ? AND ?)`, w.MinLat, w.MaxLat, w.MinLon, w.MaxLon)
	}
	if f.AcceptsCard != nil {
		cond := `EXISTS (SELECT 1 FROM card_offers co WHERE co.id = e.card_offer_id AND co.status = 'PUBLISHED')`
		if !*f.AcceptsCard {
			cond = "NOT " + cond
		}
		q = q.Where(cond)
	}
	if f.Age != nil {
		q = q.Where("(e.age_min IS NULL OR e.age_min <= ?) AND (e.age_max IS NULL OR e.age_max >= ?)", *f.Age, *f.Age)
	}
	if f.Series != nil {
		q = q.Where("e.series_id = ?", *f.Series)
	}
	if f.HolidayProgramme != nil {
		q = q.Where("e.parent_id = ?", *f.HolidayProgramme)
	}
	if f.ChangedSince != nil {
		q = q.Where("e.updated_at >= ?", *f.ChangedSince)
	}
	if f.HideSeriesOccurrences {
		q = q.Where(`(e.series_id IS NULL OR NOT EXISTS (SELECT 1 FROM events o WHERE o.series_id = e.series_id
			AND o.publication = e.publication AND o.ends_at > ? AND (o.starts_at, o.id) < (e.starts_at, e.id)))`, from)
	}
	return q
}

// FindEvent returns the event with id or else slug, when the reader may see it; nil when
// there is none.
func (s *Service) FindEvent(ctx context.Context, id *uuid.UUID, slug string) (*Event, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	d, err := draftsOf(ctx, s.db, t.ID())
	if err != nil {
		return nil, err
	}
	here, hereArgs, err := s.hereCond(ctx, t.ID())
	if err != nil {
		return nil, err
	}
	var evs []*Event
	q := d.visible(withLinks(s.db.NewSelect().Model(&evs), t.ID())).Where(here, hereArgs...)
	if id != nil {
		q = q.Where("e.id = ?", *id)
	} else {
		// The municipality's own event first, should a shared provider's have its slug.
		q = q.Where("e.slug = ?", slug).OrderExpr("e.municipality_id = ? DESC", t.ID()).Limit(1)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, database.MapError(err, "find event", "event")
	}
	if len(evs) == 0 {
		return nil, nil
	}
	return evs[0], setTexts(ctx, s.db, t.ID(), evs)
}

// EventsByID returns the events with ids that the reader may see, in two statements
// (three for a signed-in reader).
func (s *Service) EventsByID(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*Event, error) {
	return s.eventsWhere(ctx, ids, "e.id", func(e *Event) uuid.UUID { return e.ID })
}

// ChildrenOf returns the events of the umbrella events ids that the reader may see, by
// start, by umbrella.
func (s *Service) ChildrenOf(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]*Event, error) {
	return groupBy(s, ctx, ids, "e.parent_id", func(e *Event) uuid.UUID { return *e.ParentID })
}

// OccurrencesOf returns the occurrences of the series ids that the reader may see and
// that have not ended at from, by start, by series.
func (s *Service) OccurrencesOf(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]*Event, error) {
	return groupBy(s, ctx, ids, "e.series_id", func(e *Event) uuid.UUID { return *e.SeriesID })
}

func groupBy(s *Service, ctx context.Context, ids []uuid.UUID, col string, key func(*Event) uuid.UUID,
) (map[uuid.UUID][]*Event, error) {
	evs, err := s.list(ctx, ids, col)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID][]*Event, len(ids))
	for _, e := range evs {
		out[key(e)] = append(out[key(e)], e)
	}
	return out, nil
}

func (s *Service) eventsWhere(ctx context.Context, ids []uuid.UUID, col string, key func(*Event) uuid.UUID,
) (map[uuid.UUID]*Event, error) {
	evs, err := s.list(ctx, ids, col)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]*Event, len(evs))
	for _, e := range evs {
		out[key(e)] = e
	}
	return out, nil
}

// list returns the visible events whose col is one of ids, by start, with their texts.
func (s *Service) list(ctx context.Context, ids []uuid.UUID, col string) ([]*Event, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	d, err := draftsOf(ctx, s.db, t.ID())
	if err != nil {
		return nil, err
	}
	here, hereArgs, err := s.hereCond(ctx, t.ID())
	if err != nil {
		return nil, err
	}
	var evs []*Event
	err = d.visible(withLinks(s.db.NewSelect().Model(&evs), t.ID())).Where(here, hereArgs...).
		Where(col+" IN (?)", bun.In(ids)).
		Order("e.starts_at", "e.id").
		Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find events", "event")
	}
	return evs, setTexts(ctx, s.db, t.ID(), evs)
}

// SeriesByID returns the series with ids of the municipality that have an occurrence the
// reader may see.
func (s *Service) SeriesByID(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*Series, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	d, err := draftsOf(ctx, s.db, t.ID())
	if err != nil {
		return nil, err
	}
	here, hereArgs, err := s.hereCond(ctx, t.ID())
	if err != nil {
		return nil, err
	}
	var srs []*Series
	// SECURITY: a series with an occurrence the reader may see here (a shared provider's
	// series is kept in its home municipality).
	err = s.db.NewSelect().Model(&srs).
		Where("s.id IN (?)", bun.In(ids)).
		Where("EXISTS (?)", d.visible(s.db.NewSelect().TableExpr("events AS e").ColumnExpr("1").
			Where("e.series_id = s.id").Where(here, hereArgs...))).
		Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find series", "series")
	}
	out := make(map[uuid.UUID]*Series, len(srs))
	for _, sr := range srs {
		out[sr.ID] = sr
	}
	return out, nil
}
