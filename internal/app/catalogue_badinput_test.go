package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestCatalogueBadInput: each is a BAD_USER_INPUT naming the field, and the server is fine after.
func TestCatalogueBadInput(t *testing.T) {
	s := newDemoServer(t)
	q := `query($f: CatalogueFilterInput, $first: Int, $after: String, $o: CatalogueOrder) {
		activities(filter: $f, first: $first, after: $after, orderBy: $o) { totalCount } }`
	first := ok(t, s.larvik(t, `{ activities(first: 1) { pageInfo { endCursor } } }`, nil))
	nameCursor := get(first.Data, "activities.pageInfo.endCursor")
	byUpdated := ok(t, s.larvik(t, `{ activities(first: 1, orderBy: UPDATED_AT) { pageInfo { endCursor } } }`, nil))
	unknownCategory := "Q2F0ZWdvcnk6MDE5MDAwMDAtMDAwMC03MDAwLTgwMDAtMDAwMDAwMDAwMDAw" // Category:01900000-...
	tests := []struct {
		name  string
		vars  map[string]any
		field string
	}{
		{"FirstTooLarge", map[string]any{"first": 1000}, "first"},
		{"FirstNegative", map[string]any{"first": -1}, "first"},
		{"ForgedCursor", map[string]any{"after": "eyJvIjoiTkFNRSJ9garbage"}, "after"},
		{"CursorOfAnotherOrder", map[string]any{"after": get(byUpdated.Data, "activities.pageInfo.endCursor")}, "after"},
		{"NegativeRadius", map[string]any{"f": map[string]any{"near": map[string]any{"lat": 59, "lon": 10, "radiusKm": -1}}}, "filter.near.radiusKm"},
		{"AbsurdRadius", map[string]any{"f": map[string]any{"near": map[string]any{"lat": 59, "lon": 10, "radiusKm": 1e9}}}, "filter.near.radiusKm"},
		{"Latitude200", map[string]any{"f": map[string]any{"near": map[string]any{"lat": 200, "lon": 10, "radiusKm": 1}}}, "filter.near.lat"},
		{"InvertedBox", map[string]any{"f": map[string]any{"within": map[string]any{"minLat": 60, "minLon": 10, "maxLat": 59, "maxLon": 11}}}, "filter.within"},
		{"UnknownCategory", map[string]any{"f": map[string]any{"categories": []string{unknownCategory}}}, "filter.categories"},
		{"NeighbourhoodIDForCategory", map[string]any{"f": map[string]any{"categories": []string{"bm90LWFuLWlk"}}}, "filter.categories"},
		{"UnknownNeighbourhood", map[string]any{"f": map[string]any{"neighbourhoods": []string{strings.Replace(unknownCategory, "Q2F0ZWdvcnk", "TmVpZ2hib3VyaG9vZD", 1)}}}, "filter.neighbourhoods"},
		{"EmptyQuery", map[string]any{"f": map[string]any{"query": ""}}, "filter.query"},
		{"OnlyMetacharacters", map[string]any{"f": map[string]any{"query": `%_'\`}}, "filter.query"},
		{"HugeQuery", map[string]any{"f": map[string]any{"query": strings.Repeat("a", 10000)}}, "filter.query"},
		{"BadAge", map[string]any{"f": map[string]any{"age": -3}}, "filter.age"},
		{"BadLanguage", map[string]any{"f": map[string]any{"languages": []string{"'; DROP TABLE x"}}}, "filter.languages"},
		{"RelevanceWithoutQuery", map[string]any{"o": "RELEVANCE"}, "orderBy"},
		{"DistanceWithoutNear", map[string]any{"o": "DISTANCE"}, "orderBy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.larvik(t, q, tt.vars, "Accept-Language: en")
			if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != tt.field {
				t.Errorf("got %+v, want BAD_USER_INPUT on %s", r.Errors, tt.field)
			}
			if len(r.Errors) > 0 && (r.Errors[0].Message == "" || r.Errors[0].Message == "BAD_USER_INPUT") {
				t.Errorf("message %q", r.Errors[0].Message)
			}
		})
	}
	if nameCursor == nil {
		t.Fatal("no cursor")
	}
	s.healthy(t)
	t.Run("SearchBadInput", func(t *testing.T) {
		for _, query := range []string{"", "   ", strings.Repeat("x", 10000), `%'_\`} {
			r := s.larvik(t, `query($q: String!) { search(query: $q) { totalCount } }`, map[string]any{"q": query})
			if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "query" {
				t.Errorf("search %.20q: %+v", query, r.Errors)
			}
		}
	})
}

func TestGeoJSON(t *testing.T) {
	s := newDemoServer(t)
	fetch := func(path string) (int, map[string]any) {
		req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
		req.Header.Set("X-Municipality", "larvik")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		var doc map[string]any
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatalf("%s: %q", path, body)
		}
		return res.StatusCode, doc
	}
	status, doc := fetch("/geo/activities.geojson")
	features, _ := doc["features"].([]any)
	if status != 200 || doc["type"] != "FeatureCollection" || len(features) < 40 {
		t.Fatalf("status %d, %d features", status, len(features))
	}
	f := features[0].(map[string]any)
	if get(f, "geometry.type") != "Point" || get(f, "properties.name") == "" || get(f, "properties.slug") == "" {
		t.Errorf("feature %+v", f)
	}
	if _, ok := get(f, "properties.categories").([]any); !ok {
		t.Errorf("categories missing: %+v", f)
	}
	_, free := fetch("/geo/activities.geojson?freeOnly=true&within=58.9,9.7,59.5,10.3")
	for _, x := range free["features"].([]any) {
		if get(x, "properties.free") != true {
			t.Errorf("not free: %+v", x)
		}
	}
	if n := len(free["features"].([]any)); n == 0 || n >= len(features) {
		t.Errorf("freeOnly kept %d of %d", n, len(features))
	}
	_, orgs := fetch("/geo/organisations.geojson?organisationKinds=MUNICIPAL")
	if len(orgs["features"].([]any)) == 0 {
		t.Error("no municipal organisations on the map")
	}
	for path, field := range map[string]string{
		"/geo/activities.geojson?near=59,10,-5":        "filter.near.radiusKm",
		"/geo/activities.geojson?near=200,10,5":        "filter.near.lat",
		"/geo/activities.geojson?age=old":              "filter.age",
		"/geo/activities.geojson?categories=garbage":   "filter.categories",
		"/geo/organisations.geojson?within=1,2,3":      "filter.within",
		"/geo/activities.geojson?query=" + "%25%27%5C": "filter.query",
	} {
		status, doc := fetch(path)
		if status != 400 || get(doc, "errors.0.extensions.code") != "BAD_USER_INPUT" || get(doc, "errors.0.extensions.field") != field {
			t.Errorf("%s: %d %+v, want 400 on %s", path, status, doc, field)
		}
	}
}
