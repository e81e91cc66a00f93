package scalars

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/fritid/fritid/internal/platform/apperr/apperrtest"
)

// FuzzUnmarshalDate: any text is a date or BAD_USER_INPUT (the field is added from the
// argument path by the error presenter), never a panic; a date is written back exactly as
// it was given.
func FuzzUnmarshalDate(f *testing.F) {
	f.Add("2026-05-17")
	f.Fuzz(func(t *testing.T, s string) {
		d, err := UnmarshalDate(s)
		if err != nil {
			apperrtest.BadUserInput(t, err, "")
			return
		}
		var b bytes.Buffer
		MarshalDate(d).MarshalGQL(&b)
		if b.String() != strconv.Quote(s) {
			t.Fatalf("%q is written back as %s", s, b.String())
		}
	})
}

// TestUnmarshalDateOtherTypes: a value of another JSON type is BAD_USER_INPUT too.
func TestUnmarshalDateOtherTypes(t *testing.T) {
	for _, v := range []any{nil, 442, 1.5, true, []any{"2026-05-17"}, map[string]any{"y": 2026}} {
		_, err := UnmarshalDate(v)
		apperrtest.BadUserInput(t, err, "")
	}
}
