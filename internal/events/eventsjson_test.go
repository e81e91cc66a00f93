package events

import (
	"testing"
	"time"
)

// TestAlwaysUTC: the database writes the times of a list as JSON only where the server's
// zone writes them as UTC does, all year round.
func TestAlwaysUTC(t *testing.T) {
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	london, err := time.LoadLocation("Europe/London") // UTC in winter only
	if err != nil {
		t.Fatal(err)
	}
	for loc, want := range map[*time.Location]bool{time.UTC: true, time.FixedZone("Z", 0): true,
		oslo: false, london: false, time.FixedZone("E", 3600): false} {
		if got := alwaysUTC(loc); got != want {
			t.Errorf("%s: %v, want %v", loc, got, want)
		}
	}
}
