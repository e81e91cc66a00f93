package integration

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/mail"
	"github.com/fritid/fritid/internal/platform/database"
)

// RetrySchedule is how long a failed delivery waits before each next attempt (the Standard
// Webhooks reference schedule): eight attempts over about a day.
var RetrySchedule = []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour,
	5 * time.Hour, 10 * time.Hour, 10 * time.Hour}

// DisableAfter is how long an endpoint may fail every delivery before it is disabled and
// its municipality's administrators are told.
const DisableAfter = 5 * 24 * time.Hour

// responseKept is how much of an answer an attempt keeps.
const responseKept = 1024

// Attempt is one try to deliver a message.
type Attempt struct {
	bun.BaseModel `bun:"table:webhook_attempts,alias:a"`

	ID             uuid.UUID `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID `bun:"municipality_id,type:uuid"`
	EndpointID     uuid.UUID `bun:"endpoint_id,type:uuid"`
	MessageID      uuid.UUID `bun:"message_id,type:uuid"`
	AttemptedAt    time.Time `bun:"attempted_at"`
	// StatusCode is the answer's HTTP status; nil when there was no answer.
	StatusCode *int   `bun:"status_code"`
	Error      string `bun:"error"`
	// Response is the start (1 KiB) of the answer.
	Response   string `bun:"response"`
	DurationMS int    `bun:"duration_ms"`
	// EventType is the type of the message's event (read with the attempt).
	EventType string `bun:"event_type,scanonly"`
}

// Succeeded reports whether the receiver accepted the message (a 2xx answer).
func (a *Attempt) Succeeded() bool { return a.StatusCode != nil && *a.StatusCode/100 == 2 }

// Sign returns the webhook-signature header of a message: "v1,<base64 HMAC-SHA256 of
// id.timestamp.body>" for each secret, separated by spaces.
func Sign(secrets []string, id string, ts int64, body string) string {
	sigs := make([]string, 0, len(secrets))
	for _, s := range secrets {
		key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, "whsec_"))
		if err != nil {
			continue
		}
		h := hmac.New(sha256.New, key)
		fmt.Fprintf(h, "%s.%d.%s", id, ts, body)
		sigs = append(sigs, "v1,"+base64.StdEncoding.EncodeToString(h.Sum(nil)))
	}
	return strings.Join(sigs, " ")
}

// httpClient returns the deliveries' client, made on first use (after AllowPrivate is set).
func (s *Service) httpClient() *http.Client {
	s.clientOnce.Do(func() { s.client = NewClient(s.AllowPrivate) })
	return s.client
}

// send posts m to e once and returns the attempt.
func (s *Service) send(ctx context.Context, e *Endpoint, m *Message) *Attempt {
	now := s.now()
	a := &Attempt{ID: uuid.Must(uuid.NewV7()), MunicipalityID: m.MunicipalityID, EndpointID: e.ID, MessageID: m.ID,
		AttemptedAt: now}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL, strings.NewReader(m.Body))
	if err != nil {
		a.Error = clip(err.Error(), 1000)
		return a
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "fritid-webhooks")
	req.Header.Set("webhook-id", m.WebhookID())
	req.Header.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	secrets := e.secrets(now)
	for i, stored := range secrets {
		if secrets[i], err = s.unseal(stored); err != nil {
			a.Error = clip(err.Error(), 1000)
			return a
		}
	}
	req.Header.Set("webhook-signature", Sign(secrets, m.WebhookID(), now.Unix(), m.Body))
	start := time.Now()
	res, err := s.httpClient().Do(req)
	if err != nil {
		a.Error = clip(err.Error(), 1000)
		a.DurationMS = int(time.Since(start).Milliseconds())
		return a
	}
	defer res.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(res.Body, responseKept))
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10)) //nolint:errcheck // drained for reuse
	a.DurationMS = int(time.Since(start).Milliseconds())
	a.StatusCode, a.Response = &res.StatusCode, clip(string(head), responseKept)
	if !a.Succeeded() {
		a.Error = "HTTP " + strconv.Itoa(res.StatusCode)
	}
	return a
}

// clip returns s as valid UTF-8 without NUL characters, in at most n bytes.
func clip(s string, n int) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
	for len(s) > n {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// DeliveryWorker delivers messages.
type DeliveryWorker struct {
	river.WorkerDefaults[DeliverArgs]
	Integration *Service
}

// Timeout bounds one attempt.
func (w *DeliveryWorker) Timeout(*river.Job[DeliverArgs]) time.Duration {
	return DeliveryTimeout + 20*time.Second
}

// NextRetry follows RetrySchedule.
func (w *DeliveryWorker) NextRetry(job *river.Job[DeliverArgs]) time.Time {
	i := min(max(job.Attempt-1, 0), len(RetrySchedule)-1)
	return time.Now().Add(RetrySchedule[i])
}

// Work delivers the job's message once and records the attempt. A message whose endpoint
// is gone or disabled is not sent. A failure is returned (so the queue retries it) unless
// it disabled the endpoint.
func (w *DeliveryWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	return w.Integration.deliver(ctx, job.Args.MessageID)
}

func (s *Service) deliver(ctx context.Context, id uuid.UUID) error {
	m := new(Message)
	err := s.db.NewSelect().Model(m).Where("m.id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return database.MapError(err, "load webhook", "webhookMessage")
	}
	e := new(Endpoint)
	err = s.db.NewSelect().Model(e).Where("w.id = ? AND w.enabled", m.EndpointID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return database.MapError(err, "load webhook endpoint", "webhookEndpoint")
	}
	a := s.send(ctx, e, m)
	failure, err := s.record(ctx, e, a)
	if err != nil {
		return err
	}
	return failure
}

// record keeps attempt a of endpoint e and keeps the endpoint's health: a success clears
// its failures; a 410, or failures for DisableAfter, disable it and tell the
// administrators. It returns the failure to retry, nil when there is none to retry.
func (s *Service) record(ctx context.Context, e *Endpoint, a *Attempt) (failure error, err error) {
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(a).Exec(ctx); err != nil {
			return database.MapError(err, "record webhook attempt", "webhookAttempt")
		}
		switch {
		case a.Succeeded():
			_, err := tx.NewUpdate().TableExpr("webhook_endpoints").Set("failing_since = NULL").
				Where("id = ? AND failing_since IS NOT NULL", e.ID).Exec(ctx)
			return database.MapError(err, "record webhook success", "webhookEndpoint")
		case a.StatusCode != nil && *a.StatusCode == http.StatusGone:
			return s.disable(ctx, tx, e, DisabledGone, a.AttemptedAt)
		}
		failure = errors.New(a.Error)
		var since time.Time
		err := tx.NewRaw(`UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, ?) WHERE id = ?
			RETURNING failing_since`, a.AttemptedAt, e.ID).
			Scan(ctx, &since)
		if err != nil {
			return database.MapError(err, "record webhook failure", "webhookEndpoint")
		}
		if a.AttemptedAt.Sub(since) >= DisableAfter {
			failure = nil
			return s.disable(ctx, tx, e, DisabledFailing, a.AttemptedAt)
		}
		return nil
	})
	return failure, err
}

// disable disables e for reason and queues an e-mail to each active administrator of its
// municipality, unless it was disabled already.
func (s *Service) disable(ctx context.Context, tx bun.Tx, e *Endpoint, reason string, now time.Time) error {
	res, err := tx.NewUpdate().TableExpr("webhook_endpoints").
		Set("enabled = false, disabled_reason = ?, disabled_at = ?, updated_at = ?", reason, now, now).
		Where("id = ? AND enabled", e.ID).Exec(ctx)
	if err != nil {
		return database.MapError(err, "disable webhook endpoint", "webhookEndpoint")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	var muni struct {
		Name   string `bun:"name"`
		Locale string `bun:"default_locale"`
	}
	if err := tx.NewSelect().TableExpr("municipalities").Column("name", "default_locale").
		Where("id = ?", e.MunicipalityID).Scan(ctx, &muni); err != nil {
		return database.MapError(err, "find municipality", "municipality")
	}
	var emails []string
	err = tx.NewSelect().TableExpr("municipal_roles r").Join("JOIN users u ON u.id = r.user_id").
		ColumnExpr("u.email").
		Where("r.municipality_id = ? AND r.role = 'ADMIN' AND u.disabled_at IS NULL", e.MunicipalityID).
		OrderExpr("u.email").Scan(ctx, &emails)
	if err != nil {
		return database.MapError(err, "find administrators", "user")
	}
	template := map[string]string{DisabledGone: "WebhookGone", DisabledFailing: "WebhookFailing"}[reason]
	for _, to := range emails {
		m := &mail.Message{MunicipalityID: e.MunicipalityID, Template: template, To: to, Locale: muni.Locale,
			Data: map[string]any{"Municipality": muni.Name, "URL": e.URL, "Days": int(DisableAfter.Hours() / 24),
				"Link": s.PublicURL}}
		if err := mail.Enqueue(ctx, tx, m); err != nil {
			return err
		}
	}
	return nil
}
