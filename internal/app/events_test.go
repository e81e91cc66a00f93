package app_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/auth"
)

// newEventServer is newContentServer with the calendar's clock at 1 January 2027, 12:00.
func newEventServer(t *testing.T) (*testServer, string) {
	t.Helper()
	s, admin, _ := newContentServer(t)
	now := time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC)
	s.app.Events.Now = func() time.Time { return now }
	return s, admin
}

const createEventQ = `mutation($in: CreateEventInput!) { createEvent(input: $in) {
	event { id slug title summary textLocale publication status startsAt endsAt description { html plainText } } } }`

const createSeriesQ = `mutation($in: CreateEventSeriesInput!) { createEventSeries(input: $in) {
	series { id rrule exdates occurrences { id startsAt title overridden recurrenceStart } } } }`

const readEventsQ = `query($f: EventFilterInput, $first: Int) { events(filter: $f, first: $first) {
	totalCount nodes { id slug title startsAt status } } }`

func eventInput(slug string, start time.Time, extra map[string]any) map[string]any {
	in := map[string]any{"slug": slug, "startsAt": start.Format(time.RFC3339),
		"endsAt": start.Add(2 * time.Hour).Format(time.RFC3339),
		"texts":  []any{map[string]any{"locale": "nb", "title": "Teater: " + slug, "summary": "Kort"}}}
	for k, v := range extra {
		in[k] = v
	}
	return in
}

