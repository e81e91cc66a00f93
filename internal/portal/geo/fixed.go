package geo

import "math"

// fixScale is the number of grid steps per degree: coordinates are kept to 1e-7 degrees.
const fixScale = 1e7

// fix is a position on the 1e-7 degree grid: x is longitude, y latitude. With |x| <=
// 1.8e9 and |y| <= 0.9e9 every product in orient fits in an int64, so the predicates
// below are exact.
type fix struct {
	x, y int64
}

// toFix returns p on the grid. p must be a valid point.
func toFix(p Point) fix {
	return fix{x: int64(math.Round(p.Lon * fixScale)), y: int64(math.Round(p.Lat * fixScale))}
}

// point returns f in degrees.
func (f fix) point() Point {
	return Point{Lat: float64(f.y) / fixScale, Lon: float64(f.x) / fixScale}
}

// less orders positions lexicographically, by x and then y.
func (f fix) less(g fix) bool {
	return f.x < g.x || (f.x == g.x && f.y < g.y)
}

// cmpFix compares positions lexicographically, by x and then y.
func cmpFix(f, g fix) int {
	switch {
	case f.less(g):
		return -1
	case g.less(f):
		return 1
	}
	return 0
}

// orient returns +1 when c lies to the left of the directed line a→b, -1 when it lies
// to the right and 0 when the three are collinear.
func orient(a, b, c fix) int {
	l := (b.x - a.x) * (c.y - a.y)
	r := (b.y - a.y) * (c.x - a.x)
	switch {
	case l > r:
		return 1
	case l < r:
		return -1
	}
	return 0
}

// inSpan reports whether p lies in the bounding box of a and b; for a p collinear with
// a and b that means p lies on the segment.
func inSpan(a, b, p fix) bool {
	return min(a.x, b.x) <= p.x && p.x <= max(a.x, b.x) &&
		min(a.y, b.y) <= p.y && p.y <= max(a.y, b.y)
}

// onSegment reports whether p lies on the closed segment a–b.
func onSegment(a, b, p fix) bool {
	return orient(a, b, p) == 0 && inSpan(a, b, p)
}

// segmentsMeet reports whether the closed segments a–b and c–d share any point: a
// proper crossing, a touch, or a collinear overlap.
func segmentsMeet(a, b, c, d fix) bool {
	o1, o2 := orient(c, d, a), orient(c, d, b)
	o3, o4 := orient(a, b, c), orient(a, b, d)
	if o1*o2 < 0 && o3*o4 < 0 {
		return true
	}
	return (o1 == 0 && inSpan(c, d, a)) || (o2 == 0 && inSpan(c, d, b)) ||
		(o3 == 0 && inSpan(a, b, c)) || (o4 == 0 && inSpan(a, b, d))
}

// location is where a position lies relative to a ring.
type location int

const (
	outside location = iota
	boundary
	inside
)

// locate returns where p lies relative to the closed ring through vertices (the
// closing vertex not repeated), by counting crossings of a ray towards +x.
func locate(p fix, ring []fix) location {
	in := false
	for i, a := range ring {
		b := ring[(i+1)%len(ring)]
		if (a.y < p.y && b.y < p.y) || (a.y > p.y && b.y > p.y) {
			continue // neither touches nor crosses the ray's line
		}
		if onSegment(a, b, p) {
			return boundary
		}
		if (a.y > p.y) == (b.y > p.y) {
			continue
		}
		o := orient(a, b, p)
		if (b.y > a.y && o > 0) || (b.y < a.y && o < 0) {
			in = !in
		}
	}
	if in {
		return inside
	}
	return outside
}
