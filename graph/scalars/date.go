// Package scalars holds the API's own GraphQL scalars that map onto standard Go types.
package scalars

import (
	"errors"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// dateLayout is how a Date is written: a calendar day, no time, no zone.
const dateLayout = "2006-01-02"

// MarshalDate writes a day as "YYYY-MM-DD".
func MarshalDate(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		io.WriteString(w, strconv.Quote(t.Format(dateLayout))) //nolint:errcheck // gqlgen's writer
	})
}

// UnmarshalDate reads "YYYY-MM-DD" as midnight UTC of that day.
func UnmarshalDate(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, errors.New("a date is a string: YYYY-MM-DD")
	}
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return time.Time{}, errors.New("a date is written YYYY-MM-DD")
	}
	return t, nil
}
