package portal

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// Weekday is a day of the week, 1 (Monday) to 7 (Sunday); in the API an enum MONDAY ... SUNDAY.
type Weekday int

var weekdays = [...]string{"", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"}

// MarshalGQL writes the day's enum name.
func (d Weekday) MarshalGQL(w io.Writer) {
	name := "MONDAY"
	if d >= 1 && int(d) < len(weekdays) {
		name = weekdays[d]
	}
	io.WriteString(w, strconv.Quote(name)) //nolint:errcheck // gqlgen's writer
}

// UnmarshalGQL reads an enum name.
func (d *Weekday) UnmarshalGQL(v any) error {
	s, _ := v.(string)
	for i, name := range weekdays {
		if i > 0 && name == s {
			*d = Weekday(i)
			return nil
		}
	}
	return fmt.Errorf("%v is not a Weekday", v)
}

// RawJSON is a JSON value passed through as it is: a GeoJSON geometry, a revision's snapshot.
type RawJSON []byte

// MarshalGQL writes the value as JSON.
func (g RawJSON) MarshalGQL(w io.Writer) {
	if len(g) == 0 {
		io.WriteString(w, "null") //nolint:errcheck // gqlgen's writer
		return
	}
	w.Write(g) //nolint:errcheck // gqlgen's writer
}

// UnmarshalGQL reads an input value (an object, list or scalar given inline or in
// variables) back into JSON text.
func (g *RawJSON) UnmarshalGQL(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("not a JSON value: %w", err)
	}
	*g = b
	return nil
}
