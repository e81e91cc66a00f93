package newsletter

import (
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/portal"
)

// TestCadenceKeepsTheWallClock moves a digest's next issue on by its cadence: the same
// weekday or day of the month at the same time in Oslo across daylight saving, and past
// issues missed while nothing ran are not made up.
func TestCadenceKeepsTheWallClock(t *testing.T) {
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, oslo)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name     string
		cadence  Cadence
		next     string
		now      string
		wantNext string
	}{
		{"WeeklyAcrossSpringForward", Weekly, "2027-03-26 16:00", "2027-03-26 16:05", "2027-04-02 16:00"},
		{"WeeklyAcrossAutumnBack", Weekly, "2027-10-29 16:00", "2027-10-29 16:00", "2027-11-05 16:00"},
		{"WeeklyMissedThree", Weekly, "2027-01-01 08:00", "2027-01-22 09:00", "2027-01-29 08:00"},
		{"MonthlyOnThe28th", Monthly, "2027-01-28 07:30", "2027-01-28 08:00", "2027-02-28 07:30"},
		{"MonthlyIntoSummerTime", Monthly, "2027-03-15 18:00", "2027-03-15 18:00", "2027-04-15 18:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.cadence.nextAfter(at(tt.next), at(tt.now), oslo)
			if want := at(tt.wantNext); !got.Equal(want) {
				t.Fatalf("next %v, want %v", got, want)
			}
		})
	}
}

// TestDigestItemsFollowInterests: an item goes to a reader when, in each dimension, the
// reader picked nothing, the item names nothing, or they share one.
func TestDigestItemsFollowInterests(t *testing.T) {
	sport, culture := uuid.New(), uuid.New()
	north, south := uuid.New(), uuid.New()
	ints := func(cats, nbs []uuid.UUID, ages ...portal.TargetGroup) Interests {
		return Interests{CategoryIDs: cats, NeighbourhoodIDs: nbs, AgeGroups: ages}
	}
	youthSportNorth := ints([]uuid.UUID{sport}, []uuid.UUID{north}, portal.TargetGroup("YOUTH"))
	tests := []struct {
		name         string
		reader, item Interests
		want         bool
	}{
		{"NoInterestsTakeAll", Interests{}, youthSportNorth, true},
		{"AnItemForEveryone", ints([]uuid.UUID{culture}, nil), Interests{}, true},
		{"SharedCategory", ints([]uuid.UUID{sport, culture}, nil), youthSportNorth, true},
		{"OtherCategory", ints([]uuid.UUID{culture}, nil), youthSportNorth, false},
		{"CategoryButOtherNeighbourhood", ints([]uuid.UUID{sport}, []uuid.UUID{south}), youthSportNorth, false},
		{"UntaggedDimensionPasses", ints(nil, []uuid.UUID{north}, portal.TargetGroup("SENIORS")),
			ints([]uuid.UUID{sport}, []uuid.UUID{north}), true},
		{"OtherAgeGroup", ints(nil, nil, portal.TargetGroup("SENIORS")), youthSportNorth, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := takes(tt.reader, tt.item); got != tt.want {
				t.Fatalf("takes = %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("ParentCategoryTakesItsChildren", func(t *testing.T) {
		football, club := uuid.New(), uuid.New()
		parents := map[uuid.UUID]uuid.UUID{football: sport, club: football}
		got := withAncestors([]uuid.UUID{club}, parents)
		if !slices.Equal(got, []uuid.UUID{club, football, sport}) {
			t.Fatalf("ancestors %v", got)
		}
		if !takes(ints([]uuid.UUID{sport}, nil), ints(got, nil)) {
			t.Fatal("an item of a subcategory does not reach its parent's readers")
		}
	})
}

// TestDigestTextFallsBackFieldByField: each field comes from the first language along the
// reader's chain that has it, else from any other.
func TestDigestTextFallsBackFieldByField(t *testing.T) {
	it := &digestItem{texts: map[string]itemText{
		"nb": {Locale: "nb", Title: "Sjakk", Summary: "For alle"},
		"en": {Locale: "en", Title: "Chess"},
		"uk": {Locale: "uk", Title: "Шахи", Summary: "Для всіх"},
	}}
	tests := []struct {
		name           string
		chain          []string
		title, summary string
	}{
		{"OwnLanguage", []string{"nb"}, "Sjakk", "For alle"},
		{"SummaryFromTheFallback", []string{"en", "nb"}, "Chess", "For alle"},
		{"NotInTheChain", []string{"se"}, "Chess", "For alle"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := it.text(tt.chain)
			if x.Title != tt.title || x.Summary != tt.summary {
				t.Fatalf("got %q / %q, want %q / %q", x.Title, x.Summary, tt.title, tt.summary)
			}
		})
	}
}

// TestDigestPeriodLeavesTheLastMinute: an issue takes what was published since the last
// one up to a moment ago, the first one cadence back; the moment's items wait for the next.
func TestDigestPeriodLeavesTheLastMinute(t *testing.T) {
	now := time.Date(2027, 5, 7, 14, 0, 0, 0, time.UTC)
	weekly, monthly := Weekly, Monthly
	last := now.Add(-3 * 24 * time.Hour)
	tests := []struct {
		name         string
		list         *List
		since, until time.Time
	}{
		{"FirstWeekly", &List{DigestSchedule: DigestSchedule{Cadence: &weekly}}, now.Add(-7*24*time.Hour - time.Minute),
			now.Add(-time.Minute)},
		{"FirstMonthly", &List{DigestSchedule: DigestSchedule{Cadence: &monthly}},
			time.Date(2027, 4, 7, 13, 59, 0, 0, time.UTC), now.Add(-time.Minute)},
		{"SinceTheLast", &List{DigestSchedule: DigestSchedule{Cadence: &weekly, LastAt: &last}}, last,
			now.Add(-time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			since, until := period(tt.list, now, time.UTC, DefaultDigestSettle)
			if !since.Equal(tt.since) || !until.Equal(tt.until) {
				t.Fatalf("period %v to %v, want %v to %v", since, until, tt.since, tt.until)
			}
		})
	}
}
