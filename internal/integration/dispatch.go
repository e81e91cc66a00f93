package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/jobs"
	"github.com/fritid/fritid/internal/platform/live"
	"github.com/fritid/fritid/internal/platform/relay"
)

// DispatchInterval is how often the sequencer gives new change events their place in the
// feed and queues their webhook deliveries.
const DispatchInterval = 5 * time.Second

// Message is one event (or a test ping) for one endpoint, with the exact body sent. Its
// webhook-id is the same on every attempt.
type Message struct {
	bun.BaseModel `bun:"table:webhook_messages,alias:m"`

	ID             uuid.UUID `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID `bun:"municipality_id,type:uuid"`
	EndpointID     uuid.UUID `bun:"endpoint_id,type:uuid"`
	ChangeID       *int64    `bun:"change_id"`
	Type           string    `bun:"type"`
	Body           string    `bun:"body"`
	CreatedAt      time.Time `bun:"created_at,nullzero,notnull,default:current_timestamp"`
}

// WebhookID returns the message's webhook-id header.
func (m *Message) WebhookID() string { return "msg_" + m.ID.String() }

// envelope is a webhook's body, in the Standard Webhooks shape.
type envelope struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      any       `json:"data"`
}

// Data is the data of a change event's webhook, and of its GraphQL payload types.
type Data struct {
	// Cursor is the event's place in the change feed: `changes(after:)` continues there.
	Cursor       string    `json:"cursor"`
	ID           string    `json:"id"`
	Municipality string    `json:"municipality"`
	OccurredAt   time.Time `json:"occurredAt"`
}

// changeBody returns the body of c's webhook.
func changeBody(c *Change) (string, error) {
	b, err := json.Marshal(envelope{Type: c.Type, Timestamp: c.OccurredAt.UTC(), Data: c.data()})
	return string(b), err
}

// data returns what c's webhook and payload say.
func (c *Change) data() Data {
	return Data{Cursor: c.Cursor(), ID: c.SubjectGlobalID(),
		Municipality: relay.GlobalID("Municipality", c.MunicipalityID), OccurredAt: c.OccurredAt.UTC()}
}

// DeliverArgs is the job that delivers one message.
type DeliverArgs struct {
	MessageID      uuid.UUID `json:"message_id"`
	MunicipalityID uuid.UUID `json:"municipality_id"`
}

// DeliverKind is the kind of the delivery jobs.
const DeliverKind = "webhook_delivery"

// Kind names the job.
func (DeliverArgs) Kind() string { return DeliverKind }

// InsertOpts gives a delivery its attempts: the first and one after each RetrySchedule step.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: len(RetrySchedule) + 1}
}

// queue writes m and the job that delivers it, in tx.
func queue(ctx context.Context, tx bun.Tx, m *Message) error {
	if m.ID == uuid.Nil {
		m.ID = uuid.Must(uuid.NewV7())
		if _, err := tx.NewInsert().Model(m).ExcludeColumn("created_at").Exec(ctx); err != nil {
			return database.MapError(err, "queue webhook", "webhookMessage")
		}
	}
	_, err := jobs.InsertTx(ctx, tx, DeliverArgs{MessageID: m.ID, MunicipalityID: m.MunicipalityID}, nil)
	return err
}

// Dispatch sequences the committed change events that have no place in the feed yet and
// queues a delivery of each to every enabled endpoint of its municipality that wants its
// type, all in one transaction, until none is left; it returns how many events it
// sequenced. The periodic dispatch job runs it; an event committed before a crash is
// sequenced and delivered by the next run.
func (s *Service) Dispatch(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := s.dispatchBatch(ctx)
		total += n
		if err != nil || n < sequenceBatch {
			return total, err
		}
	}
}

func (s *Service) dispatchBatch(ctx context.Context) (int, error) {
	var n int
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		changes, err := sequence(ctx, tx, s.now())
		if err != nil || len(changes) == 0 {
			return err
		}
		n = len(changes)
		slices.SortFunc(changes, func(a, b *Change) int { return int(a.Position - b.Position) })
		endpoints, err := enabledEndpoints(ctx, tx, changes)
		if err != nil {
			return err
		}
		for _, c := range changes {
			if err := queueChange(ctx, tx, c, endpoints[c.MunicipalityID]); err != nil {
				return err
			}
		}
		return announceNew(ctx, tx, changes)
	})
	return n, err
}

// announceNew announces, when tx commits, the activities, events and articles the changes
// publish, for residents' live feeds "for you" (live.FeedItemNew); the subscriptions decide
// whose feed each enters.
func announceNew(ctx context.Context, tx bun.Tx, changes []*Change) error {
	var events []live.Event
	for _, c := range changes {
		switch c.Type {
		case "activity.published", "event.published", "article.published":
			events = append(events, live.Event{Kind: live.FeedItemNew, MunicipalityID: c.MunicipalityID,
				Ref: c.SubjectID})
		}
	}
	return live.NotifyAll(ctx, tx, events)
}

// enabledEndpoints returns the enabled endpoints of the changes' municipalities.
func enabledEndpoints(ctx context.Context, tx bun.IDB, changes []*Change) (map[uuid.UUID][]*Endpoint, error) {
	ids := map[uuid.UUID]bool{}
	var mids []uuid.UUID
	for _, c := range changes {
		if !ids[c.MunicipalityID] {
			ids[c.MunicipalityID] = true
			mids = append(mids, c.MunicipalityID)
		}
	}
	var list []*Endpoint
	err := tx.NewSelect().Model(&list).Where("w.enabled AND w.municipality_id IN (?)", bun.In(mids)).Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find webhook endpoints", "webhookEndpoint")
	}
	out := map[uuid.UUID][]*Endpoint{}
	for _, e := range list {
		out[e.MunicipalityID] = append(out[e.MunicipalityID], e)
	}
	return out, nil
}

// queueChange queues c's delivery to each endpoint that wants it.
func queueChange(ctx context.Context, tx bun.Tx, c *Change, endpoints []*Endpoint) error {
	var body string
	for _, e := range endpoints {
		if !e.Wants(c.Type) {
			continue
		}
		if body == "" {
			var err error
			if body, err = changeBody(c); err != nil {
				return fmt.Errorf("webhook body: %w", err)
			}
		}
		id := c.ID
		m := &Message{MunicipalityID: c.MunicipalityID, EndpointID: e.ID, ChangeID: &id, Type: c.Type, Body: body}
		if err := queue(ctx, tx, m); err != nil {
			return err
		}
	}
	return nil
}

// DispatchArgs is the periodic job that runs Dispatch. It belongs to every municipality.
type DispatchArgs struct{}

// Kind names the job.
func (DispatchArgs) Kind() string { return "webhook_dispatch" }

// InsertOpts makes the job unique per period.
func (DispatchArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: DispatchInterval}}
}

// DispatchWorker runs the dispatch job.
type DispatchWorker struct {
	river.WorkerDefaults[DispatchArgs]
	Integration *Service
}

// Timeout bounds one run.
func (w *DispatchWorker) Timeout(*river.Job[DispatchArgs]) time.Duration { return 5 * time.Minute }

// Work dispatches what is waiting.
func (w *DispatchWorker) Work(ctx context.Context, _ *river.Job[DispatchArgs]) error {
	_, err := w.Integration.Dispatch(ctx)
	return err
}
