package portal

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/platform/relay"
)

// OrganisationKind is what sort of actor an organisation is.
type OrganisationKind string

// The organisation kinds.
const (
	KindVoluntary  OrganisationKind = "VOLUNTARY"
	KindMunicipal  OrganisationKind = "MUNICIPAL"
	KindCommercial OrganisationKind = "COMMERCIAL"
	KindPrivate    OrganisationKind = "PRIVATE"
	KindReligious  OrganisationKind = "RELIGIOUS"
	KindOther      OrganisationKind = "OTHER"
)

// OrganisationStatus says whether the public sees an organisation.
type OrganisationStatus string

// The organisation statuses; only PUBLISHED is visible to anonymous readers.
const (
	OrganisationPending   OrganisationStatus = "PENDING"
	OrganisationPublished OrganisationStatus = "PUBLISHED"
	OrganisationHidden    OrganisationStatus = "HIDDEN"
	OrganisationRejected  OrganisationStatus = "REJECTED"
)

// ActivityStatus is where an activity is in its life.
type ActivityStatus string

// The activity statuses.
const (
	ActivityDraft     ActivityStatus = "DRAFT"
	ActivityPublished ActivityStatus = "PUBLISHED"
	ActivityArchived  ActivityStatus = "ARCHIVED"
)

// TargetGroup is who an activity is for.
type TargetGroup string

// AccessibilityFeature is one way an activity or venue is adapted (tilrettelagt).
type AccessibilityFeature string

// LinkKind is what a link points at.
type LinkKind string

// Location is a point on the map (WGS84).
type Location struct {
	Lat float64
	Lon float64
}

// Address is a postal address.
type Address struct {
	Street     string
	PostalCode string
	Place      string
}

// Contact is how to reach an organisation, activity or committee.
type Contact struct {
	Email  string
	Phone  string
	Person string
}

// Media is an image with its size and translated alt text.
type Media struct {
	bun.BaseModel `bun:"table:media"`

	ID             uuid.UUID `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID `bun:"municipality_id,type:uuid"`
	// OrganisationID is the organisation whose members keep the image; nil for the
	// municipality's own images.
	OrganisationID *uuid.UUID `bun:"organisation_id,type:uuid"`
	URL            string     `bun:"url"`
	Width          int        `bun:"width"`
	Height         int        `bun:"height"`
	CreatedAt      time.Time  `bun:"created_at,nullzero,notnull,default:current_timestamp"`

	Translations []*MediaTranslation `bun:"rel:has-many,join:id=media_id"`
}

// MediaTranslation is an image's alt text in one locale.
type MediaTranslation struct {
	bun.BaseModel `bun:"table:media_translations"`

	MediaID        uuid.UUID `bun:"media_id,pk,type:uuid"`
	MunicipalityID uuid.UUID `bun:"municipality_id,type:uuid"`
	Locale         string    `bun:"locale,pk"`
	Alt            string    `bun:"alt"`
}

// GlobalID returns the image's global ID.
func (m *Media) GlobalID() string { return relay.GlobalID("Image", m.ID) }

// Alt returns the first non-empty alt text along chain, or "".
func (m *Media) Alt(chain []string) string {
	return pickField(chain, m.Translations, func(t *MediaTranslation) string { return t.Locale }, func(t *MediaTranslation) string { return t.Alt })
}

// pickTranslation returns the translation for the first locale of chain that has one, else
// the first there is, else nil.
func pickTranslation[T any](chain []string, ts []*T, locale func(*T) string) *T {
	byLocale := make(map[string]*T, len(ts))
	for _, t := range ts {
		byLocale[locale(t)] = t
	}
	if t, _, ok := i18n.Pick(chain, byLocale); ok {
		return t
	}
	if len(ts) > 0 {
		return ts[0]
	}
	return nil
}

// pickField returns the first non-empty field of ts along chain, else the first non-empty
// one of another locale, else "": each translated field falls back on its own, as the
// catalogue's queries do in SQL.
func pickField[T any](chain []string, ts []*T, locale func(*T) string, field func(*T) string) string {
	byLocale := make(map[string]string, len(ts))
	for _, t := range ts {
		if v := field(t); v != "" {
			byLocale[locale(t)] = v
		}
	}
	if v, _, ok := i18n.Pick(chain, byLocale); ok {
		return v
	}
	for _, t := range ts {
		if v := field(t); v != "" {
			return v
		}
	}
	return ""
}
