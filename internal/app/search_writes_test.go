package app_test

import (
	"context"
	"slices"
	"testing"
)

// TestSearchFollowsWrites: search finds an item as soon as it is published and under its
// new words as soon as they are written, typos of them included, and nothing that is not
// public or belongs to another municipality.
func TestSearchFollowsWrites(t *testing.T) {
	t.Parallel()
	s := newDemoServer(t)
	larvik := "X-Municipality: larvik"
	org, owner := newOwnedOrganisation(t, s, larvik)
	createAdminIn(t, s, "larvik", "admin@larvik.no")
	admin := login(t, s, "admin@larvik.no", larvik)
	titlesIn := func(municipality, query string) []string {
		t.Helper()
		r := ok(t, s.post(t, `query($q: String!) { search(query: $q, first: 20) { totalCount edges { node {
		  ... on Organisation { name } ... on Activity { title } } } } }`, map[string]any{"q": query},
			"X-Municipality: "+municipality))
		var found []string
		for _, e := range get(r.Data, "search.edges").([]any) {
			for _, k := range []string{"node.name", "node.title"} {
				if v, ok := get(e, k).(string); ok {
					found = append(found, v)
				}
			}
		}
		if n := int(get(r.Data, "search.totalCount").(float64)); n != len(found) {
			t.Errorf("search %q: totalCount %d, %d results", query, n, len(found))
		}
		return found
	}
	titles := func(query string) []string { t.Helper(); return titlesIn("larvik", query) }
	name := get(ok(t, s.post(t, `query($id: ID!) { node(id: $id) { ... on Organisation { name } } }`,
		map[string]any{"id": org}, owner, larvik)).Data, "node.name").(string)
	if got := titles(name); slices.Contains(got, name) {
		t.Errorf("a pending organisation is found: %v", got)
	}
	ok(t, s.post(t, `mutation($id: ID!) { approveOrganisation(id: $id) { organisation { status } } }`,
		map[string]any{"id": org}, admin, larvik))
	if got := titles(name); len(got) == 0 || got[0] != name {
		t.Errorf("the approved organisation %q is not found first: %v", name, got)
	}

	r := ok(t, s.post(t, `mutation($org: ID!, $in: ActivityChangesInput!) {
	  createActivity(organisationId: $org, input: $in) { activity { id } } }`, map[string]any{"org": org, "in": map[string]any{"title": "Tryllekunstkurs for ungdom",
		"summary": "Lær tryllekunster"}}, owner, larvik))
	a := get(r.Data, "createActivity.activity.id")
	if got := titles("tryllekunstkurs"); len(got) != 0 {
		t.Errorf("a draft is found: %v", got)
	}
	status := func(st string) {
		ok(t, s.post(t, `mutation($id: ID!, $st: ActivityStatus!) { setActivityStatus(id: $id, status: $st) {
		  activity { status } } }`, map[string]any{"id": a, "st": st}, owner, larvik))
	}
	status("PUBLISHED")
	for _, q := range []string{"tryllekunstkurs", "trylle", "tryllekunstkrus", "kunstkurs"} {
		if got := titles(q); len(got) == 0 || got[0] != "Tryllekunstkurs for ungdom" {
			t.Errorf("search %q after publishing: %v", q, got)
		}
	}
	ok(t, s.post(t, `mutation($id: ID!, $in: ActivityChangesInput!) { updateActivity(id: $id, input: $in) {
	  activity { title } } }`, map[string]any{"id": a, "in": map[string]any{"title": "Sjonglørkurs for ungdom",
		"summary": "Lær å sjonglere"}}, owner, larvik))
	if got := titles("tryllekunstkurs"); len(got) != 0 {
		t.Errorf("found by its old title: %v", got)
	}
	for _, q := range []string{"sjonglørkurs", "sjonglrøkurs"} {
		if got := titles(q); len(got) == 0 || got[0] != "Sjonglørkurs for ungdom" {
			t.Errorf("search %q after the new title: %v", q, got)
		}
	}
	if got := titlesIn("demo", "sjonglørkurs"); len(got) != 0 {
		t.Errorf("another municipality finds it: %v", got)
	}
	status("ARCHIVED")
	if got := titles("sjonglørkurs"); len(got) != 0 {
		t.Errorf("an archived activity is found: %v", got)
	}
	// After all that, the index holds exactly the visible items and the dictionary counts
	// exactly their words.
	var items, words int
	err := s.app.DB.QueryRowContext(context.Background(), `SELECT
	  (SELECT count(*) FROM (SELECT a.id FROM activities a WHERE a.published
	     AND EXISTS (SELECT 1 FROM activity_translations t WHERE t.activity_id = a.id)
	   UNION ALL SELECT o.id FROM organisations o WHERE o.status = 'PUBLISHED'
	   UNION ALL SELECT n.id FROM neighbourhoods n
	     WHERE EXISTS (SELECT 1 FROM neighbourhood_translations t WHERE t.neighbourhood_id = n.id)
	   EXCEPT SELECT id FROM search_items) x) +
	  (SELECT count(*) FROM search_items s WHERE s.kind = 'Activity'
	     AND NOT EXISTS (SELECT 1 FROM activities a WHERE a.id = s.id AND a.published)),
	  (SELECT count(*) FROM (SELECT municipality_id, w AS word, count(*) AS n
	     FROM search_items, unnest(tsvector_to_array(head)) w GROUP BY 1, 2) r
	   FULL JOIN search_words d USING (municipality_id, word) WHERE r.n IS DISTINCT FROM d.items)`).Scan(&items, &words)
	if err != nil || items != 0 || words != 0 {
		t.Errorf("index off by %d items, dictionary by %d words (%v)", items, words, err)
	}
}
