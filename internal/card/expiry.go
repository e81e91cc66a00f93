package card

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/live"
)

// ExpiryResult counts what one run of the expiry job changed.
type ExpiryResult struct {
	// Tickets is how many claimed tickets passed their expiry unused and became EXPIRED.
	Tickets int
	// Returned is how many of them expired before their offer's end (its
	// expireUnusedDaysBefore), so that their stock went back, to the waiting list first.
	Returned int
	// Lapsed is how many places held from a waiting list passed their deadline untaken, or
	// lost their card, and went to the next in line.
	Lapsed int
	// Reminded is how many claimed tickets about to expire were reminded of.
	Reminded int
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
// returned, an expired ticket was taken and counts against the per-card limit and the
// allowance, except for a ticket that expired before its offer's end by the offer's
// expireUnusedDaysBefore: its unit goes to the offer's waiting list or back to its stock);
// places held from waiting lists past their deadline lapse, and the places of cards that
// ended are dropped, their units going to the next in line; holders are reminded of
// tickets about to expire (remindTickets); ACTIVE and SUSPENDED cards past their last
// valid day become EXPIRED (ExpireCards), and the retention rule erases the personal data
// it no longer allows (EraseExpiredPersonalData), attachments' files with it. Each change is audit-logged. Rows locked
// by a request at the time are left for the next run, so the job never waits on, or
// deadlocks with, a request. It runs as the job ExpiryArgs; concurrent runs would still
// expire each ticket once.
func (s *Service) ExpireTicketsAndCards(ctx context.Context, now time.Time) (ExpiryResult, error) {
	var res ExpiryResult
	for {
		n, returned, err := s.expireTickets(ctx, now)
		res.Tickets += n
		res.Returned += returned
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
	if res.Lapsed, err = s.lapsePlaces(ctx, now); err != nil {
		return res, err
	}
	if res.Reminded, err = s.remindTickets(ctx, now); err != nil {
		return res, err
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		res.PersonsErased, err = s.EraseExpiredPersonalData(ctx, tx, now)
		return err
	})
	if err != nil {
		return res, err
	}
	// The files of applications' attachments the erasure deleted, out of the media store.
	_, err = s.RemoveDeletedFiles(ctx)
	return res, err
}

// expireTickets expires one batch of claimed tickets past their expiry, with an audit
// entry each, gives back the units of those that expired before their offer's end, and
// returns how many expired and how many of them gave their units back.
func (s *Service) expireTickets(ctx context.Context, now time.Time) (int, int, error) {
	var expired []struct {
		ID             uuid.UUID `bun:"id"`
		MunicipalityID uuid.UUID `bun:"municipality_id"`
		OfferID        uuid.UUID `bun:"offer_id"`
		StockSlot      int16     `bun:"stock_slot"`
		Early          bool      `bun:"early"`
	}
	returned := 0
	err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		expired, returned = expired[:0], 0
		err := tx.NewRaw(`WITH expired AS (
				UPDATE card_tickets SET status = 'EXPIRED'
				WHERE id IN (SELECT id FROM card_tickets WHERE status = 'CLAIMED' AND expires_at <= ?0
					ORDER BY expires_at LIMIT ?1 FOR UPDATE SKIP LOCKED)
				AND status = 'CLAIMED'
				RETURNING id, municipality_id, offer_id, stock_slot, expires_at),
			logged AS (
				INSERT INTO audit_log (id, municipality_id, action, item_type, item_id, fields)
				SELECT uuid_generate_v7(), municipality_id, 'expire_card_ticket', 'CardTicket', id, '{status}' FROM expired)
			SELECT e.id, e.municipality_id, e.offer_id, e.stock_slot,
				o.expire_unused_days_before > 0
					AND e.expires_at < greatest(o.valid_to, coalesce(o.event_at, o.valid_to)) AS early
			FROM expired e JOIN card_offers o ON o.id = e.offer_id`, now, expiryBatch).Scan(ctx, &expired)
		if err != nil {
			return database.MapError(err, "expire tickets", "ticket")
		}
		events := make([]live.Event, 0, len(expired))
		ids := make([]uuid.UUID, 0, len(expired))
		for _, e := range expired {
			events = append(events, live.Event{Kind: live.TicketChanged, MunicipalityID: e.MunicipalityID, ID: e.ID})
			ids = append(ids, e.ID)
		}
		// The wallets holding their passes are told, as the holders' screens are.
		if err := queueWalletUpdates(ctx, tx, ids); err != nil {
			return err
		}
		if err := live.NotifyAll(ctx, tx, events); err != nil {
			return err
		}
		for _, e := range expired {
			if !e.Early {
				continue
			}
			if _, err := s.returnUnit(ctx, tx, e.MunicipalityID, e.OfferID, e.StockSlot); err != nil {
				return err
			}
			returned++
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return len(expired), returned, nil
}

// lapsePlaces ends the places held from waiting lists whose deadline is past by now, and
// drops the places of cards that are no longer usable, each unit held going to the next in
// line; it returns how many places ended.
func (s *Service) lapsePlaces(ctx context.Context, now time.Time) (int, error) {
	total := 0
	for _, step := range []struct {
		status WaitingStatus
		where  string
	}{
		{WaitingLapsed, "wp.status = 'OFFERED' AND wp.hold_until <= ?"},
		{WaitingDropped, "wp.card_id IN (SELECT id FROM cards WHERE status IN ('REVOKED', 'EXPIRED') AND ended_at <= ?)"},
	} {
		err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
			n, err := s.endPlaces(ctx, tx, step.status, true, step.where, now)
			total += n
			return err
		})
		if err != nil {
			return total, err
		}
	}
	return total, nil
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
		slog.InfoContext(ctx, "card expiry job", "tickets", res.Tickets, "returned", res.Returned, "lapsed", res.Lapsed,
			"reminded", res.Reminded, "cards", res.Cards, "persons_erased", res.PersonsErased)
	}
	if err != nil && ctx.Err() == nil {
		slog.ErrorContext(ctx, "card expiry job", "err", err)
	}
	return err
}
