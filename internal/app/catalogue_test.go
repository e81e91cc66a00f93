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

func TestVenuesAndNeighbourhoods(t *testing.T) {
	s := newDemoServer(t)
	r := ok(t, s.larvik(t, `{ venues(first: 100) { totalCount nodes { name accessibility neighbourhoods { slug } activities(first: 5) { totalCount } } } }`, nil))
	venues := list(r, "venues")
	if len(venues) < 10 || int(get(r.Data, "venues.totalCount").(float64)) != len(venues) {
		t.Fatalf("venues: %d, totalCount %v", len(venues), get(r.Data, "venues.totalCount"))
	}
	for _, v := range venues {
		if len(v["neighbourhoods"].([]any)) != 1 {
			t.Errorf("venue %v lies in %v", v["name"], v["neighbourhoods"])
		}
	}
	r = ok(t, s.larvik(t, `{ neighbourhood(slug: "stavern") { id name area committee { email members { name role } }
	  organisations(first: 50) { totalCount nodes { neighbourhoods { slug } } } } }`, nil, "Accept-Language: en"))
	if get(r.Data, "neighbourhood.name") != "Stavern" || get(r.Data, "neighbourhood.area.type") != "Polygon" {
		t.Errorf("%+v", r.Data)
	}
	if len(get(r.Data, "neighbourhood.committee.members").([]any)) == 0 {
		t.Error("no committee members")
	}
	for _, o := range list(r, "neighbourhood.organisations") {
		if !slices.ContainsFunc(o["neighbourhoods"].([]any), func(n any) bool { return get(n, "slug") == "stavern" }) {
			t.Errorf("organisation outside Stavern listed: %+v", o)
		}
	}
}

// TestCategoryListsIncludeSubcategories: a parent category's activities include those of its
// children, in the nested list, its totalCount and the filter.
func TestCategoryListsIncludeSubcategories(t *testing.T) {
	s := newDemoServer(t)
	s.exec(t, `INSERT INTO categories (municipality_id, parent_id, slug, sort_order)
		SELECT municipality_id, id, 'svomming', 1 FROM categories c WHERE slug = 'natur-og-friluftsliv'
		AND municipality_id = (SELECT id FROM municipalities WHERE slug = 'larvik')`)
	s.exec(t, `INSERT INTO category_translations (category_id, municipality_id, locale, name)
		SELECT id, municipality_id, 'nb', 'Svømming' FROM categories WHERE slug = 'svomming'`)
	s.exec(t, `INSERT INTO activity_categories (activity_id, category_id, municipality_id)
		SELECT t.activity_id, c.id, c.municipality_id FROM activity_translations t, categories c
		WHERE c.slug = 'svomming' AND t.locale = 'nb' AND t.title ILIKE '%svøm%' AND t.municipality_id = c.municipality_id`)
	r := ok(t, s.larvik(t, `{ category(slug: "natur-og-friluftsliv") { id activities(first: 100) { totalCount nodes { title } }
	  children { slug activities(first: 100) { totalCount nodes { title } } } } }`, nil))
	parent := list(r, "category.activities")
	child := get(r.Data, "category.children.0.activities.nodes").([]any)
	if len(child) == 0 {
		t.Fatal("the sub-category has no activities")
	}
	for _, c := range child {
		if !slices.ContainsFunc(parent, func(p map[string]any) bool { return p["title"] == get(c, "title") }) {
			t.Errorf("%v is in the child but not the parent list", get(c, "title"))
		}
	}
	if int(get(r.Data, "category.activities.totalCount").(float64)) != len(parent) {
		t.Errorf("parent totalCount %v, nodes %d", get(r.Data, "category.activities.totalCount"), len(parent))
	}
	f := ok(t, s.larvik(t, `query($c: ID!) { activities(first: 100, filter: {categories: [$c]}) { totalCount } }`, map[string]any{"c": get(r.Data, "category.id")}))
	if get(f.Data, "activities.totalCount").(float64) != float64(len(parent)) {
		t.Errorf("filter by parent: %v, nested list: %d", get(f.Data, "activities.totalCount"), len(parent))
	}
}

// TestDeletingAMunicipalityRemovesAllItsData: the cascade reaches every tenant-owned table.
func TestDeletingAMunicipalityRemovesAllItsData(t *testing.T) {
	s := newDemoServer(t)
	s.exec(t, "DELETE FROM municipalities WHERE slug = 'larvik'")
	for _, table := range []string{"activities", "activity_translations", "organisations", "organisation_translations",
		"venues", "neighbourhoods", "neighbourhood_translations", "media", "categories", "category_translations", "locales",
		"change_events", "webhook_endpoints"} {
		var n int
		err := s.app.DB.QueryRowContext(t.Context(), "SELECT count(*) FROM "+table+
			" WHERE municipality_id NOT IN (SELECT id FROM municipalities)").Scan(&n)
		if err != nil || n != 0 {
			t.Errorf("%s: %d rows left (%v)", table, n, err)
		}
	}
	if r := s.post(t, `{ municipality { slug } }`, nil, "X-Municipality: demo"); get(r.Data, "municipality.slug") != "demo" {
		t.Errorf("the other municipality is gone too: %+v", r)
	}
}

// TestTimestampsAreSetByTheDatabase guards against rows written with a zero time.
func TestTimestampsAreSetByTheDatabase(t *testing.T) {
	s := newDemoServer(t)
	for _, table := range []string{"municipalities", "categories", "organisations", "activities", "venues", "neighbourhoods", "media", "audit_log"} {
		var old int
		if err := s.app.DB.QueryRowContext(t.Context(), "SELECT count(*) FROM "+table+" WHERE created_at < now() - interval '1 day'").Scan(&old); err != nil || old != 0 {
			t.Errorf("%s: %d rows with an old created_at (%v)", table, old, err)
		}
	}
}