func count(t *testing.T, s *testServer, q string, args ...any) int {
	t.Helper()
	var n int
	if err := s.app.DB.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEventsPublicationTextsAndFilters(t *testing.T) {
	t.Parallel()
	s, admin := newEventServer(t)
	start := time.Date(2027, 2, 10, 18, 0, 0, 0, time.UTC)
	r := ok(t, s.post(t, createEventQ, map[string]any{"in": eventInput("folk-og-rovere", start, map[string]any{
		"priceOre": 15000, "ageMin": 6, "ageMax": 12,
		"texts": []any{map[string]any{"locale": "nb", "title": "Folk og røvere", "summary": "Musikal",
			"descriptionMarkdown": "## Om forestillingen\n\nEn **musikal** for hele familien."},
			map[string]any{"locale": "en", "summary": "A musical"}}})}, admin))
	id := get(r.Data, "createEvent.event.id").(string)
	html, _ := get(r.Data, "createEvent.event.description.html").(string)
	if get(r.Data, "createEvent.event.publication") != "DRAFT" || !strings.Contains(html, "<h2>Om forestillingen</h2>") ||
		!strings.Contains(html, "<strong>musikal</strong>") {
		t.Fatalf("created: %v", r.Data)
	}
	ok(t, s.post(t, createEventQ, map[string]any{"in": eventInput("gratis-dag", start.Add(48*time.Hour),
		map[string]any{"publication": "PUBLISHED"})}, admin))

	t.Run("DraftIsNotPublic", func(t *testing.T) {
		r := ok(t, s.post(t, `query($id: ID!) { event(id: $id) { id } node(id: $id) { id } }`, map[string]any{"id": id}))
		if r.Data["event"] != nil || r.Data["node"] != nil {
			t.Fatalf("a draft is public: %v", r.Data)
		}
		if n := len(list(ok(t, s.post(t, readEventsQ, nil)), "events")); n != 1 {
			t.Fatalf("public list has %d events, want the published one", n)
		}
		if n := len(list(ok(t, s.post(t, readEventsQ, nil, admin)), "events")); n != 2 {
			t.Fatalf("the editor sees %d events, want 2", n)
		}
	})
	ok(t, s.post(t, `mutation($id: ID!) { setEventPublication(id: $id, publication: PUBLISHED) { event { id } } }`,
		map[string]any{"id": id}, admin))
	t.Run("EachTextFallsBackOnItsOwn", func(t *testing.T) {
		r := ok(t, s.post(t, `query($s: String!) { event(slug: $s) { title summary textLocale } }`,
			map[string]any{"s": "folk-og-rovere"}, "X-Locale: en"))
		if get(r.Data, "event.title") != "Folk og røvere" || get(r.Data, "event.summary") != "A musical" {
			t.Fatalf("got %v", r.Data)
		}
	})
	t.Run("Filters", func(t *testing.T) {
		for name, c := range map[string]struct {
			f    map[string]any
			want []string
		}{
			"FreeOnly": {map[string]any{"freeOnly": true}, []string{"gratis-dag"}},
			"Age":      {map[string]any{"age": 14}, []string{"gratis-dag"}},
			"Range": {map[string]any{"from": "2027-02-11T00:00:00Z", "to": "2027-02-28T00:00:00Z"},
				[]string{"gratis-dag"}},
			"OrderedByStart": {nil, []string{"folk-og-rovere", "gratis-dag"}},
		} {
			t.Run(name, func(t *testing.T) {
				got := names(ok(t, s.post(t, readEventsQ, map[string]any{"f": c.f})).Data, "events.nodes", "slug")
				if len(got) != len(c.want) || (len(got) > 0 && got[0] != c.want[0]) {
					t.Fatalf("got %v, want %v", got, c.want)
				}
			})
		}
		r := s.post(t, readEventsQ, map[string]any{"f": map[string]any{"from": "2027-01-01T00:00:00Z",
			"to": "2028-06-01T00:00:00Z"}})
		wantInvalid(t, r, "filter.to")
	})
	t.Run("AuditLog", func(t *testing.T) {
		if n := count(t, s, `SELECT count(*) FROM audit_log WHERE item_type = 'Event'`); n != 3 {
			t.Fatalf("%d audit entries, want 3", n)
		}
	})
}

func TestEventBadInputSavesNothing(t *testing.T) {
	t.Parallel()
	s, admin := newEventServer(t)
	ctx := context.Background()
	other, err := s.app.Tenants.CreateMunicipality(ctx, tenantInput("annen", "Annen kommune"))
	if err != nil {
		t.Fatal(err)
	}
	var venue string
	if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO venues (municipality_id, name) VALUES (?, 'Hallen')
		RETURNING id`, other.ID()).Scan(&venue); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2027, 3, 2, 16, 0, 0, 0, time.UTC)
	rule := func(r map[string]any) map[string]any { return map[string]any{"rule": r} }
	for _, c := range []struct {
		name, q string
		extra   map[string]any
		field   string
	}{
		{"ErrEndBeforeStart", createEventQ, map[string]any{"endsAt": start.Add(-time.Hour).Format(time.RFC3339)},
			"input.endsAt"},
		{"ErrUnknownTimeZone", createEventQ, map[string]any{"timeZone": "Europe/Atlantis"}, "input.timeZone"},
		{"ErrVenueOfAnotherMunicipality", createEventQ, map[string]any{"venueId": relayID("Venue", venue)},
			"input.venueId"},
		{"ErrInvalidRRule", createSeriesQ, rule(map[string]any{"rrule": "FREQ=OFTEN"}), "input.rule.rrule"},
		{"ErrTooManyOccurrences", createSeriesQ, rule(map[string]any{"rrule": "FREQ=DAILY;COUNT=600"}),
			"input.rule.rrule"},
		{"ErrExDateMatchesNothing", createSeriesQ, rule(map[string]any{"rrule": "FREQ=WEEKLY;COUNT=4",
			"exdates": []any{start.Add(24 * time.Hour).Format(time.RFC3339)}}), "input.rule.exdates[0]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantInvalid(t, s.post(t, c.q, map[string]any{"in": eventInput("feil", start, c.extra)}, admin), c.field)
		})
	}
	if n := count(t, s, "SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM event_series)"); n != 0 {
		t.Fatalf("bad input left %d rows", n)
	}
}

// TestEventSeriesScopesAndClosures follows a weekly choir practice on Tuesdays at 17:00
// in Oslo through the spring of 2027: the summer-time switch, an occurrence moved on its
// own, edits of all and of the following, a winter break it pauses in, and a deletion.
func TestEventSeriesScopesAndClosures(t *testing.T) {
	t.Parallel()
	s, admin := newEventServer(t)
	loc, _ := time.LoadLocation("Europe/Oslo")
	start := time.Date(2027, 2, 16, 17, 0, 0, 0, loc)
	r := ok(t, s.post(t, createSeriesQ, map[string]any{"in": eventInput("korovelse", start, map[string]any{
		"rule": map[string]any{"rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=8"}, "pausesInSchoolHolidays": true,
		"publication": "PUBLISHED"})}, admin))
	seriesID := get(r.Data, "createEventSeries.series.id").(string)
	occ := get(r.Data, "createEventSeries.series.occurrences").([]any)
	if len(occ) != 8 {
		t.Fatalf("%d occurrences, want 8", len(occ))
	}
	for _, o := range occ {
		at, _ := time.Parse(time.RFC3339, o.(map[string]any)["startsAt"].(string))
		if at.In(loc).Hour() != 17 {
			t.Fatalf("an occurrence at %v, not 17:00 in Oslo", at.In(loc))
		}
	}
	occID := func(i int) string { return occ[i].(map[string]any)["id"].(string) }
	titles := func() []string {
		r := ok(t, s.post(t, readEventsQ, map[string]any{"f": map[string]any{"series": seriesID}, "first": 50}))
		return names(r.Data, "events.nodes", "title")
	}
	update := func(in map[string]any) {
		t.Helper()
		ok(t, s.post(t, `mutation($in: UpdateEventInput!) { updateEvent(input: $in) { event { id } } }`,
			map[string]any{"in": in}, admin))
	}
	t.Run("ThisIsKeptWhenAllChange", func(t *testing.T) {
		moved := start.AddDate(0, 0, 7).Add(time.Hour)
		update(map[string]any{"id": occID(1), "scope": "THIS", "startsAt": moved.Format(time.RFC3339),
			"texts": []any{map[string]any{"locale": "nb", "title": "Ekstraøvelse"}}})
		update(map[string]any{"id": occID(0), "scope": "ALL",
			"texts": []any{map[string]any{"locale": "nb", "title": "Korøvelse"}}})
		got := titles()
		if len(got) != 8 || got[0] != "Korøvelse" || got[1] != "Ekstraøvelse" || got[7] != "Korøvelse" {
			t.Fatalf("titles %v", got)
		}
	})
	t.Run("CancelOne", func(t *testing.T) {
		update(map[string]any{"id": occID(2), "status": "CANCELLED"})
		r := ok(t, s.post(t, `query($id: ID!) { event(id: $id) { status overridden } }`, map[string]any{"id": occID(2)}))
		if get(r.Data, "event.status") != "CANCELLED" || get(r.Data, "event.overridden") != true {
			t.Fatalf("got %v", r.Data)
		}
	})
	t.Run("ClosuresBecomeExceptions", func(t *testing.T) {
		// Winter break, week 9 of 2027: Tuesday 2 March is the third occurrence (index 2),
		// which was cancelled on its own and so stays; Tuesday 23 February is not in it.
		r := ok(t, s.post(t, `mutation { createClosure(input: {name: "Vinterferie", kind: SCHOOL_HOLIDAY,
			startsOn: "2027-03-08", endsOn: "2027-03-12"}) { id } }`, nil, admin))
		closure := get(r.Data, "createClosure.id").(string)
		if n := len(titles()); n != 7 {
			t.Fatalf("%d occurrences with a closure over one, want 7", n)
		}
		wantInvalid(t, s.post(t, `mutation { createClosure(input: {name: "vinterferie", kind: SCHOOL_HOLIDAY,
			startsOn: "2027-03-12", endsOn: "2027-03-14"}) { id } }`, nil, admin), "input.startsOn")
		ok(t, s.post(t, `mutation($id: ID!) { deleteClosure(id: $id) }`, map[string]any{"id": closure}, admin))
		if n := len(titles()); n != 8 {
			t.Fatalf("%d occurrences after the closure went, want 8", n)
		}
	})
	t.Run("ThisAndFollowingSplits", func(t *testing.T) {
		update(map[string]any{"id": occID(5), "scope": "THIS_AND_FOLLOWING", "place": "Kirken",
			"texts": []any{map[string]any{"locale": "nb", "title": "Korøvelse i kirken"}}})
		got := titles()
		if len(got) != 5 || got[4] != "Korøvelse" {
			t.Fatalf("the first series keeps %v", got)
		}
		r := ok(t, s.post(t, `query($id: ID!) { event(id: $id) { title place series { id rrule } } }`,
			map[string]any{"id": occID(6)}))
		if get(r.Data, "event.title") != "Korøvelse i kirken" || get(r.Data, "event.series.id") == seriesID ||
			get(r.Data, "event.series.rrule") != "FREQ=WEEKLY;COUNT=3;BYDAY=TU" {
			t.Fatalf("the second part: %v", r.Data)
		}
		if n := count(t, s, "SELECT count(*) FROM events WHERE series_id IS NOT NULL"); n != 8 {
			t.Fatalf("%d occurrences in all after the split, want 8", n)
		}
	})
	t.Run("DeleteThisExcludesItsDate", func(t *testing.T) {
		// The fourth (9 March) was made again when the closure went: a new row.
		ok(t, s.post(t, `mutation($id: ID!) { deleteEvent(id: $id) { deletedId } }`, map[string]any{"id": occID(4)}, admin))
		r := ok(t, s.post(t, `mutation($id: ID!) { updateEventSeries(input: {id: $id, place: "Salen"}) {
			series { exdates occurrences { id } } } }`, map[string]any{"id": seriesID}, admin))
		if len(get(r.Data, "updateEventSeries.series.exdates").([]any)) != 1 ||
			len(get(r.Data, "updateEventSeries.series.occurrences").([]any)) != 4 {
			t.Fatalf("after deleting one and applying the rule again: %v", r.Data)
		}
	})
}

// TestEventSeriesMovesAcrossDaylightSaving: moving a whole series a day later keeps each
// occurrence's 17:00 and its ID on both sides of the spring switch, and an occurrence
// changed alone stays as it was.
func TestEventSeriesMovesAcrossDaylightSaving(t *testing.T) {
	t.Parallel()
	s, admin := newEventServer(t)
	loc, _ := time.LoadLocation("Europe/Oslo")
	start := time.Date(2027, 3, 13, 17, 0, 0, 0, loc) // Saturdays 13, 20, 27 March (CET) and 3 April (CEST)
	r := ok(t, s.post(t, createSeriesQ, map[string]any{"in": eventInput("lordagskor", start, map[string]any{
		"rule": map[string]any{"rrule": "FREQ=WEEKLY;COUNT=4"}, "publication": "PUBLISHED"})}, admin))
	seriesID := get(r.Data, "createEventSeries.series.id").(string)
	var ids []string
	for _, o := range get(r.Data, "createEventSeries.series.occurrences").([]any) {
		ids = append(ids, o.(map[string]any)["id"].(string))
	}
	ok(t, s.post(t, `mutation($in: UpdateEventInput!) { updateEvent(input: $in) { event { id } } }`,
		map[string]any{"in": map[string]any{"id": ids[1], "scope": "THIS",
			"texts": []any{map[string]any{"locale": "nb", "title": "Konsert"}}}}, admin))
	ok(t, s.post(t, `mutation($in: UpdateEventInput!) { updateEvent(input: $in) { event { id } } }`,
		map[string]any{"in": map[string]any{"id": ids[0], "scope": "ALL",
			"startsAt": start.AddDate(0, 0, 1).Format(time.RFC3339),
			"endsAt":   start.AddDate(0, 0, 1).Add(2 * time.Hour).Format(time.RFC3339)}}, admin))
	r = ok(t, s.post(t, `query($f: EventFilterInput) { events(filter: $f, first: 10) {
		nodes { id title startsAt } } }`, map[string]any{"f": map[string]any{"series": seriesID,
		"from": "2027-03-01T00:00:00Z"}}))
	var got []string
	for _, n := range get(r.Data, "events.nodes").([]any) {
		n := n.(map[string]any)
		at, _ := time.Parse(time.RFC3339, n["startsAt"].(string))
		got = append(got, fmt.Sprintf("%s %s %v", at.In(loc).Format("Mon 02 15:04"), n["title"], slices.Index(ids, n["id"].(string))))
	}
	want := []string{"Sun 14 17:00 Teater: lordagskor 0", "Sat 20 17:00 Konsert 1", "Sun 28 17:00 Teater: lordagskor 2",
		"Sun 04 17:00 Teater: lordagskor 3"}
	if !slices.Equal(got, want) {
		t.Fatalf("after moving the series a day:\n got %q\nwant %q", got, want)
	}
}

// TestEventsOfUnapprovedOrganisationsAreNotPublic: an organisation waiting for approval
// cannot put events before the public by publishing them; its owner sees them, and the
// public does once the municipality approves the organisation.
func TestEventsOfUnapprovedOrganisationsAreNotPublic(t *testing.T) {
	t.Parallel()
	s, admin := newEventServer(t)
	var org string
	if err := s.app.DB.QueryRowContext(context.Background(), `INSERT INTO organisations (municipality_id, slug, name,
		kind, status) SELECT id, 'nytt-lag', 'Nytt lag', 'VOLUNTARY', 'PENDING' FROM municipalities WHERE slug = 'demo'
		RETURNING id`).Scan(&org); err != nil {
		t.Fatal(err)
	}
	r := ok(t, s.post(t, createEventQ, map[string]any{"in": eventInput("apen-dag", time.Date(2027, 2, 10, 18, 0, 0, 0,
		time.UTC), map[string]any{"organisationId": relayID("Organisation", org), "publication": "PUBLISHED"})}, admin))
	id := get(r.Data, "createEvent.event.id").(string)
	public := func() bool {
		r := ok(t, s.post(t, `query($id: ID!) { event(id: $id) { id } events { totalCount } }`, map[string]any{"id": id}))
		if (r.Data["event"] != nil) != (get(r.Data, "events.totalCount") == float64(1)) {
			t.Fatalf("the event and the list disagree: %v", r.Data)
		}
		return r.Data["event"] != nil
	}
	inFeed := func() bool {
		_, _, body := fetchFeed(t, s, "/feeds/events.ics?lang=nb")
		return strings.Contains(string(body), "Teater: apen-dag")
	}
	if public() || inFeed() {
		t.Fatal("the public sees a published event of an organisation waiting for approval")
	}
	if r := ok(t, s.post(t, `query($id: ID!) { event(id: $id) { id } }`, map[string]any{"id": id}, admin)); r.Data["event"] == nil {
		t.Fatal("the municipality's editor does not see it")
	}
	s.exec(t, `UPDATE organisations SET status = 'PUBLISHED' WHERE id = ?`, org)
	if !public() || !inFeed() {
		t.Fatal("the approved organisation's event is not public")
	}
}

// TestEventsAcceptingTheCard: acceptsCard keeps to the events linked to a published card
// offer ("free with the activity card"), or to the others.
func TestEventsAcceptingTheCard(t *testing.T) {
	t.Parallel()
	s, admin := newEventServer(t)
	offer := func(status string) string {
		var id string
		if err := s.app.DB.QueryRowContext(context.Background(), `WITH o AS (INSERT INTO organisations (municipality_id,
			slug, name, kind, status) SELECT id, 'kino-' || lower(?), 'Kino', 'COMMERCIAL', 'PUBLISHED' FROM municipalities
			WHERE slug = 'demo' RETURNING id, municipality_id)
			INSERT INTO card_offers (municipality_id, organisation_id, stock, valid_from, valid_to, source, status)
			SELECT municipality_id, id, 10, '2027-01-01', '2027-12-31', 'DONATED', ? FROM o RETURNING id`,
			status, status).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return relayID("CardOffer", id)
	}
	start := time.Date(2027, 2, 10, 18, 0, 0, 0, time.UTC)
	for slug, link := range map[string]any{"kinokveld": offer("PUBLISHED"), "utkast-tilbud": offer("DRAFT"), "uten-kort": nil} {
		in := map[string]any{"publication": "PUBLISHED"}
		if link != nil {
			in["cardOfferId"] = link
		}
		ok(t, s.post(t, createEventQ, map[string]any{"in": eventInput(slug, start, in)}, admin))
	}
	for accepts, want := range map[bool]string{true: "kinokveld", false: "uten-kort,utkast-tilbud"} {
		r := ok(t, s.post(t, readEventsQ, map[string]any{"f": map[string]any{"acceptsCard": accepts}}))
		got := names(r.Data, "events.nodes", "slug")
		slices.Sort(got)
		if strings.Join(got, ",") != want {
			t.Errorf("acceptsCard %v: %v, want %s", accepts, got, want)
		}
	}
}

// TestEventsNearAndWithin: events are found by their venue's place on the map; an event with
// a free-text place only has none.
func TestEventsNearAndWithin(t *testing.T) {
	t.Parallel()
	s, admin := newEventServer(t)
	venue := func(name string, lat, lon float64) string { return demoVenue(t, s, name, lat, lon) }
	start := time.Date(2027, 2, 10, 18, 0, 0, 0, time.UTC)
	for slug, v := range map[string]any{"i-bolgen": venue("Bølgen", 59.0533, 10.0352),
		"i-stavern": venue("Stavern kulturhus", 58.9985, 10.0346), "pa-torget": nil} {
		in := map[string]any{"publication": "PUBLISHED"}
		if v != nil {
			in["venueId"] = v
		} else {
			in["place"] = "Torget"
		}
		ok(t, s.post(t, createEventQ, map[string]any{"in": eventInput(slug, start, in)}, admin))
	}
	for name, c := range map[string]struct {
		f    map[string]any
		want string
	}{
		"near Larvik centre, 2 km": {map[string]any{"near": map[string]any{"lat": 59.053, "lon": 10.03, "radiusKm": 2}},
			"i-bolgen"},
		"near Larvik centre, 10 km": {map[string]any{"near": map[string]any{"lat": 59.053, "lon": 10.03, "radiusKm": 10}},
			"i-bolgen,i-stavern"},
		"within Stavern": {map[string]any{"within": map[string]any{"minLat": 58.98, "minLon": 10.0, "maxLat": 59.01,
			"maxLon": 10.1}}, "i-stavern"},
	} {
		r := ok(t, s.post(t, readEventsQ, map[string]any{"f": c.f}))
		got := names(r.Data, "events.nodes", "slug")
		slices.Sort(got)
		if strings.Join(got, ",") != c.want {
			t.Errorf("%s: %v, want %s", name, got, c.want)
		}
	}
	r := s.post(t, readEventsQ, map[string]any{"f": map[string]any{"near": map[string]any{"lat": 59.05, "lon": 10.03,
		"radiusKm": 0}}})
	wantInvalid(t, r, "filter.near.radiusKm")
}

// demoVenue adds a venue at lat, lon to the demo municipality and returns its global ID.
func demoVenue(t *testing.T, s *testServer, name string, lat, lon float64) string {
	t.Helper()
	var id string
	if err := s.app.DB.QueryRowContext(context.Background(), `INSERT INTO venues (municipality_id, name, lat, lon)
		SELECT id, ?, ?, ? FROM municipalities WHERE slug = 'demo' RETURNING id`, name, lat, lon).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return relayID("Venue", id)
}

func TestHolidayProgrammeAndActivityOccurrences(t *testing.T) {
	t.Parallel()
	s, admin := newEventServer(t)
	start := time.Date(2027, 2, 22, 10, 0, 0, 0, time.UTC)
	r := ok(t, s.post(t, createEventQ, map[string]any{"in": eventInput("vinterferie-2027", start, map[string]any{
		"holidayProgramme": true, "publication": "PUBLISHED", "endsAt": start.AddDate(0, 0, 5).Format(time.RFC3339)})},
		admin))
	umbrella := get(r.Data, "createEvent.event.id").(string)
	for i, slug := range []string{"skoyter", "klatring", "utkast"} {
		pub := "PUBLISHED"
		if slug == "utkast" {
			pub = "DRAFT"
		}
		ok(t, s.post(t, createEventQ, map[string]any{"in": eventInput(slug, start.AddDate(0, 0, i), map[string]any{
			"parentId": umbrella, "publication": pub})}, admin))
	}
	r = ok(t, s.post(t, `query($id: ID!) { event(id: $id) { holidayProgramme children { slug parent { slug } } }
		events(filter: {holidayProgramme: $id}) { totalCount } }`, map[string]any{"id": umbrella}))
	kids := get(r.Data, "event.children").([]any)
	if len(kids) != 2 || get(r.Data, "event.children.0.parent.slug") != "vinterferie-2027" ||
		get(r.Data, "events.totalCount") != float64(2) {
		t.Fatalf("the public programme: %v", r.Data)
	}

	var act string
	ctx := context.Background()
	var org string
	if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO organisations (municipality_id, slug, name, kind, status)
		SELECT id, 'koret', 'Koret', 'VOLUNTARY', 'PUBLISHED' FROM municipalities WHERE slug = 'demo' RETURNING id`).
		Scan(&org); err != nil {
		t.Fatal(err)
	}
	if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO activities (municipality_id, organisation_id, slug, slots,
		status, pauses_in_school_holidays) SELECT municipality_id, id, 'kor', '[{"weekday": 2, "start": "17:00",
		"end": "19:00"}]', 'PUBLISHED', true FROM organisations WHERE id = ? RETURNING id`, org).Scan(&act); err != nil {
		t.Fatal(err)
	}
	ok(t, s.post(t, `mutation { createClosure(input: {name: "Vinterferie", kind: SCHOOL_HOLIDAY,
		startsOn: "2027-02-22", endsOn: "2027-02-26"}) { id } }`, nil, admin))
	r = ok(t, s.post(t, `query($id: ID!) { node(id: $id) { ... on Activity { pausesInSchoolHolidays
		occurrences(from: "2027-02-15", to: "2027-03-07") { startsAt endsAt } } } }`,
		map[string]any{"id": relayID("Activity", act)}, admin))
	if n := len(get(r.Data, "node.occurrences").([]any)); n != 2 {
		t.Fatalf("%d Tuesdays around the winter break, want 2: %v", n, r.Data)
	}
	r = ok(t, s.post(t, `{ closures(from: "2027-01-01", to: "2027-12-31") { name kind startsOn endsOn } }`, nil))
	if get(r.Data, "closures.0.startsOn") != "2027-02-22" {
		t.Fatalf("closures: %v", r.Data)
	}
}

