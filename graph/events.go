package graph

import (
	"context"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/graph/model"
	"github.com/fritid/fritid/internal/events"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/portal/geo"
	"github.com/fritid/fritid/internal/tenant"
)

// eventLoaders are the batches of the calendar: every list of events registers its
// events' parents, series, children and occurrences, and their organisations and venues,
// so each relation costs one statement for the whole list.
type eventLoaders struct {
	event       *batch[*events.Event]
	children    *batch[[]*events.Event]
	occurrences *batch[[]*events.Event]
	series      *batch[*events.Series]
	signup      *batch[*events.SignupSettings] // sign-up settings and counts

	mu       sync.Mutex
	closures map[[2]time.Time]*lazy[[]*events.Closure] // by range, for activities' occurrences
}

// withEvents adds the calendar's batches to l.
func (l *loaders) withEvents(es *events.Service) *loaders {
	if es == nil {
		return l
	}
	el := &eventLoaders{closures: map[[2]time.Time]*lazy[[]*events.Closure]{}}
	el.event = newBatch(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*events.Event, error) {
		m, err := es.EventsByID(ctx, ids)
		seeEvents(ctx, values(m))
		return m, err
	})
	el.children = newBatch(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]*events.Event, error) {
		return es.ChildrenOf(ctx, ids)
	})
	el.occurrences = newBatch(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]*events.Event, error) {
		return es.OccurrencesOf(ctx, ids)
	})
	el.series = newBatch(es.SeriesByID)
	el.signup = newBatch(es.SignupSettingsOf)
	l.events = el
	return l
}

// seeEvents registers the relations of evs so that they load together.
func seeEvents(ctx context.Context, evs []*events.Event) {
	l := loadersFor(ctx)
	if l.events == nil {
		return
	}
	for _, e := range evs {
		if e.OrganisationID != nil {
			l.organisations.register(*e.OrganisationID)
		}
		if e.VenueID != nil {
			l.venues.register(*e.VenueID)
		}
		if e.ParentID != nil {
			l.events.event.register(*e.ParentID)
		}
		if e.SeriesID != nil {
			l.events.series.register(*e.SeriesID)
			l.events.occurrences.register(*e.SeriesID)
		}
		for _, id := range e.ImageIDs {
			l.media.register(id)
		}
		l.events.children.register(e.ID)
		l.events.signup.register(e.ID)
	}
}

// seenEvents returns the events b holds for id, their relations registered.
func seenEvents(ctx context.Context, b *batch[[]*events.Event], id uuid.UUID) ([]*events.Event, error) {
	evs, err := b.get(ctx, id)
	if err != nil {
		return nil, err
	}
	seeEvents(ctx, evs)
	if evs == nil {
		evs = []*events.Event{}
	}
	return evs, nil
}

