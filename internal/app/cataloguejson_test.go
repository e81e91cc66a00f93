package app_test

import (
	"context"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/relay"
)

// catalogueLists counts the statements in which the database writes the catalogue's list
// as JSON (portal.FindActivitiesJSON).
type catalogueLists struct{ n atomic.Int64 }

func (c *catalogueLists) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}

func (c *catalogueLists) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	if strings.Contains(e.Query, "row_number() OVER () AS rn") {
		c.n.Add(1)
	}
}

// TestCatalogueJSONAnswersAsTheExecutor: the catalogue's list, showing texts, plain fields
// and its items' organisation, venue and categories, is written by the database as JSON;
// its answer is the one the executor gives (forced by asking for each edge's cursor or
// pageInfo as well), in every language (texts, venue and category names falling back along
// the chain), for the public, an administrator and an organisation's owner, with filters,
// orders and cursors, aliases and __typename. Drafts and the activities of an organisation
// that is not published stay hidden on both ways; an activity whose organisation the
// caller may not read is answered as the executor answers it.
func TestCatalogueJSONAnswersAsTheExecutor(t *testing.T) {
	t.Parallel()
	s := newDemoServer(t)
	seedFallbackTexts(t, s)
	createAdminIn(t, s, "larvik", "admin@larvik.no")
	admin := login(t, s, "admin@larvik.no", "X-Municipality: larvik")
	mid := `(SELECT id FROM municipalities WHERE slug = 'larvik')`
	s.exec(t, `UPDATE activity_translations SET title = 'Quote " back\slash'||E'\n'||'line <b>&amp; ☃ '||E'\x01'
		WHERE activity_id = (SELECT id FROM activities ORDER BY id LIMIT 1) AND locale = 'nb'`)
	// a draft, an organisation waiting for approval (its activities leave the catalogue)
	s.exec(t, `UPDATE activities SET status = 'DRAFT', published = false
		WHERE id IN (SELECT id FROM activities ORDER BY id DESC LIMIT 2)`)
	s.exec(t, `UPDATE organisations SET status = 'PENDING'
		WHERE id = (SELECT organisation_id FROM activities WHERE published ORDER BY id DESC LIMIT 1)`)
	// venue names in other languages (some: the others fall back), an address-less venue, a
	// category without its nb name, an archived venue
	s.exec(t, `INSERT INTO venue_translations (venue_id, municipality_id, locale, name)
		SELECT id, municipality_id, 'en', 'en-'||name FROM venues
		WHERE municipality_id = `+mid+` AND id::text < '8'
		UNION ALL SELECT id, municipality_id, 'ar', 'ar-'||name FROM venues WHERE municipality_id = `+mid+` AND id::text > '4'`)
	s.exec(t, `UPDATE venues SET street = '', postal_code = '', place = ''
		WHERE id = (SELECT venue_id FROM activities WHERE venue_id IS NOT NULL ORDER BY id LIMIT 1)`)
	s.exec(t, `UPDATE venues SET archived_at = now() -- kept on its activities, on both ways
		WHERE id = (SELECT venue_id FROM activities WHERE venue_id IS NOT NULL ORDER BY id DESC LIMIT 1)`)
	s.exec(t, `DELETE FROM category_translations WHERE locale = 'nb'
		AND category_id = (SELECT category_id FROM activity_categories ORDER BY activity_id LIMIT 1)`)
	counter := &catalogueLists{}
	s.app.DB.AddQueryHook(counter)

	const item = `id __typename title summary textLocale priceOre free slug
		organisation { id name summary } categories { id name } venue { id name address { street place } }`
	lists := map[string]string{
		"all":      `activities(first: 100) { edges { node { ` + item + ` } } }`,
		"page":     `activities(first: 3) { edges { node { id title venue { __typename name } } } }`,
		"nodes":    `activities(first: 7, orderBy: UPDATED_AT) { nodes { id t: title o: organisation { n: name } } }`,
		"last":     `activities(last: 4) { nodes { ` + item + ` } }`,
		"filtered": `activities(first: 20, filter: { freeOnly: true }) { edges { node { ` + item + ` } } }`,
		"aliases": `a: activities(first: 5) { e: edges { n: node { i: id c: categories { __typename slug } } }
			list: nodes { id } }`,
		"empty": `activities(first: 5, filter: { query: "qqqxqqq" }) { edges { node { id } } }`,
	}
	forced := strings.NewReplacer("{ edges { node {", "{ edges { cursor node {",
		"e: edges { n: node {", "e: edges { cursor n: node {",
		"{ nodes {", "{ pageInfo { hasNextPage } nodes {")
	for _, lang := range []string{"nb", "nn", "en", "ar"} {
		for name, list := range lists {
			for who, auth := range map[string]string{"public": "", "admin": admin} {
				t.Run(lang+"/"+name+"/"+who, func(t *testing.T) {
					headers := []string{"Accept-Language: " + lang}
					if auth != "" {
						headers = append(headers, auth)
					}
					before := counter.n.Load()
					got := ok(t, s.larvik(t, "{ "+list+" }", nil, headers...))
					if counter.n.Load() == before {
						t.Fatalf("the list was not written by the database: %s", list)
					}
					before = counter.n.Load()
					want := ok(t, s.larvik(t, "{ "+forced.Replace(list)+" }", nil, headers...))
					if counter.n.Load() != before {
						t.Fatalf("a list with cursors was written by the database")
					}
					if exp := withoutCursors(want.Data); !reflect.DeepEqual(got.Data, exp) {
						t.Errorf("the database's JSON differs from the executor's:\n got %v\nwant %v", got.Data, exp)
					}
				})
			}
		}
	}

	// Neither way shows the draft or the pending organisation's activities.
	hidden := map[string]bool{}
	for _, q := range []string{`SELECT id FROM activities WHERE NOT published`} {
		var ids []uuid.UUID
		if err := s.app.DB.NewRaw(q).Scan(context.Background(), &ids); err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			hidden[relay.GlobalID("Activity", id)] = true
		}
	}
	if len(hidden) < 3 {
		t.Fatalf("want the drafts and the pending organisation's activities hidden, have %d", len(hidden))
	}
	r := ok(t, s.larvik(t, `{ activities(first: 100) { nodes { id organisation { name } } } }`, nil, admin))
	for _, n := range get(r.Data, "activities.nodes").([]any) {
		if hidden[n.(map[string]any)["id"].(string)] {
			t.Errorf("hidden activity %v listed", n)
		}
	}

	// An activity left published by an organisation the public may not read: the list is
	// answered as the executor answers it (with the organisation's error), not written.
	s.exec(t, `ALTER TABLE activities DISABLE TRIGGER USER`)
	s.exec(t, `UPDATE activities SET published = true WHERE status = 'PUBLISHED' AND NOT published`)
	s.exec(t, `ALTER TABLE activities ENABLE TRIGGER USER`)
	q := `{ activities(first: 100) { edges { node { id organisation { id name } } } } }`
	got := s.larvik(t, q, nil)
	want := s.larvik(t, strings.Replace(q, "edges { node", "edges { cursor node", 1), nil)
	if len(got.Errors) == 0 || !reflect.DeepEqual(withoutCursors(got.Data), withoutCursors(want.Data)) ||
		len(got.Errors) != len(want.Errors) || got.Errors[0].Message != want.Errors[0].Message {
		t.Errorf("a hidden organisation: got %v %v, want %v %v", got.Data, got.Errors, want.Data, want.Errors)
	}
}

// withoutCursors returns v without its cursor and pageInfo fields.
func withoutCursors(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			if k != "pageInfo" && k != "cursor" {
				out[k] = withoutCursors(x)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = withoutCursors(x)
		}
		return out
	}
	return v
}
