package app_test

import (
	"context"
	"testing"
	"time"
)

// TestSearchFindsPagesAndArticles checks that search finds the public languages of pages and
// articles, ranked with the rest, and never a draft, scheduled or archived one, nor another
// municipality's.
func TestSearchFindsPagesAndArticles(t *testing.T) {
	t.Parallel()
	s, admin, clock := newContentServer(t)
	ctx := context.Background()
	publish := func(id, locale string) {
		ok(t, s.post(t, setStatus, map[string]any{"in": map[string]any{"id": id, "locale": locale, "status": "PUBLISHED"}}, admin))
	}
	r := ok(t, s.post(t, createPage, map[string]any{"in": map[string]any{"slug": "aktivitetskortet", "texts": []any{
		map[string]any{"locale": "nb", "title": "Om aktivitetskortet", "bodyMarkdown": "Kortet gir gratis inngang til svømmehallen."},
		map[string]any{"locale": "en", "title": "About the activity card", "bodyMarkdown": "Free entry to the swimming pool."},
	}}}, admin))
	page := get(r.Data, "createPage.page.id").(string)
	publish(page, "nb")
	publish(page, "en")
	r = ok(t, s.post(t, createArticle, map[string]any{"in": map[string]any{"slug": "sommerkort", "texts": []any{
		map[string]any{"locale": "nb", "title": "Sommerkortet er her", "summary": "Søk om sommerkort nå"}}}}, admin))
	article := get(r.Data, "createArticle.article.id").(string)
	publish(article, "nb")
	r = ok(t, s.post(t, createArticle, map[string]any{"in": map[string]any{"slug": "julekort", "texts": []any{
		map[string]any{"locale": "nb", "title": "Julekortet kommer"}}}}, admin))
	scheduled := get(r.Data, "createArticle.article.id").(string)
	ok(t, s.post(t, setStatus, map[string]any{"in": map[string]any{"id": scheduled, "locale": "nb", "status": "SCHEDULED",
		"publishAt": clock.now().Add(24 * time.Hour).Format(time.RFC3339)}}, admin))
	ok(t, s.post(t, createArticle, map[string]any{"in": map[string]any{"slug": "utkast", "texts": []any{
		map[string]any{"locale": "nb", "title": "Påskekortet er et utkast"}}}}, admin))
	other, err := s.app.Tenants.CreateMunicipality(ctx, tenantInput("annen", "Annen kommune", "annen.example"))
	if err != nil {
		t.Fatal(err)
	}
	s.exec(t, `WITH a AS (INSERT INTO articles (municipality_id, slug) VALUES (?, 'vinterkort') RETURNING id, municipality_id)
		INSERT INTO article_translations (article_id, municipality_id, locale, title, publish_at)
		SELECT id, municipality_id, 'nb', 'Vinterkortet i nabokommunen', now() - interval '1 day' FROM a`, other.ID())

	search := func(query string, headers ...string) (titles []string, total int) {
		t.Helper()
		r := ok(t, s.post(t, `query($q: String!) { search(query: $q) { totalCount edges { node { __typename
			... on Page { title } ... on Article { title } } } } }`, map[string]any{"q": query}, headers...))
		for _, e := range get(r.Data, "search.edges").([]any) {
			titles = append(titles, get(e, "node.__typename").(string)+": "+get(e, "node.title").(string))
		}
		return titles, int(get(r.Data, "search.totalCount").(float64))
	}
	for query, want := range map[string]string{
		"aktivitetskortet": "Page: Om aktivitetskortet",
		"svømmehallen":     "Page: Om aktivitetskortet", // a word of the body
		"sommerkort":       "Article: Sommerkortet er her",
	} {
		t.Run("Finds "+query, func(t *testing.T) {
			got, total := search(query)
			if len(got) != 1 || got[0] != want || total != 1 {
				t.Fatalf("got %q (total %d), want %q", got, total, want)
			}
		})
	}
	t.Run("EveryPublicLanguageOnce", func(t *testing.T) {
		got, total := search("activity card", "X-Locale: en")
		if len(got) != 1 || got[0] != "Page: About the activity card" || total != 1 {
			t.Fatalf("got %q (total %d)", got, total)
		}
	})
	for _, query := range []string{"julekortet", "påskekortet", "vinterkortet"} {
		t.Run("NotFound "+query, func(t *testing.T) {
			if got, total := search(query); len(got) != 0 || total != 0 {
				t.Fatalf("got %q (total %d)", got, total)
			}
		})
	}
	t.Run("OtherMunicipalityFindsItsOwn", func(t *testing.T) {
		if got, _ := search("vinterkortet", "X-Municipality: annen"); len(got) != 1 {
			t.Fatalf("got %q", got)
		}
		if got, _ := search("sommerkortet", "X-Municipality: annen"); len(got) != 0 {
			t.Fatalf("got %q", got)
		}
	})
	t.Run("ArchivedLanguageIsNoLongerFound", func(t *testing.T) {
		ok(t, s.post(t, setStatus, map[string]any{"in": map[string]any{"id": page, "locale": "en", "status": "ARCHIVED"}}, admin))
		if got, _ := search("swimming", "X-Locale: en"); len(got) != 0 {
			t.Fatalf("archived English still found: %q", got)
		}
		if got, _ := search("svømmehallen"); len(got) != 1 {
			t.Fatalf("Norwegian no longer found: %q", got)
		}
		ok(t, s.post(t, setStatus, map[string]any{"in": map[string]any{"id": article, "locale": "nb", "status": "ARCHIVED"}}, admin))
		if got, total := search("sommerkort"); len(got) != 0 || total != 0 {
			t.Fatalf("archived article found: %q (total %d)", got, total)
		}
	})
	t.Run("ScheduledFromItsTime", func(t *testing.T) {
		// The search compares with the database's clock: move the scheduled time to the past
		// as time passing would.
		s.exec(t, `UPDATE article_translations SET publish_at = now() - interval '1 minute' WHERE title = 'Julekortet kommer'`)
		if got, _ := search("julekortet"); len(got) != 1 || got[0] != "Article: Julekortet kommer" {
			t.Fatalf("got %q", got)
		}
	})
}
