package events

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// FeedSize is how many event rows (occurrences counted one by one) a calendar feed reads
// at most.
const FeedSize = 1000

// FeedPast is how long ago an event may have ended and still be in a feed, so that a
// calendar keeps the recent past.
const FeedPast = 30 * 24 * time.Hour

// Feed is the public events of one language for a calendar feed: events that stand alone,
// and series each with the exceptions to its rule.
type Feed struct {
	Locale  string
	Events  []*FeedEvent
	Series  []*FeedSeries
	Updated time.Time

	// validUntil is when the first event read leaves the FeedPast window (zero: none read).
	validUntil time.Time
}

// FeedEvent is an event with what a calendar shows of its venue and categories.
type FeedEvent struct {
	*Event
	Venue      *Venue
	Categories []string
}

// FeedSeries is a series as one recurring calendar entry: its rule, the starts the rule
// gives that have no public occurrence (EXDATE: excluded dates, closures, removed or
// unpublished occurrences), and the occurrences changed on their own (RECURRENCE-ID).
type FeedSeries struct {
	*Series
	Texts      Texts
	Venue      *Venue
	Categories []string
	ExDates    []time.Time
	Overrides  []*FeedEvent
}

// Venue is where an event is, as a calendar or a search engine shows it.
type Venue struct {
	ID         uuid.UUID `bun:"id,type:uuid"`
	Name       string    `bun:"name"`
	Street     string    `bun:"street"`
	PostalCode string    `bun:"postal_code"`
	Place      string    `bun:"place"`
	Lat        *float64  `bun:"lat"`
	Lon        *float64  `bun:"lon"`
}

// Address is the venue's name and address on one line.
func (v *Venue) Address() string {
	out := v.Name
	for _, p := range []string{v.Street, trimJoin(v.PostalCode, v.Place)} {
		if p != "" {
			out += ", " + p
		}
	}
	return out
}

func trimJoin(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " " + b
}

