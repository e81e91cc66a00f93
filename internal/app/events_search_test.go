package app_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

const searchEventsQ = `query($q: String!) { search(query: $q) { totalCount edges { node { __typename
	... on Event { id title startsAt } } } } }`

// eventHits returns the events a search finds, as "title@start".
func eventHits(t *testing.T, s *testServer, query string) []string {
	t.Helper()
	var out []string
	r := ok(t, s.post(t, searchEventsQ, map[string]any{"q": query}))
	for _, e := range get(r.Data, "search.edges").([]any) {
		if get(e, "node.__typename") == "Event" {
			out = append(out, get(e, "node.title").(string)+"@"+get(e, "node.startsAt").(string))
		}
	}
	return out
}

// TestSearchFindsEvents: search finds a published event until it ends, never a draft, a past
// event or one of an organisation waiting for approval, and of a series only the next
// occurrence that is not cancelled.
func TestSearchFindsEvents(t *testing.T) {
	t.Parallel()
	s, admin := newEventServer(t)
	start := time.Now().UTC().Truncate(time.Hour).Add(30 * 24 * time.Hour)
	texts := func(title, summary string) map[string]any {
		return map[string]any{"texts": []any{map[string]any{"locale": "nb", "title": title, "summary": summary}},
			"publication": "PUBLISHED"}
	}
	ok(t, s.post(t, createEventQ, map[string]any{"in": eventInput("rovere", start, texts("Folk og røvere i Kardemomme by",
		"Musikal for hele familien"))}, admin))
	draft := texts("Røverfest", "")
	draft["publication"] = "DRAFT"
	ok(t, s.post(t, createEventQ, map[string]any{"in": eventInput("roverfest", start, draft)}, admin))
	ok(t, s.post(t, createEventQ, map[string]any{"in": eventInput("gamle-rovere", time.Now().UTC().AddDate(0, 0, -10),
		texts("Røverhistorier som var", ""))}, admin))

	t.Run("PublishedAndNotEnded", func(t *testing.T) {
		got := eventHits(t, s, "røvere")
		if len(got) != 1 || !strings.HasPrefix(got[0], "Folk og røvere i Kardemomme by@") {
			t.Fatalf("search for røvere found events %v, want the published upcoming one", got)
		}
	})

	t.Run("OneOccurrenceOfASeries", func(t *testing.T) {
		in := eventInput("sangstund", start, texts("Sangstund for de minste", ""))
		in["rule"] = map[string]any{"rrule": "FREQ=WEEKLY;COUNT=4"}
		r := ok(t, s.post(t, createSeriesQ, map[string]any{"in": in}, admin))
		occ := get(r.Data, "createEventSeries.series.occurrences").([]any)
		first, second := occ[0].(map[string]any), occ[1].(map[string]any)
		got := eventHits(t, s, "sangstund")
		if len(got) != 1 || got[0] != "Sangstund for de minste@"+first["startsAt"].(string) {
			t.Fatalf("a series of 4 found as %v, want its first occurrence once", got)
		}
		ok(t, s.post(t, `mutation($id: ID!) { updateEvent(input: {id: $id, status: CANCELLED}) { event { id } } }`,
			map[string]any{"id": first["id"]}, admin))
		got = eventHits(t, s, "sangstund")
		if len(got) != 1 || got[0] != "Sangstund for de minste@"+second["startsAt"].(string) {
			t.Fatalf("with the first cancelled the series is found as %v, want the second occurrence", got)
		}
	})

	t.Run("OrganisationWaitingForApproval", func(t *testing.T) {
		var org string
		if err := s.app.DB.QueryRowContext(context.Background(), `INSERT INTO organisations (municipality_id, slug, name,
			kind, status) SELECT id, 'nytt-lag', 'Nytt lag', 'VOLUNTARY', 'PENDING' FROM municipalities WHERE slug = 'demo'
			RETURNING id`).Scan(&org); err != nil {
			t.Fatal(err)
		}
		in := texts("Dugnadsfest på løkka", "")
		in["organisationId"] = relayID("Organisation", org)
		ok(t, s.post(t, createEventQ, map[string]any{"in": eventInput("dugnad", start, in)}, admin))
		if got := eventHits(t, s, "dugnadsfest"); len(got) != 0 {
			t.Fatalf("an event of an organisation waiting for approval is found: %v", got)
		}
		s.exec(t, `UPDATE organisations SET status = 'PUBLISHED' WHERE id = ?`, org)
		if got := eventHits(t, s, "dugnadsfest"); len(got) != 1 {
			t.Fatalf("the approved organisation's event is not found: %v", got)
		}
		s.exec(t, `UPDATE organisations SET status = 'PENDING' WHERE id = ?`, org)
		if got := eventHits(t, s, "dugnadsfest"); len(got) != 0 {
			t.Fatalf("an organisation taken back to approval: its event's event is found: %v", got)
		}
	})
}

