package identity

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fritid/fritid/internal/platform/apperr/apperrtest"
)

// FuzzParse: any text is a Number or BAD_USER_INPUT with a known reason, never a panic;
// a Number never shows its digits, is born by now and parses again from its digits.
func FuzzParse(f *testing.F) {
	f.Add("01020312345")
	f.Add("010203 12345")
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseAt(s, "input.childIdentityNumber", now)
		if err != nil {
			apperrtest.BadUserInput(t, err, "input.childIdentityNumber")
			if strings.ContainsAny(err.Error(), "0123456789") {
				t.Fatalf("the error shows digits: %v", err)
			}
			return
		}
		if n.BirthDate().After(now) || fmt.Sprint(n) != mask || fmt.Sprintf("%#v", n) != mask {
			t.Fatalf("Number from %q: born %v, printed %v", s, n.BirthDate(), n)
		}
		again, err := parseAt(string(n.d[:]), "f", now)
		if err != nil || !again.Equal(n) {
			t.Fatalf("digits of %q do not parse again: %v", s, err)
		}
	})
}
