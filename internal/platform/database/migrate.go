package database

import (
	"context"
	"fmt"
	"hash/fnv"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"

	"github.com/fritid/fritid/migrations"
)

// Migrator runs the embedded migrations. Runs are serialised across processes with a
// PostgreSQL advisory lock held on its own session, so a crashed run never leaves the lock
// behind; each migration runs in its own transaction and is marked applied only on success.
type Migrator struct {
	db *bun.DB
	m  *migrate.Migrator
}

// NewMigrator returns a Migrator over db.
func NewMigrator(db *bun.DB) (*Migrator, error) {
	ms := migrate.NewMigrations()
	if err := ms.Discover(migrations.FS); err != nil {
		return nil, fmt.Errorf("discover migrations: %w", err)
	}
	migrations.Register(ms)
	m := migrate.NewMigrator(db, ms,
		migrate.WithTableName("schema_migrations"),
		migrate.WithLocksTableName("schema_migration_locks"),
		migrate.WithMarkAppliedOnSuccess(true))
	return &Migrator{db: db, m: m}, nil
}

// Up applies every pending migration and returns the names applied.
func (mg *Migrator) Up(ctx context.Context) ([]string, error) {
	// A current schema, what nearly every start finds, is told by one query: no lock, no
	// table check. A migration is marked applied only once it has committed, so none can be
	// half-done when none is pending.
	if n, err := mg.Pending(ctx); err == nil && n == 0 {
		return nil, nil
	}
	var names []string
	err := mg.locked(ctx, func() error {
		g, err := mg.m.Migrate(ctx)
		for _, m := range g.Migrations {
			names = append(names, m.String())
		}
		return err
	})
	return names, err
}

// Down rolls back the last group of migrations and returns the names rolled back.
func (mg *Migrator) Down(ctx context.Context) ([]string, error) {
	var names []string
	err := mg.locked(ctx, func() error {
		g, err := mg.m.Rollback(ctx)
		for _, m := range g.Migrations {
			names = append(names, m.String())
		}
		return err
	})
	return names, err
}

// Status returns every migration with when it was applied (zero time: pending).
func (mg *Migrator) Status(ctx context.Context) (migrate.MigrationSlice, error) {
	if err := mg.m.Init(ctx); err != nil {
		return nil, err
	}
	return mg.m.MigrationsWithStatus(ctx)
}

// Pending returns how many migrations are not applied yet.
func (mg *Migrator) Pending(ctx context.Context) (int, error) {
	ms, err := mg.m.MigrationsWithStatus(ctx)
	if err != nil {
		return 0, err
	}
	return len(ms.Unapplied()), nil
}

func (mg *Migrator) locked(ctx context.Context, fn func() error) error {
	conn, err := mg.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	defer conn.Close()
	key := lockKey("fritid schema migrations")
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(?)", key); err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(?)", key) //nolint:errcheck // the session ends with the connection anyway
	if err := mg.m.Init(ctx); err != nil {
		return fmt.Errorf("migration tables: %w", err)
	}
	return fn()
}

// lockKey turns a name into an advisory lock key.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return int64(h.Sum64())
}
