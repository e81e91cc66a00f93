package portal

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/relay"
)

// Venue is a place where activities happen, shared by activities.
type Venue struct {
	bun.BaseModel `bun:"table:venues,alias:v"`

	ID             uuid.UUID              `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID              `bun:"municipality_id,type:uuid"`
	Name           string                 `bun:"name"`
	Street         string                 `bun:"street"`
	PostalCode     string                 `bun:"postal_code"`
	Place          string                 `bun:"place"`
	Lat            *float64               `bun:"lat"`
	Lon            *float64               `bun:"lon"`
	Accessibility  []AccessibilityFeature `bun:"accessibility,array"`
	// OrganisationID is the organisation that added the venue and keeps it up to date; nil
	// for the municipality's own.
	OrganisationID *uuid.UUID `bun:"organisation_id,type:uuid"`
	ArchivedAt     *time.Time `bun:"archived_at"`
	CreatedAt      time.Time  `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt      time.Time  `bun:"updated_at,nullzero,notnull,default:current_timestamp"`
}

// GlobalID returns the venue's global ID.
func (v *Venue) GlobalID() string { return relay.GlobalID("Venue", v.ID) }

// Location returns where the venue is, or nil.
func (v *Venue) Location() *Location { return location(v.Lat, v.Lon) }

// Address returns the venue's postal address, or nil.
func (v *Venue) Address() *Address { return address(v.Street, v.PostalCode, v.Place) }

// Archived reports whether the venue is archived: kept on the activities already there,
// but no longer listed or offered for new ones.
func (v *Venue) Archived() bool { return v.ArchivedAt != nil }
