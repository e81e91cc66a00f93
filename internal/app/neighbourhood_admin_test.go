package app_test

import (
	"testing"
)

func TestAdministratorsDrawNeighbourhoods(t *testing.T) {
	s := newDemoServer(t)
	larvik := "X-Municipality: larvik"
	createAdminIn(t, s, "larvik", "admin@larvik.no")
	admin := login(t, s, "admin@larvik.no", larvik)
	save := `mutation($in: NeighbourhoodChangesInput!) { saveNeighbourhood(input: $in) { neighbourhood { id slug name area committee { members { name } }
	  organisations(first: 50) { totalCount } } } }`
	// A square around Stavern: the organisations there are assigned to it at once.
	square := `{"type":"Polygon","coordinates":[[[9.99,58.98],[10.08,58.98],[10.08,59.02],[9.99,59.02],[9.99,58.98]]]}`
	r := ok(t, s.post(t, save, map[string]any{"in": map[string]any{"slug": "stavern-sentrum", "area": square,
		"names":     []any{map[string]any{"locale": "nb", "name": "Stavern sentrum"}},
		"committee": map[string]any{"email": "nmu@example.org", "members": []any{map[string]any{"name": "Demo leder", "role": "Leder"}}}}}, admin, larvik))
	if get(r.Data, "saveNeighbourhood.neighbourhood.name") != "Stavern sentrum" || get(r.Data, "saveNeighbourhood.neighbourhood.organisations.totalCount").(float64) < 1 {
		t.Fatalf("%+v", r.Data)
	}
	for name, tt := range map[string]struct {
		area, field string
	}{
		"SelfIntersecting": {`{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}`, "input.area"},
		"Open":             {`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}`, "input.area"},
		"NotGeoJSON":       {`{"type":"Point","coordinates":[10,59]}`, "input.area"},
	} {
		t.Run(name, func(t *testing.T) {
			r := s.post(t, save, map[string]any{"in": map[string]any{"slug": "x", "area": tt.area, "names": []any{map[string]any{"locale": "nb", "name": "X"}}}}, admin, larvik)
			if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != tt.field {
				t.Errorf("%+v, want BAD_USER_INPUT on %s", r.Errors, tt.field)
			}
		})
	}
	if r := s.post(t, save, map[string]any{"in": map[string]any{"slug": "y", "area": square, "names": []any{map[string]any{"locale": "nb", "name": "Y"}}}}, larvik); r.code() != "UNAUTHENTICATED" {
		t.Errorf("anonymous: %+v", r.Errors)
	}
}
