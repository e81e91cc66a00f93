package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"github.com/fritid/fritid/internal/events"
)

// parseICal fetches an iCalendar feed, checks its headers and lines (CRLF, folded at 75
// octets) and parses it with a general iCalendar parser.
func parseICal(t *testing.T, s *testServer, path string) (*goical.Calendar, http.Header) {
	t.Helper()
	status, h, body := fetchFeed(t, s, path)
	if status != http.StatusOK {
		t.Fatalf("%s: status %d: %s", path, status, body)
	}
	if h.Get("Content-Type") != "text/calendar; charset=utf-8" || h.Get("Cache-Control") != "public, max-age=300" ||
		h.Get("ETag") == "" || h.Get("Last-Modified") == "" {
		t.Errorf("%s: headers %v", path, h)
	}
	if !bytes.HasSuffix(body, []byte("\r\n")) {
		t.Errorf("%s: not ended by CRLF", path)
	}
	for _, l := range strings.Split(strings.TrimSuffix(string(body), "\r\n"), "\r\n") {
		if len(l) > 75 || strings.Contains(l, "\n") {
			t.Errorf("%s: a line not folded at 75 octets or a bare LF: %q", path, l)
		}
	}
	cal, err := goical.NewDecoder(bytes.NewReader(body)).Decode()
	if err != nil {
		t.Fatalf("%s: %v\n%s", path, err, body)
	}
	return cal, h
}

