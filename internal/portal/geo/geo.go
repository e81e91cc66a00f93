// Package geo holds the portal's small amount of geometry: WGS84 points and bounding
// boxes, neighbourhood areas stored as GeoJSON Polygons or MultiPolygons, point-in-area
// tests and great-circle distances. It needs no spatial database: areas are validated
// and tested in Go.
//
// Coordinates are degrees; GeoJSON positions are [lon, lat]. Area coordinates are kept
// on a grid of 1e-7 degrees (about 1 cm), which makes every geometric predicate exact.
package geo

import (
	"math"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// Point is a WGS84 position in degrees.
type Point struct {
	Lat, Lon float64
}

// BBox is a latitude/longitude box; it never crosses the antimeridian, so MinLon <= MaxLon.
type BBox struct {
	MinLat, MinLon, MaxLat, MaxLon float64
}

// Contains reports whether p lies inside b or on its border.
func (b BBox) Contains(p Point) bool {
	return p.Lat >= b.MinLat && p.Lat <= b.MaxLat && p.Lon >= b.MinLon && p.Lon <= b.MaxLon
}

// ValidatePoint returns a BAD_USER_INPUT error naming field+".lat" (MessageID
// "LatitudeRange") or field+".lon" (MessageID "LongitudeRange") when p's latitude is not
// a finite number in [-90, 90] or its longitude not one in [-180, 180].
func ValidatePoint(p Point, field string) error {
	if err := checkLat(p.Lat, field+".lat"); err != nil {
		return err
	}
	if err := checkLon(p.Lon, field+".lon"); err != nil {
		return err
	}
	return nil
}

// ValidateBBox checks every corner of b as ValidatePoint does, naming field+".minLat",
// field+".minLon", field+".maxLat" or field+".maxLon", and returns MessageID
// "BBoxInverted" for field when a minimum exceeds its maximum. Boxes that cross the
// antimeridian are not supported and count as inverted.
func ValidateBBox(b BBox, field string) error {
	checks := []struct {
		check func(float64, string) *apperr.Error
		v     float64
		name  string
	}{
		{checkLat, b.MinLat, ".minLat"},
		{checkLon, b.MinLon, ".minLon"},
		{checkLat, b.MaxLat, ".maxLat"},
		{checkLon, b.MaxLon, ".maxLon"},
	}
	for _, c := range checks {
		if err := c.check(c.v, field+c.name); err != nil {
			return err
		}
	}
	if b.MinLat > b.MaxLat || b.MinLon > b.MaxLon {
		return apperr.Invalid(field, "BBoxInverted", nil)
	}
	return nil
}

func checkLat(v float64, field string) *apperr.Error {
	if !inRange(v, -90, 90) {
		return apperr.Invalid(field, "LatitudeRange", map[string]any{"Min": -90, "Max": 90})
	}
	return nil
}

func checkLon(v float64, field string) *apperr.Error {
	if !inRange(v, -180, 180) {
		return apperr.Invalid(field, "LongitudeRange", map[string]any{"Min": -180, "Max": 180})
	}
	return nil
}

// inRange reports whether v is a finite number in [lo, hi]; NaN fails every comparison.
func inRange(v, lo, hi float64) bool {
	return v >= lo && v <= hi && !math.IsInf(v, 0)
}

// validPoint reports whether p would pass ValidatePoint.
func validPoint(p Point) bool {
	return inRange(p.Lat, -90, 90) && inRange(p.Lon, -180, 180)
}