// FeedEvents returns the published events matching f (its time bounds ignored) that have
// not ended FeedPast ago, at most FeedSize rows, with their texts in locale along its
// fallback chain; the occurrences of a series as the series. Errors: BAD_USER_INPUT
// naming "lang" for a language that is not enabled.
func (s *Service) FeedEvents(ctx context.Context, locale string, f Filter) (*Feed, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	if err := t.CheckEnabled(locale, "lang"); err != nil {
		return nil, err
	}
	from := s.now().Add(-FeedPast)
	f.From, f.To, f.HideSeriesOccurrences = nil, nil, false
	var rows []*Event
	// SECURITY: a feed is public and cached: what the public sees (drafts of nobody: the
	// tenant's published events of published organisations), whoever asks.
	var public *drafts
	here, hereArgs, err := s.hereCond(ctx, t.ID())
	if err != nil {
		return nil, err
	}
	q := public.visible(withLinks(s.db.NewSelect().Model(&rows), t.ID())).
		Where(here, hereArgs...).Where("e.ends_at > ?", from)
	err = filterEvents(q, f, from).Order("e.starts_at", "e.id").Limit(FeedSize).Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find feed events", "event")
	}
	feed := &Feed{Locale: locale, Updated: t.Municipality.UpdatedAt}
	for _, e := range rows {
		if end := e.EndsAt.Add(FeedPast); feed.validUntil.IsZero() || end.Before(feed.validUntil) {
			feed.validUntil = end
		}
	}
	var alone []*Event
	var seriesIDs []uuid.UUID
	seen := map[uuid.UUID]bool{}
	for _, e := range rows {
		if e.SeriesID == nil {
			alone = append(alone, e)
		} else if !seen[*e.SeriesID] {
			seen[*e.SeriesID] = true
			seriesIDs = append(seriesIDs, *e.SeriesID)
		}
	}
	srs, occs, err := s.feedSeries(ctx, t.ID(), seriesIDs)
	if err != nil {
		return nil, err
	}
	// The events whose texts are read: those alone and the public overrides.
	textOf := append([]*Event{}, alone...)
	for _, sr := range srs {
		fs := &FeedSeries{Series: sr}
		byStart := map[int64]*Event{}
		for _, o := range occs[sr.ID] {
			byStart[o.RecurrenceStart.Unix()] = o
		}
		set, err := buildSet(sr.rule(), sr.StartsAt, "series")
		if err != nil {
			return nil, err
		}
		starts, err := set.expand(sr.MaterialisedUntil, "series")
		if err != nil {
			return nil, err
		}
		for _, st := range starts {
			o := byStart[st.Unix()]
			switch {
			case o == nil || o.Publication != Published:
				fs.ExDates = append(fs.ExDates, st)
			case o.Overridden:
				fs.Overrides = append(fs.Overrides, &FeedEvent{Event: o})
				textOf = append(textOf, o)
			}
		}
		feed.Series = append(feed.Series, fs)
	}
	texts, err := loadTexts(ctx, s.db, t.ID(), ids(textOf))
	if err != nil {
		return nil, err
	}
	chain := i18n.Chain(locale, t.FallbackOf, t.Municipality.DefaultLocale)
	for _, e := range textOf {
		e.Texts = resolve(texts[e.ID], chain)
	}
	var venueIDs, catIDs []uuid.UUID
	note := func(a *Attrs, updated time.Time) {
		if a.VenueID != nil {
			venueIDs = append(venueIDs, *a.VenueID)
		}
		catIDs = append(catIDs, a.CategoryIDs...)
		if updated.After(feed.Updated) {
			feed.Updated = updated
		}
	}
	for _, e := range alone {
		note(&e.Attrs, e.UpdatedAt)
		feed.Events = append(feed.Events, &FeedEvent{Event: e})
	}
	for _, fs := range feed.Series {
		fs.Texts = resolve(fs.Template.Texts, chain)
		note(&fs.Template.Attrs, fs.UpdatedAt)
		for _, o := range fs.Overrides {
			note(&o.Attrs, o.UpdatedAt)
		}
	}
	venues, err := s.venues(ctx, t.ID(), venueIDs)
	if err != nil {
		return nil, err
	}
	names, err := s.categoryNames(ctx, t.ID(), catIDs, chain)
	if err != nil {
		return nil, err
	}
	fill := func(a *Attrs) (*Venue, []string) {
		var v *Venue
		if a.VenueID != nil {
			v = venues[*a.VenueID]
		}
		var cs []string
		for _, c := range a.CategoryIDs {
			if n := names[c]; n != "" {
				cs = append(cs, n)
			}
		}
		return v, cs
	}
	for _, e := range feed.Events {
		e.Venue, e.Categories = fill(&e.Attrs)
	}
	for _, fs := range feed.Series {
		fs.Venue, fs.Categories = fill(&fs.Template.Attrs)
		for _, o := range fs.Overrides {
			o.Venue, o.Categories = fill(&o.Attrs)
		}
	}
	return feed, nil
}

