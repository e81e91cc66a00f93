package card

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"time"

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
// Run it through RunJobs, so only one server runs it at a time.
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

// expiryLockKey is the advisory lock that lets one server at a time run the card jobs.
var expiryLockKey = func() int64 {
	h := fnv.New64a()
	h.Write([]byte("fritid card expiry"))
	return int64(h.Sum64())
}()

// RunExpiry runs ExpireTicketsAndCards at the service clock's now if no other server is
// running it: it holds a PostgreSQL advisory lock on a connection of its own for the run,
// so a server that dies mid-run frees the lock with its session. ran is false when another
// holds the lock (and nothing was done).
func (s *Service) RunExpiry(ctx context.Context) (res ExpiryResult, ran bool, err error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return res, false, fmt.Errorf("card jobs lock: %w", err)
	}
	defer conn.Close()
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock(?)", expiryLockKey).Scan(&ran); err != nil {
		return res, false, fmt.Errorf("card jobs lock: %w", err)
	}
	if !ran {
		return res, false, nil
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(?)", expiryLockKey) //nolint:errcheck // the session ends with the connection anyway
	res, err = s.ExpireTicketsAndCards(ctx, s.now())
	return res, true, err
}

// RunJobs runs the card domain's housekeeping (RunExpiry) now and then every interval
// until ctx ends. Every server may run it: the advisory lock lets one at a time do the
// work. Failures are logged with the default logger and retried at the next interval.
func (s *Service) RunJobs(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		res, ran, err := s.RunExpiry(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			slog.ErrorContext(ctx, "card expiry job", "err", err)
		case ran && res != (ExpiryResult{}):
			slog.InfoContext(ctx, "card expiry job", "tickets", res.Tickets, "cards", res.Cards, "persons_erased", res.PersonsErased)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
