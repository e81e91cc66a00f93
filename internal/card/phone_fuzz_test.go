package card

import (
	"regexp"
	"testing"

	"github.com/fritid/fritid/internal/platform/apperr"
)

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// FuzzMobileNumber feeds mobileNumber what people type as a phone number: it never panics,
// answers either a number in E.164 form (as the database's check wants it) or
// BAD_USER_INPUT naming the field, and reads a number it answered the same again.
func FuzzMobileNumber(f *testing.F) {
	for _, s := range []string{"91234567", "912 34 567", "+47 912 34 567", "004791234567", "22123456", "1234",
		"+4915112345678", "", "+", "9123456789012345678901234567890", "٩١٢٣٤٥٦٧", "+47 (912) 34-567 ext. 9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		n, err := mobileNumber(raw, "input.phone")
		if err != nil {
			if apperr.CodeOf(err) != apperr.BadUserInput || apperr.As(err).Field != "input.phone" {
				t.Fatalf("%q: %v", raw, err)
			}
			return
		}
		if !e164.MatchString(n) {
			t.Fatalf("%q gave %q", raw, n)
		}
		if again, err := mobileNumber(n, "input.phone"); err != nil || again != n {
			t.Fatalf("%q gave %q, and that %q, %v", raw, n, again, err)
		}
	})
}
