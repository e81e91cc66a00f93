package events

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database"
)

// HorizonInterval is how often the series' horizons move ahead.
const HorizonInterval = 24 * time.Hour

// ExtendHorizons makes the occurrences of every series whose horizon lags more than a
// day behind now plus the horizon, one series per transaction, and returns how many
// series it extended.
func (s *Service) ExtendHorizons(ctx context.Context, now time.Time) (int, error) {
	var srs []*Series
	err := s.db.NewSelect().Model(&srs).
		Where("s.materialised_until < ?", now.Add(s.horizon()-HorizonInterval)).
		Order("s.materialised_until").
		Scan(ctx)
	if err != nil {
		return 0, database.MapError(err, "find series", "series")
	}
	n := 0
	for _, sr := range srs {
		err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
			cur, err := findSeriesForUpdate(ctx, tx, sr.MunicipalityID, sr.ID)
			if err != nil {
				return err
			}
			return s.materialise(ctx, tx, cur, now, false)
		})
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// HorizonArgs is the daily job that moves the series' horizons ahead. It belongs to every
// municipality, so it carries no municipality id.
type HorizonArgs struct{}

// Kind names the job.
func (HorizonArgs) Kind() string { return "event_horizon" }

// InsertOpts makes the job unique per period.
func (HorizonArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByPeriod: HorizonInterval}}
}

// HorizonWorker runs the horizon job.
type HorizonWorker struct {
	river.WorkerDefaults[HorizonArgs]
	Events *Service
}

// Timeout bounds one run.
func (w *HorizonWorker) Timeout(*river.Job[HorizonArgs]) time.Duration { return 10 * time.Minute }

// Work runs ExtendHorizons at the service clock's now.
func (w *HorizonWorker) Work(ctx context.Context, _ *river.Job[HorizonArgs]) error {
	n, err := w.Events.ExtendHorizons(ctx, w.Events.now())
	if n > 0 {
		slog.InfoContext(ctx, "event horizon job", "series", n)
	}
	if err != nil && ctx.Err() == nil {
		slog.ErrorContext(ctx, "event horizon job", "err", err)
	}
	return err
}
