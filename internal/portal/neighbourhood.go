package portal

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/relay"
)

// Neighbourhood is an area of the municipality (nærmiljø) with its committee (nærmiljøutvalg).
type Neighbourhood struct {
	bun.BaseModel `bun:"table:neighbourhoods,alias:n"`

	ID               uuid.UUID       `bun:"id,pk,type:uuid"`
	MunicipalityID   uuid.UUID       `bun:"municipality_id,type:uuid"`
	Slug             string          `bun:"slug"`
	Area             json.RawMessage `bun:"area,type:jsonb"`
	MinLat           float64         `bun:"min_lat"`
	MinLon           float64         `bun:"min_lon"`
	MaxLat           float64         `bun:"max_lat"`
	MaxLon           float64         `bun:"max_lon"`
	CommitteeEmail   string          `bun:"committee_email"`
	CommitteePhone   string          `bun:"committee_phone"`
	CommitteeWebsite string          `bun:"committee_website"`
	SortOrder        int             `bun:"sort_order"`
	CreatedAt        time.Time       `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt        time.Time       `bun:"updated_at,nullzero,notnull,default:current_timestamp"`
}

// GlobalID returns the neighbourhood's global ID.
func (n *Neighbourhood) GlobalID() string { return relay.GlobalID("Neighbourhood", n.ID) }

// NeighbourhoodTranslation is a neighbourhood's texts in one locale.
type NeighbourhoodTranslation struct {
	bun.BaseModel `bun:"table:neighbourhood_translations"`

	NeighbourhoodID uuid.UUID `bun:"neighbourhood_id,pk,type:uuid"`
	MunicipalityID  uuid.UUID `bun:"municipality_id,type:uuid"`
	Locale          string    `bun:"locale,pk"`
	Name            string    `bun:"name"`
	Description     string    `bun:"description"`
}

// CommitteeMember is a public member of a neighbourhood committee.
type CommitteeMember struct {
	bun.BaseModel `bun:"table:committee_members"`

	ID              uuid.UUID `bun:"id,pk,type:uuid"`
	NeighbourhoodID uuid.UUID `bun:"neighbourhood_id,type:uuid"`
	MunicipalityID  uuid.UUID `bun:"municipality_id,type:uuid"`
	Name            string    `bun:"name"`
	Role            string    `bun:"role"`
	SortOrder       int       `bun:"sort_order"`
}
