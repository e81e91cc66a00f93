package auth

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fritid/fritid/internal/platform/apperr/apperrtest"
)

// FuzzNormaliseEmail: any text is an address or BAD_USER_INPUT naming the field, never a
// panic; an address is trimmed, in lower case, storable, and normalises to itself.
func FuzzNormaliseEmail(f *testing.F) {
	f.Add("kari@example.no")
	f.Fuzz(func(t *testing.T, s string) {
		e, err := NormaliseEmail(s, "email")
		if err != nil {
			apperrtest.BadUserInput(t, err, "email")
			return
		}
		if e != strings.ToLower(strings.TrimSpace(e)) || strings.ContainsRune(e, 0) || !utf8.ValidString(e) {
			t.Fatalf("%q normalised to %q", s, e)
		}
		if again, err := NormaliseEmail(e, "email"); err != nil || again != e {
			t.Fatalf("%q normalises to %q, then to %q (%v)", s, e, again, err)
		}
	})
}
