package events

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/fritid/fritid/internal/platform/database"
)

// DefaultSignupRetention is how long after an event ends its sign-ups are kept unless
// configured.
const DefaultSignupRetention = 30 * 24 * time.Hour

// SignupErasureInterval is how often the sign-ups past their retention are erased.
const SignupErasureInterval = time.Hour

func (s *Service) signupRetention() time.Duration {
	if s.SignupRetention > 0 {
		return s.SignupRetention
	}
	return DefaultSignupRetention
}

// EraseExpiredSignups erases, in every municipality, the sign-ups (contacts,
// participants and their answers, attendance) of the events that ended more than the
// retention before now, and returns how many. The events' counts of places taken stay,
// naming no one.
func (s *Service) EraseExpiredSignups(ctx context.Context, now time.Time) (int, error) {
	res, err := s.db.NewDelete().TableExpr("event_signups AS su").
		Where("su.event_id IN (SELECT e.id FROM events e WHERE e.ends_at < ?)", now.Add(-s.signupRetention())).
		Exec(ctx)
	if err != nil {
		return 0, database.MapError(err, "erase sign-ups", "signup")
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// SignupErasureArgs is the job that erases the sign-ups past their retention. It belongs
// to every municipality, so it carries no municipality id.
type SignupErasureArgs struct{}

// Kind names the job.
func (SignupErasureArgs) Kind() string { return "event_signup_erasure" }

// InsertOpts makes the job unique per period.
func (SignupErasureArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByPeriod: SignupErasureInterval}}
}

// SignupErasureWorker runs the erasure job.
type SignupErasureWorker struct {
	river.WorkerDefaults[SignupErasureArgs]
	Events *Service
}

// Timeout bounds one run.
func (w *SignupErasureWorker) Timeout(*river.Job[SignupErasureArgs]) time.Duration {
	return 10 * time.Minute
}

// Work runs EraseExpiredSignups at the service clock's now; it logs counts, never data.
func (w *SignupErasureWorker) Work(ctx context.Context, _ *river.Job[SignupErasureArgs]) error {
	n, err := w.Events.EraseExpiredSignups(ctx, w.Events.now())
	if n > 0 {
		slog.InfoContext(ctx, "event sign-up erasure job", "signups", n)
	}
	if err != nil && ctx.Err() == nil {
		slog.ErrorContext(ctx, "event sign-up erasure job", "err", err)
	}
	return err
}
