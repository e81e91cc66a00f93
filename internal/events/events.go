// Package events is the municipality's event calendar: dated events by organisations or by
// the municipality, umbrella events (a festival, a holiday programme) over others,
// recurring series whose occurrences are materialised as event rows up to a horizon, and
// the closure calendar (school and public holidays) that series and activities pause in.
//
// An event's publication (DRAFT or PUBLISHED) says who sees it; its status (SCHEDULED,
// CANCELLED, POSTPONED, RESCHEDULED, as schema.org's eventStatus) says whether it happens.
package events

import (
	"context"
	"encoding/json"
	"slices"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/card"
	"github.com/fritid/fritid/internal/content"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/portal"
)

// Service reads and writes events, series and closures.
type Service struct {
	db *bun.DB
	// Now is the clock; tests set it. Nil: time.Now.
	Now func() time.Time
	// Horizon is how far ahead a series' occurrences exist as rows; zero: DefaultHorizon.
	Horizon time.Duration
	// SignupRetention is how long after an event ends its sign-ups are kept; zero:
	// DefaultSignupRetention.
	SignupRetention time.Duration
	// Cards claims the tickets that take card places (SignUpWithCard).
	Cards *card.Service
	// Here gives the condition that a row is one of a municipality's, its own or an
	// accepted provider's through a served function (portal.Service.HereCond); nil: its
	// own only.
	Here func(ctx context.Context, mid uuid.UUID, alias, fn string) (string, []any, error)
	// PublicURL is the portal the e-mails' links point into (/cancel-signup?token=).
	PublicURL string

	// NoJSON, when set, leaves every list of events to the API's executor, which the lists
	// the database writes as JSON (FindEventsJSON, EventsBetweenJSON) are compared with.
	NoJSON atomic.Bool

	feeds *lru.Cache[feedKey, *ICalBody]
}

// DefaultHorizon is how far ahead occurrences are made unless configured.
const DefaultHorizon = 365 * 24 * time.Hour

// MaxOccurrences is the most occurrences one series may make (within its horizon, or in
// all when its rule ends): more is refused as bad input.
const MaxOccurrences = 500

// MaxRangeDays bounds a date range read at once (events' from/to, closures, an
// activity's occurrences).
const MaxRangeDays = 366

// NewService returns a Service over db.
func NewService(db *bun.DB) *Service { return &Service{db: db, feeds: newFeedCache()} }

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) horizon() time.Duration {
	if s.Horizon > 0 {
		return s.Horizon
	}
	return DefaultHorizon
}

// Status is whether an event happens as planned (schema.org's eventStatus).
type Status string

// The event statuses.
const (
	StatusScheduled   Status = "SCHEDULED"
	StatusCancelled   Status = "CANCELLED"
	StatusPostponed   Status = "POSTPONED"
	StatusRescheduled Status = "RESCHEDULED"
)

// Publication is who sees an event: DRAFT, those who may write it; PUBLISHED, everyone.
type Publication string

// The publications.
const (
	Draft     Publication = "DRAFT"
	Published Publication = "PUBLISHED"
)

// Scope is which occurrences of a series an edit of one of them changes.
type Scope string

// The scopes of an edit.
const (
	ScopeThis             Scope = "THIS"
	ScopeThisAndFollowing Scope = "THIS_AND_FOLLOWING"
	ScopeAll              Scope = "ALL"
)

// Attrs are the fields an event has whether it stands alone or is made from a series'
// template (where they are kept as JSON).
type Attrs struct {
	OrganisationID   *uuid.UUID                    `bun:"organisation_id,type:uuid" json:"organisationId,omitempty"`
	ParentID         *uuid.UUID                    `bun:"parent_id,type:uuid" json:"parentId,omitempty"`
	HolidayProgramme bool                          `bun:"holiday_programme" json:"holidayProgramme"`
	VenueID          *uuid.UUID                    `bun:"venue_id,type:uuid" json:"venueId,omitempty"`
	Place            string                        `bun:"place" json:"place"`
	AllDay           bool                          `bun:"all_day" json:"allDay"`
	TimeZone         string                        `bun:"time_zone" json:"timeZone"`
	Status           Status                        `bun:"status" json:"status"`
	Publication      Publication                   `bun:"publication" json:"publication"`
	TargetGroups     []portal.TargetGroup          `bun:"target_groups,array" json:"targetGroups"`
	AgeMin           *int                          `bun:"age_min" json:"ageMin,omitempty"`
	AgeMax           *int                          `bun:"age_max" json:"ageMax,omitempty"`
	Accessibility    []portal.AccessibilityFeature `bun:"accessibility,array" json:"accessibility"`
	PriceOre         int                           `bun:"price_ore" json:"priceOre"`
	CardOfferID      *uuid.UUID                    `bun:"card_offer_id,type:uuid" json:"cardOfferId,omitempty"`
	CategoryIDs      []uuid.UUID                   `bun:"category_ids,array,scanonly" json:"categoryIds"`
	// ImageIDs are images of the municipality's library, in the order shown.
	ImageIDs []uuid.UUID `bun:"image_ids,array" json:"imageIds"`
}

