package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"
)

// eventLists counts the statements in which the database writes a list of events as JSON
// (events.FindEventsJSON, events.EventsBetweenJSON).
type eventLists struct{ n atomic.Int64 }

func (c *eventLists) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (c *eventLists) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	if strings.Contains(e.Query, "row_number() OVER () AS rn") && strings.Contains(e.Query, "FROM events AS e") {
		c.n.Add(1)
	}
}

// postRaw posts a GraphQL query and returns the answer's bytes, failing t unless it is a
// 200 without errors.
func postRaw(t *testing.T, s *testServer, query string, vars map[string]any, headers ...string) []byte {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequest(http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for _, h := range append([]string{"X-Municipality: larvik"}, headers...) {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || bytes.Contains(raw, []byte(`"errors"`)) {
		t.Fatalf("status %d: %s", res.StatusCode, raw)
	}
	return raw
}

// TestEventsJSONAnswersAsTheExecutor: a list of events (events(...), and the calendar's
// events) showing texts, plain fields, times, its venue, organisation, categories and
// images, with edges, cursors, pageInfo and totalCount, is written by the database as
// JSON, and the answer is byte for byte the executor's: in four languages (each text
// falling back on its own along the chain), for the public and an administrator (who also
// sees drafts and an organisation waiting for approval), with the filters a portal uses
// (time range, categories, target groups, organisation, series, free, a holiday programme,
// words with their relevance order), pages continued from a cursor, aliases, __typename and
// fragments, texts that need escaping, times with microseconds, and a cancelled event.
func TestEventsJSONAnswersAsTheExecutor(t *testing.T) {
	t.Parallel()
	s := newDemoServer(t)
	seedFallbackTexts(t, s)
	createAdminIn(t, s, "larvik", "admin@larvik.no")
	admin := login(t, s, "admin@larvik.no", "X-Municipality: larvik")
	now := time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC)
	s.app.Events.Now = func() time.Time { return now }
	mid := `(SELECT id FROM municipalities WHERE slug = 'larvik')`
	ev := func(slug string) string { return `(SELECT id FROM events WHERE slug = '` + slug + `')` }
	// Texts: a title needing every kind of escape; an English title without its summary; an
	// Arabic title only; a description in English only; an event with no text at all.
	s.exec(t, `UPDATE event_translations SET title = 'Quote " back\slash'||E'\n\t\r'||'<b>&amp; ☃ '||
		E'\x01\x08\x0b\x0c\x1f'||' end' WHERE event_id = `+ev("folk-og-rovere-13-mars")+` AND locale = 'nb'`)
	s.exec(t, `INSERT INTO event_translations (event_id, municipality_id, locale, title, summary, description,
		description_html, description_text)
		SELECT id, municipality_id, 'ar', 'ar-'||slug, '', '{"blocks": [{"type": "paragraph", "text": "ar"}]}',
			'<p>ar</p>', 'ar' FROM events WHERE slug LIKE 'vinterferie-2027%'`)
	s.exec(t, `UPDATE event_translations SET description = '{"blocks": [{"type": "paragraph", "text": "en \u0001"}]}',
		description_html = '<p>en &amp; more</p>', description_text = 'en & more'||E'\x0b'
		WHERE locale = 'en' AND event_id IN (SELECT id FROM events WHERE slug LIKE 'stavern%')`)
	s.exec(t, `DELETE FROM event_translations WHERE event_id = `+ev("tivoli-i-mai-2027"))
	// Plain fields: times with microseconds, ages, groups, accessibility, a place, a draft, a
	// cancelled event, an organisation waiting for approval, an event of the municipality's own.
	s.exec(t, `UPDATE events SET starts_at = starts_at + interval '123400 microseconds', age_min = 6, age_max = 12,
		target_groups = '{CHILDREN,FAMILIES}', accessibility = '{WHEELCHAIR_ACCESSIBLE}', place = 'Sal "B"'
		WHERE slug = 'vinterferie-2027-bading'`)
	s.exec(t, `UPDATE events SET publication = 'DRAFT' WHERE slug = 'vinterferie-2027-utstyr'`)
	s.exec(t, `UPDATE events SET status = 'CANCELLED' WHERE slug = 'folk-og-rovere-14-mars'`)
	s.exec(t, `UPDATE organisations SET status = 'PENDING' WHERE slug = 'foldvik-familiepark'`)
	s.exec(t, `UPDATE events SET organisation_id = NULL WHERE slug = 'generalprove-varforestilling'`)
	// Venues: names in other languages (some fall back), one without an address.
	s.exec(t, `INSERT INTO venue_translations (venue_id, municipality_id, locale, name)
		SELECT id, municipality_id, 'en', 'en-'||name FROM venues WHERE municipality_id = `+mid+`
		UNION ALL SELECT id, municipality_id, 'ar', 'ar-'||name FROM venues
			WHERE municipality_id = `+mid+` AND name LIKE 'B%'`)
	s.exec(t, `UPDATE venues SET street = '', postal_code = '', place = '' WHERE name = 'Teaterhuset Munken'`)
	// Categories (one without its nb name) and images (one gone from the library).
	s.exec(t, `INSERT INTO event_categories (event_id, municipality_id, category_id)
		SELECT e.id, e.municipality_id, c.id FROM events e
		JOIN (SELECT id FROM categories WHERE municipality_id = `+mid+` ORDER BY slug LIMIT 3) c ON true
		WHERE e.slug LIKE 'vinterferie-2027%' OR e.slug LIKE 'stavern%' OR e.slug LIKE 'kor-for-alle%'`)
	s.exec(t, `DELETE FROM category_translations WHERE locale = 'nb'
		AND category_id = (SELECT id FROM categories WHERE municipality_id = `+mid+` ORDER BY slug LIMIT 1)`)
	s.exec(t, `INSERT INTO media (id, municipality_id, url, width, height)
		SELECT ('00000000-0000-7000-8000-00000000000'||i)::uuid, id, 'https://cdn.example.no/'||i||'.jpg?a=1&b=<2>',
			640 + i, 480 FROM municipalities, generate_series(1, 3) i WHERE slug = 'larvik'`)
	s.exec(t, `UPDATE events SET image_ids = ARRAY['00000000-0000-7000-8000-000000000002',
		'00000000-0000-7000-8000-000000000009', '00000000-0000-7000-8000-000000000001']::uuid[]
		WHERE slug LIKE 'vinterferie-2027%' OR slug LIKE 'stavern%'`)
	counter := &eventLists{}
	s.app.DB.AddQueryHook(counter)

	var ids struct{ cat, org, series, programme string }
	r := ok(t, s.larvik(t, `{ categories { id } organisations(first: 100) { nodes { id slug } }
		events(first: 100, filter: {from: "2026-01-01T00:00:00Z", to: "2026-12-31T00:00:00Z"}) {
			nodes { series { id } } }
		event(slug: "vinterferie-2027") { id } }`, nil))
	ids.cat = get(r.Data, "categories.0.id").(string)
	for _, o := range list(r, "organisations") {
		if o["slug"] == "aktiv-larvik" {
			ids.org = o["id"].(string)
		}
	}
	ids.series = get(r.Data, "events.nodes.0.series.id").(string)
	ids.programme = get(r.Data, "event.id").(string)

	const item = `id __typename slug title summary textLocale startsAt endsAt allDay timeZone status publication
		place free priceOre ageMin ageMax targetGroups accessibility holidayProgramme overridden recurrenceStart
		cardOfferId updatedAt description { html plainText json } venue { id name address { street place } }
		organisation { id name slug summary } categories { id name slug } images { id url width height }`
	year := `from: "2027-01-01T00:00:00Z", to: "2027-12-31T00:00:00Z"`
	lists := map[string]string{
		"month": `events(first: 100, filter: {from: "2027-02-01T00:00:00+01:00", to: "2027-03-01T00:00:00+01:00"})
			{ nodes { ` + item + ` } }`,
		"portal": `events(first: 20) { totalCount pageInfo { hasNextPage endCursor }
			edges { cursor node { id title summary startsAt endsAt allDay status free venue { name } } } }`,
		"upcoming": `events { edges { node { ` + item + ` } } }`,
		"categories": `events(first: 50, filter: {categories: ["` + ids.cat + `"], ` + year + `})
			{ nodes { id title categories { id name } } }`,
		"groups":       `events(filter: {targetGroups: [CHILDREN], ` + year + `}) { nodes { id title targetGroups } }`,
		"organisation": `events(filter: {organisation: "` + ids.org + `", ` + year + `}) { nodes { id slug } }`,
		"series": `events(first: 5, filter: {series: "` + ids.series + `"}) { pageInfo { hasNextPage hasPreviousPage
			startCursor endCursor __typename } edges { __typename cursor node { id startsAt recurrenceStart } } }`,
		"free": `events(filter: {freeOnly: true, hideSeriesOccurrences: true, ` + year + `}) {
			nodes { id title priceOre free } }`,
		"programme": `events(filter: {holidayProgramme: "` + ids.programme + `"}) { nodes { ` + item + ` } }`,
		"words": `events(orderBy: RELEVANCE, filter: {query: "konsert", ` + year + `}) {
			edges { cursor node { title } } pageInfo { endCursor } }`,
		"aliases": `a: events(first: 7) { __typename t: totalCount e: edges { c: cursor n: node { i: id t: title
				v: venue { __typename n: name } ... on Event { slug } } m: node { id } }
			list: nodes { ...E } p: pageInfo { next: hasNextPage } }
			b: events(first: 1, after: null) { nodes { __typename id } }`,
		"empty": `events(first: 5, filter: {query: "qqqxqqq"}) { totalCount edges { cursor node { id } }
			pageInfo { hasNextPage startCursor endCursor } }`,
		"calendar": `calendar(from: "2027-02-20", to: "2027-03-15") { date items { __typename
			... on Event { ` + item + ` } ... on CalendarActivityTime { startsAt activity { title } } } }`,
		"calendar-week": `calendar(from: "2027-07-01", to: "2027-07-07") { date
			items { ... on Event { id title startsAt endsAt venue { name } } } }`,
	}
	fragment := ` fragment E on Event { id title images { id } categories { id name } }`
	for _, lang := range []string{"nb", "nn", "en", "ar"} {
		for name, query := range lists {
			for who, auth := range map[string]string{"public": "", "admin": admin} {
				t.Run(lang+"/"+name+"/"+who, func(t *testing.T) {
					headers := []string{"Accept-Language: " + lang}
					if auth != "" {
						headers = append(headers, auth)
					}
					q := "{ " + query + " }"
					if strings.Contains(query, "...E") {
						q += fragment
					}
					s.app.Events.NoJSON.Store(true)
					before := counter.n.Load()
					want := postRaw(t, s, q, nil, headers...)
					if counter.n.Load() != before {
						t.Fatalf("the list was written by the database while that was off")
					}
					s.app.Events.NoJSON.Store(false)
					got := postRaw(t, s, q, nil, headers...)
					if counter.n.Load() == before {
						t.Fatalf("the list was not written by the database: %s", q)
					}
					if !bytes.Equal(got, want) {
						t.Errorf("the database's JSON differs from the executor's:\n got %s\nwant %s", got, want)
					}
				})
			}
		}
	}

	// The pages after a cursor, forward to the end: each as the executor gives it.
	q := `query($after: String) { events(first: 4, after: $after, filter: {` + year + `}) {
		totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id title startsAt } } } }`
	var after any
	for pages := 0; ; pages++ {
		s.app.Events.NoJSON.Store(true)
		want := postRaw(t, s, q, map[string]any{"after": after}, admin)
		s.app.Events.NoJSON.Store(false)
		got := postRaw(t, s, q, map[string]any{"after": after}, admin)
		if !bytes.Equal(got, want) {
			t.Fatalf("page %d after %v:\n got %s\nwant %s", pages, after, got, want)
		}
		var page struct {
			Data struct {
				Events struct {
					PageInfo struct {
						HasNextPage bool
						EndCursor   *string
					}
				}
			}
		}
		if err := json.Unmarshal(got, &page); err != nil {
			t.Fatal(err)
		}
		if !page.Data.Events.PageInfo.HasNextPage {
			if pages < 3 {
				t.Fatalf("only %d pages", pages+1)
			}
			break
		}
		after = *page.Data.Events.PageInfo.EndCursor
	}
}
