// Package scalars holds the API's own GraphQL scalars that map onto standard Go types.
//
// A value a scalar cannot read is the client's error: the Unmarshal functions return
// BAD_USER_INPUT without a field, and the error presenter names the argument path it was
// given at (e.g. "input.birthDate").
package scalars

import (
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// dateLayout is how a Date is written: a calendar day, no time, no zone.
const dateLayout = "2006-01-02"

// MarshalDate writes a day as "YYYY-MM-DD".
func MarshalDate(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		io.WriteString(w, strconv.Quote(t.Format(dateLayout))) //nolint:errcheck // gqlgen's writer
	})
}

// UnmarshalDate reads "YYYY-MM-DD" as midnight UTC of that day. Errors: BAD_USER_INPUT
// (DateInvalid) for anything else: another type, another layout, a day that does not exist.
func UnmarshalDate(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, errDate()
	}
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return time.Time{}, errDate()
	}
	return t, nil
}

// errDate is the one answer to a value that is not a date; the field is added where the
// argument path is known.
func errDate() error { return apperr.Invalid("", "DateInvalid", nil) }
