package portal

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/relay"
)

// Organisation is anyone who offers activity: a voluntary association, the municipality, a
// business (lag, forening, aktør, tilbyder).
type Organisation struct {
	bun.BaseModel `bun:"table:organisations,alias:o"`

	ID             uuid.UUID          `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID          `bun:"municipality_id,type:uuid"`
	Slug           string             `bun:"slug"`
	Name           string             `bun:"name"`
	Kind           OrganisationKind   `bun:"kind"`
	OrgNumber      *string            `bun:"org_number"`
	LogoID         *uuid.UUID         `bun:"logo_id,type:uuid"`
	CoverID        *uuid.UUID         `bun:"cover_id,type:uuid"`
	Email          string             `bun:"email"`
	Phone          string             `bun:"phone"`
	ContactPerson  string             `bun:"contact_person"`
	Website        string             `bun:"website"`
	Street         string             `bun:"street"`
	PostalCode     string             `bun:"postal_code"`
	Place          string             `bun:"place"`
	Lat            *float64           `bun:"lat"`
	Lon            *float64           `bun:"lon"`
	Status         OrganisationStatus `bun:"status"`
	// Scope is the area the organisation serves as a provider; Region names the county
	// of a REGION provider (see providers_shared.go).
	Scope     ProviderScope `bun:"scope,nullzero,notnull,default:'MUNICIPALITY'"`
	Region    string        `bun:"region,nullzero,notnull,default:''"`
	CreatedAt time.Time     `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt time.Time     `bun:"updated_at,nullzero,notnull,default:current_timestamp"`

	// DistanceKm is set on results of a search near a point.
	DistanceKm *float64 `bun:"distance_km,scanonly"`

	// The texts in the request's locale chain, read with the organisation by every query
	// that returns organisations; TextLocale is nil when it has no translation at all.
	TextLocale  *string `bun:"text_locale,scanonly"`
	Summary     string  `bun:"summary,scanonly"`
	Description string  `bun:"description,scanonly"`
}

// GlobalID returns the organisation's global ID.
func (o *Organisation) GlobalID() string { return relay.GlobalID("Organisation", o.ID) }

// OrganisationTranslation is an organisation's texts in one locale.
type OrganisationTranslation struct {
	bun.BaseModel `bun:"table:organisation_translations"`

	OrganisationID uuid.UUID `bun:"organisation_id,pk,type:uuid"`
	MunicipalityID uuid.UUID `bun:"municipality_id,type:uuid"`
	Locale         string    `bun:"locale,pk"`
	Summary        string    `bun:"summary"`
	Description    string    `bun:"description"`
}

// Link is a website or social media profile.
type Link struct {
	bun.BaseModel `bun:"table:organisation_links"`

	ID             uuid.UUID `bun:"id,pk,type:uuid"`
	OrganisationID uuid.UUID `bun:"organisation_id,type:uuid"`
	MunicipalityID uuid.UUID `bun:"municipality_id,type:uuid"`
	Kind           LinkKind  `bun:"kind"`
	URL            string    `bun:"url"`
	SortOrder      int       `bun:"sort_order"`
}

// Location returns where the organisation is, or nil.
func (o *Organisation) Location() *Location { return location(o.Lat, o.Lon) }

// Address returns the organisation's postal address, or nil when it has none.
func (o *Organisation) Address() *Address { return address(o.Street, o.PostalCode, o.Place) }

// Contact returns how to reach the organisation.
func (o *Organisation) Contact() *Contact {
	return &Contact{Email: o.Email, Phone: o.Phone, Person: o.ContactPerson}
}

func location(lat, lon *float64) *Location {
	if lat == nil || lon == nil {
		return nil
	}
	return &Location{Lat: *lat, Lon: *lon}
}

func address(street, postal, place string) *Address {
	if street == "" && postal == "" && place == "" {
		return nil
	}
	return &Address{Street: street, PostalCode: postal, Place: place}
}
