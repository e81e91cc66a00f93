package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/fritid/fritid/internal/platform/config"
)

// fetchFeed GETs a feed of the demo municipality (or the one a header names) and returns its
// status, headers and body.
func fetchFeed(t *testing.T, s *testServer, path string, headers ...string) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(k, strings.TrimSpace(v))
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, body
}

// parseFeed parses a feed with a general feed parser and checks the rules a feed validator
// applies: the format's dates, absolute links, unique IDs.
func parseFeed(t *testing.T, s *testServer, path string, headers ...string) *gofeed.Feed {
	t.Helper()
	status, h, body := fetchFeed(t, s, path, headers...)
	if status != http.StatusOK {
		t.Fatalf("%s: status %d: %s", path, status, body)
	}
	if h.Get("Cache-Control") != "public, max-age=300" || h.Get("ETag") == "" {
		t.Errorf("%s: headers %v", path, h)
	}
	if strings.Contains(strings.ToLower(string(body)), "<script") {
		t.Errorf("%s: a script element, unescaped:\n%s", path, body)
	}
	f, err := gofeed.NewParser().ParseString(string(body))
	if err != nil {
		t.Fatalf("%s: %v\n%s", path, err, body)
	}
	atom := strings.Contains(path, ".atom")
	if (atom && f.FeedType != "atom") || (!atom && (f.FeedType != "rss" || f.FeedVersion != "2.0")) {
		t.Fatalf("%s: type %s %s", path, f.FeedType, f.FeedVersion)
	}
	if f.FeedLink == "" || !strings.HasPrefix(f.FeedLink, "http") {
		t.Errorf("%s: no absolute self link: %q", path, f.FeedLink)
	}
	seen := map[string]bool{}
	for _, it := range f.Items {
		if seen[it.GUID] || it.GUID == "" {
			t.Errorf("%s: guid %q repeated or empty", path, it.GUID)
		}
		seen[it.GUID] = true
		if !strings.HasPrefix(it.Link, "https://fritid.example/nyheter/") {
			t.Errorf("%s: link %q", path, it.Link)
		}
		if it.PublishedParsed == nil {
			t.Errorf("%s: date %q not parsed", path, it.Published)
		}
	}
	// RSS dates are RFC 822, Atom dates RFC 3339, as the formats require.
	date := `<pubDate>`
	layout := time.RFC1123Z
	if atom {
		date, layout = `<published>`, time.RFC3339
	}
	for _, part := range strings.Split(string(body), date)[1:] {
		v, _, _ := strings.Cut(part, "<")
		if _, err := time.Parse(layout, v); err != nil {
			t.Errorf("%s: date %q: %v", path, v, err)
		}
	}
	return f
}

func titles(f *gofeed.Feed) []string {
	var out []string
	for _, it := range f.Items {
		out = append(out, it.Title)
	}
	return out
}

