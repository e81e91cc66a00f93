package geo

import (
	"github.com/fritid/fritid/internal/platform/apperr"
)

// MaxPoints is the most positions, counted over all rings, that ParseArea accepts.
const MaxPoints = 10000

// Area is a validated Polygon or MultiPolygon, such as a neighbourhood's outline.
type Area struct {
	// Polygons holds each polygon's rings, the outer ring first and then its holes;
	// each ring is closed (its last point repeats its first). ParseArea leaves outer
	// rings counterclockwise and holes clockwise, and coordinates on the 1e-7 degree
	// grid.
	Polygons [][][]Point
	// Box bounds every outer ring.
	Box BBox

	// grid holds Polygons on the grid without closing vertices, when ParseArea made
	// the area; Polygons and Box are then not to be changed.
	grid [][][]fix
}

// ParseArea parses GeoJSON text holding a Polygon or a MultiPolygon, or a Feature whose
// geometry is one, and validates it. Every problem is a BAD_USER_INPUT error for field
// with one of these message IDs, and Data naming the "Polygon", "Ring" and, for a
// single position, "Position" involved (zero-based):
//
//   - GeoJSONInvalid: not JSON, not a Polygon, MultiPolygon or Feature, or wrongly nested;
//   - TooManyPoints: more than MaxPoints positions in all;
//   - CoordinateRange: a latitude outside [-90, 90] or a longitude outside [-180, 180];
//   - RingTooShort: fewer than 4 positions, or fewer than 3 distinct ones;
//   - RingNotClosed: the last position differs from the first;
//   - RingSelfIntersects: two edges of a ring cross, touch or overlap, or two holes do
//     (Data then also holds "OtherRing");
//   - HoleOutsideShell: a hole is not strictly inside its outer ring.
//
// Coordinates are rounded to 1e-7 degrees, repeated consecutive positions dropped and
// rings reoriented by the right-hand rule; altitudes are dropped. The polygons of a
// MultiPolygon are not checked against each other: they may overlap, and Contains
// treats the area as their union.
func ParseArea(raw []byte, field string) (*Area, error) {
	polys, err := decodeGeoJSON(raw)
	if err != nil {
		return nil, err.WithField(field)
	}
	if n := countPositions(polys); n > MaxPoints {
		return nil, apperr.Invalid(field, "TooManyPoints", map[string]any{"Max": MaxPoints, "Count": n})
	}
	a := &Area{Polygons: make([][][]Point, len(polys)), grid: make([][][]fix, len(polys))}
	box := emptyBox()
	for i, rings := range polys {
		fixed, err := fixPolygon(rings, i)
		if err != nil {
			return nil, err.WithField(field)
		}
		if p := checkPolygon(fixed); p != nil {
			return nil, apperr.Invalid(field, p.id, p.data(i))
		}
		orientRings(fixed)
		a.Polygons[i] = closedRings(fixed)
		a.grid[i] = fixed
		box.extend(fixed[0])
	}
	a.Box = box.bbox()
	return a, nil
}

// data returns the template data that locates p in polygon i.
func (p *problem) data(i int) map[string]any {
	d := map[string]any{"Polygon": i, "Ring": p.ring}
	if p.other >= 0 {
		d["OtherRing"] = p.other
	}
	return d
}

func countPositions(polys [][][][]float64) int {
	n := 0
	for _, rings := range polys {
		for _, ring := range rings {
			n += len(ring)
		}
	}
	return n
}

// fixPolygon checks the positions of polygon i and puts its rings on the grid, with
// repeated consecutive vertices and the closing vertex dropped.
func fixPolygon(rings [][][]float64, i int) ([][]fix, *apperr.Error) {
	if len(rings) == 0 {
		return nil, invalidAt("GeoJSONInvalid", i, -1, -1)
	}
	out := make([][]fix, len(rings))
	for j, ring := range rings {
		fixed, err := fixRing(ring, i, j)
		if err != nil {
			return nil, err
		}
		out[j] = fixed
	}
	return out, nil
}