// eventFilter parses the API's event filter.
func eventFilter(in *model.EventFilterInput) (events.Filter, error) {
	var f events.Filter
	if in == nil {
		return f, nil
	}
	var err error
	if f.Categories, err = parseIDs(in.Categories, "Category", "filter.categories"); err != nil {
		return f, err
	}
	if f.Neighbourhoods, err = parseIDs(in.Neighbourhoods, "Neighbourhood", "filter.neighbourhoods"); err != nil {
		return f, err
	}
	for _, id := range []struct {
		gid   *string
		dst   **uuid.UUID
		typ   string
		field string
	}{{in.Organisation, &f.Organisation, "Organisation", "filter.organisation"},
		{in.Series, &f.Series, "EventSeries", "filter.series"},
		{in.HolidayProgramme, &f.HolidayProgramme, "Event", "filter.holidayProgramme"}} {
		if id.gid == nil {
			continue
		}
		u, err := relay.ParseTypedID(*id.gid, id.typ, id.field)
		if err != nil {
			return f, err
		}
		*id.dst = &u
	}
	f.From, f.To, f.Age, f.ChangedSince = in.From, in.To, in.Age, in.ChangedSince
	f.FreeOnly = in.FreeOnly != nil && *in.FreeOnly
	f.TargetGroups, f.Accessibility = in.TargetGroups, in.Accessibility
	f.SignupOpen, f.AcceptsCard = in.SignupOpen, in.AcceptsCard
	if n := in.Near; n != nil {
		p := geo.Point{Lat: n.Lat, Lon: n.Lon}
		if err := geo.ValidatePoint(p, "filter.near"); err != nil {
			return f, err
		}
		if err := geo.ValidateRadius(n.RadiusKm, "filter.near.radiusKm"); err != nil {
			return f, err
		}
		f.Near = &portal.Near{Point: p, RadiusKm: n.RadiusKm}
	}
	if w := in.Within; w != nil {
		f.Within = &geo.BBox{MinLat: w.MinLat, MinLon: w.MinLon, MaxLat: w.MaxLat, MaxLon: w.MaxLon}
		if err := geo.ValidateBBox(*f.Within, "filter.within"); err != nil {
			return f, err
		}
	}
	f.HideSeriesOccurrences = in.HideSeriesOccurrences != nil && *in.HideSeriesOccurrences
	if in.Query != nil {
		if f.Words, err = portal.SearchWords(*in.Query, "filter.query"); err != nil {
			return f, err
		}
	}
	return f, nil
}

// editedEvent returns an event as its writer sees it after a change.
func (r *mutationResolver) editedEvent(ctx context.Context, id uuid.UUID) (*model.EventPayload, error) {
	e, err := r.Calendar.FindEvent(ctx, &id, "")
	if e != nil {
		seeEvents(ctx, []*events.Event{e})
	}
	return &model.EventPayload{Event: e}, err
}

// activityOccurrences returns a's dated times from to to, the closures of the range
// read once per operation for every activity shown.
func (r *activityResolver) activityOccurrences(ctx context.Context, a *portal.Activity, from, to time.Time,
) ([]*events.Occurrence, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(t.Municipality.TimeZone)
	if err != nil {
		return nil, err
	}
	var cs []*events.Closure
	if a.PausesInSchoolHolidays || a.PausesOnPublicHolidays {
		if cs, err = r.closuresOf(ctx, from, to); err != nil {
			return nil, err
		}
	}
	return events.SlotOccurrences(a.Slots, a.PausesInSchoolHolidays, a.PausesOnPublicHolidays, loc, from, to, cs)
}

// closuresOf returns the closures from to to, loaded once per operation and range.
func (r *Resolver) closuresOf(ctx context.Context, from, to time.Time) ([]*events.Closure, error) {
	el := loadersFor(ctx).events
	if el == nil {
		return r.Calendar.FindClosures(ctx, from, to)
	}
	el.mu.Lock()
	lz := el.closures[[2]time.Time{from, to}]
	if lz == nil {
		lz = &lazy[[]*events.Closure]{}
		el.closures[[2]time.Time{from, to}] = lz
	}
	el.mu.Unlock()
	return lz.get(func() ([]*events.Closure, error) { return r.Calendar.FindClosures(ctx, from, to) })
}

// eventNode returns an event, series or closure for node(id), or nil.
func (r *queryResolver) eventNode(ctx context.Context, typ string, id uuid.UUID) (relay.Node, error) {
	switch typ {
	case "Event":
		e, err := r.Resolver.Calendar.FindEvent(ctx, &id, "")
		if e != nil {
			seeEvents(ctx, []*events.Event{e})
		}
		return nodeOrNil(e, err)
	case "EventSeries":
		m, err := r.Resolver.Calendar.SeriesByID(ctx, []uuid.UUID{id})
		if err != nil {
			return nil, err
		}
		return nodeOrNil(m[id], nil)
	}
	return nodeOrNil(r.Resolver.Calendar.FindClosure(ctx, id))
}
