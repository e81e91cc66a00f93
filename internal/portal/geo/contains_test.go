package geo

import (
	"math"
	"testing"
)

// larvikJSON is a rough rectangle around central Larvik, 59.03–59.08 N, 10.00–10.07 E.
const larvikJSON = `{"type":"Polygon","coordinates":[[[10.00,59.03],[10.07,59.03],[10.07,59.08],[10.00,59.08],[10.00,59.03]]]}`

func mustParse(t *testing.T, raw string) *Area {
	t.Helper()
	a, err := ParseArea([]byte(raw), testAreaName)
	if err != nil {
		t.Fatalf("ParseArea: %v", err)
	}
	return a
}

func TestAreaContains(t *testing.T) {
	// A square 0..4 with a hole 1..2, a far square 10..12, and a U whose notch is
	// 2..4 E, 2..6 N.
	parts := mustParse(t, multi(rings(square, innerHole), rings(farSquare)))
	u := mustParse(t, polygon(`[[20,0],[26,0],[26,6],[24,6],[24,2],[22,2],[22,6],[20,6],[20,0]]`))
	larvik := mustParse(t, larvikJSON)
	tests := []struct {
		name string
		a    *Area
		p    Point
		want bool
	}{
		{"Inside", parts, Point{Lat: 3, Lon: 3}, true},
		{"Outside", parts, Point{Lat: 5, Lon: 5}, false},
		{"OutsideLevelWithVertex", parts, Point{Lat: 4, Lon: 6}, false},
		{"InHole", parts, Point{Lat: 1.5, Lon: 1.5}, false},
		{"OnHoleEdge", parts, Point{Lat: 1.5, Lon: 1}, true},
		{"OnHoleVertex", parts, Point{Lat: 2, Lon: 2}, true},
		{"OnOuterEdge", parts, Point{Lat: 2, Lon: 0}, true},
		{"OnOuterVertex", parts, Point{Lat: 4, Lon: 4}, true},
		{"JustOutsideEdge", parts, Point{Lat: 2, Lon: -0.000001}, false},
		{"SecondPart", parts, Point{Lat: 11, Lon: 11}, true},
		{"SecondPartEdge", parts, Point{Lat: 12, Lon: 11}, true},
		{"BetweenParts", parts, Point{Lat: 7, Lon: 7}, false},
		{"NaN", parts, Point{Lat: math.NaN(), Lon: 3}, false},
		{"OutOfRange", parts, Point{Lat: 3, Lon: 400}, false},
		{"UArm", u, Point{Lat: 4, Lon: 21}, true},
		{"UNotch", u, Point{Lat: 4, Lon: 23}, false},
		{"UBase", u, Point{Lat: 1, Lon: 23}, true},
		{"UNotchFloor", u, Point{Lat: 2, Lon: 23}, true},
		{"LarvikChurch", larvik, larvikChurch, true},
		{"Stavern", larvik, stavern, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.Contains(tt.p); got != tt.want {
				t.Errorf("Contains(%+v) = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
}

func TestAreaContainsUnparsed(t *testing.T) {
	// An Area built by hand, with an open ring, still answers.
	a := &Area{Polygons: [][][]Point{{{{Lat: 0, Lon: 0}, {Lat: 0, Lon: 4}, {Lat: 4, Lon: 4}, {Lat: 4, Lon: 0}}}}}
	tests := []struct {
		name string
		p    Point
		want bool
	}{
		{"Inside", Point{Lat: 1, Lon: 1}, true},
		{"OnClosingEdge", Point{Lat: 2, Lon: 0}, true},
		{"Outside", Point{Lat: -1, Lon: 1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := a.Contains(tt.p); got != tt.want {
				t.Errorf("Contains(%+v) = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
	if (&Area{}).Contains(Point{}) {
		t.Error("empty area contains a point")
	}
}
