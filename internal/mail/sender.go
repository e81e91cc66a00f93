package mail

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/i18n"
)

// Sender is the worker of the mail jobs. The queue gives each job to one instance at a
// time, retries a failed delivery with back-off (2, 4, 8 ... minutes) and gives up after
// MaxAttempts.
type Sender struct {
	river.WorkerDefaults[SendArgs]

	DB        *bun.DB
	Bundle    *i18n.Bundle
	Transport Transport
	// SMS delivers the text messages; nil: none are sent (they wait, failing, for one).
	SMS SMSTransport
	Log *slog.Logger
}

// sendTimeout bounds one delivery.
const sendTimeout = 30 * time.Second

// Timeout bounds one attempt: the delivery and the bookkeeping around it.
func (s *Sender) Timeout(*river.Job[SendArgs]) time.Duration { return sendTimeout + 30*time.Second }

// NextRetry backs off exponentially: 2 minutes after the first failure, doubling up to
// 17 hours.
func (s *Sender) NextRetry(job *river.Job[SendArgs]) time.Time {
	return time.Now().Add(time.Duration(1<<min(job.Attempt, 10)) * time.Minute)
}

// Work delivers the job's message and deletes it from the outbox. A message that is gone
// was delivered already (by an attempt whose completion was lost): nothing to do. The
// error of a failed delivery, kept with the job for administrators to see, has the
// address masked.
func (s *Sender) Work(ctx context.Context, job *river.Job[SendArgs]) error {
	m := new(Message)
	err := s.DB.NewSelect().Model(m).Where("m.id = ?", job.Args.MessageID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return database.MapError(err, "load mail", "mail")
	}
	if err := s.deliver(ctx, m); err != nil {
		err = errors.New(redact(err.Error(), m.To))
		s.Log.WarnContext(ctx, "delivery failed", "channel", m.Channel, "id", m.ID, "job", job.ID,
			"attempt", job.Attempt, "err", err)
		return err
	}
	_, err = s.DB.NewDelete().Model(m).WherePK().Exec(ctx)
	return database.MapError(err, "delete sent mail", "mail")
}

// deliver renders m in its language and sends it by its channel.
func (s *Sender) deliver(ctx context.Context, m *Message) error {
	chain := []string{m.Locale, "nb"}
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	if m.Channel == ChannelSMS {
		if s.SMS == nil {
			return errors.New("no SMS gateway is set (FRITID_SMS_URL)")
		}
		return s.SMS.SendSMS(ctx, m.To, s.Bundle.Localize(chain, "Sms"+m.Template, m.Data))
	}
	subject := s.Bundle.Localize(chain, "Mail"+m.Template+"Subject", m.Data)
	body := s.Bundle.Localize(chain, "Mail"+m.Template+"Body", m.Data)
	return s.Transport.Send(ctx, &Envelope{To: m.To, Subject: subject, Text: body, ReturnPath: m.ReturnPath,
		Headers: m.Headers})
}

// redact masks the address in a delivery error (an SMTP server may quote it).
func redact(msg, addr string) string {
	if addr == "" {
		return msg
	}
	msg = strings.ReplaceAll(msg, addr, Mask(addr))
	if lower := strings.ToLower(addr); lower != addr {
		msg = strings.ReplaceAll(msg, lower, Mask(addr))
	}
	return msg
}
