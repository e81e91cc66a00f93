package portal

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/portal/geo"
)

// Texts is one text in several locales, keyed by locale code.
type Texts map[string]string

// NeighbourhoodInput describes a neighbourhood to import.
type NeighbourhoodInput struct {
	Slug        string          `json:"slug"`
	Name        Texts           `json:"name"`
	Description Texts           `json:"description"`
	Area        json.RawMessage `json:"area"`
	Committee   struct {
		Email   string `json:"email"`
		Phone   string `json:"phone"`
		Website string `json:"website"`
		Members []struct {
			Name string `json:"name"`
			Role string `json:"role"`
		} `json:"members"`
	} `json:"committee"`
	// KeepCommittee leaves a saved neighbourhood's committee as it is (the API's committee
	// left out), so that saving the area does not undo what its committee editor wrote.
	KeepCommittee bool `json:"-"`
}

// VenueInput describes a venue to import; Key names it for the activities that use it.
type VenueInput struct {
	Key           string                 `json:"key"`
	Name          string                 `json:"name"`
	Street        string                 `json:"street"`
	PostalCode    string                 `json:"postalCode"`
	Place         string                 `json:"place"`
	Lat           *float64               `json:"lat"`
	Lon           *float64               `json:"lon"`
	Accessibility []AccessibilityFeature `json:"accessibility"`
}

