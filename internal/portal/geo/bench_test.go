package geo

import (
	"math"
	"testing"
)

// largeShape is a valid area of close to MaxPoints positions around Larvik.
type largeShape struct {
	name  string
	rings [][][2]float64 // [lon, lat], closed
}

// largeShapes returns polygons meant to be hard for the self-intersection test: long
// parallel edges that all share the sweep line at once, and many holes.
func largeShapes() []largeShape {
	return []largeShape{
		{"Circle", [][][2]float64{circle(9999, 0.05)}},
		{"Star", [][][2]float64{star(9999, 0.05, 0.01)}},
		{"CombVertical", [][][2]float64{comb(2499, false)}},
		{"CombHorizontal", [][][2]float64{comb(2499, true)}},
		{"Holes", holes(4999, 1000)},
		{"CombHoles", combHoles(1249)},
	}
}

func (s largeShape) geoJSON() []byte {
	parts := make([]string, len(s.rings))
	for i, r := range s.rings {
		parts[i] = positions(r)
	}
	return []byte(polygon(parts...))
}

func closeRing(pts [][2]float64) [][2]float64 { return append(pts, pts[0]) }

func circle(n int, r float64) [][2]float64 {
	return star(n, r, r)
}

// star returns n vertices alternating between radius r1 and r2.
func star(n int, r1, r2 float64) [][2]float64 {
	pts := make([][2]float64, 0, n+1)
	for i := range n {
		r := r1
		if i%2 == 1 {
			r = r2
		}
		th := 2 * math.Pi * float64(i) / float64(n)
		pts = append(pts, [2]float64{10.03 + r*math.Cos(th), 59.05 + r*math.Sin(th)})
	}
	return closeRing(pts)
}

const (
	toothWidth  = 2e-5
	toothHeight = 0.05
)

// comb returns a ring with long, thin teeth; swap lays them on their side.
func comb(teeth int, swap bool) [][2]float64 {
	const w, h, base = toothWidth, toothHeight, 0.01
	pts := make([][2]float64, 0, 4*teeth+3)
	add := func(x, y float64) {
		if swap {
			x, y = y, x
		}
		pts = append(pts, [2]float64{10 + x, 59 + y})
	}
	for k := range teeth {
		x := float64(2*k) * w
		add(x, 0)
		add(x, h)
		add(x+w, h)
		add(x+w, 0)
	}
	add(float64(2*teeth-1)*w, -base)
	add(0, -base)
	return closeRing(pts)
}

// combHoles returns a comb with a triangular hole in every tooth, so that every hole
// has thousands of the outer ring's edges level with it.
func combHoles(teeth int) [][][2]float64 {
	out := [][][2]float64{comb(teeth, false)}
	const w = toothWidth
	for k := range teeth {
		x := 10 + float64(2*k)*w
		out = append(out, closeRing([][2]float64{{x + w/4, 59.01}, {x + 3*w/4, 59.01}, {x + w/2, 59.04}}))
	}
	return out
}

// holes returns a circle of n vertices with count small square holes on a grid.
func holes(n, count int) [][][2]float64 {
	out := [][][2]float64{circle(n, 0.05)}
	const cells, span, size = 32, 0.06, 0.001
	for i := range count {
		x := 10.03 - span/2 + span*float64(i%cells)/cells
		y := 59.05 - span/2 + span*float64(i/cells)/cells
		out = append(out, closeRing([][2]float64{{x, y}, {x + size, y}, {x + size, y + size}, {x, y + size}}))
	}
	return out
}

func TestLargeShapesAreValid(t *testing.T) {
	for _, s := range largeShapes() {
		t.Run(s.name, func(t *testing.T) {
			n := 0
			for _, r := range s.rings {
				n += len(r)
			}
			if n > MaxPoints || n < MaxPoints-10 {
				t.Fatalf("shape has %d positions, want just under %d", n, MaxPoints)
			}
			a, err := ParseArea(s.geoJSON(), testAreaName)
			if err != nil {
				t.Fatalf("ParseArea: %v", err)
			}
			if v := a.Polygons[0][0][0]; !a.Contains(v) {
				t.Errorf("area does not contain its own vertex %v", v)
			}
		})
	}
}

func TestLargeShapesWithCrossingRejected(t *testing.T) {
	for _, s := range largeShapes() {
		t.Run(s.name, func(t *testing.T) {
			// Swap two far-apart vertices of the outer ring: its edges then cross.
			r := s.rings[0]
			i, j := len(r)/3, 2*len(r)/3
			r[i], r[j] = r[j], r[i]
			_, err := ParseArea(s.geoJSON(), testAreaName)
			wantInvalid(t, err, "RingSelfIntersects", testAreaName)
		})
	}
}

func BenchmarkParseArea10k(b *testing.B) {
	for _, s := range largeShapes() {
		raw := s.geoJSON()
		b.Run(s.name, func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				if _, err := ParseArea(raw, testAreaName); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkContains10k(b *testing.B) {
	a, err := ParseArea(largeShapes()[0].geoJSON(), testAreaName)
	if err != nil {
		b.Fatal(err)
	}
	p := Point{Lat: 59.05, Lon: 10.03}
	for b.Loop() {
		if !a.Contains(p) {
			b.Fatal("centre not contained")
		}
	}
}
