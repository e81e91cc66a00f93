package geo

import (
	"cmp"
	"slices"
)

// seg is an edge of a ring with its endpoints ordered so that lo sorts before hi.
type seg struct {
	lo, hi fix
	// ring and pos say which ring the edge belongs to and where in it.
	ring, pos int32
}

// newSeg returns the edge a–b of ring at position pos.
func newSeg(a, b fix, ring, pos int) seg {
	if b.less(a) {
		a, b = b, a
	}
	return seg{lo: a, hi: b, ring: int32(ring), pos: int32(pos)}
}

// eventKind orders what happens when the sweep reaches a position: probes look at the
// line first, then edges ending there leave it, then edges starting there join it.
type eventKind uint8

const (
	probeEvent eventKind = iota
	removeEvent
	insertEvent
)

// event is the sweep line reaching a probe point or an end of an edge; id indexes the
// probes or the edges.
type event struct {
	at   fix
	kind eventKind
	id   int32
}

// sweep is a Shamos–Hoey sweep from left to right over a set of edges.
type sweep struct {
	edges  []seg
	bad    func(i, j int32) bool
	status *treap
	// below holds, for each probe, the edge just below it on the line, or nilNode.
	below []int32
}

// findMeeting looks for two edges that meet where they may not, in O(n log n). bad
// reports whether two edges that share a point are a problem; it is only asked about
// edges that do or might meet. For each probe point, below receives the edge passing
// just below it (nilNode for none) before any edge starting there joins the line; it
// is complete only when no meeting is found.
//
// The sweep is exact only under conditions the caller establishes first: no two
// rings share a vertex, no ring repeats a vertex, and two consecutive edges of a ring
// never overlap (so the edges that may touch are exactly consecutive ones, at their
// shared vertex). Under them, the leftmost bad meeting is found before the order kept
// on the line can go wrong: every pair of edges that become neighbours on the line is
// tested, and a new edge is always placed next to an edge through its start.
func findMeeting(edges []seg, probes []fix, bad func(i, j int32) bool) (i, j int32, found bool, below []int32) {
	s := &sweep{edges: edges, bad: bad, status: newTreap(len(edges)), below: make([]int32, len(probes))}
	for _, ev := range sweepEvents(edges, probes) {
		switch ev.kind {
		case probeEvent:
			s.below[ev.id] = s.edgeBelow(probes[ev.id])
		case removeEvent:
			i, j, found = s.remove(ev.id)
		case insertEvent:
			i, j, found = s.insert(ev.id)
		}
		if found {
			return i, j, true, nil
		}
	}
	return 0, 0, false, s.below
}

// sweepEvents returns the events of edges and probes in sweep order.
func sweepEvents(edges []seg, probes []fix) []event {
	events := make([]event, 0, 2*len(edges)+len(probes))
	for i, e := range edges {
		events = append(events, event{e.lo, insertEvent, int32(i)}, event{e.hi, removeEvent, int32(i)})
	}
	for i, p := range probes {
		events = append(events, event{p, probeEvent, int32(i)})
	}
	slices.SortFunc(events, func(a, b event) int {
		if c := cmpFix(a.at, b.at); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.id, b.id))
	})
	return events
}

// insert puts edge x on the line and tests it against its new neighbours.
func (s *sweep) insert(x int32) (int32, int32, bool) {
	var hit int32
	e := s.edges[x]
	ok := s.status.insert(x, func(n int32) (bool, bool) {
		above, meets := sideOf(e, s.edges[n])
		if meets && s.bad(x, n) {
			hit = n
			return false, true
		}
		return above, false
	})
	if !ok {
		return x, hit, true
	}
	for _, n := range [2]int32{s.status.prev(x), s.status.next(x)} {
		if n != nilNode && s.bad(x, n) {
			return x, n, true
		}
	}
	return 0, 0, false
}

// remove takes edge x off the line and tests the two edges that become neighbours.
func (s *sweep) remove(x int32) (int32, int32, bool) {
	p, n := s.status.prev(x), s.status.next(x)
	s.status.remove(x)
	if p != nilNode && n != nilNode && s.bad(p, n) {
		return p, n, true
	}
	return 0, 0, false
}

// edgeBelow returns the highest edge on the line that passes below p, or nilNode.
func (s *sweep) edgeBelow(p fix) int32 {
	best := int32(nilNode)
	for n := s.status.root; n != nilNode; {
		e := s.edges[n]
		if orient(e.lo, e.hi, p) > 0 {
			best, n = n, s.status.right[n]
		} else {
			n = s.status.left[n]
		}
	}
	return best
}

// sideOf reports whether edge e, starting at the sweep line, goes above edge t, which
// is on it. meets is set when e starts on t's line away from t's start, or runs along
// it: then the two touch, and the caller decides whether that is allowed.
func sideOf(e, t seg) (above, meets bool) {
	o := orient(t.lo, t.hi, e.lo)
	if o == 0 {
		meets = e.lo != t.lo
		o = orient(t.lo, t.hi, e.hi)
	}
	if o == 0 {
		meets = true
	}
	return o >= 0, meets
}
