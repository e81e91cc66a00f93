package events

import (
	"testing"
	"time"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/portal"
)

func oslo(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestWeeklyKeepsWallClockAcrossDaylightSaving: a weekly 17:00 event stays at 17:00 in
// Oslo over the switches on the last Sundays of March and October, so its UTC time moves.
func TestWeeklyKeepsWallClockAcrossDaylightSaving(t *testing.T) {
	loc := oslo(t)
	start := time.Date(2027, 3, 1, 17, 0, 0, 0, loc) // a Monday
	set, err := buildSet(Rule{RRule: "FREQ=WEEKLY;BYDAY=MO;UNTIL=20271130T000000Z", TimeZone: "Europe/Oslo"}, start,
		"input.rule")
	if err != nil {
		t.Fatal(err)
	}
	starts, err := set.expand(start.AddDate(1, 0, 0), "input.rule.rrule")
	if err != nil {
		t.Fatal(err)
	}
	if len(starts) != 40 {
		t.Fatalf("got %d Mondays, want 40", len(starts))
	}
	for _, s := range starts {
		if l := s.In(loc); l.Hour() != 17 || l.Minute() != 0 || l.Weekday() != time.Monday {
			t.Fatalf("%v is not Monday 17:00 in Oslo", l)
		}
	}
	utcHour := func(y int, m time.Month, d int) int {
		for _, s := range starts {
			if s.In(loc).Year() == y && s.In(loc).Month() == m && s.In(loc).Day() == d {
				return s.UTC().Hour()
			}
		}
		t.Fatalf("no occurrence on %d-%d-%d", y, m, d)
		return 0
	}
	// Summer time from Sunday 28 March 2027 to Sunday 31 October 2027.
	for _, c := range []struct {
		m    time.Month
		d, h int
	}{{time.March, 22, 16}, {time.March, 29, 15}, {time.October, 25, 15}, {time.November, 1, 16}} {
		if got := utcHour(2027, c.m, c.d); got != c.h {
			t.Errorf("%s %d: %02d:00 UTC, want %02d:00", c.m, c.d, got, c.h)
		}
	}
}

func TestRuleBadInput(t *testing.T) {
	loc := oslo(t)
	start := time.Date(2027, 1, 4, 17, 0, 0, 0, loc)
	cases := []struct {
		name  string
		rule  Rule
		field string
		msg   string
	}{
		{"ErrUnknownTimeZone", Rule{RRule: "FREQ=WEEKLY", TimeZone: "Europe/Atlantis"}, "input.rule.timeZone",
			"TimeZoneInvalid"},
		{"ErrGarbage", Rule{RRule: "FREQ=SOMETIMES", TimeZone: "Europe/Oslo"}, "input.rule.rrule", "RuleInvalid"},
		{"ErrDTSTARTInRule", Rule{RRule: "DTSTART:20270101T000000Z\nRRULE:FREQ=DAILY", TimeZone: "Europe/Oslo"},
			"input.rule.rrule", "RuleInvalid"},
		{"ErrHourly", Rule{RRule: "FREQ=HOURLY", TimeZone: "Europe/Oslo"}, "input.rule.rrule", "RuleInvalid"},
		{"ErrCountOverCap", Rule{RRule: "FREQ=DAILY;COUNT=501", TimeZone: "Europe/Oslo"}, "input.rule.rrule",
			"TooManyOccurrences"},
		{"ErrUntilOverCap", Rule{RRule: "FREQ=DAILY;UNTIL=20300101T000000Z", TimeZone: "Europe/Oslo"},
			"input.rule.rrule", "TooManyOccurrences"},
		{"ErrExDateMatchesNothing", Rule{RRule: "FREQ=WEEKLY;COUNT=5", TimeZone: "Europe/Oslo",
			ExDates: []time.Time{start.Add(24 * time.Hour)}}, "input.rule.exdates[0]", "ExDateUnmatched"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			set, err := buildSet(c.rule, start, "input.rule")
			if err == nil {
				err = set.checkExDates("input.rule.exdates")
			}
			if err == nil {
				_, err = set.expand(start.AddDate(5, 0, 0), "input.rule.rrule")
			}
			if e := apperr.As(err); e == nil || e.Code != apperr.BadUserInput || e.Field != c.field || e.MessageID != c.msg {
				t.Fatalf("got %v, want %s on %s", err, c.msg, c.field)
			}
		})
	}
	t.Run("OpenEndedRuleIsBoundedByTheHorizon", func(t *testing.T) {
		set, err := buildSet(Rule{RRule: "FREQ=DAILY", TimeZone: "Europe/Oslo"}, start, "input.rule")
		if err != nil {
			t.Fatal(err)
		}
		starts, err := set.expand(start.AddDate(0, 0, 364), "input.rule.rrule")
		if err != nil || len(starts) != 365 {
			t.Fatalf("got %d starts, %v", len(starts), err)
		}
	})
}

