package geo

import (
	"bytes"
	"testing"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// FuzzParseArea checks that ParseArea never panics, fails only with a located
// BAD_USER_INPUT error, and that what it accepts serialises to GeoJSON that parses
// back to the same area.
func FuzzParseArea(f *testing.F) {
	seeds := []string{
		polygon(square),
		polygon(squareCW, innerHole),
		polygon(bowTie),
		polygon(`[[0,0],[4,0],[4,4],[0,4]]`),
		polygon(`[[0,0],[2,2],[4,0],[4,4],[2,2],[0,4],[0,0]]`),
		polygon(`[[0,0],[2,0],[4,0],[0,0]]`),
		polygon(square, `[[1,1],[1,5],[2,5],[2,1],[1,1]]`),
		polygon(square, `[[5,5],[5,6],[6,6],[6,5],[5,5]]`),
		polygon(`[[0,0],[8,0],[8,8],[0,8],[0,0]]`, `[[1,1],[1,4],[4,4],[4,1],[1,1]]`, `[[3,3],[3,6],[6,6],[6,3],[3,3]]`),
		polygon(`[[179.9999999,89.9999999],[-180,-90],[180,90],[179.9999999,89.9999999]]`),
		polygon(`[[0,0],[4,0],[4,91],[0,0]]`),
		multi(rings(square, innerHole), rings(farSquare)),
		multi(rings(farSquare), rings(farSquare)),
		`{"type":"Feature","properties":null,"geometry":` + polygon(square) + `}`,
		`{"type":"Feature","geometry":null}`,
		`{"type":"Point","coordinates":[10,59]}`,
		`{"type":"Polygon","coordinates":[[[0,0,0],[1e-7,0],[0,1e-7],[0,0]]]}`,
		`{"type":"Polygon","coordinates":[[[1e400,0]]]}`,
		larvikJSON,
		`null`, `[]`, `{}`, `"Polygon"`, ``,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		a, err := ParseArea(raw, "area")
		if err != nil {
			e := apperr.As(err)
			if e == nil || e.Code != apperr.BadUserInput || e.Field != "area" || e.MessageID == "" {
				t.Fatalf("ParseArea error = %#v", err)
			}
			return
		}
		out := a.GeoJSON()
		b, err := ParseArea(out, "area")
		if err != nil {
			t.Fatalf("ParseArea(%s) = %v, reparsing accepted input", out, err)
		}
		if again := b.GeoJSON(); !bytes.Equal(out, again) {
			t.Fatalf("GeoJSON changed on reparsing:\n%s\n%s", out, again)
		}
		for _, rings := range a.Polygons {
			if v := rings[0][0]; !a.Contains(v) || !a.Box.Contains(v) {
				t.Fatalf("area %s does not contain its own vertex %v", out, v)
			}
		}
	})
}
