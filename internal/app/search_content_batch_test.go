package app_test

import (
	"fmt"
	"testing"
)

// TestSearchContentHitsLoadTogether is the N+1 guard of search: a page of 3 or of 12
// pages (or articles), each with its body, costs the same number of statements.
func TestSearchContentHitsLoadTogether(t *testing.T) {
	t.Parallel()
	s, admin, _ := newContentServer(t)
	for i := range 12 {
		r := ok(t, s.post(t, createPage, map[string]any{"in": map[string]any{"slug": fmt.Sprintf("vinter-%d", i),
			"texts": []any{map[string]any{"locale": "nb", "title": fmt.Sprintf("Vinterferie %d", i),
				"bodyMarkdown": "Skøyter og ski i **vinterferien**."}}}}, admin))
		ok(t, s.post(t, setStatus, map[string]any{"in": map[string]any{"id": get(r.Data, "createPage.page.id"),
			"locale": "nb", "status": "PUBLISHED"}}, admin))
		r = ok(t, s.post(t, createArticle, map[string]any{"in": map[string]any{"slug": fmt.Sprintf("sommer-%d", i),
			"texts": []any{map[string]any{"locale": "nb", "title": fmt.Sprintf("Sommerleir %d", i),
				"bodyMarkdown": "Bading og *sommerleir* ved sjøen."}}}}, admin))
		ok(t, s.post(t, setStatus, map[string]any{"in": map[string]any{"id": get(r.Data, "createArticle.article.id"),
			"locale": "nb", "status": "PUBLISHED"}}, admin))
	}
	counter := &statementCounter{}
	s.app.DB.AddQueryHook(counter)
	const query = `query($q: String!, $n: Int) { search(query: $q, first: $n) { nodes { __typename
		... on Page { title body { html } parent { title } }
		... on Article { title summary body { html } organisation { name } } } } }`
	count := func(q, typ string, n int) int64 {
		t.Helper()
		s.app.Portal.InvalidateSharedProviders()
		counter.n.Store(0)
		r := ok(t, s.post(t, query, map[string]any{"q": q, "n": n}))
		nodes := list(r, "search")
		if len(nodes) != n {
			t.Fatalf("%s: first %d gave %d hits", q, n, len(nodes))
		}
		for _, node := range nodes {
			if node["__typename"] != typ || get(node, "body.html") == "" {
				t.Fatalf("%s: got %v", q, node)
			}
		}
		return counter.n.Load()
	}
	for q, typ := range map[string]string{"vinterferie": "Page", "sommerleir": "Article"} {
		if few, many := count(q, typ, 3), count(q, typ, 12); few != many {
			t.Errorf("%s: 3 hits cost %d statements, 12 cost %d", q, few, many)
		}
	}
}