func TestEventsOfAnotherMunicipalityAreNeverSeen(t *testing.T) {
	t.Parallel()
	s, admin := newEventServer(t)
	ctx := context.Background()
	other, err := s.app.Tenants.CreateMunicipality(ctx, tenantInput("annen", "Annen kommune"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.Auth.CreateUser(ctx, auth.CreateUserInput{MunicipalityID: other.ID(), Email: "admin@annen.no",
		Password: "riktig hest batteri", Roles: []auth.MunicipalRole{auth.RoleAdmin}}); err != nil {
		t.Fatal(err)
	}
	r := ok(t, s.post(t, loginMutation, map[string]any{"e": "admin@annen.no", "p": "riktig hest batteri"},
		"X-Municipality: annen"))
	otherAdmin := "Authorization: Bearer " + get(r.Data, "login.token").(string)
	r = ok(t, s.post(t, createEventQ, map[string]any{"in": eventInput("marked", time.Date(2027, 5, 1, 10, 0, 0, 0,
		time.UTC), map[string]any{"publication": "PUBLISHED"})}, otherAdmin, "X-Municipality: annen"))
	id := get(r.Data, "createEvent.event.id").(string)
	r = ok(t, s.post(t, `query($id: ID!) { event(id: $id) { id } node(id: $id) { id } bySlug: event(slug: "marked") { id }
		events { totalCount } }`, map[string]any{"id": id}, admin))
	if r.Data["event"] != nil || r.Data["node"] != nil || r.Data["bySlug"] != nil ||
		get(r.Data, "events.totalCount") != float64(0) {
		t.Fatalf("another municipality's event is seen: %v", r.Data)
	}
	r = s.post(t, `mutation($id: ID!) { updateEvent(input: {id: $id, place: "Her"}) { event { id } } }`,
		map[string]any{"id": id}, admin)
	if r.code() != "NOT_FOUND" {
		t.Fatalf("updating another municipality's event: %+v", r.Errors)
	}
}

// TestEventListStatementsDoNotGrow is the N+1 guard of the calendar: 10 or 40 events with
// their organisations, venues, categories, neighbourhoods, umbrellas, children and series
// cost the same number of statements.
func TestEventListStatementsDoNotGrow(t *testing.T) {
	t.Parallel()
	s, admin := newEventServer(t)
	ok(t, s.post(t, createSeriesQ, map[string]any{"in": eventInput("kor", time.Date(2027, 1, 5, 16, 0, 0, 0, time.UTC),
		map[string]any{"rule": map[string]any{"rrule": "FREQ=WEEKLY;COUNT=10"}, "publication": "PUBLISHED"})}, admin))
	s.exec(t, `WITH m AS (SELECT id FROM municipalities WHERE slug = 'demo'),
		u AS (INSERT INTO events (municipality_id, slug, starts_at, ends_at, time_zone, publication, holiday_programme)
			SELECT id, 'paraply', '2027-01-02', '2027-12-30', 'Europe/Oslo', 'PUBLISHED', true FROM m RETURNING id),
		o AS (INSERT INTO organisations (municipality_id, slug, name, kind, status)
			SELECT m.id, 'lag-' || i, 'Lag ' || i, 'VOLUNTARY', 'PUBLISHED' FROM m, generate_series(1, 40) i
			RETURNING id, slug),
		v AS (INSERT INTO venues (municipality_id, name) SELECT m.id, 'Sted ' || i FROM m, generate_series(1, 40) i
			RETURNING id, name)
		INSERT INTO events (municipality_id, organisation_id, venue_id, parent_id, slug, starts_at, ends_at, time_zone,
			publication)
		SELECT m.id, o.id, v.id, u.id, 'arr-' || substr(o.slug, 5), timestamptz '2027-01-03' + (substr(o.slug, 5)::int ||
			' hours')::interval,
			timestamptz '2027-01-03' + ((substr(o.slug, 5)::int + 1) || ' hours')::interval, 'Europe/Oslo', 'PUBLISHED'
		FROM m, u, o JOIN v ON substr(v.name, 6) = substr(o.slug, 5)`)
	s.exec(t, `INSERT INTO event_translations (event_id, municipality_id, locale, title)
		SELECT id, municipality_id, 'nb', slug FROM events WHERE slug LIKE 'arr-%' OR slug = 'paraply'`)
	counter := &statementCounter{}
	s.app.DB.AddQueryHook(counter)
	query := `query($n: Int) { events(first: $n, filter: {from: "2027-01-02T12:00:00Z"}) { nodes { title
		organisation { name } venue { name neighbourhoods { name } } categories { name } neighbourhoods { name }
		parent { title children { title } } children { title } series { rrule occurrences { title } } } } }`
	run := func(n int) int64 {
		s.app.Tenants.Invalidate()
		s.app.Portal.InvalidateCategories()
		s.app.Portal.InvalidateSharedProviders()
		counter.n.Store(0)
		r := ok(t, s.post(t, query, map[string]any{"n": n}))
		if got := len(list(r, "events")); got != n {
			t.Fatalf("first %d gave %d events", n, got)
		}
		return counter.n.Load()
	}
	if small, large := run(10), run(40); small != large {
		t.Fatalf("10 events cost %d statements, 40 cost %d", small, large)
	}
}

func TestDemoCalendar(t *testing.T) {
	t.Parallel()
	s := newDemoServer(t)
	s.app.Events.Now = func() time.Time { return time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC) }
	r := s.larvik(t, `{ event(slug: "vinterferie-2027") { holidayProgramme organisation { name } children { title } }
		festival: event(slug: "stavernfestivalen-2027") { children { title } }
		closures(from: "2027-02-01", to: "2027-05-31") { name kind }
		events(filter: {from: "2027-02-15T00:00:00Z", to: "2027-03-15T00:00:00Z"}, first: 50) { nodes { slug } } }`, nil)
	ok(t, r)
	if get(r.Data, "event.holidayProgramme") != true || get(r.Data, "event.organisation.name") != "Aktiv Larvik" ||
		len(get(r.Data, "event.children").([]any)) != 3 || len(get(r.Data, "festival.children").([]any)) != 2 {
		t.Fatalf("programme and festival: %v", r.Data)
	}
	closures := names(r.Data, "closures", "name")
	if !slices.Contains(closures, "Vinterferie") || !slices.Contains(closures, "Langfredag") ||
		!slices.Contains(closures, "Påskeferie") {
		t.Fatalf("closures: %v", closures)
	}
	slugs := names(r.Data, "events.nodes", "slug")
	if slices.Contains(slugs, "kor-for-alle-2027-02-23") || !slices.Contains(slugs, "kor-for-alle-2027-03-02") {
		t.Fatalf("the choir does not pause in the winter break: %v", slugs)
	}
}
