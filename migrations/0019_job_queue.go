package migrations

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// RiverVersion is the version of River's own schema that migration 0019 installs: the
// newest of the River release fritid is built with. Upgrading River to a release with a
// newer schema takes a new fritid migration that migrates River on to that version.
const RiverVersion = 8

// Register adds the migrations written in Go to ms: 0019, the job queue.
func Register(ms *migrate.Migrations) {
	ms.MustRegister(jobQueueUp, jobQueueDown)
}

// jobQueueUp installs River's tables (through River's own migrator, each of its steps in
// a transaction, recorded in river_migration), then turns every e-mail still waiting in
// the outbox into a job, so that an upgrade loses none: the outbox keeps the message
// itself (the address is deleted once it is sent), the job carries its id alone.
func jobQueueUp(ctx context.Context, db *bun.DB) error {
	if err := riverMigrate(ctx, db.DB, rivermigrate.DirectionUp, RiverVersion); err != nil {
		return err
	}
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		// A run that moved the outbox but died before being recorded finds it moved.
		var moved bool
		if err := tx.QueryRowContext(ctx, `SELECT NOT EXISTS (SELECT 1 FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = 'outbox' AND column_name = 'attempts')`).Scan(&moved); err != nil {
			return fmt.Errorf("move the outbox onto the job queue: %w", err)
		}
		if moved {
			return nil
		}
		_, err := tx.ExecContext(ctx, `
INSERT INTO river_job (state, attempt, max_attempts, scheduled_at, finalized_at, args, kind, errors)
SELECT CASE WHEN o.attempts >= 8 THEN 'discarded'
            WHEN o.next_attempt_at > now() THEN 'scheduled'
            ELSE 'available' END::river_job_state,
       least(o.attempts, 8), 8, o.next_attempt_at,
       CASE WHEN o.attempts >= 8 THEN now() END,
       jsonb_build_object('message_id', o.id, 'municipality_id', o.municipality_id), 'mail',
       CASE WHEN o.attempts > 0 THEN ARRAY[jsonb_build_object('at', o.next_attempt_at, 'attempt', o.attempts,
         'error', 'delivery failed before the move to the job queue')] END
FROM outbox o ORDER BY o.created_at;
DROP INDEX outbox_due_idx;
ALTER TABLE outbox DROP COLUMN attempts, DROP COLUMN next_attempt_at, DROP COLUMN last_error;
`)
		if err != nil {
			return fmt.Errorf("move the outbox onto the job queue: %w", err)
		}
		return nil
	})
}

// jobQueueDown gives the outbox its own retry columns back (every waiting message due
// now) and removes River's tables, with the jobs in them.
func jobQueueDown(ctx context.Context, db *bun.DB) error {
	_, err := db.ExecContext(ctx, `
ALTER TABLE outbox ADD COLUMN attempts integer NOT NULL DEFAULT 0,
  ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN last_error text NOT NULL DEFAULT '';
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at);
`)
	if err != nil {
		return fmt.Errorf("give the outbox its columns back: %w", err)
	}
	return riverMigrate(ctx, db.DB, rivermigrate.DirectionDown, -1)
}

func riverMigrate(ctx context.Context, db *sql.DB, dir rivermigrate.Direction, target int) error {
	m, err := rivermigrate.New(riverdatabasesql.New(db), &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return fmt.Errorf("job queue schema: %w", err)
	}
	if _, err := m.Migrate(ctx, dir, &rivermigrate.MigrateOpts{TargetVersion: target}); err != nil {
		return fmt.Errorf("job queue schema: %w", err)
	}
	return nil
}
