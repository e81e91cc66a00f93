package geo

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// geoJSONObject holds the members of a GeoJSON object that ParseArea reads.
type geoJSONObject struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
	Geometry    json.RawMessage `json:"geometry"`
}

// decodeGeoJSON returns the polygons of a Polygon, a MultiPolygon, or a Feature whose
// geometry is one of them, as polygon -> ring -> position -> coordinate.
func decodeGeoJSON(raw []byte) ([][][][]float64, *apperr.Error) {
	var obj geoJSONObject
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, invalidGeoJSON(err)
	}
	if obj.Type == "Feature" {
		if isNull(obj.Geometry) {
			return nil, invalidGeoJSON(errors.New("feature has no geometry"))
		}
		geometry := obj.Geometry
		obj = geoJSONObject{}
		if err := json.Unmarshal(geometry, &obj); err != nil {
			return nil, invalidGeoJSON(err)
		}
	}
	return decodeCoordinates(obj)
}

// decodeCoordinates decodes the coordinates of a Polygon or MultiPolygon object.
func decodeCoordinates(obj geoJSONObject) ([][][][]float64, *apperr.Error) {
	var polys [][][][]float64
	switch obj.Type {
	case "Polygon":
		var rings [][][]float64
		if err := json.Unmarshal(obj.Coordinates, &rings); err != nil {
			return nil, invalidGeoJSON(err)
		}
		polys = [][][][]float64{rings}
	case "MultiPolygon":
		if err := json.Unmarshal(obj.Coordinates, &polys); err != nil {
			return nil, invalidGeoJSON(err)
		}
	default:
		return nil, invalidGeoJSON(fmt.Errorf("geometry type %q is not Polygon or MultiPolygon", obj.Type))
	}
	if len(polys) == 0 {
		return nil, invalidGeoJSON(errors.New("no polygons"))
	}
	return polys, nil
}

// invalidGeoJSON returns a GeoJSONInvalid error that keeps cause for the log. The
// caller sets the field.
func invalidGeoJSON(cause error) *apperr.Error {
	return &apperr.Error{Code: apperr.BadUserInput, MessageID: "GeoJSONInvalid", Err: cause}
}

func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// GeoJSON returns the area as compact GeoJSON: a Polygon when it has one polygon,
// else a MultiPolygon.
func (a *Area) GeoJSON() []byte {
	b := make([]byte, 0, 64+24*countPoints(a.Polygons))
	if len(a.Polygons) == 1 {
		b = append(b, `{"type":"Polygon","coordinates":`...)
		b = appendPolygon(b, a.Polygons[0])
	} else {
		b = append(b, `{"type":"MultiPolygon","coordinates":[`...)
		for i, rings := range a.Polygons {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendPolygon(b, rings)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func countPoints(polys [][][]Point) int {
	n := 0
	for _, rings := range polys {
		for _, ring := range rings {
			n += len(ring)
		}
	}
	return n
}

func appendPolygon(b []byte, rings [][]Point) []byte {
	b = append(b, '[')
	for j, ring := range rings {
		if j > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		for k, p := range ring {
			if k > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			b = appendCoord(b, p.Lon)
			b = append(b, ',')
			b = appendCoord(b, p.Lat)
			b = append(b, ']')
		}
		b = append(b, ']')
	}
	return append(b, ']')
}

// appendCoord writes v in its shortest form; -0 is written as 0.
func appendCoord(b []byte, v float64) []byte {
	if v == 0 {
		v = 0
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}
