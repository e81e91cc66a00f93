package app_test

import (
	"context"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/uptrace/bun"
)

// jsonLists counts the statements in which the database writes activity lists as JSON.
type jsonLists struct{ n atomic.Int64 }

func (c *jsonLists) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (c *jsonLists) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	if strings.Contains(e.Query, "string_agg(") {
		c.n.Add(1)
	}
}

// TestListJSONAnswersAsTheExecutor: a nested activity list showing only plain fields is
// written by the database as JSON; its answer is the one the executor gives (forced by
// asking for pageInfo as well), in every language, for the public and for an administrator
// who also sees drafts, for every kind of parent, with aliases, __typename, empty lists and
// titles that need escaping.
func TestListJSONAnswersAsTheExecutor(t *testing.T) {
	t.Parallel()
	s := newDemoServer(t)
	seedFallbackTexts(t, s)
	createAdminIn(t, s, "larvik", "admin@larvik.no")
	admin := login(t, s, "admin@larvik.no", "X-Municipality: larvik")
	s.exec(t, `UPDATE activity_translations SET title = 'Quote " back\slash'||E'\n'||'line <b>&amp; ☃ '||E'\x01'
		WHERE activity_id = (SELECT id FROM activities ORDER BY id LIMIT 1) AND locale = 'nb'`)
	s.exec(t, `UPDATE activities SET status = 'DRAFT', published = false WHERE id IN (SELECT id FROM activities ORDER BY id DESC LIMIT 3)`)
	counter := &jsonLists{}
	s.app.DB.AddQueryHook(counter)

	lists := map[string]string{
		"organisations":  `organisations(first: 40) { nodes { id name %s } }`,
		"categories":     `categories { id %s children { id %s } }`,
		"neighbourhoods": `neighbourhoods(first: 20) { nodes { id %s } }`,
		"venues":         `venues(first: 30) { nodes { id %s } }`,
	}
	shapes := map[string]string{
		"edges": `activities(first: 5) { edges { node { id title } } }`,
		"nodes": `activities(first: 2) { nodes { __typename slug id title } }`,
		"aliases": `a: activities(first: 3) { e: edges { n: node { i: id t: title } } list: nodes { slug } }
			b: activities(first: 1) { nodes { id } }`,
		"none": `activities { edges { node { title } } }`,
	}
	for lang := range map[string]bool{"nb": true, "en": true, "ar": true} {
		for name, list := range lists {
			for shapeName, shape := range shapes {
				for _, who := range []string{"", admin} {
					t.Run(lang+"/"+name+"/"+shapeName+"/"+map[bool]string{true: "public", false: "admin"}[who == ""],
						func(t *testing.T) {
							headers := []string{"Accept-Language: " + lang}
							if who != "" {
								headers = append(headers, who)
							}
							q := "{ " + strings.ReplaceAll(list, "%s", shape) + " }"
							before := counter.n.Load()
							got := ok(t, s.larvik(t, q, nil, headers...))
							if counter.n.Load() == before {
								t.Fatalf("no list was written by the database for %s", q)
							}
							forced := strings.NewReplacer("e: edges {", "pageInfo { hasNextPage } e: edges {",
								"{ edges {", "{ pageInfo { hasNextPage } edges {",
								"{ nodes {", "{ pageInfo { hasNextPage } nodes {").Replace(shape)
							before = counter.n.Load()
							want := ok(t, s.larvik(t, "{ "+strings.ReplaceAll(list, "%s", forced)+" }", nil, headers...))
							if counter.n.Load() != before {
								t.Fatalf("a list with pageInfo was written by the database")
							}
							if exp := withoutPageInfo(want.Data); !reflect.DeepEqual(got.Data, exp) {
								t.Errorf("the database's JSON differs from the executor's:\n got %v\nwant %v", got.Data, exp)
							}
						})
				}
			}
		}
	}
}

// withoutPageInfo returns v without its pageInfo fields.
func withoutPageInfo(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			if k != "pageInfo" {
				out[k] = withoutPageInfo(x)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = withoutPageInfo(x)
		}
		return out
	}
	return v
}
