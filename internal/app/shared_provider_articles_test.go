package app_test

import (
	"slices"
	"sort"
	"testing"

	"github.com/mmcdole/gofeed"
)

// TestSharedProviderArticles shows the news a shared provider writes about itself in the
// portal, search and news feed of a municipality that accepted it, while public, and
// nothing of its drafts.
func TestSharedProviderArticles(t *testing.T) {
	t.Parallel()
	w := newSharedWorld(t)
	s := w.s
	ok(t, s.post(t, acceptQ, map[string]any{"o": w.vkt}, sfjH, w.sfjAdmin))
	article := func(slug, title, publishAt string) string {
		var id string
		if err := s.app.DB.QueryRow(`INSERT INTO articles (municipality_id, organisation_id, slug)
			SELECT municipality_id, id, ? FROM organisations WHERE slug = 'vkt' RETURNING id`, slug).Scan(&id); err != nil {
			t.Fatal(err)
		}
		s.exec(t, `INSERT INTO article_translations (article_id, municipality_id, locale, title, summary, publish_at)
			SELECT id, municipality_id, 'nb', ?, 'Nytt fra busselskapet', `+publishAt+` FROM articles WHERE id = ?`, title, id)
		return relayID("Article", id)
	}
	public := article("nye-ruter", "Nye bussruter i fylket", "now() - interval '1 hour'")
	draft := article("utkast", "Hemmelige ruteplaner", "NULL")
	s.exec(t,
		`INSERT INTO articles (municipality_id, slug) SELECT id, 'byfest' FROM municipalities WHERE slug = 'sandefjord'`)
	s.exec(t, `INSERT INTO article_translations (article_id, municipality_id, locale, title, publish_at)
		SELECT id, municipality_id, 'nb', 'Byfest i Sandefjord', now() - interval '2 hours' FROM articles
		WHERE slug = 'byfest'`)

	titles := func(headers ...string) []string {
		t.Helper()
		r := ok(t, s.post(t, `{ articles(first: 20) { nodes { title } } }`, nil, headers...))
		out := names(r.Data, "articles.nodes", "title")
		sort.Strings(out)
		return out
	}
	want := []string{"Byfest i Sandefjord", "Nye bussruter i fylket"}
	for _, caller := range [][]string{{sfjH}, {sfjH, w.sfjAdmin}} {
		if got := titles(caller...); !slices.Equal(got, want) {
			t.Errorf("Sandefjord's articles %q, want %q", got, want)
		}
		r := ok(t, s.post(t, `query($a: ID!, $d: ID!) { a: article(id: $a) { title } d: article(id: $d) { title } }`,
			map[string]any{"a": public, "d": draft}, caller...))
		if get(r.Data, "a.title") != "Nye bussruter i fylket" || get(r.Data, "d") != nil {
			t.Errorf("by ID in Sandefjord: %+v", r.Data)
		}
	}
	if got := titles(porsH); len(got) != 0 {
		t.Errorf("Porsgrunn, which has not accepted the provider, reads %q", got)
	}
	if got := titles(larvikH); slices.Contains(got, "Byfest i Sandefjord") {
		t.Errorf("Larvik reads Sandefjord's article: %q", got)
	}
	r := ok(t, s.post(t, `query($q: String!) { search(query: $q) { totalCount } }`, map[string]any{"q": "bussruter"},
		sfjH))
	if get(r.Data, "search.totalCount") != 1.0 {
		t.Errorf("search in Sandefjord: %+v", r.Data)
	}
	status, _, body := fetchFeed(t, s, "/feeds/articles.xml?lang=nb", sfjH)
	feed, err := gofeed.NewParser().ParseString(string(body))
	if status != 200 || err != nil {
		t.Fatalf("Sandefjord's news feed: %d %v", status, err)
	}
	var items []string
	for _, it := range feed.Items {
		items = append(items, it.Title)
	}
	sort.Strings(items)
	if !slices.Equal(items, want) {
		t.Errorf("Sandefjord's news feed %q", items)
	}
	r = s.post(t, `mutation($id: ID!) { updateArticle(input: {id: $id, slug: "kapret"}) { article { id } } }`,
		map[string]any{"id": public}, sfjH, w.sfjAdmin)
	if r.code() != "FORBIDDEN" || r.Errors[0].Extensions["field"] != "id" {
		t.Errorf("Sandefjord editing the provider's article: %+v", r.Errors)
	}
}