// fixRing checks ring j of polygon i and returns its distinct vertices on the grid.
func fixRing(ring [][]float64, i, j int) ([]fix, *apperr.Error) {
	for k, pos := range ring {
		if len(pos) < 2 || len(pos) > 3 {
			return nil, invalidAt("GeoJSONInvalid", i, j, k)
		}
		if !validPoint(Point{Lat: pos[1], Lon: pos[0]}) {
			return nil, invalidAt("CoordinateRange", i, j, k)
		}
	}
	if len(ring) < 4 {
		return nil, invalidAt("RingTooShort", i, j, -1)
	}
	first, last := ring[0], ring[len(ring)-1]
	if first[0] != last[0] || first[1] != last[1] {
		return nil, invalidAt("RingNotClosed", i, j, -1)
	}
	out := make([]fix, 0, len(ring)-1)
	for _, pos := range ring[:len(ring)-1] {
		f := toFix(Point{Lat: pos[1], Lon: pos[0]})
		if len(out) == 0 || out[len(out)-1] != f {
			out = append(out, f)
		}
	}
	for len(out) > 1 && out[len(out)-1] == out[0] {
		out = out[:len(out)-1]
	}
	if len(out) < 3 {
		return nil, invalidAt("RingTooShort", i, j, -1)
	}
	return out, nil
}

// invalidAt returns a BAD_USER_INPUT error whose data locates it; negative indexes are
// left out. The caller sets the field.
func invalidAt(id string, polygon, ring, position int) *apperr.Error {
	d := map[string]any{"Polygon": polygon}
	if ring >= 0 {
		d["Ring"] = ring
	}
	if position >= 0 {
		d["Position"] = position
	}
	return apperr.Invalid("", id, d)
}

// closedRings returns rings in degrees, each closed by repeating its first point.
func closedRings(rings [][]fix) [][]Point {
	out := make([][]Point, len(rings))
	for j, ring := range rings {
		pts := make([]Point, 0, len(ring)+1)
		for _, f := range ring {
			pts = append(pts, f.point())
		}
		out[j] = append(pts, pts[0])
	}
	return out
}

// fixBox accumulates the bounds of grid positions.
type fixBox struct{ min, max fix }

func emptyBox() fixBox {
	return fixBox{min: fix{x: 1 << 62, y: 1 << 62}, max: fix{x: -1 << 62, y: -1 << 62}}
}

func (b *fixBox) extend(ring []fix) {
	for _, f := range ring {
		b.min.x, b.min.y = min(b.min.x, f.x), min(b.min.y, f.y)
		b.max.x, b.max.y = max(b.max.x, f.x), max(b.max.y, f.y)
	}
}

func (b fixBox) bbox() BBox {
	lo, hi := b.min.point(), b.max.point()
	return BBox{MinLat: lo.Lat, MinLon: lo.Lon, MaxLat: hi.Lat, MaxLon: hi.Lon}
}

// Contains reports whether p lies in the area: inside or on the outer ring of one of
// its polygons and not strictly inside one of that polygon's holes. Points on an edge,
// to the 1e-7 degree grid, count as inside. An invalid point is in no area.
func (a *Area) Contains(p Point) bool {
	if !validPoint(p) {
		return false
	}
	q := toFix(p)
	polys := a.grid
	if polys == nil {
		polys = gridPolygons(a.Polygons)
	} else if !a.Box.Contains(q.point()) {
		return false
	}
	for _, rings := range polys {
		if polygonContains(rings, q) {
			return true
		}
	}
	return false
}

// polygonContains reports whether q lies in the polygon with these rings.
func polygonContains(rings [][]fix, q fix) bool {
	if len(rings) == 0 || len(rings[0]) == 0 || locate(q, rings[0]) == outside {
		return false
	}
	for _, hole := range rings[1:] {
		if len(hole) > 0 && locate(q, hole) == inside {
			return false
		}
	}
	return true
}

// gridPolygons puts polygons on the grid, dropping closing vertices.
func gridPolygons(polys [][][]Point) [][][]fix {
	out := make([][][]fix, len(polys))
	for i, rings := range polys {
		out[i] = make([][]fix, len(rings))
		for j, ring := range rings {
			if len(ring) > 1 && ring[0] == ring[len(ring)-1] {
				ring = ring[:len(ring)-1]
			}
			out[i][j] = make([]fix, len(ring))
			for k, p := range ring {
				out[i][j][k] = toFix(p)
			}
		}
	}
	return out
}
