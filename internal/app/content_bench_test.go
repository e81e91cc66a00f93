package app_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/fritid/fritid/internal/platform/config"
)

// BenchmarkContentRead reads the demo municipality's content with 25 published articles
// and a page, each with a body of headings, paragraphs, a list and links, from 16 clients
// at once, and reports the CPU time per request: "articles" is the first 20 articles with
// their bodies' HTML, "page" one page by path with its body's HTML. Bodies are rendered
// when they are saved, so a read only copies the HTML.
// Run: go test ./internal/app/ -run '^$' -bench ContentRead -benchmem
func BenchmarkContentRead(b *testing.B) {
	s := newServer(b, func(c *config.Config) { c.BudgetAnonymous = 0 })
	createAdminIn(b, s, "demo", "redaktor@example.no")
	r := ok(b, s.post(b, loginMutation, map[string]any{"e": "redaktor@example.no", "p": "riktig hest batteri"}))
	admin := "Authorization: Bearer " + get(r.Data, "login.token").(string)
	var md strings.Builder
	for i := range 4 {
		fmt.Fprintf(&md, "## Del %d\n\nSommerleiren har bading, fisketur og [påmelding](https://example.no/%d) for alle.\n\n"+
			"- Ta med matpakke\n- Ta med badetøy\n- Husk solkrem\n\n", i+1, i)
	}
	publish := func(id any) {
		ok(b, s.post(b, setStatus, map[string]any{"in": map[string]any{"id": id, "locale": "nb", "status": "PUBLISHED"}}, admin))
	}
	for i := range 25 {
		r := ok(b, s.post(b, createArticle, map[string]any{"in": map[string]any{"slug": fmt.Sprintf("sak-%d", i),
			"texts": []any{map[string]any{"locale": "nb", "title": fmt.Sprintf("Sommerleir %d", i),
				"summary": "Påmeldingen er åpen", "bodyMarkdown": md.String()}}}}, admin))
		publish(get(r.Data, "createArticle.article.id"))
	}
	r = ok(b, s.post(b, createPage, map[string]any{"in": map[string]any{"slug": "om-sommerleiren",
		"texts": []any{map[string]any{"locale": "nb", "title": "Om sommerleiren", "bodyMarkdown": md.String()}}}}, admin))
	publish(get(r.Data, "createPage.page.id"))
	for name, query := range map[string]string{
		"articles": `{ articles(first: 20) { nodes { title summary body { html } } } }`,
		"page":     `{ page(path: "om-sommerleiren") { title body { html } } }`,
	} {
		b.Run(name, func(b *testing.B) {
			r := ok(b, s.post(b, query, nil, "X-Municipality: demo"))
			if name == "articles" && len(list(r, "articles")) != 20 {
				b.Fatalf("got %v", r.Data)
			}
			if name == "page" && get(r.Data, "page.body.html") == "" {
				b.Fatalf("got %v", r.Data)
			}
			body, _ := json.Marshal(map[string]any{"query": query})
			b.SetParallelism(8)
			start := cpuTime()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					postDiscardTo(b, s.URL+"/graphql", body, "demo")
				}
			})
			b.StopTimer()
			b.ReportMetric(float64((cpuTime()-start).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}
