package geo

import (
	"math"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// EarthRadiusKm is the mean Earth radius (IUGG) used for distances.
const EarthRadiusKm = 6371.0088

// MaxRadiusKm is the largest search radius ValidateRadius accepts.
const MaxRadiusKm = 500

// boxMarginDeg widens AroundBox by about 0.1 mm so rounding never drops a point.
const boxMarginDeg = 1e-9

// DistanceKm returns the great-circle distance between a and b in kilometres
// (haversine formula on a sphere of radius EarthRadiusKm).
func DistanceKm(a, b Point) float64 {
	lat1, lat2 := radians(a.Lat), radians(b.Lat)
	dLat := lat2 - lat1
	dLon := radians(b.Lon - a.Lon)
	h := sin2(dLat/2) + math.Cos(lat1)*math.Cos(lat2)*sin2(dLon/2)
	return 2 * EarthRadiusKm * math.Asin(math.Sqrt(math.Min(1, h)))
}

// AroundBox returns a bounding box of every point within radiusKm of p, for use as an
// index prefilter before the exact DistanceKm test. When the circle reaches a pole or
// crosses the antimeridian the box spans all longitudes. p and radiusKm should have
// passed ValidatePoint and ValidateRadius.
func AroundBox(p Point, radiusKm float64) BBox {
	angle := math.Max(radiusKm, 0) / EarthRadiusKm
	dLat := degrees(angle) + boxMarginDeg
	b := BBox{MinLat: p.Lat - dLat, MaxLat: p.Lat + dLat, MinLon: -180, MaxLon: 180}
	if b.MinLat <= -90 || b.MaxLat >= 90 {
		b.MinLat, b.MaxLat = math.Max(b.MinLat, -90), math.Min(b.MaxLat, 90)
		return b
	}
	// The widest longitude offset on a spherical cap (Matuschek's bounding coordinates).
	s := math.Min(1, math.Sin(angle)/math.Cos(radians(p.Lat)))
	dLon := degrees(math.Asin(s)) + boxMarginDeg
	if p.Lon-dLon >= -180 && p.Lon+dLon <= 180 {
		b.MinLon, b.MaxLon = p.Lon-dLon, p.Lon+dLon
	}
	return b
}

// ValidateRadius returns a BAD_USER_INPUT error with MessageID "RadiusRange" for field
// unless radiusKm is greater than 0 and at most MaxRadiusKm.
func ValidateRadius(radiusKm float64, field string) error {
	if !(radiusKm > 0 && radiusKm <= MaxRadiusKm) {
		return apperr.Invalid(field, "RadiusRange", map[string]any{"Max": MaxRadiusKm})
	}
	return nil
}

func radians(deg float64) float64 { return deg * math.Pi / 180 }

func degrees(rad float64) float64 { return rad * 180 / math.Pi }

func sin2(x float64) float64 {
	s := math.Sin(x)
	return s * s
}
