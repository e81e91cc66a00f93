// Package integration tells other systems what changed: the change events that triggers
// write in the transaction of every public change (an outbox), the change feed that pages
// through them, and the webhooks (Standard Webhooks) that deliver them through the job
// queue. Events carry no personal data: their type, their subject's global ID, the
// municipality and the time; consumers read the rest through the API.
package integration

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
)

// Service keeps the change feed and the webhooks.
type Service struct {
	db *bun.DB
	// Now is the clock; tests set it. Nil: time.Now.
	Now func() time.Time
	// Development allows endpoints on http:// (FRITID_ENV=development).
	Development bool
	// AllowPrivate lets deliveries reach loopback and private addresses
	// (FRITID_WEBHOOK_ALLOW_PRIVATE, for tests and development only).
	AllowPrivate bool
	// PublicURL is where administrators sign in (the disable e-mail links to it).
	PublicURL string
	// Key (FRITID_SECRET_KEY) seals the endpoints' signing secrets at rest; none: they are
	// stored in the clear.
	Key []byte

	clientOnce sync.Once
	client     *http.Client
}

// NewService returns a Service over db.
func NewService(db *bun.DB) *Service { return &Service{db: db} }

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// The kinds of subject a change event is about, with their GraphQL types.
var subjectTypes = map[string]string{
	"organisation": "Organisation", "activity": "Activity", "venue": "Venue", "event": "Event",
	"page": "Page", "article": "Article", "card_offer": "CardOffer", "subscriber": "NewsletterSubscriber",
}

// EventTypes are every change event type, in the order the documentation lists them.
// Subjects that are published, updated and archived follow their publication; card offers
// follow their status; subscribers are recorded by the newsletter (RecordChange).
var EventTypes = func() []string {
	var out []string
	for _, k := range []string{"organisation", "activity", "venue", "event", "page", "article"} {
		out = append(out, k+".published", k+".updated", k+".archived")
	}
	return append(out, "card_offer.published", "card_offer.paused", "card_offer.ended",
		"subscriber.confirmed", "subscriber.unsubscribed")
}()

// PingType is the type of a test ping; it is no change event and not in the feed.
const PingType = "webhook.test"

// ValidType reports whether t is a change event type.
func ValidType(t string) bool { return slices.Contains(EventTypes, t) }

// Change is one change event.
type Change struct {
	bun.BaseModel `bun:"table:change_events,alias:c"`

	ID             int64     `bun:"id,pk,autoincrement"`
	MunicipalityID uuid.UUID `bun:"municipality_id,type:uuid"`
	// Position is the event's place in the feed (its cursor), 0 until sequenced.
	Position   int64     `bun:"position,nullzero"`
	Type       string    `bun:"type"`
	SubjectID  uuid.UUID `bun:"subject_id,type:uuid"`
	OccurredAt time.Time `bun:"occurred_at,nullzero,notnull,default:current_timestamp"`
}

// Cursor returns the event's cursor in the feed: its position, as text.
func (c *Change) Cursor() string { return formatPosition(c.Position) }

// Subject returns the kind of the event's subject (organisation, card_offer).
func (c *Change) Subject() string { k, _, _ := strings.Cut(c.Type, "."); return k }

// SubjectGlobalID returns the global ID of the event's subject, as node(id:) reads it.
func (c *Change) SubjectGlobalID() string {
	return relay.GlobalID(subjectTypes[c.Subject()], c.SubjectID)
}

// RecordChange records change typ (one of EventTypes, such as "subscriber.confirmed") of
// subject id in municipality, in tx: call it in the transaction of the change, so the
// event exists exactly when the change commits. One transaction records each subject's
// change once. The event holds the subject's ID alone; a subscriber erased as a data
// subject should take its events with it (DeleteSubjectChanges). Errors: BAD_USER_INPUT
// naming "type" for a type not in EventTypes.
func RecordChange(ctx context.Context, tx bun.IDB, municipality uuid.UUID, typ string, id uuid.UUID) error {
	if !ValidType(typ) {
		return apperr.Invalid("type", "InvalidChangeType", nil)
	}
	_, err := tx.ExecContext(ctx, "SELECT fritid_change_add(?, ?, ?)", municipality, typ, id)
	return database.MapError(err, "record change", "change")
}

// DeleteSubjectChanges deletes every change event of subject id in municipality, in tx:
// for the erasure of a data subject (a newsletter subscriber), so that not even its ID
// stays in the feed. Webhooks already sent cannot be called back.
func DeleteSubjectChanges(ctx context.Context, tx bun.IDB, municipality, id uuid.UUID) error {
	_, err := tx.NewDelete().TableExpr("change_events").
		Where("municipality_id = ? AND subject_id = ?", municipality, id).Exec(ctx)
	return database.MapError(err, "delete changes", "change")
}