// FuzzParseRRule: no input makes the parser panic or hang, and whatever it accepts
// repeats daily at most.
func FuzzParseRRule(f *testing.F) {
	for _, s := range []string{"FREQ=WEEKLY;BYDAY=TU", "RRULE:FREQ=DAILY;COUNT=3", "FREQ=MONTHLY;BYMONTHDAY=-1",
		"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "FREQ=WEEKLY;UNTIL=20270601T000000Z;BYDAY=MO,WE", "FREQ=SECONDLY",
		"FREQ=WEEKLY;INTERVAL=0", "FREQ=DAILY;BYSETPOS=1", "", ";;;", "FREQ=WEEKLY;BYDAY=XX", "FREQ=DAILY;COUNT=-1"} {
		f.Add(s)
	}
	start := time.Date(2027, 1, 4, 17, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRRule(s, start, "input.rule.rrule")
		if err != nil {
			if e := apperr.As(err); e == nil || e.Code != apperr.BadUserInput {
				t.Fatalf("%q: %v is not BAD_USER_INPUT", s, err)
			}
			return
		}
		if !allowedFreq[r.OrigOptions.Freq] {
			t.Fatalf("%q accepted with frequency %v", s, r.OrigOptions.Freq)
		}
	})
}

func TestSlotOccurrencesPauseInClosures(t *testing.T) {
	loc := oslo(t)
	slots := []portal.WeeklySlot{{Weekday: 2, Start: "17:00", End: "19:00"}} // Tuesdays
	winter := &Closure{Kind: SchoolHoliday, StartsOn: time.Date(2027, 2, 22, 0, 0, 0, 0, time.UTC),
		EndsOn: time.Date(2027, 2, 26, 0, 0, 0, 0, time.UTC)}
	from, to := time.Date(2027, 2, 15, 0, 0, 0, 0, time.UTC), time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)
	all, err := SlotOccurrences(slots, false, false, loc, from, to, []*Closure{winter})
	if err != nil || len(all) != 7 {
		t.Fatalf("without pauses: %d, %v", len(all), err)
	}
	paused, _ := SlotOccurrences(slots, true, false, loc, from, to, []*Closure{winter})
	if len(paused) != 6 {
		t.Fatalf("pausing in school holidays: %d Tuesdays, want 6", len(paused))
	}
	for _, o := range paused {
		if o.StartsAt.Month() == time.February && o.StartsAt.Day() == 23 {
			t.Fatal("Tuesday of winter break kept")
		}
		if o.StartsAt.In(loc).Hour() != 17 || o.EndsAt.Sub(o.StartsAt) != 2*time.Hour {
			t.Fatalf("occurrence %v–%v", o.StartsAt, o.EndsAt)
		}
	}
	if _, err := SlotOccurrences(slots, false, false, loc, from, from.AddDate(1, 1, 0), nil); apperr.As(err) == nil ||
		apperr.As(err).Field != "to" {
		t.Fatalf("a range over 366 days: %v", err)
	}
}

func TestNorwegianPublicHolidays(t *testing.T) {
	for year, easter := range map[int]string{2026: "2026-04-05", 2027: "2027-03-28", 2028: "2028-04-16"} {
		if got := day(Easter(year)); got != easter {
			t.Errorf("Easter %d: %s, want %s", year, got, easter)
		}
	}
	hs := NorwegianPublicHolidays(2027)
	want := map[string]string{"Skjærtorsdag": "2027-03-25", "Kristi himmelfartsdag": "2027-05-06",
		"Andre pinsedag": "2027-05-17", "Grunnlovsdag": "2027-05-17"}
	if len(hs) != 12 {
		t.Fatalf("%d holidays", len(hs))
	}
	for _, h := range hs {
		if w, ok := want[h.Name]; ok && day(h.StartsOn) != w {
			t.Errorf("%s 2027: %s, want %s", h.Name, day(h.StartsOn), w)
		}
	}
}

// TestOsloClock: the zones that keep Oslo's clock are written as Oslo wall clock in the
// feeds; the others (another daylight-saving rule, none, another offset) in UTC.
func TestOsloClock(t *testing.T) {
	for zone, want := range map[string]bool{"Europe/Oslo": true, "Arctic/Longyearbyen": true, "Europe/Berlin": true,
		"Europe/London": false, "America/New_York": false, "UTC": false, "Asia/Tokyo": false, "": false} {
		if got := osloClock(zone); got != want {
			t.Errorf("osloClock(%q) = %v, want %v", zone, got, want)
		}
	}
	at := time.Date(2027, 7, 1, 15, 0, 0, 0, time.UTC)
	if v, ps := icalTime(at, false, "Arctic/Longyearbyen", false); v != "20270701T170000" || len(ps) != 1 {
		t.Errorf("a summer afternoon on Svalbard: %s %v", v, ps)
	}
	if v, _ := icalTime(at, false, "Europe/London", false); v != "20270701T150000Z" {
		t.Errorf("a London time: %s, want UTC", v)
	}
}
