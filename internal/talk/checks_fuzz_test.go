package talk

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fritid/fritid/internal/card/identity"
	"github.com/fritid/fritid/internal/platform/apperr"
)

// FuzzDisplayName: a display name is accepted only as 2 to 40 characters without control
// characters, markup, addresses or identity numbers, and is refused with BAD_USER_INPUT
// naming the field, never anything else.
func FuzzDisplayName(f *testing.F) {
	for _, s := range []string{"Kari", "  Per  Olsen ", "www.x.no", "a@b", "01020312345", "<b>", "K", "\x00Kari",
		"Ål i Ørsta", "Mor til 3", strings.Repeat("x", 41), "kari.no", "https://x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, err := CheckDisplayName(s, "input.displayName")
		if err != nil {
			if e := apperr.As(err); e == nil || e.Code != apperr.BadUserInput || e.Field != "input.displayName" ||
				e.Reason == "" {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		n := utf8.RuneCountInString(name)
		if n < MinDisplayName || n > MaxDisplayName || strings.ContainsAny(name, "<>\n\r\t") ||
			identity.LooksLikeNumber(name) || urlLike.MatchString(name) || name != strings.TrimSpace(name) {
			t.Fatalf("%q accepted as %q", s, name)
		}
	})
}

// TestDisplayNames: names families use pass; addresses and numbers do not.
func TestDisplayNames(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"Kari", "Mor til Ola (7)", "Åse Ødegård", "Jan-Erik", "مريم", "Per 2.0"} {
		if _, err := CheckDisplayName(ok, "n"); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for bad, reason := range map[string]string{"Kari.no": "URL", "www.kari": "URL", "http://x": "URL",
		"kari@gmail": "URL", "010203-12345": "IDENTITY_NUMBER", "01020312345": "IDENTITY_NUMBER", "K": "LENGTH",
		"Kari\u0007": "CHARACTERS"} {
		_, err := CheckDisplayName(bad, "n")
		if e := apperr.As(err); e == nil || e.Reason != reason {
			t.Errorf("%q: %v, want %s", bad, err, reason)
		}
	}
}
