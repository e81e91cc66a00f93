package app_test

import (
	"reflect"
	"testing"
)

// TestSearchHitsHoldWhatTheyShow: a search's hits are loaded with the fields its selection
// shows only; every field answers as when they are loaded whole (forced by asking for
// another field beside the search), for the public and an administrator, in two languages.
func TestSearchHitsHoldWhatTheyShow(t *testing.T) {
	t.Parallel()
	s := newDemoServer(t)
	createAdminIn(t, s, "larvik", "admin@larvik.no")
	admin := login(t, s, "admin@larvik.no", "X-Municipality: larvik")
	selections := map[string]string{
		"titles": `edges { rank node { __typename ... on Activity { id title } ... on Organisation { id name } } }`,
		"rich": `nodes { __typename ... on Activity { id slug title summary description textLocale priceOre free
			organisation { id name summary activities(first: 2) { nodes { title } } } venue { name }
			categories { name } }
			... on Organisation { id name slug summary kind website categories { name } } }
			edges { node { ... on Activity { schedule { text slots { __typename } } priceNote } } }`,
	}
	for _, q := range []string{"svømming", "fotball", "klubb", "bowlnig", "larvik"} {
		for name, sel := range selections {
			for _, lang := range []string{"nb", "en"} {
				for who, header := range map[string]string{"public": "Accept-Language: " + lang, "admin": admin} {
					t.Run(q+"/"+name+"/"+lang+"/"+who, func(t *testing.T) {
						vars := map[string]any{"q": q}
						search := `search(query: $q, first: 20) { ` + sel + ` }`
						got := ok(t, s.larvik(t, `query S($q: String!) { `+search+` }`, vars, header,
							"Accept-Language: "+lang))
						whole := ok(t, s.larvik(t, `query S($q: String!) { __typename `+search+` }`, vars, header,
							"Accept-Language: "+lang))
						delete(whole.Data, "__typename")
						if hits, _ := get(got.Data, "search.nodes").([]any); name == "rich" && len(hits) == 0 {
							t.Fatalf("%q finds nothing in the demo data", q)
						}
						if !reflect.DeepEqual(got.Data, whole.Data) {
							t.Errorf("hits loaded with their fields differ from hits loaded whole:\n got %v\nwant %v",
								got.Data, whole.Data)
						}
					})
				}
			}
		}
	}
}

// TestSearchHitsLoadTogether: the hits of a search, with their organisations, venues and
// categories, load in one statement per kind, however many there are.
func TestSearchHitsLoadTogether(t *testing.T) {
	t.Parallel()
	s := newSyntheticServer(t, 60, 4)
	counter := &statementCounter{}
	s.app.DB.AddQueryHook(counter)
	const query = `query($q: String!, $n: Int) { search(query: $q, first: $n) { edges { node { __typename
		... on Activity { title organisation { name } venue { name } categories { name } }
		... on Organisation { name categories { name } } } } } }`
	count := func(n int) (int64, int) {
		t.Helper()
		s.app.Portal.InvalidateSharedProviders()
		counter.n.Store(0)
		r := ok(t, s.post(t, query, map[string]any{"q": "svømming", "n": n}, "X-Municipality: synthetic"))
		return counter.n.Load(), len(get(r.Data, "search.edges").([]any))
	}
	count(2) // the municipality's caches (tenant, taxonomy) fill on the first request
	few, fewHits := count(2)
	many, manyHits := count(20)
	if fewHits != 2 || manyHits <= 2*fewHits {
		t.Fatalf("%d and %d hits: the data must give more than 4", fewHits, manyHits)
	}
	// A page of two may lack a kind of relation (no venue, say) that a longer page has: one
	// statement more for each, never one per hit.
	if many > few+2 || many >= int64(manyHits) {
		t.Errorf("%d statements for %d hits, %d for %d: they must load together", many, manyHits, few, fewHits)
	}
}
