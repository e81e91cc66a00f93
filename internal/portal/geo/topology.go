package geo

import "slices"

// problem is a topology error in one polygon: a message ID and the rings involved.
type problem struct {
	id    string
	ring  int
	other int // the second ring for problems between two rings, else -1
}

// checkPolygon validates the rings of one polygon (the outer ring first, then holes;
// each with distinct consecutive vertices and the closing vertex dropped): rings must
// be simple, holes must lie strictly inside the outer ring, and no two rings may
// touch. It returns nil when the polygon is valid.
func checkPolygon(rings [][]fix) *problem {
	if p := repeatedVertex(rings); p != nil {
		return p
	}
	for r, ring := range rings {
		if hasSpike(ring) {
			return &problem{id: "RingSelfIntersects", ring: r, other: -1}
		}
	}
	return placeRings(rings)
}

// repeatedVertex reports a vertex that occurs twice: within a ring it is a pinch, and
// between two rings it is a touch.
func repeatedVertex(rings [][]fix) *problem {
	n := 0
	for _, ring := range rings {
		n += len(ring)
	}
	seen := make(map[fix]int, n)
	for r, ring := range rings {
		for _, v := range ring {
			if first, ok := seen[v]; ok {
				return meetingProblem(first, r)
			}
			seen[v] = r
		}
	}
	return nil
}

// meetingProblem classifies a meeting of rings a and b (a <= b).
func meetingProblem(a, b int) *problem {
	switch {
	case a == b:
		return &problem{id: "RingSelfIntersects", ring: a, other: -1}
	case a == 0:
		return &problem{id: "HoleOutsideShell", ring: b, other: -1}
	}
	return &problem{id: "RingSelfIntersects", ring: b, other: a}
}

// hasSpike reports whether two consecutive edges of ring run back over each other.
func hasSpike(ring []fix) bool {
	n := len(ring)
	for i, v := range ring {
		u, w := ring[(i+n-1)%n], ring[(i+1)%n]
		if orient(u, v, w) == 0 && sameDirection(u, v, w) {
			return true
		}
	}
	return false
}

// sameDirection reports whether u and w lie on the same side of v, given the three
// are collinear and u, w differ from v.
func sameDirection(u, v, w fix) bool {
	return sign(u.x-v.x) == sign(w.x-v.x) && sign(u.y-v.y) == sign(w.y-v.y)
}

func sign(v int64) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// placeRings sweeps over the polygon's edges once, looking for two that meet other
// than consecutive edges of one ring at their shared vertex, and for the edge just
// below the lowest-leftmost vertex of each hole, which tells whether the hole is
// inside the outer ring.
func placeRings(rings [][]fix) *problem {
	edges, bad := ringEdges(rings)
	probes := make([]fix, len(rings)-1)
	for r := 1; r < len(rings); r++ {
		probes[r-1] = rings[r][lowest(rings[r])]
	}
	i, j, found, below := findMeeting(edges, probes, bad)
	if found {
		a, b := int(edges[i].ring), int(edges[j].ring)
		return meetingProblem(min(a, b), max(a, b))
	}
	if r := holeOutside(rings, edges, probes, below); r > 0 {
		return &problem{id: "HoleOutsideShell", ring: r, other: -1}
	}
	return nil
}

// holeOutside returns the first hole that lies outside the outer ring, or 0, given
// rings that do not meet and the edge below each hole's probe point. Taking holes from
// left to right, a hole above an edge of the outer ring is inside when the ring's
// interior is above that edge, and a hole above another hole's edge is where that
// hole is.
func holeOutside(rings [][]fix, edges []seg, probes []fix, below []int32) int {
	order := make([]int, len(probes))
	for k := range order {
		order[k] = k
	}
	slices.SortFunc(order, func(a, b int) int { return cmpFix(probes[a], probes[b]) })
	shellCCW := counterclockwise(rings[0])
	in := make([]bool, len(rings))
	for _, k := range order {
		switch e := below[k]; {
		case e == nilNode:
			in[k+1] = false
		case edges[e].ring == 0:
			in[k+1] = interiorAbove(edges[e], rings[0], shellCCW)
		default:
			in[k+1] = in[edges[e].ring]
		}
	}
	for r := 1; r < len(rings); r++ {
		if !in[r] {
			return r
		}
	}
	return 0
}

// interiorAbove reports whether the interior of ring, counterclockwise when ccw, lies
// above its non-vertical edge e: a counterclockwise ring has its interior on the left.
func interiorAbove(e seg, ring []fix, ccw bool) bool {
	goesRight := ring[e.pos] == e.lo
	return goesRight == ccw
}

// ringEdges returns the edges of rings and a test of whether two of them meet other
// than consecutive edges of one ring at their shared vertex. Consecutive edges are
// assumed not to overlap (see hasSpike).
func ringEdges(rings [][]fix) ([]seg, func(i, j int32) bool) {
	n := 0
	for _, ring := range rings {
		n += len(ring)
	}
	edges := make([]seg, 0, n)
	for r, ring := range rings {
		for i, v := range ring {
			edges = append(edges, newSeg(v, ring[(i+1)%len(ring)], r, i))
		}
	}
	bad := func(i, j int32) bool {
		a, b := edges[i], edges[j]
		if a.ring == b.ring && consecutive(a.pos, b.pos, len(rings[a.ring])) {
			return false
		}
		return segmentsMeet(a.lo, a.hi, b.lo, b.hi)
	}
	return edges, bad
}

// consecutive reports whether edges i and j of a ring of n edges share a vertex.
func consecutive(i, j int32, n int) bool {
	d := int(i - j)
	if d < 0 {
		d = -d
	}
	return d == 1 || d == n-1
}

// orientRings makes the outer ring counterclockwise and the holes clockwise, as RFC
// 7946 asks, reversing rings in place but keeping their first vertex.
func orientRings(rings [][]fix) {
	for r, ring := range rings {
		if counterclockwise(ring) != (r == 0) {
			slices.Reverse(ring[1:])
		}
	}
}

// counterclockwise reports the orientation of a simple ring, read off at its
// lowest-leftmost vertex, which is convex.
func counterclockwise(ring []fix) bool {
	low, n := lowest(ring), len(ring)
	return orient(ring[(low+n-1)%n], ring[low], ring[(low+1)%n]) > 0
}

// lowest returns the index of ring's lexicographically smallest vertex.
func lowest(ring []fix) int {
	low := 0
	for i, v := range ring {
		if v.less(ring[low]) {
			low = i
		}
	}
	return low
}
