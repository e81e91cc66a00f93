package integration

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
)

// AttemptsKept is how long delivery attempts (and their messages) are kept.
const AttemptsKept = 30 * 24 * time.Hour

// MaxReplay is the most events one replay queues; a consumer that missed more reads the
// change feed.
const MaxReplay = 10000

// FindAttempts returns the latest attempts to deliver to endpoint id, newest first, at
// most limit (1 to 100). Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND naming "id".
func (s *Service) FindAttempts(ctx context.Context, id uuid.UUID, limit int) ([]*Attempt, error) {
	// SECURITY: administrators, their own municipality's endpoints only.
	mid, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	var out []*Attempt
	err = s.db.NewSelect().Model(&out).ColumnExpr("a.*, m.type AS event_type").
		Join("JOIN webhook_messages m ON m.id = a.message_id").
		Where("a.municipality_id = ? AND a.endpoint_id = ?", mid, id).
		OrderExpr("a.attempted_at DESC, a.id DESC").Limit(int64(min(max(limit, 1), 100))).Scan(ctx)
	return out, database.MapError(err, "find webhook attempts", "webhookAttempt")
}

// enabledEndpoint returns the municipality's endpoint id, which must be enabled. Errors:
// NOT_FOUND naming "id", CONFLICT naming "id" when it is disabled.
func enabledEndpoint(ctx context.Context, db bun.IDB, mid, id uuid.UUID) (*Endpoint, error) {
	e, err := findEndpoint(ctx, db, mid, id)
	if err != nil {
		return nil, err
	}
	if !e.Enabled {
		return nil, apperr.New(apperr.Conflict, "WebhookEndpointDisabled").WithField("id")
	}
	return e, nil
}

// Redeliver queues the message of attempt id again, with the same webhook-id, and returns
// it. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND naming "attemptId", CONFLICT naming
// "id" when its endpoint is disabled.
func (s *Service) Redeliver(ctx context.Context, attemptID uuid.UUID) (*Message, error) {
	// SECURITY: administrators, their own municipality's attempts only.
	mid, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	m := new(Message)
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		err := tx.NewSelect().
			Model(m).
			Where("m.id = (SELECT a.message_id FROM webhook_attempts a WHERE a.municipality_id = ? AND a.id = ?)",
				mid, attemptID).
			Scan(ctx)
		if err != nil {
			return withField(database.MapError(err, "find webhook attempt", "webhookAttempt"), "attemptId")
		}
		if _, err := enabledEndpoint(ctx, tx, mid, m.EndpointID); err != nil {
			return err
		}
		return queue(ctx, tx, m)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Replay queues to endpoint id every event of the feed that occurred since then and that
// it wants (at most MaxReplay, oldest first), and returns how many. An event it was sent
// before goes with the same webhook-id. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND
// naming "id", CONFLICT naming "id" when it is disabled.
func (s *Service) Replay(ctx context.Context, id uuid.UUID, since time.Time) (int, error) {
	// SECURITY: administrators, their own municipality's endpoints only.
	mid, err := requireAdmin(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		e, err := enabledEndpoint(ctx, tx, mid, id)
		if err != nil {
			return err
		}
		var changes []*Change
		q := tx.NewSelect().Model(&changes).
			Where("c.municipality_id = ? AND c.position IS NOT NULL AND c.occurred_at >= ?", mid, since).
			OrderExpr("c.position").Limit(MaxReplay)
		if len(e.EventTypes) > 0 {
			q = q.Where("c.type IN (?)", bun.In(e.EventTypes))
		}
		if err := q.Scan(ctx); err != nil {
			return database.MapError(err, "find changes", "change")
		}
		for _, c := range changes {
			if err := replayChange(ctx, tx, e, c); err != nil {
				return err
			}
		}
		n = len(changes)
		return nil
	})
	return n, err
}

// replayChange queues c to e: its message of before, or a new one.
func replayChange(ctx context.Context, tx bun.Tx, e *Endpoint, c *Change) error {
	m := new(Message)
	err := tx.NewSelect().Model(m).Where("m.endpoint_id = ? AND m.change_id = ?", e.ID, c.ID).Scan(ctx)
	if err != nil {
		body, err := changeBody(c)
		if err != nil {
			return err
		}
		id := c.ID
		m = &Message{MunicipalityID: c.MunicipalityID, EndpointID: e.ID, ChangeID: &id, Type: c.Type, Body: body}
	}
	return queue(ctx, tx, m)
}

// PingData is the data of a test ping.
type PingData struct {
	Endpoint string `json:"endpoint"`
}

// Ping queues a test ping (type webhook.test) to endpoint id and returns it. Errors:
// UNAUTHENTICATED, FORBIDDEN, NOT_FOUND naming "id", CONFLICT naming "id" when it is
// disabled.
func (s *Service) Ping(ctx context.Context, id uuid.UUID) (*Message, error) {
	// SECURITY: administrators, their own municipality's endpoints only.
	mid, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	var m *Message
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		e, err := enabledEndpoint(ctx, tx, mid, id)
		if err != nil {
			return err
		}
		body, err := json.Marshal(envelope{Type: PingType, Timestamp: s.now().UTC(), Data: PingData{Endpoint: e.GlobalID()}})
		if err != nil {
			return err
		}
		m = &Message{MunicipalityID: mid, EndpointID: e.ID, Type: PingType, Body: string(body)}
		return queue(ctx, tx, m)
	})
	return m, err
}

// ChangesKept is how long the change feed keeps an event: a consumer whose cursor is older
// has missed events and reads everything anew.
const ChangesKept = 365 * 24 * time.Hour

// Prune deletes the attempts and messages older than AttemptsKept and the change events
// older than ChangesKept, and returns how many attempts went.
func (s *Service) Prune(ctx context.Context) (int, error) {
	_, err := s.db.NewDelete().TableExpr("change_events").
		Where("municipality_id IN (SELECT id FROM municipalities) AND occurred_at < ? AND position IS NOT NULL",
			s.now().Add(-ChangesKept)).
		Exec(ctx)
	if err != nil {
		return 0, database.MapError(err, "prune change events", "change")
	}
	cut := s.now().Add(-AttemptsKept)
	res, err := s.db.NewDelete().TableExpr("webhook_attempts").Where("attempted_at < ?", cut).Exec(ctx)
	if err != nil {
		return 0, database.MapError(err, "prune webhook attempts", "webhookAttempt")
	}
	n, _ := res.RowsAffected()
	_, err = s.db.NewDelete().TableExpr("webhook_messages").Where("created_at < ?", cut).Exec(ctx)
	return int(n), database.MapError(err, "prune webhook messages", "webhookMessage")
}

// PruneInterval is how often old attempts are pruned.
const PruneInterval = time.Hour

// PruneArgs is the periodic job that runs Prune. It belongs to every municipality.
type PruneArgs struct{}

// Kind names the job.
func (PruneArgs) Kind() string { return "webhook_prune" }

// InsertOpts makes the job unique per period.
func (PruneArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByPeriod: PruneInterval}}
}

// PruneWorker runs the prune job.
type PruneWorker struct {
	river.WorkerDefaults[PruneArgs]
	Integration *Service
}

// Work prunes.
func (w *PruneWorker) Work(ctx context.Context, _ *river.Job[PruneArgs]) error {
	_, err := w.Integration.Prune(ctx)
	return err
}

// GlobalID returns the attempt's global ID.
func (a *Attempt) GlobalID() string { return relay.GlobalID("WebhookAttempt", a.ID) }
