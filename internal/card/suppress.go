package card

import "strconv"

// The suppression engine of the statistics: cells, the sums they take part in, and the
// hiding of small counts and of the counts that would give them away (see the rule at the
// top of statistics.go).

// statCell is a count before it is published. A known cell is one a reader knows
// anyway (a provider with no PURCHASED offer has no purchased tickets): it is still
// displayed as small when it is, but needs no protection and protects nothing.
type statCell struct {
	n                        int
	hidden, secondary, known bool
}

// open reports whether a reader knows the cell's value.
func (c *statCell) open() bool { return !c.hidden || c.known }

// count returns the cell as published.
func (c *statCell) count() Count {
	switch {
	case c.n < MinCellCount:
		return Count{Display: "<" + strconv.Itoa(MinCellCount)}
	case c.hidden:
		return Count{Display: "≥" + strconv.Itoa(MinCellCount)}
	}
	v := c.n
	return Count{Value: &v, Display: strconv.Itoa(v)}
}

// shown reports whether the cell is published as a number.
func (c *statCell) shown() bool { return !c.hidden && c.n >= MinCellCount }

// amount returns ore as published beside the count of c.
func (c *statCell) amount(ore int64) Amount {
	if !c.shown() {
		return Amount{}
	}
	return Amount{Ore: &ore}
}

// ratio returns a / b as published.
func ratio(a, b *statCell) *float64 {
	if !a.shown() || !b.shown() {
		return nil
	}
	r := float64(a.n) / float64(b.n)
	return &r
}

// ofReleased returns a / released as published.
func ofReleased(a *statCell, released int) *float64 {
	if !a.shown() || released == 0 {
		return nil
	}
	r := float64(a.n) / float64(released)
	return &r
}

// statTable holds the cells of one overview and the sums they are published in.
type statTable struct {
	cells []*statCell
	sums  [][]*statCell // each: the total, then its parts
}

func (t *statTable) cell(n int) *statCell {
	c := &statCell{n: n}
	t.cells = append(t.cells, c)
	return c
}

// sum records that total is the sum of parts.
func (t *statTable) sum(total *statCell, parts ...*statCell) {
	t.sums = append(t.sums, append([]*statCell{total}, parts...))
}

// suppress applies the rule: small cells first; then, until nothing changes, the
// smallest shown cell of every sum that would narrow a suppressed cell down, and of a sum
// holding a suppressed cell that all the sums together pin down exactly.
func (t *statTable) suppress() {
	for _, c := range t.cells {
		c.hidden = c.n < MinCellCount && !c.known
	}
	for changed := true; changed; {
		changed = false
		for _, g := range t.sums {
			for !safe(g) && hideSmallest(g) {
				changed = true
			}
		}
		if changed {
			continue
		}
		for _, c := range t.derivable() {
			for _, g := range t.sums {
				if slicesContains(g, c) && hideSmallest(g) {
					changed = true
					break
				}
			}
		}
	}
}

func slicesContains(g []*statCell, c *statCell) bool {
	for _, x := range g {
		if x == c {
			return true
		}
	}
	return false
}

// safe reports whether the sum g, on its own, gives none of its suppressed cells away. A
// reader knows the open cells, that small cells are 0 to 4 and complementary ones at
// least 5. A lone unknown in a sum is known. With the total shown, the suppressed parts
// add up to a known h, which pins them all when it is as low as their lower bounds allow
// or, with only small parts, as high as 4 each. With the total suppressed too, the total
// (at least 5, when complementary) pins small parts at 4 when nothing else can make it up.
func safe(g []*statCell) bool {
	var hidden, small, secondary, h, shownParts int
	for i, c := range g {
		switch {
		case c.open():
			if i > 0 {
				shownParts += c.n
			}
		case i == 0:
			hidden++
		default:
			hidden, h = hidden+1, h+c.n
			if c.secondary {
				secondary++
			} else {
				small++
			}
		}
	}
	switch {
	case hidden == 0:
		return true
	case hidden == 1:
		return false
	case !g[0].open():
		return !g[0].secondary || secondary > 0 || shownParts+(MinCellCount-1)*small > MinCellCount
	}
	return h > MinCellCount*secondary && (secondary > 0 || h < (MinCellCount-1)*small)
}

// hideSmallest suppresses the smallest cell of g that is still open and not known, parts
// before the total, and reports whether there was one.
func hideSmallest(g []*statCell) bool {
	var best *statCell
	for _, c := range append(g[1:len(g):len(g)], g[0]) {
		if c.open() && !c.known && (best == nil || c.n < best.n) {
			best = c
		}
	}
	if best == nil {
		return false
	}
	best.hidden, best.secondary = true, true
	return true
}

// derivable returns the suppressed cells whose exact value follows from all the sums
// together: with the open cells moved to the right-hand side, a cell is determined when
// its unit vector lies in the row space of the sums over the suppressed cells, that is
// when, in reduced row echelon form, a row has that cell's pivot and nothing else.
func (t *statTable) derivable() []*statCell {
	col := map[*statCell]int{}
	var unknown []*statCell
	for _, c := range t.cells {
		if !c.open() {
			col[c] = len(unknown)
			unknown = append(unknown, c)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	var rows [][]float64
	for _, g := range t.sums {
		row := make([]float64, len(unknown))
		any := false
		for i, c := range g {
			if j, ok := col[c]; ok {
				if i == 0 {
					row[j]++
				} else {
					row[j]--
				}
				any = true
			}
		}
		if any {
			rows = append(rows, row)
		}
	}
	var out []*statCell
	for _, row := range reduce(rows, len(unknown)) {
		pivot, others := -1, false
		for j, v := range row {
			switch {
			case v == 0:
			case pivot < 0:
				pivot = j
			default:
				others = true
			}
		}
		if pivot >= 0 && !others {
			out = append(out, unknown[pivot])
		}
	}
	return out
}

// reduce returns the non-zero rows of the reduced row echelon form of rows (n columns).
// The entries are small integers and their quotients; values within 1e-9 of zero are
// zero.
func reduce(rows [][]float64, n int) [][]float64 {
	const eps = 1e-9
	r := 0
	for c := 0; c < n && r < len(rows); c++ {
		p := -1
		for i := r; i < len(rows); i++ {
			if abs(rows[i][c]) > eps && (p < 0 || abs(rows[i][c]) > abs(rows[p][c])) {
				p = i
			}
		}
		if p < 0 {
			continue
		}
		rows[r], rows[p] = rows[p], rows[r]
		pv := rows[r][c]
		for j := range rows[r] {
			rows[r][j] /= pv
		}
		for i := range rows {
			if i == r || abs(rows[i][c]) <= eps {
				continue
			}
			f := rows[i][c]
			for j := range rows[i] {
				rows[i][j] -= f * rows[r][j]
				if abs(rows[i][j]) <= eps {
					rows[i][j] = 0
				}
			}
		}
		r++
	}
	return rows[:r]
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
