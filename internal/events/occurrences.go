package events

import (
	"slices"
	"strconv"
	"time"

	"github.com/fritid/fritid/internal/portal"
)

// Occurrence is one dated time of an activity's weekly slots.
type Occurrence struct {
	StartsAt time.Time
	EndsAt   time.Time
}

// SlotOccurrences returns the dated times of slots (wall clock in loc) on the days from
// to to (both included), by start, less the days of closures of the kinds it pauses in.
// Errors: BAD_USER_INPUT naming "to" for a range longer than MaxRangeDays or backwards.
func SlotOccurrences(slots []portal.WeeklySlot, school, public bool, loc *time.Location, from, to time.Time,
	closures []*Closure,
) ([]*Occurrence, error) {
	if err := checkRange(from, to, "to"); err != nil {
		return nil, err
	}
	closed := map[string]bool{}
	for _, c := range closures {
		if (c.Kind == SchoolHoliday && school) || (c.Kind == PublicHoliday && public) {
			for d := c.StartsOn; !d.After(c.EndsOn); d = d.AddDate(0, 0, 1) {
				closed[day(d)] = true
			}
		}
	}
	out := []*Occurrence{}
	for d := dateOf(from); !d.After(dateOf(to)); d = d.AddDate(0, 0, 1) {
		if closed[day(d)] {
			continue
		}
		wd := int(d.Weekday())
		if wd == 0 {
			wd = 7
		}
		for _, sl := range slots {
			if int(sl.Weekday) != wd {
				continue
			}
			out = append(out, &Occurrence{StartsAt: at(d, sl.Start, loc), EndsAt: at(d, sl.End, loc)})
		}
	}
	slices.SortFunc(out, func(a, b *Occurrence) int { return a.StartsAt.Compare(b.StartsAt) })
	return out, nil
}

// at returns the wall-clock time hhmm ("17:30") on day d in loc.
func at(d time.Time, hhmm string, loc *time.Location) time.Time {
	h, m := 0, 0
	if len(hhmm) == 5 {
		h, _ = strconv.Atoi(hhmm[:2])
		m, _ = strconv.Atoi(hhmm[3:])
	}
	return time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc)
}
