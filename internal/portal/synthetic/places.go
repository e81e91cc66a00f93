package synthetic

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/fritid/fritid/internal/portal"
)

// The box the municipality covers, split into a grid of neighbourhoods.
const (
	minLat, maxLat = 59.00, 59.20
	minLon, maxLon = 9.90, 10.20
	gridRows       = 4
	gridCols       = 4
)

// neighbourhoods returns the grid of rectangular neighbourhoods covering the box, row by
// row from the south-west.
func neighbourhoods() []portal.NeighbourhoodInput {
	dLat := (maxLat - minLat) / gridRows
	dLon := (maxLon - minLon) / gridCols
	out := make([]portal.NeighbourhoodInput, 0, gridRows*gridCols)
	for r := range gridRows {
		for c := range gridCols {
			n := len(out) + 1
			s, w := minLat+float64(r)*dLat, minLon+float64(c)*dLon
			in := portal.NeighbourhoodInput{
				Slug:        "omrade-" + strconv.Itoa(n),
				Name:        portal.Texts{"nb": fmt.Sprintf("Område %d", n), "en": fmt.Sprintf("Area %d", n)},
				Description: portal.Texts{"nb": "Et område i kommunen, med skoler, idrettsanlegg og lag og foreninger.", "en": "An area of the municipality, with schools, sports grounds and local clubs."},
				Area:        rectangle(s, w, s+dLat, w+dLon),
			}
			in.Committee.Email = fmt.Sprintf("nmu-omrade-%d@example.org", n)
			out = append(out, in)
		}
	}
	return out
}

// rectangle returns a GeoJSON Polygon for the box, counterclockwise, as [lon, lat].
func rectangle(s, w, n, e float64) json.RawMessage {
	ring := [][2]float64{{w, s}, {e, s}, {e, n}, {w, n}, {w, s}}
	b, _ := json.Marshal(map[string]any{"type": "Polygon", "coordinates": [][][2]float64{ring[:]}})
	return b
}

// venues returns the shared venues, each somewhere in the box, and remembers their keys.
func (g *generator) venues() []portal.VenueInput {
	out := make([]portal.VenueInput, len(venueNames))
	for i, name := range venueNames {
		lat, lon := g.location()
		out[i] = portal.VenueInput{
			Key: "venue-" + strconv.Itoa(i+1), Name: name,
			Street: g.street(), PostalCode: g.postalCode(), Place: pick(g, postalPlaces),
			Lat: &lat, Lon: &lon, Accessibility: pickDistinct(g, accessibility, g.between(0, 3)),
		}
		g.venueKeys = append(g.venueKeys, out[i].Key)
	}
	return out
}

// location returns a point strictly inside the box.
func (g *generator) location() (lat, lon float64) {
	const margin = 0.001
	lat = minLat + margin + g.rng.Float64()*(maxLat-minLat-2*margin)
	lon = minLon + margin + g.rng.Float64()*(maxLon-minLon-2*margin)
	return round5(lat), round5(lon)
}

func (g *generator) street() string {
	return fmt.Sprintf("%s %d", pick(g, streets), g.between(1, 120))
}

func (g *generator) postalCode() string {
	return strconv.Itoa(g.between(3251, 3296))
}
