package app_test

import (
	"testing"
	"time"
)

const calendarQ = `query($from: Date!, $to: Date!, $f: CalendarFilterInput) { calendar(from: $from, to: $to, filter: $f) {
	date items { __typename ... on Event { title startsAt venue { name } organisation { name } }
	... on CalendarActivityTime { startsAt endsAt activity { title organisation { name } } } } } }`

// TestCalendarMixesEventsAndActivities checks calendar(from, to): days in Oslo, events on
// each day they last, activities' weekly times less closures, the filters, the bounded
// range, and a statement count that does not grow with the days or items.
func TestCalendarMixesEventsAndActivities(t *testing.T) {
	t.Parallel()
	s, admin := newEventServer(t)
	loc, _ := time.LoadLocation("Europe/Oslo")
	s.exec(t, `WITH o AS (INSERT INTO organisations (municipality_id, slug, name, kind, status)
		SELECT id, 'koret', 'Koret', 'VOLUNTARY', 'PUBLISHED' FROM municipalities WHERE slug = 'demo' RETURNING *)
		INSERT INTO activities (municipality_id, organisation_id, slug, slots, status, pauses_in_school_holidays)
		SELECT municipality_id, id, 'kor', '[{"weekday": 2, "start": "17:00", "end": "19:00"}]', 'PUBLISHED', true
		FROM o`)
	s.exec(t, `INSERT INTO activity_translations (activity_id, municipality_id, locale, title)
		SELECT id, municipality_id, 'nb', 'Korøvelse' FROM activities WHERE slug = 'kor'`)
	ok(t, s.post(t, `mutation { createClosure(input: {name: "Vinterferie", kind: SCHOOL_HOLIDAY,
		startsOn: "2027-02-22", endsOn: "2027-02-26"}) { id } }`, nil, admin))
	ok(t, s.post(t, createEventQ, map[string]any{"in": eventInput("konsert", time.Date(2027, 2, 17, 18, 0, 0, 0, loc),
		map[string]any{"publication": "PUBLISHED"})}, admin))
	ok(t, s.post(t, createEventQ, map[string]any{"in": map[string]any{"slug": "festival", "publication": "PUBLISHED",
		"startsAt": time.Date(2027, 2, 20, 10, 0, 0, 0, loc).Format(time.RFC3339), "ageMin": 13,
		"endsAt": time.Date(2027, 2, 21, 16, 0, 0, 0, loc).Format(time.RFC3339),
		"texts":  []any{map[string]any{"locale": "nb", "title": "Festival"}}}}, admin))
	// Late on a Sunday evening in Oslo is Sunday there, though Monday has begun nowhere.
	ok(t, s.post(t, createEventQ, map[string]any{"in": eventInput("kveld", time.Date(2027, 2, 28, 23, 30, 0, 0, loc),
		map[string]any{"publication": "PUBLISHED", "endsAt": time.Date(2027, 2, 28, 23, 45, 0, 0, loc).Format(
			time.RFC3339)})}, admin))

	days := func(f map[string]any) map[string][]string {
		t.Helper()
		r := ok(t, s.post(t, calendarQ, map[string]any{"from": "2027-02-15", "to": "2027-02-28", "f": f}))
		out := map[string][]string{}
		all := get(r.Data, "calendar").([]any)
		if len(all) != 14 {
			t.Fatalf("%d days, want 14", len(all))
		}
		for _, d := range all {
			day := d.(map[string]any)
			for _, it := range day["items"].([]any) {
				item := it.(map[string]any)
				at, _ := time.Parse(time.RFC3339, item["startsAt"].(string))
				name := item["__typename"].(string) + ":" + at.In(loc).Format("15:04")
				if item["__typename"] == "Event" {
					name += ":" + item["title"].(string)
				} else {
					name += ":" + get(item, "activity.title").(string)
				}
				out[day["date"].(string)] = append(out[day["date"].(string)], name)
			}
		}
		return out
	}
	got := days(nil)
	want := map[string][]string{
		"2027-02-16": {"CalendarActivityTime:17:00:Korøvelse"},
		"2027-02-17": {"Event:18:00:Teater: konsert"},
		"2027-02-20": {"Event:10:00:Festival"},
		"2027-02-21": {"Event:10:00:Festival"},
		"2027-02-28": {"Event:23:30:Teater: kveld"},
	}
	if len(got) != len(want) {
		t.Fatalf("days %v, want %v", got, want)
	}
	for d, w := range want {
		if len(got[d]) != len(w) || got[d][0] != w[0] {
			t.Errorf("%s: %v, want %v", d, got[d], w)
		}
	}
	t.Run("Filters", func(t *testing.T) {
		got := days(map[string]any{"age": 8})
		if len(got["2027-02-20"]) != 0 || len(got["2027-02-16"]) != 1 || len(got["2027-02-17"]) != 1 {
			t.Errorf("for an 8-year-old: %v", got)
		}
	})
	t.Run("ErrRangeTooLong", func(t *testing.T) {
		wantInvalid(t, s.post(t, calendarQ, map[string]any{"from": "2027-02-01", "to": "2027-03-04"}), "to")
		wantInvalid(t, s.post(t, calendarQ, map[string]any{"from": "2027-02-01", "to": "2027-01-31"}), "to")
		ok(t, s.post(t, calendarQ, map[string]any{"from": "2027-02-01", "to": "2027-03-03"}))
	})
	t.Run("StatementsDoNotGrow", func(t *testing.T) {
		counter := &statementCounter{}
		s.app.DB.AddQueryHook(counter)
		run := func(from, to string) int64 {
			s.app.Tenants.Invalidate()
			s.app.Portal.InvalidateCategories()
			s.app.Portal.InvalidateSharedProviders()
			counter.n.Store(0)
			ok(t, s.post(t, calendarQ, map[string]any{"from": from, "to": to}))
			return counter.n.Load()
		}
		if small, large := run("2027-02-16", "2027-02-17"), run("2027-02-01", "2027-02-28"); small != large {
			t.Fatalf("two days cost %d statements, four weeks %d", small, large)
		}
	})
}