const queryEventsQ = `query($f: EventFilterInput, $o: EventOrder, $first: Int, $after: String) {
	events(filter: $f, orderBy: $o, first: $first, after: $after) {
	totalCount pageInfo { endCursor hasNextPage } nodes { slug } } }`

// TestEventsByWordsAndOrders: filter.query keeps to the events whose texts have every word,
// every occurrence of a series included; RELEVANCE puts a word in the title before one in
// the description, DISTANCE the nearest venue first, and each pages without repeating.
func TestEventsByWordsAndOrders(t *testing.T) {
	t.Parallel()
	s, admin := newEventServer(t)
	venue := func(name string, lat, lon float64) string { return demoVenue(t, s, name, lat, lon) }
	start := time.Date(2027, 2, 10, 18, 0, 0, 0, time.UTC)
	add := func(slug string, at time.Time, title, summary, description, venueID string) {
		in := map[string]any{"publication": "PUBLISHED", "texts": []any{map[string]any{"locale": "nb", "title": title,
			"summary": summary, "descriptionMarkdown": description}}}
		if venueID != "" {
			in["venueId"] = venueID
		} else {
			in["place"] = "Torget"
		}
		ok(t, s.post(t, createEventQ, map[string]any{"in": eventInput(slug, at, in)}, admin))
	}
	add("familiedag", start, "Familiedag i parken", "Med dukketeater og kake.", "", venue("Bøkeskogen", 59.06, 10.03))
	add("teaterkveld", start.Add(48*time.Hour), "Teaterkveld for ungdom", "", "",
		venue("Stavern kulturhus", 58.9985, 10.0346))
	add("konsert", start.Add(24*time.Hour), "Konsert", "", "Korpset spiller.", "")
	in := eventInput("teaterkurs", start.Add(72*time.Hour), map[string]any{"publication": "PUBLISHED",
		"texts": []any{map[string]any{"locale": "nb", "title": "Teaterkurs"}}, "rule": map[string]any{"rrule": "FREQ=WEEKLY;COUNT=3"}})
	ok(t, s.post(t, createSeriesQ, map[string]any{"in": in}, admin))

	slugs := func(f map[string]any, order any, first int, after any) ([]string, map[string]any) {
		t.Helper()
		r := ok(t, s.post(t, queryEventsQ, map[string]any{"f": f, "o": order, "first": first, "after": after}))
		return names(r.Data, "events.nodes", "slug"), r.Data
	}
	t.Run("Words", func(t *testing.T) {
		got, data := slugs(map[string]any{"query": "teater"}, nil, 20, nil)
		// By start: the family day (dukketeater: a compound), the evening, the course three times.
		if len(got) != 5 || strings.Join(got[:2], ",") != "familiedag,teaterkveld" || !strings.HasPrefix(got[4], "teaterkurs") {
			t.Fatalf("query teater: %v", got)
		}
		if get(data, "events.totalCount") != float64(len(got)) {
			t.Fatalf("totalCount %v for %d events", get(data, "events.totalCount"), len(got))
		}
		if got, _ := slugs(map[string]any{"query": "korpset spiller"}, nil, 20, nil); strings.Join(got, ",") != "konsert" {
			t.Fatalf("two words of a description: %v", got)
		}
		if got, _ := slugs(map[string]any{"query": "korpset sirkus"}, nil, 20, nil); len(got) != 0 {
			t.Fatalf("every word must match: %v", got)
		}
	})
	t.Run("Relevance", func(t *testing.T) {
		var all []string
		var after any
		for range 10 {
			got, data := slugs(map[string]any{"query": "teater"}, "RELEVANCE", 2, after)
			all = append(all, got...)
			if get(data, "events.pageInfo.hasNextPage") != true {
				break
			}
			after = get(data, "events.pageInfo.endCursor")
		}
		// Every title with the word before the summary that has it inside a compound.
		if len(all) != 5 || all[4] != "familiedag" {
			t.Fatalf("by relevance: %v", all)
		}
		seen := map[string]bool{}
		for _, slug := range all {
			if seen[slug] {
				t.Fatalf("paging by relevance repeats %s: %v", slug, all)
			}
			seen[slug] = true
		}
	})
	t.Run("Distance", func(t *testing.T) {
		got, _ := slugs(map[string]any{"near": map[string]any{"lat": 58.99, "lon": 10.03, "radiusKm": 50}}, "DISTANCE", 20, nil)
		if strings.Join(got, ",") != "teaterkveld,familiedag" {
			t.Fatalf("by distance from Stavern: %v", got)
		}
	})
	t.Run("TargetGroupsAndAccessibility", func(t *testing.T) {
		for slug, in := range map[string]map[string]any{
			"seniordans":  {"targetGroups": []string{"SENIORS"}, "accessibility": []string{"WHEELCHAIR_ACCESSIBLE", "HEARING_LOOP"}},
			"ungdomsdans": {"targetGroups": []string{"YOUTH"}, "accessibility": []string{"WHEELCHAIR_ACCESSIBLE"}},
		} {
			in["publication"] = "PUBLISHED"
			ok(t, s.post(t, createEventQ, map[string]any{"in": eventInput(slug, start, in)}, admin))
		}
		for f, want := range map[string]string{
			`{"accessibility": ["WHEELCHAIR_ACCESSIBLE"]}`:                    "seniordans,ungdomsdans",
			`{"accessibility": ["WHEELCHAIR_ACCESSIBLE", "HEARING_LOOP"]}`:    "seniordans",
			`{"targetGroups": ["YOUTH", "CHILDREN"]}`:                         "ungdomsdans",
			`{"targetGroups": ["SENIORS"], "accessibility": ["QUIET_SPACE"]}`: "",
		} {
			var fm map[string]any
			if err := json.Unmarshal([]byte(f), &fm); err != nil {
				t.Fatal(err)
			}
			got, _ := slugs(fm, nil, 20, nil)
			slices.Sort(got)
			if strings.Join(got, ",") != want {
				t.Errorf("filter %s: %v, want %s", f, got, want)
			}
		}
	})
	t.Run("BadInput", func(t *testing.T) {
		wantInvalid(t, s.post(t, queryEventsQ, map[string]any{"o": "RELEVANCE"}), "orderBy")
		wantInvalid(t, s.post(t, queryEventsQ, map[string]any{"o": "DISTANCE"}), "orderBy")
		wantInvalid(t, s.post(t, queryEventsQ, map[string]any{"f": map[string]any{"query": "  "}}), "filter.query")
		wantInvalid(t, s.post(t, queryEventsQ, map[string]any{"f": map[string]any{"query": strings.Repeat("a", 201)}}),
			"filter.query")
		_, data := slugs(map[string]any{"query": "teater"}, nil, 1, nil)
		r := s.post(t, queryEventsQ, map[string]any{"f": map[string]any{"query": "teater"}, "o": "RELEVANCE",
			"after": get(data, "events.pageInfo.endCursor")})
		wantInvalid(t, r, "after")
	})
}

