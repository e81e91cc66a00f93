package geo

import (
	"math"
	"testing"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// wantInvalid fails t unless err is a BAD_USER_INPUT *apperr.Error with messageID and
// field, and returns it.
func wantInvalid(t *testing.T, err error, messageID, field string) *apperr.Error {
	t.Helper()
	e := apperr.As(err)
	if e == nil {
		t.Fatalf("error = %v, want *apperr.Error %s", err, messageID)
	}
	if e.Code != apperr.BadUserInput || e.MessageID != messageID || e.Field != field {
		t.Fatalf("error = %s %s %q, want %s %s %q", e.Code, e.MessageID, e.Field,
			apperr.BadUserInput, messageID, field)
	}
	return e
}

// check runs a validation result against an expected message ID and field; an empty
// messageID expects success.
func check(t *testing.T, err error, messageID, field string) {
	t.Helper()
	if messageID == "" {
		if err != nil {
			t.Fatalf("error = %v, want nil", err)
		}
		return
	}
	wantInvalid(t, err, messageID, field)
}

func TestValidatePoint(t *testing.T) {
	tests := []struct {
		name      string
		p         Point
		messageID string
		field     string
	}{
		{"Larvik", Point{Lat: 59.0535, Lon: 10.0265}, "", ""},
		{"Corners", Point{Lat: -90, Lon: 180}, "", ""},
		{"NorthPole", Point{Lat: 90, Lon: -180}, "", ""},
		{"LatTooHigh", Point{Lat: 90.0001, Lon: 0}, "LatitudeRange", "at.lat"},
		{"LatTooLow", Point{Lat: -91, Lon: 0}, "LatitudeRange", "at.lat"},
		{"LatNaN", Point{Lat: math.NaN(), Lon: 0}, "LatitudeRange", "at.lat"},
		{"LatInf", Point{Lat: math.Inf(1), Lon: 0}, "LatitudeRange", "at.lat"},
		{"LonTooHigh", Point{Lat: 0, Lon: 180.5}, "LongitudeRange", "at.lon"},
		{"LonTooLow", Point{Lat: 0, Lon: -181}, "LongitudeRange", "at.lon"},
		{"LonNaN", Point{Lat: 0, Lon: math.NaN()}, "LongitudeRange", "at.lon"},
		{"LonNegInf", Point{Lat: 0, Lon: math.Inf(-1)}, "LongitudeRange", "at.lon"},
		{"BothBadReportsLat", Point{Lat: 100, Lon: 200}, "LatitudeRange", "at.lat"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, ValidatePoint(tt.p, "at"), tt.messageID, tt.field)
		})
	}
}

func TestValidateBBox(t *testing.T) {
	tests := []struct {
		name      string
		b         BBox
		messageID string
		field     string
	}{
		{"Valid", BBox{MinLat: 59, MinLon: 10, MaxLat: 59.1, MaxLon: 10.1}, "", ""},
		{"Point", BBox{MinLat: 59, MinLon: 10, MaxLat: 59, MaxLon: 10}, "", ""},
		{"World", BBox{MinLat: -90, MinLon: -180, MaxLat: 90, MaxLon: 180}, "", ""},
		{"MinLatRange", BBox{MinLat: -91, MinLon: 10, MaxLat: 59, MaxLon: 11}, "LatitudeRange", "box.minLat"},
		{"MinLonRange", BBox{MinLat: 58, MinLon: -190, MaxLat: 59, MaxLon: 11}, "LongitudeRange", "box.minLon"},
		{"MaxLatNaN", BBox{MinLat: 58, MinLon: 10, MaxLat: math.NaN(), MaxLon: 11}, "LatitudeRange", "box.maxLat"},
		{"MaxLonRange", BBox{MinLat: 58, MinLon: 10, MaxLat: 59, MaxLon: 181}, "LongitudeRange", "box.maxLon"},
		{"LatInverted", BBox{MinLat: 60, MinLon: 10, MaxLat: 59, MaxLon: 11}, "BBoxInverted", "box"},
		{"LonInverted", BBox{MinLat: 58, MinLon: 179, MaxLat: 59, MaxLon: -179}, "BBoxInverted", "box"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, ValidateBBox(tt.b, "box"), tt.messageID, tt.field)
		})
	}
}

func TestBBoxContains(t *testing.T) {
	b := BBox{MinLat: 59.03, MinLon: 10.00, MaxLat: 59.08, MaxLon: 10.07}
	tests := []struct {
		name string
		p    Point
		want bool
	}{
		{"Inside", Point{Lat: 59.0535, Lon: 10.0265}, true},
		{"Corner", Point{Lat: 59.03, Lon: 10.00}, true},
		{"Edge", Point{Lat: 59.05, Lon: 10.07}, true},
		{"South", Point{Lat: 58.998, Lon: 10.035}, false},
		{"East", Point{Lat: 59.05, Lon: 10.0701}, false},
		{"NaN", Point{Lat: math.NaN(), Lon: 10.03}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := b.Contains(tt.p); got != tt.want {
				t.Errorf("Contains(%v) = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
}

func TestValidateRadius(t *testing.T) {
	tests := []struct {
		name      string
		r         float64
		messageID string
	}{
		{"Small", 0.001, ""},
		{"Max", 500, ""},
		{"Zero", 0, "RadiusRange"},
		{"Negative", -1, "RadiusRange"},
		{"TooLarge", 500.01, "RadiusRange"},
		{"NaN", math.NaN(), "RadiusRange"},
		{"Inf", math.Inf(1), "RadiusRange"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, ValidateRadius(tt.r, "radiusKm"), tt.messageID, "radiusKm")
		})
	}
}
