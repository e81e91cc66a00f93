package push

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database"
)

// Kind is what a push message is about; the app shows it, or routes by it.
type Kind string

// The kinds of push message.
const (
	KindTicketExpiring    Kind = "TICKET_EXPIRING"
	KindWaitingPlace      Kind = "WAITING_PLACE"
	KindRefill            Kind = "REFILL"
	KindNewOffers         Kind = "NEW_OFFERS"
	KindNewDate           Kind = "NEW_DATE"
	KindNeighbourhoodNews Kind = "NEIGHBOURHOOD_NEWS"
	KindEventCancelled    Kind = "EVENT_CANCELLED"
)

// messageIDs name each kind's texts: "<id>Title" and "<id>Body".
var messageIDs = map[Kind]string{
	KindTicketExpiring: "PushTicketExpiring", KindWaitingPlace: "PushWaitingPlace", KindRefill: "PushRefill",
	KindNewOffers: "PushNewOffers", KindNewDate: "PushNewDate", KindNeighbourhoodNews: "PushNeighbourhoodNews",
	KindEventCancelled: "PushEventCancelled",
}

// Payload is what a push message carries, as JSON: nothing personal, only what the
// notification shows and where it leads.
type Payload struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	URL   string `json:"url"`
	Kind  Kind   `json:"kind"`
}

// MaxPayload bounds a message's JSON: RFC 8291 leaves 3993 bytes of a 4096-byte record,
// and some push services take less.
const MaxPayload = 3000

// campaign is one push message to many subscriptions: those of municipality mid matching
// where (a condition on push_subscriptions AS s with plain ? placeholders, args in their
// order), each in its own language.
type campaign struct {
	mid   uuid.UUID
	kind  Kind
	where string
	args  []any
	// render writes the message in a language.
	render func(locale string) (*Payload, error)
}

// enqueue queues c on tx, the transaction of the change that causes it: the languages of
// its subscriptions in one statement, then the messages and their delivery jobs in one
// set-based statement. It returns how many messages.
func (s *Service) enqueue(ctx context.Context, tx bun.Tx, c *campaign) (int, error) {
	var locales []string
	args := append([]any{c.mid}, c.args...)
	err := tx.NewRaw(`SELECT DISTINCT s.locale FROM push_subscriptions AS s
		WHERE s.municipality_id = ? AND (`+c.where+`)`, args...).Scan(ctx, &locales)
	if err != nil {
		return 0, database.MapError(err, "find push languages", "push")
	}
	if len(locales) == 0 {
		return 0, nil
	}
	texts := make(map[string]json.RawMessage, len(locales))
	for _, l := range locales {
		p, err := c.render(l)
		if err != nil {
			return 0, err
		}
		p.Kind = c.kind
		if texts[l], err = marshalPayload(p); err != nil {
			return 0, err
		}
	}
	byLocale, err := json.Marshal(texts)
	if err != nil {
		return 0, fmt.Errorf("push texts: %w", err)
	}
	var n int
	args = append([]any{c.kind, string(byLocale), c.mid}, c.args...)
	args = append(args, MaxAttempts, JobKind)
	// The messages and their jobs in one statement: River's job rows written as River
	// writes them (as migration 0019 moved the outbox onto the queue), so that 50,000 of
	// them cost one round trip and nothing comes back to build them from. The workers poll
	// for new jobs every second.
	err = tx.NewRaw(`WITH m AS (INSERT INTO push_messages (municipality_id, subscription_id, kind, payload)
			SELECT s.municipality_id, s.id, ?, (?::jsonb) -> s.locale FROM push_subscriptions AS s
			WHERE s.municipality_id = ? AND (`+c.where+`)
			RETURNING id, municipality_id),
		j AS (INSERT INTO river_job (state, max_attempts, args, kind, queue, priority, tags)
			SELECT 'available', ?, jsonb_build_object('message_id', m.id, 'municipality_id', m.municipality_id),
				?, 'default', 1, '{}' FROM m RETURNING 1)
		SELECT count(*) FROM j`, args...).Scan(ctx, &n)
	if err != nil {
		return 0, database.MapError(err, "queue push messages", "push")
	}
	return n, nil
}

// marshalPayload returns p as JSON, its body shortened until the whole fits MaxPayload.
func marshalPayload(p *Payload) (json.RawMessage, error) {
	for {
		b, err := json.Marshal(p)
		if err != nil || len(b) <= MaxPayload || p.Body == "" {
			return b, err
		}
		r := []rune(p.Body)
		p.Body = string(r[:len(r)*3/4])
	}
}

// inTx runs fn in db's transaction when db is one, else in a new transaction.
func inTx(ctx context.Context, db bun.IDB, fn func(ctx context.Context, tx bun.Tx) error) error {
	if tx, ok := db.(bun.Tx); ok {
		return fn(ctx, tx)
	}
	return db.RunInTx(ctx, nil, fn)
}
