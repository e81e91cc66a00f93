package events

import (
	"context"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/tenant"
)

// MaxCalendarDays bounds the days calendar(from, to) reads at once.
const MaxCalendarDays = 31

// CalendarLimit is the most events a calendar range lists.
const CalendarLimit = 2000

// CalendarItem is an entry of the calendar: an *Event or an *ActivityTime.
type CalendarItem interface {
	// Start is when the entry starts.
	Start() time.Time
}

// Start is when the event starts.
func (e *Event) Start() time.Time { return e.StartsAt }

// ActivityTime is one dated time of an activity's weekly slots in the calendar.
type ActivityTime struct {
	Activity *portal.Activity
	Occurrence
}

// Start is when the activity's time starts.
func (a *ActivityTime) Start() time.Time { return a.StartsAt }

// CalendarDay is one day of the calendar (in the municipality's time zone) with what
// happens on it, by start.
type CalendarDay struct {
	Date  time.Time
	Items []CalendarItem
}

// CheckCalendarRange returns BAD_USER_INPUT naming "to" for a range backwards or of more
// than MaxCalendarDays days.
func CheckCalendarRange(from, to time.Time) error {
	if to.Before(from) {
		return apperr.Invalid("to", "RangeInvalid", nil)
	}
	if to.Sub(from) >= MaxCalendarDays*24*time.Hour {
		return apperr.Invalid("to", "RangeTooLong", map[string]any{"Max": MaxCalendarDays})
	}
	return nil
}

// EventsBetween returns the events the reader may see matching f that overlap the time
// from start to end, by start, at most CalendarLimit, with their texts, in two statements
// (three for a signed-in reader).
func (s *Service) EventsBetween(ctx context.Context, start, end time.Time, f Filter) ([]*Event, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	var evs []*Event
	q, err := s.between(ctx, withLinks(s.db.NewSelect().Model(&evs), t.ID()), start, end, f)
	if err != nil {
		return nil, err
	}
	if err := q.Scan(ctx); err != nil {
		return nil, database.MapError(err, "find events", "event")
	}
	return evs, setTexts(ctx, s.db, t.ID(), evs)
}

// between adds to q (over events "e") the conditions, order and limit of EventsBetween.
func (s *Service) between(ctx context.Context, q *bun.SelectQuery, start, end time.Time, f Filter,
) (*bun.SelectQuery, error) {
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
	f.From, f.To = &start, &end
	// SECURITY: the tenant's events the reader may see (published, or drafts they may write).
	q = d.visible(q).Where(here, hereArgs...).Where("e.ends_at > ?", start)
	return filterEvents(q, f, start).Order("e.starts_at", "e.id").Limit(CalendarLimit), nil
}

// Days groups items into the days from to to (both included) in loc: an event on each
// day it overlaps, an activity's time on the day it starts.
func Days(from, to time.Time, loc *time.Location, evs []*Event, times []*ActivityTime) []*CalendarDay {
	first := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	var days []*CalendarDay
	index := map[string]*CalendarDay{}
	for d := first; !dateOf(d).After(dateOf(to)); d = d.AddDate(0, 0, 1) {
		cd := &CalendarDay{Date: dateOf(d), Items: []CalendarItem{}}
		days = append(days, cd)
		index[day(d)] = cd
	}
	add := func(start, end time.Time, it CalendarItem) {
		s := start.In(loc)
		d := time.Date(s.Year(), s.Month(), s.Day(), 0, 0, 0, 0, loc)
		for {
			if cd := index[day(d)]; cd != nil {
				cd.Items = append(cd.Items, it)
			}
			d = d.AddDate(0, 0, 1)
			if !d.Before(end) || d.After(first.AddDate(0, 0, len(days))) {
				return
			}
		}
	}
	for _, e := range evs {
		add(e.StartsAt, e.EndsAt, e)
	}
	for _, a := range times {
		add(a.StartsAt, a.StartsAt, a)
	}
	for _, cd := range days {
		sortItems(cd.Items)
	}
	return days
}

func sortItems(items []CalendarItem) {
	slices.SortStableFunc(items, func(a, b CalendarItem) int { return a.Start().Compare(b.Start()) })
}
