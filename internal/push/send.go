package push

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/SherClockHolmes/webpush-go"
	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/fritid/fritid/internal/integration"
	"github.com/fritid/fritid/internal/platform/database"
)

// JobKind is the kind of the push delivery jobs.
const JobKind = "push"

// MaxAttempts failed deliveries give a message up (its job is discarded, the message
// deleted); a push service busy (429) or failing (5xx) is retried with River's back-off.
const MaxAttempts = 8

// TTL is how long a push service keeps a message for a device that is offline.
const TTL = 24 * time.Hour

// SendArgs is the job that delivers one push message.
type SendArgs struct {
	MessageID      uuid.UUID `json:"message_id"`
	MunicipalityID uuid.UUID `json:"municipality_id"`
}

// Kind names the job.
func (SendArgs) Kind() string { return JobKind }

// InsertOpts gives push jobs their attempts.
func (SendArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: MaxAttempts} }

// SendWorker delivers push messages.
type SendWorker struct {
	river.WorkerDefaults[SendArgs]
	Push *Service
}

// Timeout bounds one delivery.
func (w *SendWorker) Timeout(*river.Job[SendArgs]) time.Duration { return 30 * time.Second }

// Work delivers the job's message; see Deliver.
func (w *SendWorker) Work(ctx context.Context, job *river.Job[SendArgs]) error {
	return w.Push.Deliver(ctx, job.Args.MessageID, job.Attempt >= job.MaxAttempts)
}

// ErrRetry is the error of a delivery to try again later: the push service was busy or
// failing, or could not be reached.
var ErrRetry = errors.New("push: try again later")

// outgoing is a message with its subscription.
type outgoing struct {
	SubscriptionID uuid.UUID `bun:"subscription_id"`
	Endpoint       string    `bun:"endpoint"`
	P256dh         []byte    `bun:"p256dh"`
	Auth           []byte    `bun:"auth"`
	Kind           string    `bun:"kind"`
	Payload        string    `bun:"payload"`
}

// Deliver sends message id to its subscription, encrypted (RFC 8291) and signed (VAPID),
// and deletes it once the push service took it. A subscription the push service says is
// gone (404, 410), or whose host now resolves to a private address, is removed with its
// messages. A busy (429) or failing (5xx) push service, or one that cannot be reached,
// gives an error wrapping ErrRetry, for the job queue to retry; last says this was the
// last attempt, which deletes the message anyway. Another refusal (400, 403, 413) is
// logged and the message dropped. A message already gone is done.
func (s *Service) Deliver(ctx context.Context, id uuid.UUID, last bool) error {
	m := new(outgoing)
	err := s.db.NewSelect().TableExpr("push_messages AS m").
		Join("JOIN push_subscriptions AS s ON s.id = m.subscription_id").
		ColumnExpr("m.subscription_id, s.endpoint, s.p256dh, s.auth, m.kind, m.payload::text AS payload").
		Where("m.id = ?", id).Scan(ctx, m)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return database.MapError(err, "find push message", "push")
	}
	if !s.Available() {
		slog.WarnContext(ctx, "push message dropped: Web Push is not set up", "kind", m.Kind)
		return errors.Join(s.drop(ctx, id), river.JobCancel(errors.New("push: not set up")))
	}
	status, err := s.post(ctx, m)
	switch {
	case err != nil && errors.Is(err, integration.ErrRefusedAddress):
		slog.WarnContext(ctx, "push subscription removed: its host is a private address", "kind", m.Kind)
		return s.unsubscribe(ctx, m.SubscriptionID)
	case err != nil, status == http.StatusTooManyRequests, status >= 500:
		if last {
			return errors.Join(s.drop(ctx, id), fmt.Errorf("%w: status %d: %v", ErrRetry, status, err))
		}
		return fmt.Errorf("%w: status %d: %v", ErrRetry, status, err)
	case status == http.StatusNotFound, status == http.StatusGone:
		return s.unsubscribe(ctx, m.SubscriptionID)
	case status >= 200 && status < 300:
		return s.drop(ctx, id)
	default:
		slog.WarnContext(ctx, "push message refused", "kind", m.Kind, "status", status)
		return s.drop(ctx, id)
	}
}

// post sends m and returns the push service's status.
func (s *Service) post(ctx context.Context, m *outgoing) (int, error) {
	sub := &webpush.Subscription{Endpoint: m.Endpoint, Keys: webpush.Keys{
		P256dh: encodeKey(m.P256dh), Auth: encodeKey(m.Auth)}}
	res, err := webpush.SendNotificationWithContext(ctx, []byte(m.Payload), sub, &webpush.Options{
		HTTPClient:      s.httpClient(),
		Subscriber:      strings.TrimPrefix(s.opt.Subject, "mailto:"),
		TTL:             int(TTL.Seconds()),
		Urgency:         webpush.UrgencyNormal,
		VAPIDPublicKey:  s.opt.PublicKey,
		VAPIDPrivateKey: s.opt.PrivateKey,
	})
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	_ = res.Body.Close()
	return res.StatusCode, nil
}

// drop deletes message id.
func (s *Service) drop(ctx context.Context, id uuid.UUID) error {
	_, err := s.db.NewDelete().Table("push_messages").Where("id = ?", id).Exec(ctx)
	return database.MapError(err, "delete push message", "push")
}

// unsubscribe deletes subscription id and, with it, its messages.
func (s *Service) unsubscribe(ctx context.Context, id uuid.UUID) error {
	_, err := s.db.NewDelete().Table("push_subscriptions").Where("id = ?", id).Exec(ctx)
	return database.MapError(err, "remove push subscription", "push")
}