func TestArticleFeeds(t *testing.T) {
	t.Parallel()
	s, admin, clock := newContentServer(t, func(c *config.Config) { c.PublicURL = "https://fritid.example" })
	ctx := context.Background()
	demo, _ := s.app.Tenants.FindMunicipalityBySlug(ctx, "demo")
	var sport, nbh string
	if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO categories (municipality_id, slug) VALUES (?, 'idrett') RETURNING id`,
		demo.ID()).Scan(&sport); err != nil {
		t.Fatal(err)
	}
	s.exec(t, `INSERT INTO category_translations (category_id, municipality_id, locale, name) VALUES (?, ?, 'nb', 'Idrett'),
		(?, ?, 'en', 'Sports')`, sport, demo.ID(), sport, demo.ID())
	if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO neighbourhoods (municipality_id, slug, area, min_lat, min_lon, max_lat,
		max_lon) VALUES (?, 'sentrum', ?, 59, 10, 59.1, 10.1) RETURNING id`, demo.ID(),
		`{"type":"Polygon","coordinates":[[[10,59],[10.1,59],[10.1,59.1],[10,59]]]}`).Scan(&nbh); err != nil {
		t.Fatal(err)
	}
	create := func(slug string, extra map[string]any, texts ...map[string]any) string {
		in := map[string]any{"slug": slug, "texts": texts}
		for k, v := range extra {
			in[k] = v
		}
		r := ok(t, s.post(t, createArticle, map[string]any{"in": in}, admin))
		return get(r.Data, "createArticle.article.id").(string)
	}
	publish := func(id, locale string) {
		ok(t, s.post(t, setStatus, map[string]any{"in": map[string]any{"id": id, "locale": locale, "status": "PUBLISHED"}}, admin))
	}
	hostile := `<script>alert("x")</script> & "Ærlig" <b>talt</b>`
	bilingual := create("sommerkort", map[string]any{"categoryIds": []any{relayID("Category", sport)}},
		map[string]any{"locale": "nb", "title": "Sommerkortet er her", "summary": "Søk nå", "bodyMarkdown": "Søk **nå**."},
		map[string]any{"locale": "en", "title": "The summer card is here", "bodyMarkdown": "Apply *now*."})
	publish(bilingual, "nb")
	publish(bilingual, "en")
	clock.add(time.Minute)
	nbOnly := create("bare-norsk", map[string]any{"neighbourhoodIds": []any{relayID("Neighbourhood", nbh)}},
		map[string]any{"locale": "nb", "title": hostile, "summary": hostile, "bodyHtml": "<p>" + hostile + "</p>"},
		map[string]any{"locale": "en", "title": "Only Norwegian"})
	publish(nbOnly, "nb")
	scheduled := create("senere", nil, map[string]any{"locale": "nb", "title": "Kommer senere"})
	at := clock.now().Add(time.Hour)
	ok(t, s.post(t, setStatus, map[string]any{"in": map[string]any{"id": scheduled, "locale": "nb", "status": "SCHEDULED",
		"publishAt": at.Format(time.RFC3339)}}, admin))
	create("utkast", nil, map[string]any{"locale": "nb", "title": "Et utkast"})

	// Another municipality's published article, with the same slug.
	other, err := s.app.Tenants.CreateMunicipality(ctx, tenantInput("annen", "Annen kommune", "annen.example"))
	if err != nil {
		t.Fatal(err)
	}
	s.exec(t, `WITH a AS (INSERT INTO articles (municipality_id, slug) VALUES (?, 'sommerkort') RETURNING id, municipality_id)
		INSERT INTO article_translations (article_id, municipality_id, locale, title, publish_at)
		SELECT id, municipality_id, 'nb', 'Nytt fra nabokommunen', now() - interval '1 day' FROM a`, other.ID())

	for _, ext := range []string{"xml", "atom"} {
		path := "/feeds/articles." + ext
		t.Run("Norwegian"+ext, func(t *testing.T) {
			f := parseFeed(t, s, path+"?lang=nb")
			got := titles(f)
			if len(got) != 2 || got[0] != hostile || got[1] != "Sommerkortet er her" {
				t.Fatalf("titles %q", got)
			}
			if f.Title != "Demo kommune" || (ext == "xml" && f.Language != "nb") {
				t.Errorf("channel %q %q", f.Title, f.Language)
			}
			it := f.Items[1]
			if !strings.Contains(it.Content, "<strong>nå</strong>") || it.Description != "Søk nå" ||
				len(it.Categories) != 1 || it.Categories[0] != "Idrett" {
				t.Errorf("item %+v", it)
			}
			if it.Link != "https://fritid.example/nyheter/sommerkort?lang=nb" {
				t.Errorf("link %q", it.Link)
			}
			if !strings.Contains(it.GUID, bilingual) {
				t.Errorf("guid %q does not name the article %s", it.GUID, bilingual)
			}
			// The hostile text is text: the title as parsed is exactly what was written, and the
			// body has no script element.
			if strings.Contains(f.Items[0].Content, "<script") {
				t.Errorf("body has a script: %q", f.Items[0].Content)
			}
		})
		t.Run("EnglishHasOnlyWhatIsPublishedInEnglish"+ext, func(t *testing.T) {
			f := parseFeed(t, s, path+"?lang=en")
			if got := titles(f); len(got) != 1 || got[0] != "The summer card is here" {
				t.Fatalf("titles %q", got)
			}
			if c := f.Items[0].Categories; len(c) != 1 || c[0] != "Sports" {
				t.Errorf("categories %q", c)
			}
		})
		t.Run("Filters"+ext, func(t *testing.T) {
			for q, want := range map[string]string{
				"&category=idrett":                                "Sommerkortet er her",
				"&category=" + relayID("Category", sport):         "Sommerkortet er her",
				"&neighbourhood=sentrum":                          hostile,
				"&neighbourhood=" + relayID("Neighbourhood", nbh): hostile,
			} {
				if got := titles(parseFeed(t, s, path+"?lang=nb"+q)); len(got) != 1 || got[0] != want {
					t.Errorf("%s: titles %q", q, got)
				}
			}
		})
		t.Run("OtherMunicipality"+ext, func(t *testing.T) {
			f := parseFeed(t, s, path+"?lang=nb", "X-Municipality: annen")
			if got := titles(f); len(got) != 1 || got[0] != "Nytt fra nabokommunen" || f.Title != "Annen kommune" {
				t.Fatalf("titles %q", got)
			}
		})
		t.Run("ErrBadParameters"+ext, func(t *testing.T) {
			for q, field := range map[string]string{"": "lang", "?lang=xx": "lang", "?lang=nb&category=finnes-ikke": "category",
				"?lang=nb&neighbourhood=" + relayID("Neighbourhood", nbh) + "x": "neighbourhood",
				"?lang=nb&category=" + relayID("Category", sport):               "",
			} {
				status, _, body := fetchFeed(t, s, path+q, "X-Municipality: annen")
				if field == "" { // another municipality's category: unknown there
					field = "category"
				}
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
	t.Run("ScheduledAppearsAtItsTime", func(t *testing.T) {
		clock.set(at)
		f := parseFeed(t, s, "/feeds/articles.xml?lang=nb")
		if got := titles(f); len(got) != 3 || got[0] != "Kommer senere" {
			t.Fatalf("titles %q", got)
		}
		_, h, _ := fetchFeed(t, s, "/feeds/articles.xml?lang=nb")
		if status, _, _ := fetchFeed(t, s, "/feeds/articles.xml?lang=nb", "If-None-Match: "+h.Get("ETag")); status != 304 {
			t.Errorf("If-None-Match: status %d", status)
		}
	})
}