// ImageInput describes an image at an external URL.
type ImageInput struct {
	URL    string `json:"url"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Alt    Texts  `json:"alt"`
}

// OrganisationInput describes an organisation and its activities to import.
type OrganisationInput struct {
	Slug          string             `json:"slug"`
	Name          string             `json:"name"`
	Kind          OrganisationKind   `json:"kind"`
	OrgNumber     *string            `json:"orgNumber"`
	Categories    []string           `json:"categories"`
	Summary       Texts              `json:"summary"`
	Description   Texts              `json:"description"`
	Email         string             `json:"email"`
	Phone         string             `json:"phone"`
	ContactPerson string             `json:"contactPerson"`
	Website       string             `json:"website"`
	Links         []LinkInput        `json:"links"`
	Street        string             `json:"street"`
	PostalCode    string             `json:"postalCode"`
	Place         string             `json:"place"`
	Lat           *float64           `json:"lat"`
	Lon           *float64           `json:"lon"`
	Logo          *ImageInput        `json:"logo"`
	Cover         *ImageInput        `json:"cover"`
	Status        OrganisationStatus `json:"status"`
	// Neighbourhoods (slugs) are assigned by hand, for an organisation without a location.
	Neighbourhoods []string        `json:"neighbourhoods"`
	Activities     []ActivityInput `json:"activities"`
}

// LinkInput is a website or social media link.
type LinkInput struct {
	Kind LinkKind `json:"kind"`
	URL  string   `json:"url"`
}

// ActivityInput describes an activity to import.
type ActivityInput struct {
	Slug          string                 `json:"slug"`
	Title         Texts                  `json:"title"`
	Summary       Texts                  `json:"summary"`
	Description   Texts                  `json:"description"`
	Categories    []string               `json:"categories"`
	TargetGroups  []TargetGroup          `json:"targetGroups"`
	AgeMin        *int                   `json:"ageMin"`
	AgeMax        *int                   `json:"ageMax"`
	Accessibility []AccessibilityFeature `json:"accessibility"`
	PriceOre      int                    `json:"priceOre"`
	PriceNote     Texts                  `json:"priceNote"`
	Languages     []string               `json:"languages"`
	Schedule      Texts                  `json:"schedule"`
	Slots         []WeeklySlot           `json:"slots"`
	Venue         string                 `json:"venue"`
	SignupURL     string                 `json:"signupUrl"`
	Email         string                 `json:"email"`
	Phone         string                 `json:"phone"`
	AcceptsCard   bool                   `json:"acceptsCard"`
	Status        ActivityStatus         `json:"status"`
	Images        []ImageInput           `json:"images"`
}

// Importer writes catalogue content in bulk for one municipality, inside the caller's
// transaction: the demo data and the synthetic data for benchmarks. It assigns
// neighbourhoods from locations as it goes.
type Importer struct {
	db         bun.IDB
	mid        uuid.UUID
	categories map[string]uuid.UUID
	areas      []namedArea
	venues     map[string]*Venue
}

type namedArea struct {
	id   uuid.UUID
	slug string
	area *geo.Area
}

// NewImporter returns an Importer for the municipality, knowing its categories.
func NewImporter(ctx context.Context, db bun.IDB, municipalityID uuid.UUID) (*Importer, error) {
	cats, err := findCategories(ctx, db, municipalityID)
	if err != nil {
		return nil, err
	}
	im := &Importer{db: db, mid: municipalityID, categories: map[string]uuid.UUID{}, venues: map[string]*Venue{}}
	for _, c := range cats {
		im.categories[c.Slug] = c.ID
	}
	return im, nil
}

// AddNeighbourhood validates and writes a neighbourhood with its committee. Errors:
// BAD_USER_INPUT for a bad area.
func (im *Importer) AddNeighbourhood(ctx context.Context, in NeighbourhoodInput) (uuid.UUID, error) {
	area, err := geo.ParseArea(in.Area, "area")
	if err != nil {
		return uuid.Nil, err
	}
	n := &Neighbourhood{ID: newID(), MunicipalityID: im.mid, Slug: in.Slug, Area: area.GeoJSON(),
		MinLat: area.Box.MinLat, MinLon: area.Box.MinLon, MaxLat: area.Box.MaxLat, MaxLon: area.Box.MaxLon,
		CommitteeEmail: in.Committee.Email, CommitteePhone: in.Committee.Phone, CommitteeWebsite: in.Committee.Website,
		SortOrder: len(im.areas) + 1}
	if _, err := im.db.NewInsert().Model(n).Exec(ctx); err != nil {
		return uuid.Nil, database.MapError(err, "insert neighbourhood", "neighbourhood")
	}
	var ts []*NeighbourhoodTranslation
	for loc, name := range in.Name {
		ts = append(ts, &NeighbourhoodTranslation{NeighbourhoodID: n.ID, MunicipalityID: im.mid, Locale: loc, Name: name, Description: in.Description[loc]})
	}
	if err := im.insert(ctx, &ts, "neighbourhood translations"); err != nil {
		return uuid.Nil, err
	}
	var ms []*CommitteeMember
	for i, m := range in.Committee.Members {
		ms = append(ms, &CommitteeMember{ID: newID(), NeighbourhoodID: n.ID, MunicipalityID: im.mid, Name: m.Name, Role: m.Role, SortOrder: i + 1})
	}
	if err := im.insert(ctx, &ms, "committee members"); err != nil {
		return uuid.Nil, err
	}
	im.areas = append(im.areas, namedArea{id: n.ID, slug: n.Slug, area: area})
	return n.ID, nil
}

// AddVenue writes a venue and its neighbourhoods.
func (im *Importer) AddVenue(ctx context.Context, in VenueInput) (*Venue, error) {
	v := &Venue{ID: newID(), MunicipalityID: im.mid, Name: in.Name, Street: in.Street, PostalCode: in.PostalCode,
		Place: in.Place, Lat: in.Lat, Lon: in.Lon, Accessibility: nonNil(in.Accessibility)}
	if _, err := im.db.NewInsert().Model(v).Exec(ctx); err != nil {
		return nil, database.MapError(err, "insert venue", "venue")
	}
	var links []map[string]any
	for _, nid := range im.containing(v.Lat, v.Lon) {
		links = append(links, map[string]any{"venue_id": v.ID, "neighbourhood_id": nid, "municipality_id": im.mid})
	}
	if err := im.insertMaps(ctx, "venue_neighbourhoods", links); err != nil {
		return nil, err
	}
	im.venues[in.Key] = v
	return v, nil
}

// containing returns the neighbourhoods whose area contains the point.
func (im *Importer) containing(lat, lon *float64) []uuid.UUID {
	if lat == nil || lon == nil {
		return nil
	}
	p := geo.Point{Lat: *lat, Lon: *lon}
	var ids []uuid.UUID
	for _, a := range im.areas {
		if a.area.Box.Contains(p) && a.area.Contains(p) {
			ids = append(ids, a.id)
		}
	}
	return ids
}

func (im *Importer) categoryIDs(slugs []string, field string) ([]uuid.UUID, error) {
	ids := make([]uuid.UUID, 0, len(slugs))
	for _, s := range slugs {
		id, ok := im.categories[s]
		if !ok {
			return nil, apperr.Invalid(field, "UnknownCategory", map[string]any{"Slug": s})
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// insert bulk-inserts a slice of models; an empty slice writes nothing.
func (im *Importer) insert(ctx context.Context, slicePtr any, what string) error {
	if reflect.ValueOf(slicePtr).Elem().Len() == 0 {
		return nil
	}
	if _, err := im.db.NewInsert().Model(slicePtr).Exec(ctx); err != nil {
		return database.MapError(err, "insert "+what, what)
	}
	return nil
}

// insertMaps bulk-inserts rows of a link table.
func (im *Importer) insertMaps(ctx context.Context, table string, rows []map[string]any) error {
	if len(rows) == 0 {
		return nil
	}
	cols := make([]string, 0, len(rows[0]))
	for c := range rows[0] {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	var sb strings.Builder
	args := make([]any, 0, len(rows)*len(cols))
	fmt.Fprintf(&sb, "INSERT INTO %s (%s) VALUES ", table, strings.Join(cols, ", "))
	for i, r := range rows {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")")
		for _, c := range cols {
			args = append(args, r[c])
		}
	}
	if _, err := im.db.ExecContext(ctx, sb.String(), args...); err != nil {
		return database.MapError(err, fmt.Sprintf("insert %s", table), table)
	}
	return nil
}

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
