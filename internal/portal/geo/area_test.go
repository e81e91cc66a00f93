package geo

import (
	"bytes"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
)

const (
	square       = `[[0,0],[4,0],[4,4],[0,4],[0,0]]`
	squareCW     = `[[0,0],[0,4],[4,4],[4,0],[0,0]]`
	innerHole    = `[[1,1],[1,2],[2,2],[2,1],[1,1]]`
	farSquare    = `[[10,10],[12,10],[12,12],[10,12],[10,10]]`
	bowTie       = `[[0,0],[4,4],[4,0],[0,4],[0,0]]`
	polygonOf    = `{"type":"Polygon","coordinates":[%s]}`
	multiOf      = `{"type":"MultiPolygon","coordinates":[%s]}`
	testAreaName = "input.area"
)

func polygon(rings ...string) string { return fmt.Sprintf(polygonOf, strings.Join(rings, ",")) }

func multi(polys ...string) string { return fmt.Sprintf(multiOf, strings.Join(polys, ",")) }

// rings returns the coordinates of a polygon for use inside multi.
func rings(r ...string) string { return "[" + strings.Join(r, ",") + "]" }

func TestParseAreaValid(t *testing.T) {
	tests := []struct {
		name     string
		raw      string
		polygons int
		rings    []int // rings per polygon
		box      BBox
		geoJSON  string
	}{
		{"Polygon", polygon(square), 1, []int{1}, BBox{MaxLat: 4, MaxLon: 4},
			`{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,4],[0,0]]]}`},
		{"ClockwiseIsReoriented", polygon(squareCW), 1, []int{1}, BBox{MaxLat: 4, MaxLon: 4},
			`{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,4],[0,0]]]}`},
		{"WithHole", polygon(square, innerHole), 1, []int{2}, BBox{MaxLat: 4, MaxLon: 4},
			`{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,4],[0,0]],[[1,1],[1,2],[2,2],[2,1],[1,1]]]}`},
		{"HoleIsReoriented", polygon(square, `[[1,1],[2,1],[2,2],[1,2],[1,1]]`), 1, []int{2}, BBox{MaxLat: 4, MaxLon: 4},
			`{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,4],[0,0]],[[1,1],[1,2],[2,2],[2,1],[1,1]]]}`},
		{"HoleInHole", polygon(`[[0,0],[8,0],[8,8],[0,8],[0,0]]`, `[[1,1],[1,7],[7,7],[7,1],[1,1]]`, `[[2,2],[2,3],[3,3],[3,2],[2,2]]`), 1, []int{3}, BBox{MaxLat: 8, MaxLon: 8},
			`{"type":"Polygon","coordinates":[[[0,0],[8,0],[8,8],[0,8],[0,0]],[[1,1],[1,7],[7,7],[7,1],[1,1]],[[2,2],[2,3],[3,3],[3,2],[2,2]]]}`},
		{"MultiPolygon", multi(rings(square, innerHole), rings(farSquare)), 2, []int{2, 1}, BBox{MaxLat: 12, MaxLon: 12},
			`{"type":"MultiPolygon","coordinates":[[[[0,0],[4,0],[4,4],[0,4],[0,0]],[[1,1],[1,2],[2,2],[2,1],[1,1]]],[[[10,10],[12,10],[12,12],[10,12],[10,10]]]]}`},
		{"MultiPolygonOfOne", multi(rings(square)), 1, []int{1}, BBox{MaxLat: 4, MaxLon: 4},
			`{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,4],[0,0]]]}`},
		{"Feature", `{"type":"Feature","properties":{"name":"Sentrum"},"geometry":` + polygon(square) + `}`, 1, []int{1}, BBox{MaxLat: 4, MaxLon: 4},
			`{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,4],[0,0]]]}`},
		{"ForeignMembers", `{"type":"Polygon","bbox":[0,0,4,4],"id":7,"coordinates":[` + square + `]}`, 1, []int{1}, BBox{MaxLat: 4, MaxLon: 4},
			`{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,4],[0,0]]]}`},
		{"AltitudeDropped", polygon(`[[0,0,5],[4,0,5],[4,4,5],[0,4],[0,0,5]]`), 1, []int{1}, BBox{MaxLat: 4, MaxLon: 4},
			`{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,4],[0,0]]]}`},
		{"RepeatsDropped", polygon(`[[0,0],[0,0],[4,0],[4,0],[4,4],[0,4],[0,0],[0,0]]`), 1, []int{1}, BBox{MaxLat: 4, MaxLon: 4},
			`{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,4],[0,0]]]}`},
		{"CollinearVertexKept", polygon(`[[0,0],[2,0],[4,0],[4,4],[0,4],[0,0]]`), 1, []int{1}, BBox{MaxLat: 4, MaxLon: 4},
			`{"type":"Polygon","coordinates":[[[0,0],[2,0],[4,0],[4,4],[0,4],[0,0]]]}`},
		{"RoundedToGrid", polygon(`[[10.123456789,59.000000049],[10.2,59],[10.2,59.1],[10.123456789,59.000000049]]`), 1, []int{1},
			BBox{MinLat: 59, MinLon: 10.1234568, MaxLat: 59.1, MaxLon: 10.2},
			`{"type":"Polygon","coordinates":[[[10.1234568,59],[10.2,59],[10.2,59.1],[10.1234568,59]]]}`},
		{"Larvik", larvikJSON, 1, []int{1}, BBox{MinLat: 59.03, MinLon: 10, MaxLat: 59.08, MaxLon: 10.07},
			`{"type":"Polygon","coordinates":[[[10,59.03],[10.07,59.03],[10.07,59.08],[10,59.08],[10,59.03]]]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ParseArea([]byte(tt.raw), testAreaName)
			if err != nil {
				t.Fatalf("ParseArea: %v", err)
			}
			if len(a.Polygons) != tt.polygons {
				t.Fatalf("polygons = %d, want %d", len(a.Polygons), tt.polygons)
			}
			for i, n := range tt.rings {
				if len(a.Polygons[i]) != n {
					t.Errorf("polygon %d rings = %d, want %d", i, len(a.Polygons[i]), n)
				}
			}
			if a.Box != tt.box {
				t.Errorf("Box = %+v, want %+v", a.Box, tt.box)
			}
			if got := string(a.GeoJSON()); got != tt.geoJSON {
				t.Errorf("GeoJSON = %s\nwant      %s", got, tt.geoJSON)
			}
			assertRoundTrip(t, a)
		})
	}
}

// assertRoundTrip checks that a's GeoJSON parses back to an equal area.
func assertRoundTrip(t *testing.T, a *Area) {
	t.Helper()
	b, err := ParseArea(a.GeoJSON(), testAreaName)
	if err != nil {
		t.Fatalf("ParseArea(GeoJSON()) = %v", err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("round trip changed the area:\n%s\n%s", a.GeoJSON(), b.GeoJSON())
	}
	if !bytes.Equal(a.GeoJSON(), b.GeoJSON()) {
		t.Fatalf("round trip changed the GeoJSON")
	}
}

func TestParseAreaErrors(t *testing.T) {
	tests := []struct {
		name, raw, messageID string
		data                 map[string]any // expected Data entries, if any
	}{
		{"NotJSON", `{"type":`, "GeoJSONInvalid", nil},
		{"Empty", ``, "GeoJSONInvalid", nil},
		{"Null", `null`, "GeoJSONInvalid", nil},
		{"Array", `[[0,0]]`, "GeoJSONInvalid", nil},
		{"TrailingData", polygon(square) + `{}`, "GeoJSONInvalid", nil},
		{"NoType", `{"coordinates":[` + square + `]}`, "GeoJSONInvalid", nil},
		{"Point", `{"type":"Point","coordinates":[10,59]}`, "GeoJSONInvalid", nil},
		{"LineString", `{"type":"LineString","coordinates":[[0,0],[1,1]]}`, "GeoJSONInvalid", nil},
		{"LowerCaseType", `{"type":"polygon","coordinates":[` + square + `]}`, "GeoJSONInvalid", nil},
		{"FeatureCollection", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":` + polygon(square) + `}]}`, "GeoJSONInvalid", nil},
		{"GeometryCollection", `{"type":"GeometryCollection","geometries":[` + polygon(square) + `]}`, "GeoJSONInvalid", nil},
		{"FeatureWithoutGeometry", `{"type":"Feature","properties":{}}`, "GeoJSONInvalid", nil},
		{"FeatureNullGeometry", `{"type":"Feature","geometry":null}`, "GeoJSONInvalid", nil},
		{"FeaturePoint", `{"type":"Feature","geometry":{"type":"Point","coordinates":[10,59]}}`, "GeoJSONInvalid", nil},
		{"FeatureInFeature", `{"type":"Feature","geometry":{"type":"Feature","geometry":` + polygon(square) + `}}`, "GeoJSONInvalid", nil},
		{"NoCoordinates", `{"type":"Polygon"}`, "GeoJSONInvalid", nil},
		{"NullCoordinates", `{"type":"Polygon","coordinates":null}`, "GeoJSONInvalid", map[string]any{"Polygon": 0}},
		{"NoRings", `{"type":"Polygon","coordinates":[]}`, "GeoJSONInvalid", map[string]any{"Polygon": 0}},
		{"NoPolygons", `{"type":"MultiPolygon","coordinates":[]}`, "GeoJSONInvalid", nil},
		{"PolygonNestedAsMulti", `{"type":"Polygon","coordinates":[[` + square + `]]}`, "GeoJSONInvalid", nil},
		{"MultiNestedAsPolygon", `{"type":"MultiPolygon","coordinates":[` + square + `]}`, "GeoJSONInvalid", nil},
		{"StringCoordinate", polygon(`[[0,0],[4,"0"],[4,4],[0,0]]`), "GeoJSONInvalid", nil},
		{"HugeNumber", polygon(`[[0,0],[4,1e400],[4,4],[0,0]]`), "GeoJSONInvalid", nil},
		{"PositionTooShort", polygon(`[[0,0],[4],[4,4],[0,4],[0,0]]`), "GeoJSONInvalid", map[string]any{"Polygon": 0, "Ring": 0, "Position": 1}},
		{"PositionTooLong", polygon(`[[0,0],[4,0,1,2],[4,4],[0,4],[0,0]]`), "GeoJSONInvalid", map[string]any{"Polygon": 0, "Ring": 0, "Position": 1}},
		{"LatitudeRange", polygon(`[[0,0],[4,0],[4,91],[0,4],[0,0]]`), "CoordinateRange", map[string]any{"Polygon": 0, "Ring": 0, "Position": 2}},
		{"LongitudeRange", polygon(`[[0,0],[4,0],[4,4],[-180.5,4],[0,0]]`), "CoordinateRange", map[string]any{"Polygon": 0, "Ring": 0, "Position": 3}},
		{"RangeInHole", polygon(square, `[[1,1],[1,2],[2,-90.1],[1,1]]`), "CoordinateRange", map[string]any{"Polygon": 0, "Ring": 1, "Position": 2}},
		{"RingTooShort", polygon(`[[0,0],[4,0],[0,0]]`), "RingTooShort", map[string]any{"Polygon": 0, "Ring": 0}},
		{"RingEmpty", polygon(`[]`), "RingTooShort", map[string]any{"Polygon": 0, "Ring": 0}},
		{"RingTwoDistinct", polygon(`[[0,0],[4,0],[4,0],[0,0]]`), "RingTooShort", map[string]any{"Polygon": 0, "Ring": 0}},
		{"RingCollapsesOnGrid", polygon(`[[0,0],[4,0],[4.00000001,0],[0,0]]`), "RingTooShort", map[string]any{"Polygon": 0, "Ring": 0}},
		{"RingNotClosed", polygon(`[[0,0],[4,0],[4,4],[0,4]]`), "RingNotClosed", map[string]any{"Polygon": 0, "Ring": 0}},
		{"HoleNotClosed", multi(rings(farSquare), rings(square, `[[1,1],[1,2],[2,2],[2,1]]`)), "RingNotClosed", map[string]any{"Polygon": 1, "Ring": 1}},
		{"BowTie", polygon(bowTie), "RingSelfIntersects", map[string]any{"Polygon": 0, "Ring": 0}},
		{"BowTieInMulti", multi(rings(farSquare), rings(bowTie)), "RingSelfIntersects", map[string]any{"Polygon": 1, "Ring": 0}},
		{"BowTieHole", polygon(square, `[[1,1],[2,2],[2,1],[1,2],[1,1]]`), "RingSelfIntersects", map[string]any{"Polygon": 0, "Ring": 1}},
		{"Pinch", polygon(`[[0,0],[2,2],[4,0],[4,4],[2,2],[0,4],[0,0]]`), "RingSelfIntersects", map[string]any{"Polygon": 0, "Ring": 0}},
		{"VertexOnEdge", polygon(`[[0,0],[4,0],[4,4],[2,0],[0,4],[0,0]]`), "RingSelfIntersects", map[string]any{"Polygon": 0, "Ring": 0}},
		{"Spike", polygon(`[[0,0],[4,0],[4,4],[4,6],[4,5],[0,4],[0,0]]`), "RingSelfIntersects", map[string]any{"Polygon": 0, "Ring": 0}},
		{"Collinear", polygon(`[[0,0],[2,0],[4,0],[0,0]]`), "RingSelfIntersects", map[string]any{"Polygon": 0, "Ring": 0}},
		{"Overlap", polygon(`[[0,0],[4,0],[4,2],[3,0],[1,0],[0,2],[0,0]]`), "RingSelfIntersects", map[string]any{"Polygon": 0, "Ring": 0}},
		{"HolesCross", polygon(`[[0,0],[8,0],[8,8],[0,8],[0,0]]`, `[[1,1],[1,4],[4,4],[4,1],[1,1]]`, `[[3,3],[3,6],[6,6],[6,3],[3,3]]`),
			"RingSelfIntersects", map[string]any{"Polygon": 0, "Ring": 2, "OtherRing": 1}},
		{"HolesShareVertex", polygon(`[[0,0],[8,0],[8,8],[0,8],[0,0]]`, `[[1,1],[1,4],[4,4],[4,1],[1,1]]`, `[[4,4],[4,6],[6,6],[6,4],[4,4]]`),
			"RingSelfIntersects", map[string]any{"Polygon": 0, "Ring": 2, "OtherRing": 1}},
		{"HoleOutside", polygon(square, `[[5,5],[5,6],[6,6],[6,5],[5,5]]`), "HoleOutsideShell", map[string]any{"Polygon": 0, "Ring": 1}},
		{"SecondHoleOutside", multi(rings(farSquare), rings(square, innerHole, `[[5,5],[5,6],[6,6],[6,5],[5,5]]`)), "HoleOutsideShell", map[string]any{"Polygon": 1, "Ring": 2}},
		{"HoleCrossesShell", polygon(square, `[[1,1],[1,5],[2,5],[2,1],[1,1]]`), "HoleOutsideShell", map[string]any{"Polygon": 0, "Ring": 1}},
		{"HoleTouchesShell", polygon(square, `[[0,2],[1,3],[1,1],[0,2]]`), "HoleOutsideShell", map[string]any{"Polygon": 0, "Ring": 1}},
		{"HoleSharesShellVertex", polygon(square, `[[0,0],[1,2],[2,1],[0,0]]`), "HoleOutsideShell", map[string]any{"Polygon": 0, "Ring": 1}},
		{"HoleIsShell", polygon(square, square), "HoleOutsideShell", map[string]any{"Polygon": 0, "Ring": 1}},
		{"HoleInHoleOutside", polygon(square, `[[5,5],[5,9],[9,9],[9,5],[5,5]]`, `[[6,6],[6,7],[7,7],[7,6],[6,6]]`), "HoleOutsideShell", map[string]any{"Polygon": 0, "Ring": 1}},
		{"HoleAboveShell", polygon(square, `[[1,5],[1,6],[2,6],[2,5],[1,5]]`), "HoleOutsideShell", map[string]any{"Polygon": 0, "Ring": 1}},
		{"HoleLeftOfShell", polygon(square, `[[-2,1],[-2,2],[-1,2],[-1,1],[-2,1]]`), "HoleOutsideShell", map[string]any{"Polygon": 0, "Ring": 1}},
		{"HoleAroundShell", polygon(innerHole, square), "HoleOutsideShell", map[string]any{"Polygon": 0, "Ring": 1}},
		{"HoleInConcaveNotch", polygon(`[[0,0],[6,0],[6,6],[4,6],[4,2],[2,2],[2,6],[0,6],[0,0]]`, `[[2.5,3],[3.5,3],[3.5,4],[2.5,4],[2.5,3]]`),
			"HoleOutsideShell", map[string]any{"Polygon": 0, "Ring": 1}},
		{"TooManyPoints", polygon(circleRing(Point{Lat: 59, Lon: 10}, 0.01, MaxPoints)), "TooManyPoints", map[string]any{"Max": MaxPoints, "Count": MaxPoints + 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ParseArea([]byte(tt.raw), testAreaName)
			if err == nil {
				t.Fatalf("ParseArea = %s, want %s", a.GeoJSON(), tt.messageID)
			}
			e := wantInvalid(t, err, tt.messageID, testAreaName)
			for k, v := range tt.data {
				if e.Data[k] != v {
					t.Errorf("Data[%q] = %v, want %v (Data %v)", k, e.Data[k], v, e.Data)
				}
			}
		})
	}
}

func TestParseAreaAtLimit(t *testing.T) {
	for _, n := range []int{MaxPoints - 1, MaxPoints} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			a, err := ParseArea([]byte(polygon(circleRing(Point{Lat: 59, Lon: 10}, 0.01, n-1))), testAreaName)
			if err != nil {
				t.Fatalf("ParseArea: %v", err)
			}
			if got := len(a.Polygons[0][0]); got != n {
				t.Errorf("ring has %d positions, want %d", got, n)
			}
		})
	}
}

// circleRing returns a closed ring of n vertices (n+1 positions) on a circle of radius
// deg degrees around c.
func circleRing(c Point, deg float64, n int) string {
	pts := make([][2]float64, 0, n+1)
	for i := range n {
		th := 2 * math.Pi * float64(i) / float64(n)
		pts = append(pts, [2]float64{c.Lon + deg*math.Cos(th), c.Lat + deg*math.Sin(th)})
	}
	return positions(append(pts, pts[0]))
}

// positions writes points, [lon, lat] each, as a GeoJSON position array.
func positions(pts [][2]float64) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, p := range pts {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "[%.7f,%.7f]", p[0], p[1])
	}
	b.WriteByte(']')
	return b.String()
}
