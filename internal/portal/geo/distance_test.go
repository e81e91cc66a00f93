package geo

import (
	"math"
	"math/rand/v2"
	"testing"
)

var (
	larvikChurch = Point{Lat: 59.0535, Lon: 10.0265}
	stavern      = Point{Lat: 58.998, Lon: 10.035}
)

func TestDistanceKm(t *testing.T) {
	tests := []struct {
		name      string
		a, b      Point
		want, tol float64
	}{
		{"LarvikStavern", larvikChurch, stavern, 6.2, 0.3},
		{"Same", larvikChurch, larvikChurch, 0, 0},
		{"OneDegreeLatitude", Point{Lat: 0, Lon: 0}, Point{Lat: 1, Lon: 0}, 111.195, 0.001},
		{"OsloBergen", Point{Lat: 59.9139, Lon: 10.7522}, Point{Lat: 60.3913, Lon: 5.3221}, 305, 3},
		{"Antipodes", Point{Lat: 0, Lon: 0}, Point{Lat: 0, Lon: 180}, math.Pi * EarthRadiusKm, 1e-9},
		{"AcrossAntimeridian", Point{Lat: 0, Lon: 179.5}, Point{Lat: 0, Lon: -179.5}, 111.195, 0.001},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DistanceKm(tt.a, tt.b)
			if math.Abs(got-tt.want) > tt.tol {
				t.Errorf("DistanceKm = %.4f, want %.4f ± %g", got, tt.want, tt.tol)
			}
			if back := DistanceKm(tt.b, tt.a); back != got {
				t.Errorf("DistanceKm not symmetric: %v vs %v", got, back)
			}
		})
	}
}

func TestAroundBox(t *testing.T) {
	tests := []struct {
		name   string
		p      Point
		r      float64
		want   BBox
		degTol float64
	}{
		{"Larvik10km", larvikChurch, 10,
			BBox{MinLat: 59.0535 - 0.08993, MaxLat: 59.0535 + 0.08993, MinLon: 10.0265 - 0.174884, MaxLon: 10.0265 + 0.174884}, 1e-4},
		{"NearNorthPole", Point{Lat: 89.9, Lon: 10}, 50,
			BBox{MinLat: 89.9 - 0.44966, MaxLat: 90, MinLon: -180, MaxLon: 180}, 1e-4},
		{"NearSouthPole", Point{Lat: -89.5, Lon: 10}, 100,
			BBox{MinLat: -90, MaxLat: -89.5 + 0.89932, MinLon: -180, MaxLon: 180}, 1e-4},
		{"AcrossAntimeridian", Point{Lat: 0, Lon: 179.99}, 5,
			BBox{MinLat: -0.04497, MaxLat: 0.04497, MinLon: -180, MaxLon: 180}, 1e-4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AroundBox(tt.p, tt.r)
			if !boxNear(got, tt.want, tt.degTol) {
				t.Errorf("AroundBox = %+v, want %+v", got, tt.want)
			}
			if err := ValidateBBox(got, "box"); err != nil {
				t.Errorf("AroundBox is not a valid box: %v", err)
			}
		})
	}
}

func boxNear(a, b BBox, tol float64) bool {
	return math.Abs(a.MinLat-b.MinLat) <= tol && math.Abs(a.MaxLat-b.MaxLat) <= tol &&
		math.Abs(a.MinLon-b.MinLon) <= tol && math.Abs(a.MaxLon-b.MaxLon) <= tol
}

// TestAroundBoxHoldsCircle checks, for random centres and radii, that every point
// closer than the radius (many of them just inside it) lies in the box.
func TestAroundBoxHoldsCircle(t *testing.T) {
	rng := rand.New(rand.NewPCG(59, 10))
	centres := []struct {
		name           string
		latMin, latMax float64
	}{
		{"Anywhere", -89.99, 89.99},
		{"Norway", 57, 72},
		{"Polar", 80, 90},
	}
	for _, c := range centres {
		t.Run(c.name, func(t *testing.T) {
			for range 5000 {
				p := Point{Lat: c.latMin + rng.Float64()*(c.latMax-c.latMin), Lon: -180 + 360*rng.Float64()}
				r := 500 * (1 - rng.Float64())
				box := AroundBox(p, r)
				for range 20 {
					d := r * (1 - math.Pow(rng.Float64(), 4)) // mostly near the rim
					q := destination(p, 360*rng.Float64(), d)
					if DistanceKm(p, q) < r && !box.Contains(q) {
						t.Fatalf("AroundBox(%v, %v) = %+v misses %v at %.9f km", p, r, box, q, DistanceKm(p, q))
					}
				}
			}
		})
	}
}

// destination returns the point distKm from p on the initial bearing (degrees).
func destination(p Point, bearing, distKm float64) Point {
	lat1, lon1, th := radians(p.Lat), radians(p.Lon), radians(bearing)
	d := distKm / EarthRadiusKm
	lat2 := math.Asin(math.Sin(lat1)*math.Cos(d) + math.Cos(lat1)*math.Sin(d)*math.Cos(th))
	lon2 := lon1 + math.Atan2(math.Sin(th)*math.Sin(d)*math.Cos(lat1), math.Cos(d)-math.Sin(lat1)*math.Sin(lat2))
	lon := math.Mod(degrees(lon2)+540, 360) - 180
	return Point{Lat: degrees(lat2), Lon: lon}
}
