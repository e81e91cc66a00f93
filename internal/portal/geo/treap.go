package geo

// nilNode marks a missing link in a treap.
const nilNode = -1

// treap is a randomised balanced binary search tree over the ids 0..n-1, with parent
// links so a node can be removed, and its neighbours found, without comparing keys.
// The order is set only by the descent function passed to insert.
type treap struct {
	left, right, parent []int32
	prio                []uint64
	root                int32
}

func newTreap(n int) *treap {
	t := &treap{
		left:   make([]int32, n),
		right:  make([]int32, n),
		parent: make([]int32, n),
		prio:   make([]uint64, n),
		root:   nilNode,
	}
	for i := range t.prio {
		t.prio[i] = splitmix(uint64(i))
	}
	return t
}

// splitmix scrambles i into a well-spread priority; a fixed function keeps runs
// reproducible.
func splitmix(i uint64) uint64 {
	z := i + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// insert adds x. goRight is asked at every node on the way down whether x belongs
// after it; when it answers stop, insert returns false and leaves the tree unchanged.
func (t *treap) insert(x int32, goRight func(node int32) (right, stop bool)) bool {
	t.left[x], t.right[x], t.parent[x] = nilNode, nilNode, nilNode
	if t.root == nilNode {
		t.root = x
		return true
	}
	cur := t.root
	for {
		right, stop := goRight(cur)
		if stop {
			return false
		}
		child := &t.left[cur]
		if right {
			child = &t.right[cur]
		}
		if *child == nilNode {
			*child = x
			break
		}
		cur = *child
	}
	t.parent[x] = cur
	for t.parent[x] != nilNode && t.prio[x] < t.prio[t.parent[x]] {
		t.rotateUp(x)
	}
	return true
}

// remove takes x out of the tree.
func (t *treap) remove(x int32) {
	for t.left[x] != nilNode || t.right[x] != nilNode {
		c := t.left[x]
		if c == nilNode || (t.right[x] != nilNode && t.prio[t.right[x]] < t.prio[c]) {
			c = t.right[x]
		}
		t.rotateUp(c)
	}
	t.replaceChild(t.parent[x], x, nilNode)
}

// rotateUp moves x above its parent, keeping the in-order sequence.
func (t *treap) rotateUp(x int32) {
	y := t.parent[x]
	g := t.parent[y]
	if t.left[y] == x {
		t.left[y] = t.right[x]
		if t.right[x] != nilNode {
			t.parent[t.right[x]] = y
		}
		t.right[x] = y
	} else {
		t.right[y] = t.left[x]
		if t.left[x] != nilNode {
			t.parent[t.left[x]] = y
		}
		t.left[x] = y
	}
	t.parent[y] = x
	t.parent[x] = g
	t.replaceChild(g, y, x)
}

// replaceChild makes to take from's place under parent p (or at the root).
func (t *treap) replaceChild(p, from, to int32) {
	switch {
	case p == nilNode:
		t.root = to
	case t.left[p] == from:
		t.left[p] = to
	default:
		t.right[p] = to
	}
}

// next returns the node after x in order, or nilNode.
func (t *treap) next(x int32) int32 {
	return t.step(x, t.right, t.left)
}

// prev returns the node before x in order, or nilNode.
func (t *treap) prev(x int32) int32 {
	return t.step(x, t.left, t.right)
}

// step walks to x's in-order neighbour on the side of fwd (right for next).
func (t *treap) step(x int32, fwd, back []int32) int32 {
	if c := fwd[x]; c != nilNode {
		for back[c] != nilNode {
			c = back[c]
		}
		return c
	}
	for p := t.parent[x]; p != nilNode; x, p = p, t.parent[p] {
		if back[p] == x {
			return p
		}
	}
	return nilNode
}
