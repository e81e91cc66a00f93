// Package apperrtest holds assertions on application errors for tests, fuzz tests above
// all: what bad input must give.
package apperrtest

import (
	"testing"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// BadUserInput fails tb unless err is an *apperr.Error with code BAD_USER_INPUT, a
// message ID and field as its field: the client's error, never INTERNAL.
func BadUserInput(tb testing.TB, err error, field string) {
	tb.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != apperr.BadUserInput || e.MessageID == "" || e.Field != field {
		tb.Fatalf("error %#v, want BAD_USER_INPUT with a message on %q", err, field)
	}
}
