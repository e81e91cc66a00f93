package portal_test

import (
	"regexp"
	"testing"

	"github.com/fritid/fritid/internal/portal"
)

// FuzzValidOrgNumber: any text is judged without a panic; a valid number is nine ASCII
// digits, and no other last digit makes it valid (one check digit per number).
func FuzzValidOrgNumber(f *testing.F) {
	f.Add("974760673")
	f.Fuzz(func(t *testing.T, s string) {
		if !portal.ValidOrgNumber(s) {
			return
		}
		if !regexp.MustCompile(`^[0-9]{9}$`).MatchString(s) {
			t.Fatalf("%q accepted", s)
		}
		for c := byte('0'); c <= '9'; c++ {
			if other := s[:8] + string(c); other != s && portal.ValidOrgNumber(other) {
				t.Fatalf("%q and %q both valid", s, other)
			}
		}
	})
}

// slug is what a slug may be: lower-case a–z, digits and inner hyphens, 1 to 63 long.
var slug = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)

// FuzzSlugify: any name, however odd, gives a valid slug of at least two characters.
func FuzzSlugify(f *testing.F) {
	f.Add("Bølgen kulturhus")
	f.Fuzz(func(t *testing.T, name string) {
		if s := portal.Slugify(name); !slug.MatchString(s) || len(s) < 2 {
			t.Fatalf("Slugify(%q) = %q", name, s)
		}
	})
}
