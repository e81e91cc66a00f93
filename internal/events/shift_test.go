package events

import (
	"testing"
	"time"
)

// TestSeriesMoveKeepsWallClockAcrossDaylightSaving: moving a series as one occurrence moved
// keeps every time's local clock, on either side of a daylight-saving switch, also when
// the move itself crosses one.
func TestSeriesMoveKeepsWallClockAcrossDaylightSaving(t *testing.T) {
	oslo, _ := time.LoadLocation("Europe/Oslo")
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, oslo)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		name     string
		old, new string // the occurrence moved
		in, want string // another time of the series
	}{
		{"an hour later, winter to summer", "2027-01-04 17:00", "2027-01-04 18:00", "2027-04-05 17:00", "2027-04-05 18:00"},
		{"a day later across the spring switch", "2027-03-27 17:00", "2027-03-28 17:00", "2027-03-27 17:00",
			"2027-03-28 17:00"},
		{"a day later across the autumn switch", "2027-10-30 17:00", "2027-10-31 17:00", "2027-10-30 17:00",
			"2027-10-31 17:00"},
		{"a week back and an hour earlier, summer to winter", "2027-06-07 17:00", "2027-05-31 16:00",
			"2027-12-06 17:00", "2027-11-29 16:00"},
		{"past midnight", "2027-03-01 23:30", "2027-03-02 00:30", "2027-06-01 23:30", "2027-06-02 00:30"},
	}
	for _, c := range cases {
		w, err := newWallShift(at(c.old), at(c.new), "Europe/Oslo")
		if err != nil {
			t.Fatal(err)
		}
		if got := w.apply(at(c.in)); !got.Equal(at(c.want)) {
			t.Errorf("%s: %s moved to %s, want %s", c.name, c.in, got.In(oslo).Format("2006-01-02 15:04 MST"), c.want)
		}
	}
	// The old fixed-duration move is wrong across the switch: the case that needs this.
	if d := at("2027-03-28 17:00").Sub(at("2027-03-27 17:00")); d == 24*time.Hour {
		t.Fatalf("no daylight-saving switch between the dates: %v", d)
	}
}