// Event is one dated event, alone or an occurrence of a series, with its texts as the
// reader sees them.
type Event struct {
	bun.BaseModel `bun:"table:events,alias:e"`

	ID             uuid.UUID `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID `bun:"municipality_id,type:uuid"`
	Slug           string    `bun:"slug"`
	Attrs
	SeriesID *uuid.UUID `bun:"series_id,type:uuid"`
	// RecurrenceStart is the start the series' rule gave the occurrence (its RECURRENCE-ID).
	RecurrenceStart *time.Time `bun:"recurrence_start"`
	// Overridden: the occurrence was changed on its own and the rule leaves it as it is.
	Overridden       bool        `bun:"overridden"`
	StartsAt         time.Time   `bun:"starts_at"`
	EndsAt           time.Time   `bun:"ends_at"`
	NeighbourhoodIDs []uuid.UUID `bun:"neighbourhood_ids,array,scanonly"`
	// Sequence is the iCalendar SEQUENCE: it grows on every change (kept by the database).
	Sequence  int       `bun:"sequence,scanonly"`
	CreatedAt time.Time `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt time.Time `bun:"updated_at,nullzero,notnull,default:current_timestamp"`

	Texts `bun:"-"`
	// JSON, when set, is the event as the API writes it, written by the database for the
	// selection of the list it was read for (EventsBetweenJSON); the other fields are then
	// empty but for the ID and times.
	JSON []byte `bun:"-"`
}

// GlobalID returns the event's global ID.
func (e *Event) GlobalID() string { return relay.GlobalID("Event", e.ID) }

// IsNode marks Event as a Node.
func (*Event) IsNode() {}

// Free reports whether taking part costs nothing.
func (e *Event) Free() bool { return e.PriceOre == 0 }

// Texts are an event's texts as a reader sees them: each field from the first language
// along the locale chain that has it.
type Texts struct {
	Title       string
	Summary     string
	Description *content.RichText
	TextLocale  string
}

// Translation is one language's texts of an event.
type Translation struct {
	EventID         uuid.UUID       `bun:"event_id,type:uuid" json:"-"`
	Locale          string          `bun:"locale" json:"locale"`
	Title           string          `bun:"title" json:"title"`
	Summary         string          `bun:"summary" json:"summary"`
	DescriptionJSON json.RawMessage `bun:"description,type:jsonb" json:"description"`
	DescriptionHTML string          `bun:"description_html" json:"descriptionHtml"`
	DescriptionText string          `bun:"description_text" json:"descriptionText"`
}

// Description returns the language's own description.
func (t *Translation) Description() *content.RichText {
	return &content.RichText{JSON: portal.RawJSON(t.DescriptionJSON), HTML: t.DescriptionHTML,
		PlainText: t.DescriptionText}
}

// withLinks selects an event's columns with its categories and its venue's neighbourhoods,
// as read in municipality mid: a shared provider's categories as mid's of the same slug.
func withLinks(q *bun.SelectQuery, mid uuid.UUID) *bun.SelectQuery {
	return q.ColumnExpr("e.*").
		ColumnExpr(`CASE WHEN e.municipality_id = ?0
			THEN ARRAY(SELECT c.category_id FROM event_categories c WHERE c.event_id = e.id ORDER BY 1)
			ELSE ARRAY(SELECT DISTINCT here.id FROM event_categories c JOIN categories k ON k.id = c.category_id
				JOIN categories here ON here.municipality_id = ?0 AND here.slug = k.slug WHERE c.event_id = e.id ORDER BY 1)
			END AS category_ids`, mid).
		ColumnExpr(`ARRAY(SELECT n.neighbourhood_id FROM venue_neighbourhoods n WHERE n.venue_id = e.venue_id
			ORDER BY 1) AS neighbourhood_ids`)
}

// loadTexts returns the translations of events ids, by event.
func loadTexts(ctx context.Context, db bun.IDB, mid uuid.UUID, ids []uuid.UUID) (map[uuid.UUID][]*Translation, error) {
	out := map[uuid.UUID][]*Translation{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []*Translation
	err := db.NewSelect().
		TableExpr("event_translations AS t").
		ColumnExpr("t.event_id, t.locale, t.title, t.summary, t.description, t.description_html, t.description_text").
		// ids are events the caller may read (a shared provider's texts are its home's).
		Where("t.event_id IN (?)", bun.In(ids)).
		Order("t.locale").
		Scan(ctx, &rows)
	if err != nil {
		return nil, database.MapError(err, "find event texts", "text")
	}
	for _, r := range rows {
		out[r.EventID] = append(out[r.EventID], r)
	}
	return out, nil
}

// resolve picks each field from the first language along chain that has it.
func resolve(ts []*Translation, chain []string) Texts {
	rank := func(t *Translation) int {
		if i := slices.Index(chain, t.Locale); i >= 0 {
			return i
		}
		return len(chain)
	}
	ts = slices.Clone(ts)
	slices.SortStableFunc(ts, func(a, b *Translation) int { return rank(a) - rank(b) })
	var tx Texts
	for _, t := range ts {
		if tx.Title == "" && t.Title != "" {
			tx.Title, tx.TextLocale = t.Title, t.Locale
		}
		if tx.Summary == "" {
			tx.Summary = t.Summary
		}
		if tx.Description == nil && t.DescriptionHTML != "" {
			tx.Description = t.Description()
		}
	}
	if tx.Description == nil {
		tx.Description = &content.RichText{JSON: portal.RawJSON(`{"blocks":[]}`)}
	}
	return tx
}

// setTexts reads and sets the texts of evs in the request's language.
func setTexts(ctx context.Context, db bun.IDB, mid uuid.UUID, evs []*Event) error {
	ids := make([]uuid.UUID, len(evs))
	for i, e := range evs {
		ids[i] = e.ID
	}
	texts, err := loadTexts(ctx, db, mid, ids)
	if err != nil {
		return err
	}
	chain := i18n.FromContext(ctx).Chain
	for _, e := range evs {
		e.Texts = resolve(texts[e.ID], chain)
	}
	return nil
}
