package app_test

import (
	"math"
	"slices"
	"testing"
)

const filterQuery = `query($f: CatalogueFilterInput, $o: CatalogueOrder) { activities(first: 100, filter: $f, orderBy: $o) {
  totalCount nodes { title free acceptsCard ageMin ageMax targetGroups accessibility languages distanceKm
    location { lat lon } categories { id } neighbourhoods { id } organisation { kind } } } }`

// TestActivityFilters checks that every activity a filter returns satisfies it, that the
// filter narrows the list, and that totalCount agrees with the nodes.
func TestActivityFilters(t *testing.T) {
	s := newDemoServer(t)
	all := ok(t, s.larvik(t, filterQuery, nil))
	total := len(list(all, "activities"))
	ids := ok(t, s.larvik(t, `{ categories { id slug } neighbourhoods { nodes { id slug } } }`, nil))
	sport := idOf(ids, "categories", "idrett-og-fysisk-aktivitet")
	stavern := idOf(ids, "neighbourhoods.nodes", "stavern")
	tests := []struct {
		name   string
		filter map[string]any
		holds  func(n map[string]any) bool
	}{
		{"Age", map[string]any{"age": 10}, func(n map[string]any) bool {
			return (n["ageMin"] == nil || n["ageMin"].(float64) <= 10) && (n["ageMax"] == nil || n["ageMax"].(float64) >= 10)
		}},
		{"FreeOnly", map[string]any{"freeOnly": true}, func(n map[string]any) bool { return n["free"] == true }},
		{"AcceptsCard", map[string]any{"acceptsCard": true}, func(n map[string]any) bool { return n["acceptsCard"] == true }},
		{"TargetGroups", map[string]any{"targetGroups": []string{"SENIORS"}}, func(n map[string]any) bool { return has(n["targetGroups"], "SENIORS") }},
		{"AccessibilityAllOf", map[string]any{"accessibility": []string{"WHEELCHAIR_ACCESSIBLE", "HEARING_LOOP"}}, func(n map[string]any) bool {
			return has(n["accessibility"], "WHEELCHAIR_ACCESSIBLE") && has(n["accessibility"], "HEARING_LOOP")
		}},
		{"Languages", map[string]any{"languages": []string{"en"}}, func(n map[string]any) bool { return has(n["languages"], "en") }},
		{"Category", map[string]any{"categories": []string{sport}}, func(n map[string]any) bool { return hasID(n["categories"], sport) }},
		{"Neighbourhood", map[string]any{"neighbourhoods": []string{stavern}}, func(n map[string]any) bool { return hasID(n["neighbourhoods"], stavern) }},
		{"OrganisationKind", map[string]any{"organisationKinds": []string{"MUNICIPAL"}}, func(n map[string]any) bool { return get(n, "organisation.kind") == "MUNICIPAL" }},
		{"Within", map[string]any{"within": map[string]any{"minLat": 58.99, "minLon": 10.0, "maxLat": 59.01, "maxLon": 10.06}}, func(n map[string]any) bool {
			lat, lon := get(n, "location.lat").(float64), get(n, "location.lon").(float64)
			return lat >= 58.99 && lat <= 59.01 && lon >= 10.0 && lon <= 10.06
		}},
		{"Near", map[string]any{"near": map[string]any{"lat": 58.998, "lon": 10.035, "radiusKm": 2}}, func(n map[string]any) bool {
			d, ok := n["distanceKm"].(float64)
			return ok && d <= 2
		}},
		{"Combined", map[string]any{"freeOnly": true, "age": 8, "categories": []string{sport}}, func(n map[string]any) bool {
			return n["free"] == true && hasID(n["categories"], sport)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ok(t, s.larvik(t, filterQuery, map[string]any{"f": tt.filter}))
			nodes := list(r, "activities")
			if len(nodes) == 0 || len(nodes) >= total {
				t.Fatalf("filter kept %d of %d: it should narrow, not empty, the demo list", len(nodes), total)
			}
			if int(get(r.Data, "activities.totalCount").(float64)) != len(nodes) {
				t.Errorf("totalCount %v, nodes %d", get(r.Data, "activities.totalCount"), len(nodes))
			}
			for _, n := range nodes {
				if !tt.holds(n) {
					t.Errorf("%q does not match the filter: %+v", n["title"], n)
				}
			}
		})
	}
	t.Run("DistanceOrder", func(t *testing.T) {
		r := ok(t, s.larvik(t, filterQuery, map[string]any{"f": map[string]any{"near": map[string]any{"lat": 59.053, "lon": 10.027, "radiusKm": 50}}, "o": "DISTANCE"}))
		last := -1.0
		for _, n := range list(r, "activities") {
			d := n["distanceKm"].(float64)
			if d < last || math.IsNaN(d) {
				t.Fatalf("distance %v after %v", d, last)
			}
			last = d
		}
	})
}

func TestOrganisationFilters(t *testing.T) {
	s := newDemoServer(t)
	r := ok(t, s.larvik(t, `{
		organisations(first: 100, filter: {organisationKinds: [MUNICIPAL]}) { totalCount nodes { kind } } }`, nil))
	if n := len(list(r, "organisations")); n == 0 {
		t.Fatal("no municipal organisations")
	}
	for _, n := range list(r, "organisations") {
		if n["kind"] != "MUNICIPAL" {
			t.Errorf("kind %v", n["kind"])
		}
	}
	// An activity filter on organisations: those with a free activity for a 10-year-old.
	r = ok(t, s.larvik(t, `{
		organisations(first: 100, filter: {freeOnly: true, age: 10}) { nodes { name activities(first: 50) { nodes { free ageMin ageMax } } } } }`, nil))
	for _, o := range list(r, "organisations") {
		found := false
		for _, a := range o["activities"].(map[string]any)["nodes"].([]any) {
			a := a.(map[string]any)
			if a["free"] == true && (a["ageMin"] == nil || a["ageMin"].(float64) <= 10) && (a["ageMax"] == nil || a["ageMax"].(float64) >= 10) {
				found = true
			}
		}
		if !found {
			t.Errorf("%v has no free activity for a 10-year-old", o["name"])
		}
	}
}

func idOf(r *gqlResponse, path, slug string) string {
	for _, n := range get(r.Data, path).([]any) {
		if get(n, "slug") == slug {
			return get(n, "id").(string)
		}
	}
	return ""
}

func has(list any, v string) bool {
	l, _ := list.([]any)
	return slices.Contains(l, any(v))
}

func hasID(list any, id string) bool {
	l, _ := list.([]any)
	for _, x := range l {
		if get(x, "id") == id {
			return true
		}
	}
	return false
}
