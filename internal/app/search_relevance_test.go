package app_test

import (
	"slices"
	"strings"
	"testing"
)

// relevance is the search's relevance test set: for each query, the results a person
// searching would expect at the top. Every name in want must be among the first within
// results (an activity by its title, an organisation or neighbourhood by its name, in the
// language asked for); first, when set, must be the very first.
var relevance = []struct {
	query, lang string
	first       string
	want        []string
	within      int
}{
	// Whole words and prefixes, as typed into a search box.
	{query: "svømming", want: []string{"Svømming for kvinner", "Morgensvømming for voksne"}, within: 5},
	{query: "svøm", want: []string{"Larvik svømmehall", "Stavern svømmehall", "Svømmekurs for barn"}, within: 8},
	{query: "bowlin", want: bowling, within: 3},
	{query: "trampoline", want: []string{"Rush trampolinepark", "Fri hopping i trampolineparken"}, within: 2},
	{query: "minigolf", want: []string{"Minigolf indre havn", "Minigolf for hele familien"}, within: 3},
	// Typos.
	{query: "bowlnig", want: bowling, within: 3},
	{query: "minigolv", want: []string{"Minigolf indre havn"}, within: 3},
	{query: "trampolin", want: []string{"Rush trampolinepark", "Fri hopping i trampolineparken"}, within: 2},
	// A word inside a compound.
	{query: "kino", want: []string{"Seniorkino", "Familiekino i helgene", "Avslappet kinovisning"}, within: 5},
	{query: "teater", want: []string{"Teaterhuset Munken", "Barneteater på lørdager", "Ungdomsteater"}, within: 10},
	{query: "dans", want: []string{"Seniordans på tirsdager", "Sittedans"}, within: 5},
	// Several words: all of them first.
	{query: "svømmekurs barn", first: "Svømmekurs for barn"},
	{query: "teater barn", want: []string{"Teater for barn og familier"}, within: 3},
	{query: "fotball hedrum", want: []string{"Lørdagsfotball Hedrum"}, within: 3},
	// English, in English.
	{query: "swimming", lang: "en", want: []string{"Swimming lessons for children", "Public swimming"}, within: 5},
	{query: "chess", lang: "en", want: []string{"Chess for children", "Chess night for adults"}, within: 3},
	{query: "cinema", lang: "en", want: []string{"Family cinema at weekends", "Relaxed cinema screening"}, within: 3},
	// Names of organisations and neighbourhoods.
	{query: "Teaterhuset Munken", first: "Teaterhuset Munken"},
	{query: "Mester'n", first: "Mester'n Bowling"},
	{query: "Frivilligsentralen", first: "Frivilligsentralen i Larvik"},
	{query: "Stavern", want: []string{"Stavern", "Stavern svømmehall"}, within: 5},
	{query: "Tjølling", first: "Tjølling"},
	// Municipal pages and articles, by their titles, in the language asked for.
	{query: "aktivitetskortet", want: []string{"Om aktivitetskortet", "Slik får du aktivitetskort"}, within: 4},
	{query: "personvern", first: "Personvern"},
	{query: "privacy", lang: "en", first: "Privacy"},
	{query: "nærmiljøutvalget", first: "Nytt fra nærmiljøutvalget i sentrum"},
}

var bowling = []string{"Mester'n Bowling", "Bowling for barn og familier", "Tilrettelagt bowling"}

// TestSearchRelevance runs the relevance test set against the demo municipality.
func TestSearchRelevance(t *testing.T) {
	t.Parallel()
	s := newDemoServer(t)
	q := `query($q: String!) { search(query: $q, first: 20) { edges { node {
	  ... on Organisation { name } ... on Activity { title } ... on Neighbourhood { name }
	  ... on Page { title } ... on Article { title } ... on Event { title } } } } }`
	for _, tt := range relevance {
		t.Run(tt.query, func(t *testing.T) {
			lang := tt.lang
			if lang == "" {
				lang = "nb"
			}
			r := ok(t, s.larvik(t, q, map[string]any{"q": tt.query}, "Accept-Language: "+lang))
			var found []string
			for _, e := range get(r.Data, "search.edges").([]any) {
				for _, k := range []string{"node.name", "node.title"} {
					if v, ok := get(e, k).(string); ok {
						found = append(found, v)
					}
				}
			}
			if tt.first != "" && (len(found) == 0 || found[0] != tt.first) {
				t.Errorf("search %q: first %q, want %q; got %s", tt.query, at(found, 0), tt.first, strings.Join(found, " | "))
			}
			top := found[:min(tt.within, len(found))]
			for _, w := range tt.want {
				if !slices.Contains(top, w) {
					t.Errorf("search %q: %q not among the first %d: %s", tt.query, w, tt.within, strings.Join(found, " | "))
				}
			}
		})
	}
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}

// TestSearchPagesThrough: walking a search page by page gives the same results in the same
// order as one long page, with no result twice.
func TestSearchPagesThrough(t *testing.T) {
	t.Parallel()
	s := newDemoServer(t)
	q := `query($q: String!, $first: Int, $after: String) { search(query: $q, first: $first, after: $after) {
	  totalCount edges { cursor node { ... on Organisation { id } ... on Activity { id } ... on Neighbourhood { id }
	  ... on Page { id } ... on Article { id } ... on Event { id } } }
	  pageInfo { hasNextPage endCursor } } }`
	for _, query := range []string{"barn", "teater barn", "kino"} {
		r := ok(t, s.larvik(t, q, map[string]any{"q": query, "first": 100}))
		var all []string
		for _, e := range get(r.Data, "search.edges").([]any) {
			all = append(all, get(e, "node.id").(string))
		}
		if n := int(get(r.Data, "search.totalCount").(float64)); n != len(all) || n < 4 {
			t.Fatalf("search %q: totalCount %d, %d results", query, n, len(all))
		}
		var walked []string
		after := any(nil)
		for range 50 {
			r := ok(t, s.larvik(t, q, map[string]any{"q": query, "first": 3, "after": after}))
			for _, e := range get(r.Data, "search.edges").([]any) {
				walked = append(walked, get(e, "node.id").(string))
			}
			if get(r.Data, "search.pageInfo.hasNextPage") != true {
				break
			}
			after = get(r.Data, "search.pageInfo.endCursor")
		}
		if !slices.Equal(walked, all) {
			t.Errorf("search %q by pages of 3: %v, in one page: %v", query, walked, all)
		}
	}
}
