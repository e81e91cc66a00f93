package portal

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/relay"
)

// Activity is a recurring offer of an organisation: a choir, a football group, a youth club.
type Activity struct {
	bun.BaseModel `bun:"table:activities,alias:a"`

	ID             uuid.UUID              `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID              `bun:"municipality_id,type:uuid"`
	OrganisationID uuid.UUID              `bun:"organisation_id,type:uuid"`
	VenueID        *uuid.UUID             `bun:"venue_id,type:uuid"`
	Slug           string                 `bun:"slug"`
	SortName       string                 `bun:"sort_name,scanonly"`
	TargetGroups   []TargetGroup          `bun:"target_groups,array"`
	AgeMin         *int                   `bun:"age_min"`
	AgeMax         *int                   `bun:"age_max"`
	Accessibility  []AccessibilityFeature `bun:"accessibility,array"`
	PriceOre       int                    `bun:"price_ore"`
	Languages      []string               `bun:"languages,array"`
	Slots          []WeeklySlot           `bun:"slots,type:jsonb"`
	SignupURL      string                 `bun:"signup_url"`
	Email          string                 `bun:"email"`
	Phone          string                 `bun:"phone"`
	AcceptsCard    bool                   `bun:"accepts_card"`
	// PausesInSchoolHolidays and PausesOnPublicHolidays leave the weekly slots out on the
	// days of the municipality's closure calendar.
	PausesInSchoolHolidays bool           `bun:"pauses_in_school_holidays"`
	PausesOnPublicHolidays bool           `bun:"pauses_on_public_holidays"`
	Status                 ActivityStatus `bun:"status"`
	// Published is kept by the database: the activity and its organisation are published.
	Published bool      `bun:"published,scanonly"`
	Lat       *float64  `bun:"lat"`
	Lon       *float64  `bun:"lon"`
	CreatedAt time.Time `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt time.Time `bun:"updated_at,nullzero,notnull,default:current_timestamp"`

	// DistanceKm is set on results of a search near a point.
	DistanceKm *float64 `bun:"distance_km,scanonly"`

	// The texts in the request's locale chain, read with the activity by every query that
	// returns activities; TextLocale is nil when it has no translation at all.
	TextLocale   *string `bun:"text_locale,scanonly"`
	Title        string  `bun:"title,scanonly"`
	Summary      string  `bun:"summary,scanonly"`
	Description  string  `bun:"description,scanonly"`
	PriceNote    string  `bun:"price_note,scanonly"`
	ScheduleText string  `bun:"schedule,scanonly"`

	// Org, Place and CategoryList are the activity's organisation, venue and categories,
	// attached by the API layer (in one batch per request) before the activity is shown.
	Org          *Organisation `bun:"-"`
	Place        *Venue        `bun:"-"`
	CategoryList []*Category   `bun:"-"`
}

// ActivityTranslation is an activity's texts in one locale.
type ActivityTranslation struct {
	bun.BaseModel `bun:"table:activity_translations"`

	ActivityID     uuid.UUID `bun:"activity_id,pk,type:uuid"`
	MunicipalityID uuid.UUID `bun:"municipality_id,type:uuid"`
	Locale         string    `bun:"locale,pk"`
	Title          string    `bun:"title"`
	Summary        string    `bun:"summary"`
	Description    string    `bun:"description"`
	PriceNote      string    `bun:"price_note"`
	Schedule       string    `bun:"schedule"`
}

// WeeklySlot is a regular time of the week: weekday 1 (Monday) to 7 (Sunday), start and
// end as "HH:MM" in the municipality's time zone.
type WeeklySlot struct {
	Weekday Weekday `json:"weekday"`
	Start   string  `json:"start"`
	End     string  `json:"end"`
}

// Schedule is when an activity happens: in words, and as weekly times.
type Schedule struct {
	Text  string
	Slots []*WeeklySlot
}

// Schedule returns when the activity happens.
func (a *Activity) Schedule() *Schedule {
	slots := make([]*WeeklySlot, len(a.Slots))
	for i := range a.Slots {
		slots[i] = &a.Slots[i]
	}
	return &Schedule{Text: a.ScheduleText, Slots: slots}
}

// GlobalID returns the activity's global ID.
func (a *Activity) GlobalID() string { return relay.GlobalID("Activity", a.ID) }

// Free reports whether taking part costs nothing.
func (a *Activity) Free() bool { return a.PriceOre == 0 }

// Location returns where the activity happens, or nil.
func (a *Activity) Location() *Location { return location(a.Lat, a.Lon) }

// Contact returns how to reach the activity's organisers.
func (a *Activity) Contact() *Contact { return &Contact{Email: a.Email, Phone: a.Phone} }