func ids(evs []*Event) []uuid.UUID {
	out := make([]uuid.UUID, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

// feedSeries returns the series ids and all their occurrences, by series.
func (s *Service) feedSeries(ctx context.Context, mid uuid.UUID, ids []uuid.UUID) ([]*Series,
	map[uuid.UUID][]*Event, error,
) {
	if len(ids) == 0 {
		return nil, nil, nil
	}
	var srs []*Series
	// ids are the series of the feed's rows, read under the feed's conditions: the
	// municipality's own and its shared providers' (kept in their home municipalities).
	err := s.db.NewSelect().
		Model(&srs).
		ColumnExpr("s.*").
		Where("s.id IN (?)", bun.In(ids)).
		Order("s.dtstart", "s.id").
		Scan(ctx)
	if err != nil {
		return nil, nil, database.MapError(err, "find series", "series")
	}
	var occ []*Event
	if err := withLinks(s.db.NewSelect().Model(&occ), mid).
		Where("e.series_id IN (?)", bun.In(ids)).
		Order("e.starts_at", "e.id").Scan(ctx); err != nil {
		return nil, nil, database.MapError(err, "find occurrences", "event")
	}
	out := map[uuid.UUID][]*Event{}
	for _, o := range occ {
		out[*o.SeriesID] = append(out[*o.SeriesID], o)
	}
	return srs, out, nil
}

// venues returns the tenant's venues ids, by id.
func (s *Service) venues(ctx context.Context, mid uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]*Venue, error) {
	out := map[uuid.UUID]*Venue{}
	if len(ids) == 0 {
		return out, nil
	}
	var vs []*Venue
	// ids are the venues of the feed's events (a shared provider's are its home's).
	err := s.db.NewSelect().TableExpr("venues").Column("id", "name", "street", "postal_code", "place", "lat", "lon").
		Where("id IN (?)", bun.In(ids)).Scan(ctx, &vs)
	if err != nil {
		return nil, database.MapError(err, "find venues", "venue")
	}
	for _, v := range vs {
		out[v.ID] = v
	}
	return out, nil
}

// categoryNames returns the names of the categories ids, each in the first language of
// chain that has it.
func (s *Service) categoryNames(ctx context.Context, mid uuid.UUID, ids []uuid.UUID, chain []string) (
	map[uuid.UUID]string, error,
) {
	out := map[uuid.UUID]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var names []struct {
		ID     uuid.UUID `bun:"category_id,type:uuid"`
		Locale string    `bun:"locale"`
		Name   string    `bun:"name"`
	}
	err := s.db.NewSelect().TableExpr("category_translations").Column("category_id", "locale", "name").
		Where("municipality_id = ? AND category_id IN (?) AND locale IN (?)", mid, bun.In(ids), bun.In(chain)).
		Scan(ctx, &names)
	if err != nil {
		return nil, database.MapError(err, "find category names", "category")
	}
	byID := map[uuid.UUID]map[string]string{}
	for _, n := range names {
		if byID[n.ID] == nil {
			byID[n.ID] = map[string]string{}
		}
		byID[n.ID][n.Locale] = n.Name
	}
	for id, m := range byID {
		out[id], _, _ = i18n.Pick(chain, m)
	}
	return out, nil
}

// FeedRef returns the ID of the tenant's category, neighbourhood, organisation or
// (published) event (typ) with the global ID or slug ref. Errors: BAD_USER_INPUT naming
// field when it has none.
func (s *Service) FeedRef(ctx context.Context, typ, ref, field string) (uuid.UUID, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	table := map[string]string{"Category": "categories", "Neighbourhood": "neighbourhoods",
		"Organisation": "organisations", "Event": "events"}[typ]
	q := s.db.NewSelect().TableExpr(table).Column("id")
	switch typ {
	case "Organisation":
		// SECURITY: a shared provider only through the served function (accepted, published).
		q = q.Where("(municipality_id = ? OR id IN (SELECT fritid_served_organisations(?)))", t.ID(), t.ID())
	case "Event":
		q = q.Where("(municipality_id = ? OR id IN (SELECT fritid_served_events(?)))", t.ID(), t.ID())
	default:
		q = q.Where("municipality_id = ?", t.ID())
	}
	if typ == "Event" {
		// SECURITY: a public feed names only published events.
		q = q.Where("publication = ?", Published)
	}
	if gt, id, err := relay.ParseGlobalID(ref, field); err == nil && gt == typ {
		q = q.Where("id = ?", id)
	} else {
		q = q.Where("slug = ?", ref)
	}
	var id uuid.UUID
	if err := q.Limit(1).Scan(ctx, &id); err != nil {
		if apperr.CodeOf(database.MapError(err, "", "")) == apperr.NotFound {
			return uuid.Nil, apperr.Invalid(field, "ReferenceNotFound", nil)
		}
		return uuid.Nil, database.MapError(err, "find "+typ, typ)
	}
	return id, nil
}
