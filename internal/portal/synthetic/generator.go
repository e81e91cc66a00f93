package synthetic

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// generator makes the data from one random stream, so the same seed gives the same data.
// It remembers the names and slugs it has handed out, to keep them unique.
type generator struct {
	rng        *rand.Rand
	places     []string
	orgWeights int
	names      map[string]bool
	slugs      map[string]bool
	activities int // activities made so far, for unique activity slugs
	venueKeys  []string
}

// pcgStream is the PCG stream constant; the seed picks the state.
const pcgStream = 0x5eed_f717_1d00_0001

func newGenerator(seed int64) *generator {
	g := &generator{
		rng:   rand.New(rand.NewPCG(uint64(seed), pcgStream)),
		names: map[string]bool{},
		slugs: map[string]bool{},
	}
	for _, s := range placeStems {
		for _, e := range placeEndings {
			g.places = append(g.places, joinPlace(s, e))
		}
	}
	for _, t := range orgTypes {
		g.orgWeights += t.weight
	}
	return g
}

// joinPlace joins a stem and an ending, dropping a doubled letter ("Bakke" + "eng").
func joinPlace(stem, ending string) string {
	last, _ := utf8.DecodeLastRuneInString(stem)
	first, _ := utf8.DecodeRuneInString(ending)
	if unicode.ToLower(last) == first {
		ending = ending[utf8.RuneLen(first):]
	}
	return stem + ending
}

// chance reports true with probability p.
func (g *generator) chance(p float64) bool { return g.rng.Float64() < p }

// between returns an integer in [lo, hi].
func (g *generator) between(lo, hi int) int { return lo + g.rng.IntN(hi-lo+1) }

// pick returns a random element of s.
func pick[T any](g *generator, s []T) T { return s[g.rng.IntN(len(s))] }

// pickDistinct returns n different elements of s (all of them when n is larger), in
// random order.
func pickDistinct[T any](g *generator, s []T, n int) []T {
	idx := g.rng.Perm(len(s))
	out := make([]T, 0, min(n, len(s)))
	for _, i := range idx[:min(n, len(s))] {
		out = append(out, s[i])
	}
	return out
}

// sentences returns 1 to 3 different sentences, the same ones from each list of
// translations, filled with args and joined.
func (g *generator) sentences(args []any, lists ...[]string) []string {
	idx := g.rng.Perm(len(lists[0]))[:g.between(1, 3)]
	out := make([]string, len(lists))
	for l, list := range lists {
		parts := make([]string, len(idx))
		for i, k := range idx {
			parts[i] = fill(list[k], args...)
		}
		out[l] = strings.Join(parts, " ")
	}
	return out
}

// fill formats template t with args when it has any verbs.
func fill(t string, args ...any) string {
	if !strings.Contains(t, "%") {
		return t
	}
	return fmt.Sprintf(t, args...)
}

// uniqueSlug returns slugify(name), with a number appended when it is taken, and takes it.
func (g *generator) uniqueSlug(name string) string {
	base := slugify(name, 55)
	s := base
	for n := 2; g.slugs[s]; n++ {
		s = base + "-" + strconv.Itoa(n)
	}
	g.slugs[s] = true
	return s
}

var slugLetters = strings.NewReplacer("æ", "ae", "ø", "o", "å", "a", "é", "e", "ü", "u")

// slugify turns a name into a URL-safe slug of at most max bytes: lower-case letters and
// digits with single hyphens between words.
func slugify(name string, max int) string {
	s := slugLetters.Replace(strings.ToLower(name))
	var b strings.Builder
	dash := false
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	out := b.String()
	if len(out) > max {
		out = strings.TrimRight(out[:max], "-")
	}
	if out == "" {
		out = "x"
	}
	return out
}

// lowerFirst returns s with its first letter in lower case, for use inside a sentence.
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || (len(s) > n && unicode.IsUpper(rune(s[n]))) { // keep "IL", "4H"
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// round5 rounds a coordinate to five decimals (about a metre).
func round5(v float64) float64 { return float64(int64(v*1e5+0.5)) / 1e5 }
