package card

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database"
)

// ExpiryResult counts what one run of the expiry job changed.
type ExpiryResult struct {
	// Tickets is how many claimed tickets passed their expiry unused and became EXPIRED.
	Tickets int
	// Cards is how many cards passed their last valid day and became EXPIRED.
	Cards int
	// PersonsErased is how many persons' data the retention rule erased.
	PersonsErased int
}

// expiryBatch is how many tickets one statement of the expiry job expires, so no run
// holds many row locks at once.
const expiryBatch = 1000

// ExpireTicketsAndCards runs the card domain's housekeeping as of now, in every
// municipality: CLAIMED tickets whose expiry is past become EXPIRED (their stock is not
// returned: an expired ticket was taken, and counts against the per-card limit and the
// allowance), ACTIVE and SUSPENDED cards past their last valid day become EXPIRED
// (ExpireCards), and the retention rule erases the personal data it no longer allows
// (EraseExpiredPersonalData). Each change is audit-logged. Rows locked by a request at the
// time are left for the next run, so the job never waits on, or deadlocks with, a request.
// It runs as the job ExpiryArgs; concurrent runs would still expire each ticket once.
func (s *Service) ExpireTicketsAndCards(ctx context.Context, now time.Time) (ExpiryResult, error) {
	var res ExpiryResult
	for {
		n, err := s.expireTickets(ctx, now)
		res.Tickets += n
		if err != nil {
			return res, err
		}
		if n < expiryBatch {
			break
		}
	}
	err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		res.Cards, err = s.ExpireCards(ctx, tx, now)
		return err
	})
	if err != nil {
		return res, err
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		res.PersonsErased, err = s.EraseExpiredPersonalData(ctx, tx, now)
		return err
	})
	return res, err
}

// expireTickets expires one batch of claimed tickets past their expiry, with an audit
// entry each, and returns how many.
func (s *Service) expireTickets(ctx context.Context, now time.Time) (int, error) {
	r, err := s.db.ExecContext(ctx, `WITH expired AS (
			UPDATE card_tickets SET status = 'EXPIRED'
			WHERE id IN (SELECT id FROM card_tickets WHERE status = 'CLAIMED' AND expires_at <= ?0
				ORDER BY expires_at LIMIT ?1 FOR UPDATE SKIP LOCKED)
			AND status = 'CLAIMED'
			RETURNING id, municipality_id)
		INSERT INTO audit_log (id, municipality_id, action, item_type, item_id, fields)
		SELECT uuid_generate_v7(), municipality_id, 'expire_card_ticket', 'CardTicket', id, '{status}' FROM expired`, now, expiryBatch)
	if err != nil {
		return 0, database.MapError(err, "expire tickets", "ticket")
	}
	n, err := r.RowsAffected()
	return int(n), err
}

// ExpiryInterval is how often the housekeeping job runs.
const ExpiryInterval = 15 * time.Minute

// ExpiryArgs is the card domain's housekeeping job (ExpireTicketsAndCards), enqueued every
// ExpiryInterval, once per period whatever the number of instances. It belongs to every
// municipality, so it carries no municipality id.
type ExpiryArgs struct{}

// Kind names the job.
func (ExpiryArgs) Kind() string { return "card_expiry" }

// InsertOpts makes the job unique per period, also when inserted by hand: a second
// insert in the same period is the first job.
func (ExpiryArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByPeriod: ExpiryInterval}}
}

// ExpiryWorker runs the housekeeping job. A failed run is retried with River's back-off,
// and the next period's job runs anyway.
type ExpiryWorker struct {
	river.WorkerDefaults[ExpiryArgs]
	Cards *Service
}

// Timeout bounds one run: a large backlog takes many batches.
func (w *ExpiryWorker) Timeout(*river.Job[ExpiryArgs]) time.Duration { return 10 * time.Minute }

// Work runs ExpireTicketsAndCards at the service clock's now.
func (w *ExpiryWorker) Work(ctx context.Context, _ *river.Job[ExpiryArgs]) error {
	res, err := w.Cards.ExpireTicketsAndCards(ctx, w.Cards.now())
	if res != (ExpiryResult{}) {
		slog.InfoContext(ctx, "card expiry job", "tickets", res.Tickets, "cards", res.Cards, "persons_erased", res.PersonsErased)
	}
	if err != nil && ctx.Err() == nil {
		slog.ErrorContext(ctx, "card expiry job", "err", err)
	}
	return err
}
