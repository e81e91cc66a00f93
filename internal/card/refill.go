package card

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/platform/database"
)

// RefillResult counts what one run of the refill job changed.
type RefillResult struct {
	// Granted is how many cards got their programme's grant for the period.
	Granted int
	// HeldBack is how many cards the budget kept from their grant (they get it when the
	// budget allows).
	HeldBack int
	// Expired is how many cards had money written off: credits past their last day of use,
	// or what was left on a card that ended.
	Expired int
}

// moneyBatch is how many cards one statement of the refill job writes off.
const moneyBatch = 1000

// RefillCards runs the card money's housekeeping as of now, in every municipality: the
// money past its last day of use, and all that is left on cards that have ended, is
// written off (EXPIRY entries); every ACTIVE programme with a grant gives each usable
// card its grant for the period that has begun, as far as the budget allows; and the
// coordinators of a programme whose committed and spent money has passed the warning
// threshold are warned, once. Cards locked by a request are left for the next run. It runs
// as the job RefillArgs; concurrent runs would still grant each card once per period.
func (s *Service) RefillCards(ctx context.Context, now time.Time) (RefillResult, error) {
	var res RefillResult
	for {
		n, err := s.expireMoney(ctx, now)
		res.Expired += n
		if err != nil || n == 0 {
			if err != nil {
				return res, err
			}
			break
		}
	}
	var progs []struct {
		ID             uuid.UUID `bun:"id"`
		MunicipalityID uuid.UUID `bun:"municipality_id"`
		Today          time.Time `bun:"today"`
	}
	err := s.db.NewSelect().TableExpr("card_programmes AS p").Join("JOIN municipalities m ON m.id = p.municipality_id").
		ColumnExpr("p.id, p.municipality_id, (?::timestamptz AT TIME ZONE m.time_zone)::date AS today", now).
		Where("p.status = 'ACTIVE'").
		Where("(p.grant_period IS NOT NULL AND p.grant_ore > 0) OR (p.budget_ore > 0 AND p.budget_warned_at IS NULL)").
		OrderExpr("p.id").Scan(ctx, &progs)
	if err != nil {
		return res, database.MapError(err, "find programmes", "programme")
	}
	for _, pr := range progs {
		err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
			p, err := lockProgramme(ctx, tx, pr.MunicipalityID, pr.ID)
			if err != nil {
				return err
			}
			granted, held, err := s.grantCards(ctx, tx, p, pr.Today, nil)
			res.Granted, res.HeldBack = res.Granted+granted, res.HeldBack+held
			if err != nil {
				return err
			}
			if granted > 0 {
				err := audit.Append(ctx, tx, &audit.Entry{MunicipalityID: p.MunicipalityID, Action: "grant_card_money",
					ItemType: "CardProgramme", ItemID: &p.ID, Fields: []string{"grants"}})
				if err != nil {
					return err
				}
			}
			return s.warnOfBudget(ctx, tx, p, pr.Today)
		})
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// expiredSQL is, per card (c, its municipality m), what is to be written off now (?0):
// all that is left on a card that has ended, else its money past its last day of use.
var expiredSQL = `CASE WHEN c.status IN ('REVOKED', 'EXPIRED') THEN coalesce(sum(e.amount_ore), 0)
	ELSE ` + pendingExpiry("e", "(?0::timestamptz AT TIME ZONE m.time_zone)::date") + ` END`

// expireMoney writes off one batch of cards' money that has expired, and returns for how
// many cards. The cards are locked first, without waiting (a spend holds its card), and
// what to write off is counted after, so a spend that committed meanwhile is counted.
func (s *Service) expireMoney(ctx context.Context, now time.Time) (int, error) {
	var ids []uuid.UUID
	err := s.db.NewRaw(`SELECT c.id FROM cards c JOIN municipalities m ON m.id = c.municipality_id
		JOIN card_ledger_entries e ON e.card_id = c.id
		GROUP BY c.id, c.status, m.time_zone HAVING `+expiredSQL+` > 0 ORDER BY c.id LIMIT ?1`, now, moneyBatch).
		Scan(ctx, &ids)
	if err != nil || len(ids) == 0 {
		return 0, database.MapError(err, "find expired money", "card")
	}
	n := 0
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		var locked []uuid.UUID
		err := tx.NewRaw("SELECT id FROM cards WHERE id IN (?) ORDER BY id FOR UPDATE SKIP LOCKED", bun.In(ids)).
			Scan(ctx, &locked)
		if err != nil || len(locked) == 0 {
			return database.MapError(err, "lock cards", "card")
		}
		res, err := tx.NewRaw(`INSERT INTO card_ledger_entries (municipality_id, card_id, programme_id, kind, amount_ore, created_at)
			SELECT c.municipality_id, c.id, c.programme_id, 'EXPIRY', -x.amount, ?0
			FROM cards c JOIN municipalities m ON m.id = c.municipality_id
			CROSS JOIN LATERAL (SELECT `+expiredSQL+` AS amount FROM card_ledger_entries e WHERE e.card_id = c.id) x
			WHERE c.id IN (?1) AND x.amount > 0`, now, bun.In(locked)).Exec(ctx)
		if err != nil {
			return database.MapError(err, "write off expired money", "card")
		}
		rows, err := res.RowsAffected()
		n = int(rows)
		return err
	})
	return n, err
}

// RefillInterval is how often the refill job runs.
const RefillInterval = time.Hour

// RefillArgs is the card money's housekeeping job (RefillCards), enqueued every
// RefillInterval, once per period whatever the number of instances. It belongs to every
// municipality, so it carries no municipality id.
type RefillArgs struct{}

// Kind names the job.
func (RefillArgs) Kind() string { return "card_refill" }

// InsertOpts makes the job unique per period, also when inserted by hand.
func (RefillArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByPeriod: RefillInterval}}
}

// RefillWorker runs the refill job. A failed run is retried with River's back-off, and the
// next period's job runs anyway.
type RefillWorker struct {
	river.WorkerDefaults[RefillArgs]
	Cards *Service
}

// Timeout bounds one run.
func (w *RefillWorker) Timeout(*river.Job[RefillArgs]) time.Duration { return 10 * time.Minute }

// Work runs RefillCards at the service clock's now.
func (w *RefillWorker) Work(ctx context.Context, _ *river.Job[RefillArgs]) error {
	res, err := w.Cards.RefillCards(ctx, w.Cards.now())
	if res != (RefillResult{}) {
		slog.InfoContext(ctx, "card refill job", "granted", res.Granted, "held_back", res.HeldBack, "expired", res.Expired)
	}
	if err != nil && ctx.Err() == nil {
		slog.ErrorContext(ctx, "card refill job", "err", err)
	}
	return err
}