// TestEventImages: an event shows the library's images in the order given, a series gives
// them to every occurrence, an image of another municipality or too many are refused with
// the field named, and an image deleted from the library is left out.
func TestEventImages(t *testing.T) {
	t.Parallel()
	s, admin := newEventServer(t)
	ctx := context.Background()
	image := func(mid any, name string) string {
		var id string
		if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO media (municipality_id, url, width, height)
			VALUES (?, ?, 4, 3) RETURNING id`, mid, "https://localhost/media/"+name+".jpg").Scan(&id); err != nil {
			t.Fatal(err)
		}
		return relayID("Image", id)
	}
	var demo string
	if err := s.app.DB.QueryRowContext(ctx, `SELECT id FROM municipalities WHERE slug = 'demo'`).Scan(&demo); err != nil {
		t.Fatal(err)
	}
	a, b := image(demo, "a"), image(demo, "b")
	start := time.Date(2027, 2, 10, 18, 0, 0, 0, time.UTC)
	urls := func(id string) []string {
		t.Helper()
		r := ok(t, s.post(t, `query($id: ID!) { event(id: $id) { images { url } } }`, map[string]any{"id": id}, admin))
		return names(r.Data, "event.images", "url")
	}
	r := ok(t, s.post(t, createEventQ, map[string]any{"in": eventInput("med-bilder", start,
		map[string]any{"imageIds": []string{b, a}})}, admin))
	id := get(r.Data, "createEvent.event.id").(string)
	if got := strings.Join(urls(id), ","); got != "https://localhost/media/b.jpg,https://localhost/media/a.jpg" {
		t.Fatalf("images %s, want b then a", got)
	}
	ok(t, s.post(t, `mutation($id: ID!) { setEventPublication(id: $id, publication: PUBLISHED) { event { id } } }`,
		map[string]any{"id": id}, admin))
	r = ok(t, s.post(t, `query($id: ID!) { event(id: $id) { jsonLd } }`, map[string]any{"id": id}))
	var ld struct {
		Image []string `json:"image"`
	}
	raw, _ := json.Marshal(get(r.Data, "event.jsonLd"))
	if err := json.Unmarshal(raw, &ld); err != nil || strings.Join(ld.Image, ",") !=
		"https://localhost/media/b.jpg,https://localhost/media/a.jpg" {
		t.Fatalf("JSON-LD images %v (%v), want b then a", ld.Image, err)
	}

	in := eventInput("serie-med-bilde", start, map[string]any{"imageIds": []string{a},
		"rule": map[string]any{"rrule": "FREQ=WEEKLY;COUNT=2"}})
	r = ok(t, s.post(t, createSeriesQ, map[string]any{"in": in}, admin))
	for _, o := range get(r.Data, "createEventSeries.series.occurrences").([]any) {
		if got := urls(o.(map[string]any)["id"].(string)); len(got) != 1 || got[0] != "https://localhost/media/a.jpg" {
			t.Fatalf("an occurrence shows %v, want the series' image", got)
		}
	}

	t.Run("BadInput", func(t *testing.T) {
		other, err := s.app.Tenants.CreateMunicipality(ctx, tenantInput("annen", "Annen kommune"))
		if err != nil {
			t.Fatal(err)
		}
		foreign := image(other.ID(), "annen")
		wantInvalid(t, s.post(t, createEventQ, map[string]any{"in": eventInput("fremmed", start,
			map[string]any{"imageIds": []string{foreign}})}, admin), "input.imageIds")
		many := make([]string, 21)
		for i := range many {
			many[i] = a
		}
		wantInvalid(t, s.post(t, createEventQ, map[string]any{"in": eventInput("mange", start,
			map[string]any{"imageIds": many})}, admin), "input.imageIds")
		wantInvalid(t, s.post(t, `mutation($in: UpdateEventInput!) { updateEvent(input: $in) { event { id } } }`,
			map[string]any{"in": map[string]any{"id": id, "imageIds": []string{"nonsense"}}}, admin), "input.imageIds[0]")
		if got := urls(id); len(got) != 2 {
			t.Fatalf("a refused change changed the images: %v", got)
		}
	})
	t.Run("DeletedImageIsLeftOut", func(t *testing.T) {
		s.exec(t, `DELETE FROM media WHERE url = 'https://localhost/media/b.jpg'`)
		if got := strings.Join(urls(id), ","); got != "https://localhost/media/a.jpg" {
			t.Fatalf("images after b was deleted: %s", got)
		}
	})
}
