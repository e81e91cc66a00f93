package app_test

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

const pageQuery = `query($first: Int, $after: String, $last: Int, $before: String, $order: CatalogueOrder) {
  activities(first: $first, after: $after, last: $last, before: $before, orderBy: $order) {
    totalCount edges { cursor node { id title } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`

// TestActivitiesPageThroughInNorwegianOrder walks every page forward and back: nothing is
// missed or repeated, and titles come in Norwegian alphabetical order (æ, ø, å last).
func TestActivitiesPageThroughInNorwegianOrder(t *testing.T) {
	s := newDemoServer(t)
	var titles, ids []string
	var cursors []any
	after := any(nil)
	total := 0
	for range 20 {
		r := ok(t, s.larvik(t, pageQuery, map[string]any{"first": 7, "after": after}))
		total = int(get(r.Data, "activities.totalCount").(float64))
		for _, e := range get(r.Data, "activities.edges").([]any) {
			titles = append(titles, get(e, "node.title").(string))
			ids = append(ids, get(e, "node.id").(string))
			cursors = append(cursors, get(e, "cursor"))
		}
		if get(r.Data, "activities.pageInfo.hasNextPage") != true {
			break
		}
		after = get(r.Data, "activities.pageInfo.endCursor")
	}
	if len(ids) != total || total < 40 {
		t.Fatalf("walked %d activities, totalCount %d", len(ids), total)
	}
	if len(slices.Compact(slices.Sorted(slices.Values(ids)))) != len(ids) {
		t.Error("an activity came twice")
	}
	// Danish and Norwegian share their alphabet's order (… x y z æ ø å); x/text has no
	// Norwegian tailoring of its own and would sort å with a.
	nb := collate.New(language.Danish)
	for i := 1; i < len(titles); i++ {
		if nb.CompareString(titles[i-1], titles[i]) > 0 {
			t.Errorf("%q before %q is not Norwegian order", titles[i-1], titles[i])
		}
	}
	// Backward from the end gives the last page, in the same order.
	r := ok(t, s.larvik(t, pageQuery, map[string]any{"last": 5, "before": cursors[10]}))
	var back []string
	for _, e := range get(r.Data, "activities.edges").([]any) {
		back = append(back, get(e, "node.id").(string))
	}
	if !slices.Equal(back, ids[5:10]) || get(r.Data, "activities.pageInfo.hasPreviousPage") != true {
		t.Errorf("last 5 before #10 = %v, want %v", back, ids[5:10])
	}
}

func TestSearchFindsPrefixesAndTypos(t *testing.T) {
	s := newDemoServer(t)
	q := `query($q: String!) { search(query: $q, first: 10) { totalCount edges { rank node {
	  __typename ... on Organisation { name } ... on Activity { title } ... on Neighbourhood { name } } } } }`
	tests := []struct{ query, want string }{
		{"svøm", "Larvik svømmehall"},
		{"bowlin", "Mester'n Bowling"},
		{"teater", "Teaterhuset Munken"},
		{"bowlnig", "Mester'n Bowling"},
		{"Stavern", "Stavern"},
		{"trampoline", "Rush trampolinepark"},
		{"teater' OR 1=1 --", "Teaterhuset Munken"},
		{"teater%_\\", "Teaterhuset Munken"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := ok(t, s.larvik(t, q, map[string]any{"q": tt.query}))
			var found []string
			for _, e := range get(r.Data, "search.edges").([]any) {
				for _, k := range []string{"node.name", "node.title"} {
					if v, ok := get(e, k).(string); ok {
						found = append(found, v)
					}
				}
			}
			if !slices.Contains(found, tt.want) {
				t.Errorf("search %q found %v, want %q among them", tt.query, found, tt.want)
			}
		})
	}
	t.Run("EnglishTextInEnglish", func(t *testing.T) {
		r := ok(t, s.larvik(t, q, map[string]any{"q": "swimming"}, "Accept-Language: en"))
		if n := get(r.Data, "search.totalCount").(float64); n == 0 {
			t.Error("no English match for swimming")
		}
	})
}

func TestActivityAndOrganisationBySlug(t *testing.T) {
	s := newDemoServer(t)
	r := ok(t, s.larvik(t, `{ organisation(slug: "teaterhuset-munken") { id name kind categories { slug }
	  activities(first: 10) { totalCount nodes { slug title organisation { name } } } } }`, nil))
	if get(r.Data, "organisation.name") != "Teaterhuset Munken" || get(r.Data, "organisation.activities.totalCount").(float64) < 1 {
		t.Fatalf("%+v", r.Data)
	}
	slug := get(r.Data, "organisation.activities.nodes.0.slug").(string)
	r = ok(t, s.larvik(t, `query($s: String!) { activity(slug: $s) { id slug organisation { name } } }`, map[string]any{"s": slug}))
	if get(r.Data, "activity.organisation.name") != "Teaterhuset Munken" {
		t.Errorf("%+v", r.Data)
	}
	id := get(r.Data, "activity.id")
	r = ok(t, s.larvik(t, `query($id: ID!) { node(id: $id) { ... on Activity { slug } } }`, map[string]any{"id": id}))
	if get(r.Data, "node.slug") != slug {
		t.Errorf("node: %+v", r.Data)
	}
	// Not published: the pending organisation and draft activities are not there.
	r = ok(t, s.larvik(t, `{ organisation(slug: "fredagsklubben-helgeroa") { name } organisations(first: 100) { nodes { name } } }`, nil))
	if get(r.Data, "organisation") != nil {
		t.Error("a pending organisation is visible")
	}
	for _, n := range list(r, "organisations") {
		if strings.Contains(n["name"].(string), "Fredagsklubben") {
			t.Error("a pending organisation is listed")
		}
	}
	// And another municipality sees none of it.
	r = ok(t, s.post(t, `query($s: String!) { activity(slug: $s) { id } activities { totalCount } }`, map[string]any{"s": slug}, "X-Municipality: demo"))
	if get(r.Data, "activity") != nil || get(r.Data, "activities.totalCount").(float64) != 0 {
		t.Errorf("demo sees larvik's catalogue: %+v", r.Data)
	}
}