func icalText(t *testing.T, ev goical.Event, name string) string {
	t.Helper()
	p := ev.Props.Get(name)
	if p == nil {
		return ""
	}
	v, err := p.Text()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

func icalInt(t *testing.T, ev goical.Event, name string) int {
	t.Helper()
	v, err := ev.Props.Get(name).Int()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

// TestEventFeedSeriesExpandToTheOccurrences checks the iCalendar feed against an
// independent parser: the series' RRULE less its EXDATEs gives exactly the occurrences
// the calendar made (across the switch to summer time and with a closure), changed
// occurrences come as RECURRENCE-ID entries, a cancelled one as STATUS:CANCELLED, and
// SEQUENCE grows on each change.
func TestEventFeedSeriesExpandToTheOccurrences(t *testing.T) {
	t.Parallel()
	s, admin := newEventServer(t)
	ctx := context.Background()
	loc, _ := time.LoadLocation("Europe/Oslo")
	var venue string
	if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO venues (municipality_id, name, street, postal_code, place,
		lat, lon) SELECT id, 'Kulturhuset', 'Storgata 1', '3256', 'Larvik', 59.05, 10.03 FROM municipalities
		WHERE slug = 'demo' RETURNING id`).Scan(&venue); err != nil {
		t.Fatal(err)
	}
	// Easter break 2027 (week 12): Tuesday 23 March is closed.
	ok(t, s.post(t, `mutation { createClosure(input: {name: "Påskeferie", kind: SCHOOL_HOLIDAY,
		startsOn: "2027-03-22", endsOn: "2027-03-26"}) { id } }`, nil, admin))
	start := time.Date(2027, 3, 16, 17, 0, 0, 0, loc)
	r := ok(t, s.post(t, createSeriesQ, map[string]any{"in": eventInput("korovelse", start, map[string]any{
		"rule": map[string]any{"rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=6"}, "pausesInSchoolHolidays": true,
		"publication": "PUBLISHED", "venueId": relayID("Venue", venue)})}, admin))
	seriesID := get(r.Data, "createEventSeries.series.id").(string)
	occ := get(r.Data, "createEventSeries.series.occurrences").([]any)
	if len(occ) != 5 {
		t.Fatalf("%d occurrences, want 5 (six less the closed one)", len(occ))
	}
	occID := func(i int) string { return occ[i].(map[string]any)["id"].(string) }
	update := func(in map[string]any) {
		t.Helper()
		ok(t, s.post(t, `mutation($in: UpdateEventInput!) { updateEvent(input: $in) { event { id } } }`,
			map[string]any{"in": in}, admin))
	}
	// The third (6 April, summer time) moves an hour on its own; the fourth is cancelled.
	moved := time.Date(2027, 4, 6, 18, 0, 0, 0, loc)
	update(map[string]any{"id": occID(2), "scope": "THIS", "startsAt": moved.Format(time.RFC3339),
		"endsAt": moved.Add(time.Hour).Format(time.RFC3339),
		"texts":  []any{map[string]any{"locale": "nb", "title": "Ekstraøvelse"}}})
	update(map[string]any{"id": occID(3), "scope": "THIS", "status": "CANCELLED"})
	long := "Konsert; med komma, backslash \\ og\nny linje – " + strings.TrimSpace(strings.Repeat("blåbærsyltetøy ", 12))
	ok(t, s.post(t, createEventQ, map[string]any{"in": map[string]any{"slug": "konsert",
		"startsAt": "2027-03-20T19:00:00+01:00", "endsAt": "2027-03-20T21:00:00+01:00", "publication": "PUBLISHED",
		"texts": []any{map[string]any{"locale": "nb", "title": "Konsert; i parken, ute", "summary": long}}}}, admin))
	ok(t, s.post(t, createEventQ, map[string]any{"in": map[string]any{"slug": "loppemarked", "allDay": true,
		"startsAt": "2027-05-01T00:00:00+02:00", "endsAt": "2027-05-03T00:00:00+02:00", "publication": "PUBLISHED",
		"texts": []any{map[string]any{"locale": "nb", "title": "Loppemarked"}}}}, admin))
	ok(t, s.post(t, createEventQ, map[string]any{"in": eventInput("utkast", start, nil)}, admin))

	r = ok(t, s.post(t, `query($id: ID!) { events(filter: {series: $id}, first: 50) {
		nodes { startsAt recurrenceStart overridden status } } }`, map[string]any{"id": seriesID}))
	var want []time.Time
	overrides := map[int64]map[string]any{}
	for _, n := range get(r.Data, "events.nodes").([]any) {
		o := n.(map[string]any)
		rs, _ := time.Parse(time.RFC3339, o["recurrenceStart"].(string))
		want = append(want, rs)
		if o["overridden"] == true {
			overrides[rs.Unix()] = o
		}
	}
	if len(want) != 5 || len(overrides) != 2 {
		t.Fatalf("occurrences %v", r.Data)
	}

	cal, h := parseICal(t, s, "/feeds/events.ics?lang=nb")
	var series *goical.Event
	var recur []goical.Event
	bySummary := map[string]goical.Event{}
	uids := map[string]bool{}
	for _, ev := range cal.Events() {
		uid := icalText(t, ev, goical.PropUID)
		if !strings.HasSuffix(uid, "@demo") && !strings.Contains(uid, "@demo.") {
			t.Errorf("UID %q not <id>@<municipality>", uid)
		}
		if ev.Props.Get(goical.PropDateTimeStamp) == nil {
			t.Errorf("%s: no DTSTAMP", uid)
		}
		switch {
		case ev.Props.Get(goical.PropRecurrenceID) != nil:
			recur = append(recur, ev)
		case ev.Props.Get(goical.PropRecurrenceRule) != nil:
			series = &ev
			uids[uid] = true
		default:
			if uids[uid] {
				t.Errorf("UID %s twice", uid)
			}
			uids[uid] = true
			bySummary[icalText(t, ev, goical.PropSummary)] = ev
		}
	}
	if series == nil || len(bySummary) != 2 || len(recur) != 2 {
		t.Fatalf("a series, 2 events and 2 changed occurrences expected: %d events, %d changed", len(bySummary),
			len(recur))
	}

	t.Run("SeriesExpandsToTheOccurrences", func(t *testing.T) {
		if p := series.Props.Get(goical.PropDateTimeStart); p.Params.Get(goical.PropTimezoneID) != "Europe/Oslo" {
			t.Errorf("DTSTART %v without TZID=Europe/Oslo", p)
		}
		set, err := series.RecurrenceSet(time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		got := set.All()
		if len(got) != len(want) {
			t.Fatalf("the rule gives %v, the calendar %v", got, want)
		}
		for i := range got {
			if !got[i].Equal(want[i]) {
				t.Errorf("occurrence %d: rule %v, calendar %v", i, got[i], want[i])
			}
			if got[i].In(loc).Hour() != 17 {
				t.Errorf("occurrence %d at %v, not 17:00 in Oslo", i, got[i].In(loc))
			}
		}
		if len(series.Props.Values(goical.PropExceptionDates)) != 1 {
			t.Errorf("EXDATEs %v, want the closed day alone", series.Props.Values(goical.PropExceptionDates))
		}
		if geo := series.Props.Get(goical.PropGeo); geo == nil || geo.Value != "59.05;10.03" {
			t.Errorf("GEO %v", geo)
		}
		if l := icalText(t, *series, goical.PropLocation); !strings.HasPrefix(l, "Kulturhuset, Storgata 1, 3256 Larvik") {
			t.Errorf("LOCATION %q", l)
		}
	})
	t.Run("ChangedOccurrencesHaveARecurrenceID", func(t *testing.T) {
		for _, ev := range recur {
			if icalText(t, ev, goical.PropUID) != icalText(t, *series, goical.PropUID) {
				t.Errorf("a changed occurrence under another UID")
			}
			rid, err := ev.Props.DateTime(goical.PropRecurrenceID, time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			o := overrides[rid.Unix()]
			if o == nil {
				t.Fatalf("RECURRENCE-ID %v is no changed occurrence", rid)
			}
			st, _ := ev.DateTimeStart(time.UTC)
			want, _ := time.Parse(time.RFC3339, o["startsAt"].(string))
			status, _ := ev.Status()
			if !st.Equal(want) || (o["status"] == "CANCELLED") != (status == goical.EventCancelled) {
				t.Errorf("occurrence %v: start %v status %s, want %v %v", rid, st, status, want, o["status"])
			}
		}
	})
	t.Run("TextIsEscapedAndFolded", func(t *testing.T) {
		ev, found := bySummary["Konsert; i parken, ute"]
		if !found {
			t.Fatalf("summaries %v", bySummary)
		}
		if d := icalText(t, ev, goical.PropDescription); d != long {
			t.Errorf("DESCRIPTION %q, want %q", d, long)
		}
		all := bySummary["Loppemarked"]
		st, en := all.Props.Get(goical.PropDateTimeStart), all.Props.Get(goical.PropDateTimeEnd)
		if st.ValueType() != goical.ValueDate || st.Value != "20270501" || en.Value != "20270503" {
			t.Errorf("all day: DTSTART %v DTEND %v", st, en)
		}
		if u := ev.Props.Get(goical.PropURL).Value; !strings.Contains(u, "/arrangementer/konsert?lang=nb") {
			t.Errorf("URL %q", u)
		}
	})
	t.Run("NotModified", func(t *testing.T) {
		if status, _, _ := fetchFeed(t, s, "/feeds/events.ics?lang=nb", "If-None-Match: "+h.Get("ETag")); status != 304 {
			t.Errorf("If-None-Match: status %d", status)
		}
	})
	t.Run("SequenceGrowsOnEachChange", func(t *testing.T) {
		before := icalInt(t, *series, goical.PropSequence)
		evBefore := icalInt(t, bySummary["Loppemarked"], goical.PropSequence)
		ok(t, s.post(t, `mutation($id: ID!) { updateEventSeries(input: {id: $id, place: "Salen"}) { series { id } } }`,
			map[string]any{"id": seriesID}, admin))
		r := ok(t, s.post(t, `{ events(filter: {from: "2027-05-01T00:00:00Z"}, first: 1) { nodes { id } } }`, nil))
		update(map[string]any{"id": get(r.Data, "events.nodes.0.id"), "texts": []any{
			map[string]any{"locale": "nb", "title": "Loppemarked!"}}})
		cal, _ := parseICal(t, s, "/feeds/events.ics?lang=nb")
		for _, ev := range cal.Events() {
			seq := icalInt(t, ev, goical.PropSequence)
			switch {
			case ev.Props.Get(goical.PropRecurrenceRule) != nil:
				if seq <= before || !strings.Contains(icalText(t, ev, goical.PropLocation), "Salen") {
					t.Errorf("series SEQUENCE %d after %d", seq, before)
				}
			case icalText(t, ev, goical.PropSummary) == "Loppemarked!":
				if seq <= evBefore {
					t.Errorf("event SEQUENCE %d after %d", seq, evBefore)
				}
			}
		}
	})
	t.Run("Filters", func(t *testing.T) {
		cal, _ := parseICal(t, s, "/feeds/events.ics?lang=nb&freeOnly=true&age=10")
		if n := len(cal.Events()); n != 5 {
			t.Errorf("%d entries", n)
		}
		cal, _ = parseICal(t, s, "/feeds/events.ics?lang=nb&freeOnly=true&age=10")
	})
	t.Run("JSONLDHasWhatSearchEnginesRequire", func(t *testing.T) {
		r := ok(t, s.post(t, `{ events(first: 20) { nodes { slug status jsonLd } } }`, nil))
		seen := 0
		for _, n := range get(r.Data, "events.nodes").([]any) {
			var ld struct {
				Context   string `json:"@context"`
				Type      string `json:"@type"`
				Name      string `json:"name"`
				Start     string `json:"startDate"`
				End       string `json:"endDate"`
				Status    string `json:"eventStatus"`
				Lang      string `json:"inLanguage"`
				URL       string `json:"url"`
				Organizer struct {
					Type string `json:"@type"`
					Name string `json:"name"`
				} `json:"organizer"`
				Location *struct {
					Type    string `json:"@type"`
					Name    string `json:"name"`
					Address struct {
						PostalCode string `json:"postalCode"`
						Locality   string `json:"addressLocality"`
					} `json:"address"`
					Geo struct {
						Lat float64 `json:"latitude"`
						Lon float64 `json:"longitude"`
					} `json:"geo"`
				} `json:"location"`
				Offers struct {
					Price    string `json:"price"`
					Currency string `json:"priceCurrency"`
				} `json:"offers"`
				Schedule *struct {
					Freq  string   `json:"repeatFrequency"`
					ByDay []string `json:"byDay"`
					Count int      `json:"repeatCount"`
					Zone  string   `json:"scheduleTimezone"`
				} `json:"eventSchedule"`
			}
			o := n.(map[string]any)
			raw, _ := json.Marshal(o["jsonLd"])
			if err := json.Unmarshal(raw, &ld); err != nil {
				t.Fatalf("%s: %v", raw, err)
			}
			if ld.Context != "https://schema.org" || ld.Type != "Event" || ld.Name == "" || ld.Lang != "nb" ||
				!strings.Contains(ld.URL, "/arrangementer/"+o["slug"].(string)) || ld.Offers.Currency != "NOK" ||
				ld.Offers.Price != "0.00" || ld.Organizer.Name != "Demo kommune" {
				t.Errorf("%s", raw)
			}
			wantStatus := map[any]string{"SCHEDULED": "https://schema.org/EventScheduled",
				"CANCELLED": "https://schema.org/EventCancelled"}[o["status"]]
			if ld.Status != wantStatus {
				t.Errorf("%s: eventStatus %q", o["slug"], ld.Status)
			}
			switch slug := o["slug"].(string); {
			case slug == "loppemarked":
				if ld.Start != "2027-05-01" || ld.End != "2027-05-02" {
					t.Errorf("all day: %s", raw)
				}
				seen++
			case strings.HasPrefix(slug, "korovelse-"):
				st, err := time.Parse(time.RFC3339, ld.Start)
				if _, e2 := time.Parse(time.RFC3339, ld.End); err != nil || e2 != nil || st.In(loc).Hour() < 17 ||
					!strings.HasSuffix(ld.Start, "+02:00") && !strings.HasSuffix(ld.Start, "+01:00") {
					t.Errorf("dates without their offset: %s", raw)
				}
				if ld.Location == nil || ld.Location.Type != "Place" || ld.Location.Name != "Kulturhuset" ||
					ld.Location.Address.PostalCode != "3256" || ld.Location.Geo.Lat != 59.05 {
					t.Errorf("location: %s", raw)
				}
				if ld.Schedule == nil || ld.Schedule.Freq != "P1W" || len(ld.Schedule.ByDay) != 1 ||
					ld.Schedule.ByDay[0] != "https://schema.org/Tuesday" || ld.Schedule.Count != 6 ||
					ld.Schedule.Zone != "Europe/Oslo" {
					t.Errorf("eventSchedule: %s", raw)
				}
				seen++
			}
		}
		if seen != 6 {
			t.Errorf("%d events checked, want the market and five occurrences", seen)
		}
	})
	t.Run("ErrBadParameters", func(t *testing.T) {
		for q, field := range map[string]string{"?lang=xx": "lang", "?category=finnes-ikke": "category",
			"?neighbourhood=x": "neighbourhood", "?organisation=x": "organisation", "?holidayProgramme=utkast": "holidayProgramme",
			"?age=x": "age", "?age=200": "age", "?freeOnly=kanskje": "freeOnly"} {
			status, _, body := fetchFeed(t, s, "/feeds/events.ics"+q)
			var doc struct {
				Errors []struct {
					Extensions map[string]any `json:"extensions"`
				} `json:"errors"`
			}
			if status != http.StatusBadRequest || json.Unmarshal(body, &doc) != nil || len(doc.Errors) != 1 ||
				doc.Errors[0].Extensions["field"] != field || doc.Errors[0].Extensions["code"] != "BAD_USER_INPUT" {
				t.Errorf("%s: status %d %s", q, status, body)
			}
		}
	})
}

// TestEventFeedETagChangesWithEveryChange fetches the feed again after each kind of change
// to what it is made of, some through the API and some straight in the database: a
// repeated fetch of an unchanged calendar answers the same bytes, and every change gives
// another ETag and a body that shows it, also when the servers keep what they rendered.
func TestEventFeedETagChangesWithEveryChange(t *testing.T) {
	t.Parallel()
	s, admin := newEventServer(t)
	var clock atomic.Int64
	clock.Store(time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC).Unix())
	s.app.Events.Now = func() time.Time { return time.Unix(clock.Load(), 0) }
	ctx := context.Background()
	exec := func(q string) {
		t.Helper()
		if _, err := s.app.DB.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	var venue string
	if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO venues (municipality_id, name, street, postal_code, place)
		SELECT id, 'Kulturhuset', 'Storgata 1', '3256', 'Larvik' FROM municipalities WHERE slug = 'demo'
		RETURNING id`).Scan(&venue); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2027, 2, 10, 18, 0, 0, 0, time.UTC)
	r := ok(t, s.post(t, createEventQ, map[string]any{"in": eventInput("konsert", start, map[string]any{
		"publication": "PUBLISHED", "venueId": relayID("Venue", venue)})}, admin))
	id := get(r.Data, "createEvent.event.id").(string)
	r = ok(t, s.post(t, createEventQ, map[string]any{"in": eventInput("dans", start.AddDate(0, 1, 0),
		map[string]any{"publication": "PUBLISHED"})}, admin))
	later := get(r.Data, "createEvent.event.id").(string)
	fetch := func() (string, string) {
		t.Helper()
		status, h, body := fetchFeed(t, s, "/feeds/events.ics?lang=nb")
		if status != http.StatusOK {
			t.Fatalf("status %d: %s", status, body)
		}
		return h.Get("ETag"), string(body)
	}
	etag, body := fetch()
	if again, same := fetch(); again != etag || same != body {
		t.Fatal("an unchanged calendar gave another feed")
	}
	for _, c := range []struct {
		name, want string
		change     func()
	}{
		{"Title", "Konsert i parken", func() {
			ok(t, s.post(t, updateEventQ, map[string]any{"in": map[string]any{"id": id,
				"texts": []any{map[string]any{"locale": "nb", "title": "Konsert i parken"}}}}, admin))
		}},
		{"Cancelled", "STATUS:CANCELLED", func() {
			ok(t, s.post(t, updateEventQ, map[string]any{"in": map[string]any{"id": id, "status": "CANCELLED"}}, admin))
		}},
		{"VenueRenamedInTheDatabase", "Kulturhuset Bølgen", func() {
			exec("UPDATE venues SET name = 'Kulturhuset Bølgen'")
		}},
		{"TimePassed", "", func() { clock.Store(start.Add(2*time.Hour + events.FeedPast + time.Minute).Unix()) }},
		{"Deleted", "", func() {
			ok(t, s.post(t, `mutation($id: ID!) { deleteEvent(id: $id) { deletedId } }`, map[string]any{"id": later},
				admin))
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.change()
			next, nb := fetch()
			if next == etag || nb == body || !strings.Contains(strings.ReplaceAll(nb, "\r\n ", ""), c.want) {
				t.Fatalf("after the change: ETag %s (was %s), body:\n%s", next, etag, nb)
			}
			etag, body = next, nb
		})
	}
}
