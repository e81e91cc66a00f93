package geo

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestFindMeetingMatchesBruteForce compares the sweep with testing every pair of edges,
// on random rings full of collinear points, shared lines and touches.
func TestFindMeetingMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		name  string
		rings func() [][]fix
	}{
		{"TinyGrid", func() [][]fix { return [][]fix{randomRing(rng, 3+rng.IntN(5), 4)} }},
		{"SmallGrid", func() [][]fix { return [][]fix{randomRing(rng, 3+rng.IntN(9), 8)} }},
		{"WithHoles", func() [][]fix {
			out := [][]fix{randomRing(rng, 3+rng.IntN(6), 8)}
			for range 1 + rng.IntN(3) {
				out = append(out, randomRing(rng, 3+rng.IntN(4), 8))
			}
			return out
		}},
		{"StarNudged", func() [][]fix { return [][]fix{nudgedStar(rng, 8+rng.IntN(60), 40)} }},
		{"StarsNested", func() [][]fix {
			return [][]fix{nudgedStar(rng, 8+rng.IntN(30), 60), nudgedStar(rng, 3+rng.IntN(10), 20)}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var meets, clear int
			for meets+clear < 3000 {
				rings := tt.rings()
				if repeatedVertex(rings) != nil || slices.ContainsFunc(rings, hasSpike) {
					continue // outside the sweep's preconditions
				}
				edges, bad := ringEdges(rings)
				i, j, found, _ := findMeeting(edges, nil, bad)
				if want := bruteMeeting(len(edges), bad); found != want {
					t.Fatalf("findMeeting = %v, brute force = %v for %v", found, want, rings)
				}
				if found && !bad(i, j) {
					t.Fatalf("findMeeting reported edges %d and %d, which do not meet, for %v", i, j, rings)
				}
				if found {
					meets++
				} else {
					clear++
				}
			}
			if meets < 100 || clear < 100 {
				t.Errorf("unbalanced cases: %d meeting, %d clear", meets, clear)
			}
		})
	}
}

func bruteMeeting(n int, bad func(i, j int32) bool) bool {
	for i := range int32(n) {
		for j := range i {
			if bad(i, j) {
				return true
			}
		}
	}
	return false
}

// randomRing returns n random vertices on a size × size grid.
func randomRing(rng *rand.Rand, n int, size int64) []fix {
	ring := make([]fix, n)
	for i := range ring {
		ring[i] = fix{x: rng.Int64N(size), y: rng.Int64N(size)}
	}
	return ring
}

// nudgedStar returns a star-shaped ring of n vertices with radii up to r, sometimes
// with one vertex moved somewhere random so that it may cross other edges.
func nudgedStar(rng *rand.Rand, n int, r float64) []fix {
	ring := make([]fix, n)
	for i := range ring {
		th := 2 * math.Pi * float64(i) / float64(n)
		rad := r * (0.2 + 0.8*rng.Float64())
		ring[i] = fix{x: int64(math.Round(rad * math.Cos(th))), y: int64(math.Round(rad * math.Sin(th)))}
	}
	if rng.IntN(2) == 0 {
		ring[rng.IntN(n)] = fix{x: rng.Int64N(int64(2*r)) - int64(r), y: rng.Int64N(int64(2*r)) - int64(r)}
	}
	return ring
}

func TestTreapKeepsOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	keys := rng.Perm(500)
	tr := newTreap(len(keys))
	in := map[int32]bool{}
	for i := range keys {
		tr.insert(int32(i), func(n int32) (bool, bool) { return keys[i] > keys[n], false })
		in[int32(i)] = true
	}
	for i := range keys {
		if i%3 == 0 {
			tr.remove(int32(i))
			delete(in, int32(i))
		}
	}
	var want []int32
	for i := range keys {
		if in[int32(i)] {
			want = append(want, int32(i))
		}
	}
	slices.SortFunc(want, func(a, b int32) int { return keys[a] - keys[b] })
	tests := []struct {
		name  string
		first int32
		step  func(int32) int32
		order []int32
	}{
		{"Next", want[0], tr.next, want},
		{"Prev", want[len(want)-1], tr.prev, reversed(want)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []int32
			for n := tt.first; n != nilNode; n = tt.step(n) {
				got = append(got, n)
			}
			if !slices.Equal(got, tt.order) {
				t.Fatalf("walk = %v, want %v", got, tt.order)
			}
		})
	}
}

func reversed(s []int32) []int32 {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}

// TestPlaceRingsMatchesRayCasting compares the sweep's verdict on holes with testing a
// vertex of each hole against the outer ring.
func TestPlaceRingsMatchesRayCasting(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	tests := []struct {
		name         string
		holes        int
		size, spread int64
	}{
		{"OneHole", 1, 6, 100},
		{"FewHoles", 3, 10, 60},
		{"ManyHoles", 8, 4, 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in, out int
			for range 20000 {
				rings := [][]fix{nudgedStar(rng, 5+rng.IntN(30), 40)}
				for range 1 + rng.IntN(tt.holes) {
					rings = append(rings, smallRing(rng, tt.size, tt.spread))
				}
				if repeatedVertex(rings) != nil || slices.ContainsFunc(rings, hasSpike) {
					continue
				}
				edges, bad := ringEdges(rings)
				if bruteMeeting(len(edges), bad) {
					continue
				}
				want := 0
				for r := len(rings) - 1; r > 0; r-- {
					if locate(rings[r][0], rings[0]) != inside {
						want = r
					}
				}
				got := placeRings(rings)
				switch {
				case want == 0 && got != nil:
					t.Fatalf("placeRings = %+v, want nil for %v", got, rings)
				case want > 0 && (got == nil || got.id != "HoleOutsideShell" || got.ring != want):
					t.Fatalf("placeRings = %+v, want hole %d outside for %v", got, want, rings)
				}
				if want == 0 {
					in++
				} else {
					out++
				}
			}
			if in < 100 || out < 100 {
				t.Errorf("unbalanced cases: %d inside, %d outside", in, out)
			}
		})
	}
}

// smallRing returns a random triangle or quadrilateral of up to size × size placed at
// random in a square of side spread around the origin.
func smallRing(rng *rand.Rand, size, spread int64) []fix {
	ox, oy := rng.Int64N(spread)-spread/2, rng.Int64N(spread)-spread/2
	ring := randomRing(rng, 3+rng.IntN(2), size)
	for i := range ring {
		ring[i].x += ox
		ring[i].y += oy
	}
	return ring
}
