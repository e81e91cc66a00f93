package card

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/card/wallet"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/jobs"
)

// WalletUpdateArgs is the job that tells the wallets holding a ticket's pass that it
// changed (redeemed, cancelled, expired): an APNs push to each device that registered the
// Apple pass, and the Google Wallet object's new state.
type WalletUpdateArgs struct {
	TicketID       uuid.UUID `json:"ticket_id"`
	MunicipalityID uuid.UUID `json:"municipality_id"`
}

// Kind names the job.
func (WalletUpdateArgs) Kind() string { return "card_wallet_update" }

// InsertOpts gives the job its attempts: the push service or Google may be away a while.
func (WalletUpdateArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 10} }

// WalletUpdateWorker runs the wallet update jobs.
type WalletUpdateWorker struct {
	river.WorkerDefaults[WalletUpdateArgs]
	Cards *Service
}

// Work tells the job's ticket's wallets.
func (w *WalletUpdateWorker) Work(ctx context.Context, job *river.Job[WalletUpdateArgs]) error {
	return w.Cards.UpdateWallets(ctx, job.Args.TicketID)
}

// Timeout bounds one run.
func (w *WalletUpdateWorker) Timeout(*river.Job[WalletUpdateArgs]) time.Duration { return time.Minute }

// queueWalletUpdates marks the passes of the tickets ids that are in a wallet changed (the
// web service's update tag) and queues their update jobs, in db's transaction.
func queueWalletUpdates(ctx context.Context, db bun.IDB, ids []uuid.UUID) error {
	if len(ids) == 0 {
		return nil
	}
	var changed []WalletUpdateArgs
	// Each change lands in a later whole second than the one before, since a device asks
	// with If-Modified-Since, which has whole seconds.
	err := db.NewRaw(`UPDATE card_wallet_passes
		SET changed_at = greatest(clock_timestamp(), date_trunc('second', changed_at) + interval '1 second')
		WHERE ticket_id IN (?) RETURNING ticket_id, municipality_id`, bun.In(ids)).Scan(ctx, &changed)
	if err != nil {
		return database.MapError(err, "mark wallet passes changed", "ticket")
	}
	if len(changed) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, len(changed))
	for i, c := range changed {
		params[i] = river.InsertManyParams{Args: c}
	}
	switch tx := db.(type) {
	case bun.Tx:
		_, err = jobs.InsertManyTx(ctx, tx, params)
	case *bun.DB: // not in a transaction: the jobs go in one of their own
		err = database.RunInTx(ctx, tx, func(ctx context.Context, tx bun.Tx) error {
			_, err := jobs.InsertManyTx(ctx, tx, params)
			return err
		})
	default:
		err = fmt.Errorf("queue wallet updates: %T is not a transaction", db)
	}
	return err
}

// UpdateWallets tells the wallets holding the ticket's pass of its state now: a push to
// each registered Apple device (a device whose token the push service no longer takes is
// unregistered), and a PATCH of the Google Wallet object's state. A ticket no longer in
// any wallet (erased) needs nothing. Meant for the job WalletUpdateArgs; its error makes
// the job try again.
func (s *Service) UpdateWallets(ctx context.Context, ticketID uuid.UUID) error {
	p, _, row, err := s.walletPass(ctx, s.db, ticketID)
	if apperr.CodeOf(err) == apperr.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	var errs []error
	if s.Wallet.Pusher != nil {
		errs = append(errs, s.pushDevices(ctx, ticketID))
	}
	if row.Google && s.Wallet.Google != nil {
		errs = append(errs, s.Wallet.Google.UpdateState(ctx, p.Serial, p.State))
	}
	return errors.Join(errs...)
}

// pushDevices pushes to each device that registered the ticket's pass, and unregisters
// those the push service says are gone.
func (s *Service) pushDevices(ctx context.Context, ticketID uuid.UUID) error {
	var regs []struct {
		Device string `bun:"device_library_id"`
		Token  string `bun:"push_token"`
	}
	err := s.db.NewSelect().Table("card_wallet_registrations").Column("device_library_id", "push_token").
		Where("ticket_id = ?", ticketID).Scan(ctx, &regs)
	if err != nil {
		return database.MapError(err, "find wallet devices", "pass")
	}
	var errs []error
	for _, r := range regs {
		err := s.Wallet.Pusher.Push(ctx, r.Token)
		switch {
		case errors.Is(err, wallet.ErrGone):
			_, err = s.db.NewDelete().Table("card_wallet_registrations").
				Where("ticket_id = ? AND device_library_id = ?", ticketID, r.Device).Exec(ctx)
			if err != nil {
				errs = append(errs, fmt.Errorf("unregister wallet device: %w", err))
			}
		case err != nil:
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
