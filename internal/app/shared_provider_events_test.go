package app_test

import (
	"bytes"
	"net/http"
	"slices"
	"sort"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
)

// feedSummaries fetches the iCalendar feed of the municipality of header and returns the
// SUMMARY of every VEVENT, sorted, and whether each series carries its RRULE.
func feedSummaries(t *testing.T, s *testServer, header string) (summaries []string, rrules int) {
	t.Helper()
	status, _, body := fetchFeed(t, s, "/feeds/events.ics?lang=nb", header)
	if status != http.StatusOK {
		t.Fatalf("feed: status %d: %s", status, body)
	}
	cal, err := goical.NewDecoder(bytes.NewReader(body)).Decode()
	if err != nil {
		t.Fatalf("feed: %v\n%s", err, body)
	}
	for _, ev := range cal.Events() {
		summaries = append(summaries, icalText(t, ev, goical.PropSummary))
		if ev.Props.Get(goical.PropRecurrenceRule) != nil {
			rrules++
		}
	}
	sort.Strings(summaries)
	return summaries, rrules
}

// TestSharedProviderEvents shows the county's bus company's published events in the
// portal, calendar, search and iCalendar feed of a municipality that accepted it, and
// nothing else of it, nowhere else.
func TestSharedProviderEvents(t *testing.T) {
	t.Parallel()
	w := newSharedWorld(t)
	s := w.s
	ok(t, s.post(t, acceptQ, map[string]any{"o": w.vkt}, sfjH, w.sfjAdmin))
	start := time.Now().AddDate(0, 0, 7).Truncate(time.Hour)
	create := func(slug, title, publication string, extra map[string]any) string {
		in := eventInput(slug, start, map[string]any{"organisationId": w.vkt, "publication": publication,
			"categoryIds": []any{w.larvikCategory}})
		in["texts"] = []any{map[string]any{"locale": "nb", "title": title}}
		for k, v := range extra {
			in[k] = v
		}
		r := ok(t, s.post(t, createEventQ, map[string]any{"in": in}, larvikH, w.owner))
		return get(r.Data, "createEvent.event.id").(string)
	}
	festival := create("festbuss", "Festbussen til byfesten", "PUBLISHED", nil)
	draft := create("nattbuss-utkast", "Nattbuss utkast", "DRAFT", nil)
	porsOnly := create("porsgrunn-buss", "Porsgrunnbussen på lørdag", "PUBLISHED", nil)
	r := ok(t, s.post(t, `mutation($e: ID!, $m: [String!]!) { setEventMunicipalities(eventId: $e, municipalities: $m) {
		event { servedMunicipalities } } }`, map[string]any{"e": porsOnly, "m": []string{"porsgrunn"}}, larvikH, w.owner))
	if got := get(r.Data, "setEventMunicipalities.event.servedMunicipalities.0"); got != "porsgrunn" {
		t.Fatalf("limits %+v", r.Data)
	}
	series := eventInput("skolebuss", start, map[string]any{"organisationId": w.vkt, "publication": "PUBLISHED",
		"rule": map[string]any{"rrule": "FREQ=WEEKLY;COUNT=3"}})
	series["texts"] = []any{map[string]any{"locale": "nb", "title": "Skolebussen"}}
	ok(t, s.post(t, createSeriesQ, map[string]any{"in": series}, larvikH, w.owner))
	ok(t, s.post(t, createEventQ, map[string]any{"in": map[string]any{"slug": "byfest",
		"startsAt": start.Format(time.RFC3339),
		"endsAt":   start.Add(time.Hour).Format(time.RFC3339), "publication": "PUBLISHED",
		"texts": []any{map[string]any{"locale": "nb", "title": "Byfesten i Sandefjord"}}}}, sfjH, w.sfjAdmin))

	titles := func(header string, filter map[string]any) []string {
		t.Helper()
		r := ok(t, s.post(t, readEventsQ, map[string]any{"f": filter, "first": 50}, header))
		out := names(r.Data, "events.nodes", "title")
		sort.Strings(out)
		return out
	}
	t.Run("ShownWhereAccepted", func(t *testing.T) {
		want := []string{"Byfesten i Sandefjord", "Festbussen til byfesten", "Skolebussen", "Skolebussen", "Skolebussen"}
		if got := titles(sfjH, nil); !slices.Equal(got, want) {
			t.Errorf("Sandefjord's events: %q", got)
		}
		// Its categories match by slug, as its activities do.
		if got := titles(sfjH, map[string]any{"categories": []any{w.sfjCategory}}); !slices.Equal(got,
			[]string{"Festbussen til byfesten"}) {
			t.Errorf("Sandefjord's sport events: %q", got)
		}
		// In a list (written by the database) its categories are Sandefjord's of the same slug.
		r := ok(t, s.post(t, `query($f: EventFilterInput) { events(filter: $f, first: 5) { nodes { title
			categories { id } organisation { name } } } }`,
			map[string]any{"f": map[string]any{"categories": []any{w.sfjCategory}}}, sfjH))
		if get(r.Data, "events.nodes.0.categories.0.id") != w.sfjCategory ||
			get(r.Data, "events.nodes.0.organisation.name") != "Vestfold kollektivtrafikk" {
			t.Errorf("the event in Sandefjord's list: %+v", r.Data)
		}
		r = ok(t, s.post(t, `query($id: ID!) { event(id: $id) { title organisation { name } categories { id } } }`,
			map[string]any{"id": festival}, sfjH))
		if get(r.Data, "event.title") != "Festbussen til byfesten" || get(r.Data,
			"event.organisation.name") != "Vestfold kollektivtrafikk" ||
			get(r.Data, "event.categories.0.id") != w.sfjCategory {
			t.Errorf("the event in Sandefjord: %+v", r.Data)
		}
		day := start.In(time.FixedZone("", 0)).Format("2006-01-02")
		r = ok(t, s.post(t, calendarQ, map[string]any{"from": day, "to": start.AddDate(0, 0, 1).Format("2006-01-02")}, sfjH))
		found := false
		for _, d := range get(r.Data, "calendar").([]any) {
			for _, it := range d.(map[string]any)["items"].([]any) {
				found = found || it.(map[string]any)["title"] == "Festbussen til byfesten"
			}
		}
		if !found {
			t.Errorf("not in Sandefjord's calendar: %+v", r.Data)
		}
		summaries, rrules := feedSummaries(t, s, sfjH)
		if !slices.Equal(summaries, []string{"Byfesten i Sandefjord", "Festbussen til byfesten",
			"Skolebussen"}) || rrules != 1 {
			t.Errorf("Sandefjord's feed: %q, %d series", summaries, rrules)
		}
		r = ok(t, s.post(t, searchEventsQ, map[string]any{"q": "festbussen"}, sfjH))
		if get(r.Data, "search.totalCount") != 1.0 {
			t.Errorf("search in Sandefjord: %+v", r.Data)
		}
	})

	t.Run("NothingElseCrosses", func(t *testing.T) {
		// Not its drafts, not even for Sandefjord's administrator, who sees every draft of
		// Sandefjord's own.
		want := []string{"Byfesten i Sandefjord", "Festbussen til byfesten", "Skolebussen", "Skolebussen", "Skolebussen"}
		r := ok(t, s.post(t, readEventsQ, map[string]any{"first": 50}, sfjH, w.sfjAdmin))
		got := names(r.Data, "events.nodes", "title")
		sort.Strings(got)
		if !slices.Equal(got, want) {
			t.Errorf("Sandefjord's administrator sees %q", got)
		}
		for _, id := range []string{draft, porsOnly} {
			r := ok(t, s.post(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}, sfjH, w.sfjAdmin))
			if get(r.Data, "node") != nil {
				t.Errorf("Sandefjord reads %s", id)
			}
		}
		// Porsgrunn has not accepted the provider; Larvik does not get Sandefjord's own.
		if got := titles(porsH, nil); len(got) != 0 {
			t.Errorf("Porsgrunn sees %q", got)
		}
		for _, title := range titles(larvikH, nil) {
			if title == "Byfesten i Sandefjord" {
				t.Error("Larvik sees Sandefjord's event")
			}
		}
		if summaries, _ := feedSummaries(t, s, porsH); len(summaries) != 0 {
			t.Errorf("Porsgrunn's feed: %q", summaries)
		}
	})

	t.Run("ReadOnlyAway", func(t *testing.T) {
		r := s.post(t, `mutation($id: ID!) { updateEvent(input: {id: $id, place: "Torget"}) { event { id } } }`,
			map[string]any{"id": festival}, sfjH, w.sfjAdmin)
		if r.code() != "FORBIDDEN" || r.Errors[0].Extensions["field"] != "id" {
			t.Errorf("Sandefjord editing the provider's event: %+v", r.Errors)
		}
		r = s.post(t, `mutation($e: ID!) { signUp(input: {eventId: $e, contactEmail: "far@example.no", participants: [{}]}) {
			signup { status } } }`, map[string]any{"e": festival}, sfjH)
		if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["reason"] != "SHARED_PROVIDER" {
			t.Errorf("signing up in Sandefjord: %+v", r.Errors)
		}
	})

	t.Run("GoneWhenDropped", func(t *testing.T) {
		ok(t, s.post(t, dropQ, map[string]any{"o": w.vkt}, sfjH, w.sfjAdmin))
		if got := titles(sfjH, nil); !slices.Equal(got, []string{"Byfesten i Sandefjord"}) {
			t.Errorf("after dropping: %q", got)
		}
		if summaries, _ := feedSummaries(t, s, sfjH); !slices.Equal(summaries, []string{"Byfesten i Sandefjord"}) {
			t.Errorf("the feed after dropping: %q", summaries)
		}
	})
}
