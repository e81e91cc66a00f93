package mail

import (
	"context"
	"log/slog"
	"time"

	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/i18n"
)

// Sender delivers the outbox. Several instances may run side by side: each claims its
// messages with FOR UPDATE SKIP LOCKED.
type Sender struct {
	DB        *bun.DB
	Bundle    *i18n.Bundle
	Transport Transport
	Log       *slog.Logger
	// MaxAttempts failed deliveries give a message up (it stays, for an operator to see).
	MaxAttempts int
}

// SendDue delivers up to 20 due messages and returns how many were sent.
func (s *Sender) SendDue(ctx context.Context) (int, error) {
	sent := 0
	err := database.RunInTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) error {
		var due []*Message
		err := tx.NewSelect().Model(&due).Where("m.next_attempt_at <= now() AND m.attempts < ?", s.maxAttempts()).
			OrderExpr("m.next_attempt_at").Limit(20).For("UPDATE SKIP LOCKED").Scan(ctx)
		if err != nil {
			return database.MapError(err, "claim mail", "mail")
		}
		for _, m := range due {
			if err := s.deliver(ctx, tx, m); err != nil {
				return err
			}
			if m.LastError == "" {
				sent++
			}
		}
		return nil
	})
	return sent, err
}

// deliver sends one message and deletes it, or records the failure and backs off.
func (s *Sender) deliver(ctx context.Context, tx bun.Tx, m *Message) error {
	chain := []string{m.Locale, "nb"}
	subject := s.Bundle.Localize(chain, "Mail"+m.Template+"Subject", m.Data)
	body := s.Bundle.Localize(chain, "Mail"+m.Template+"Body", m.Data)
	sendCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	err := s.Transport.Send(sendCtx, m.To, subject, body)
	cancel()
	if err == nil {
		m.LastError = ""
		_, err := tx.NewDelete().Model(m).WherePK().Exec(ctx)
		return database.MapError(err, "delete sent mail", "mail")
	}
	m.Attempts++
	m.LastError = err.Error()
	backoff := time.Duration(1<<min(m.Attempts, 10)) * time.Minute
	s.Log.WarnContext(ctx, "e-mail delivery failed", "id", m.ID, "attempt", m.Attempts, "err", err)
	_, err = tx.NewUpdate().Model(m).Set("attempts = ?, last_error = ?, next_attempt_at = now() + make_interval(secs => ?)", m.Attempts, m.LastError, backoff.Seconds()).
		WherePK().Exec(ctx)
	return database.MapError(err, "record mail failure", "mail")
}

func (s *Sender) maxAttempts() int {
	if s.MaxAttempts > 0 {
		return s.MaxAttempts
	}
	return 8
}

// Run delivers due messages every interval until ctx ends.
func (s *Sender) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.SendDue(ctx); err != nil && ctx.Err() == nil {
			s.Log.ErrorContext(ctx, "mail sender", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
