package graph

import (
	"context"
	"time"

	"github.com/fritid/fritid/graph/model"
	"github.com/fritid/fritid/internal/events"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/tenant"
)

// calendarActivityPages bounds the pages of activities one calendar reads.
const calendarActivityPages = 10

// calendar answers calendar(from, to, filter): the events and the activities' weekly
// times of the days, in a statement count that does not grow with the days or items.
func (r *queryResolver) calendar(ctx context.Context, from, to time.Time, in *model.CalendarFilterInput,
) ([]*events.CalendarDay, error) {
	if err := events.CheckCalendarRange(from, to); err != nil {
		return nil, err
	}
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(t.Municipality.TimeZone)
	if err != nil {
		return nil, err
	}
	var f events.Filter
	var pf portal.Filter
	if in != nil {
		if f.Categories, err = parseIDs(in.Categories, "Category", "filter.categories"); err != nil {
			return nil, err
		}
		if f.Neighbourhoods, err = parseIDs(in.Neighbourhoods, "Neighbourhood", "filter.neighbourhoods"); err != nil {
			return nil, err
		}
		if in.Age != nil && (*in.Age < 0 || *in.Age > 120) {
			return nil, apperr.Invalid("filter.age", "AgeRange", nil)
		}
		f.Age, f.FreeOnly = in.Age, in.FreeOnly != nil && *in.FreeOnly
		pf = portal.Filter{CategoryIDs: f.Categories, NeighbourhoodIDs: f.Neighbourhoods, Age: f.Age,
			FreeOnly: f.FreeOnly}
	}
	start := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	end := time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, 1)
	evs, ok, err := r.calendarEventsJSON(ctx, start, end, f)
	if err != nil {
		return nil, err
	}
	if !ok {
		if evs, err = r.Resolver.Calendar.EventsBetween(ctx, start, end, f); err != nil {
			return nil, err
		}
		seeEvents(ctx, evs)
	}
	var times []*events.ActivityTime
	var closures []*events.Closure
	var after *string
	var shown []*portal.Activity
	for range calendarActivityPages {
		n := relay.MaxPageSize
		page, err := relay.NewPage(&n, nil, after, nil, n)
		if err != nil {
			return nil, err
		}
		conn, err := r.Portal.FindActivities(ctx, pf, nil, page, nil)
		if err != nil {
			return nil, err
		}
		for _, e := range conn.Edges {
			a := e.Node
			loadersFor(ctx).seeActivities(a)
			shown = append(shown, a)
			if len(a.Slots) == 0 {
				continue
			}
			var cs []*events.Closure
			if a.PausesInSchoolHolidays || a.PausesOnPublicHolidays {
				if closures == nil {
					if closures, err = r.closuresOf(ctx, from, to); err != nil {
						return nil, err
					}
				}
				cs = closures
			}
			occ, err := events.SlotOccurrences(a.Slots, a.PausesInSchoolHolidays, a.PausesOnPublicHolidays, loc, from,
				to, cs)
			if err != nil {
				return nil, err
			}
			for _, o := range occ {
				times = append(times, &events.ActivityTime{Activity: a, Occurrence: *o})
			}
		}
		if !conn.PageInfo.HasNextPage || len(conn.Edges) == 0 {
			break
		}
		c := conn.Edges[len(conn.Edges)-1].Cursor()
		after = &c
	}
	if err := attach(ctx, shown...); err != nil {
		return nil, err
	}
	return events.Days(from, to, loc, evs, times), nil
}
