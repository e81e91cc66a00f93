package database_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/database/testdb"
)

func TestMigrateDownAndUpAgain(t *testing.T) {
	ctx := context.Background()
	db := testdb.New(t)
	m, err := database.NewMigrator(db)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := m.Pending(ctx); err != nil || n != 0 {
		t.Fatalf("a test database is migrated: pending=%d err=%v", n, err)
	}
	down, err := m.Down(ctx)
	if err != nil || len(down) == 0 {
		t.Fatalf("down: %v %v", down, err)
	}
	var exists bool
	db.QueryRowContext(ctx, "SELECT to_regclass('municipalities') IS NOT NULL").Scan(&exists)
	if exists {
		t.Fatal("down left the tables")
	}
	if n, _ := m.Pending(ctx); n != len(down) {
		t.Errorf("pending after down = %d, want %d", n, len(down))
	}
	// Several instances starting at once: the lock lets one migrate, the rest find nothing to do.
	var wg sync.WaitGroup
	applied := make([][]string, 4)
	errs := make([]error, 4)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			applied[i], errs[i] = m.Up(ctx)
		}()
	}
	wg.Wait()
	total := 0
	for i := range 4 {
		if errs[i] != nil {
			t.Errorf("up %d: %v", i, errs[i])
		}
		total += len(applied[i])
	}
	if total != len(down) {
		t.Errorf("migrations applied %d times in all, want %d", total, len(down))
	}
	status, err := m.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range status {
		if !s.IsApplied() {
			t.Errorf("%s not applied", s.Name)
		}
	}
}

func TestMapError(t *testing.T) {
	ctx := context.Background()
	db := testdb.New(t)
	_, err := db.ExecContext(ctx, "CREATE TABLE things (slug text UNIQUE CHECK (slug <> ''))")
	if err != nil {
		t.Fatal(err)
	}
	db.ExecContext(ctx, "INSERT INTO things VALUES ('a')")
	tests := []struct {
		name, query string
		want        apperr.Code
	}{
		{"UniqueIsConflict", "INSERT INTO things VALUES ('a')", apperr.Conflict},
		{"CheckIsBadInput", "INSERT INTO things VALUES ('')", apperr.BadUserInput},
		{"DataIsBadInput", "SELECT 'x'::int", apperr.BadUserInput},
		{"NoRowsIsNotFound", "SELECT slug FROM things WHERE slug = 'zz'", apperr.NotFound},
		{"SyntaxIsInternal", "SELEKT 1", apperr.Internal},
		// What PostgreSQL answers the transaction it ends to break a deadlock, or one that
		// lost a serialisation race: the same request again succeeds.
		{"DeadlockIsConflict", "DO $$BEGIN RAISE EXCEPTION 'lost' USING ERRCODE = 'deadlock_detected'; END$$",
			apperr.Conflict},
		{"SerialisationIsConflict",
			"DO $$BEGIN RAISE EXCEPTION 'lost' USING ERRCODE = 'serialization_failure'; END$$", apperr.Conflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s string
			err := db.QueryRowContext(ctx, tt.query).Scan(&s)
			got := database.MapError(err, "test", "thing")
			if apperr.CodeOf(got) != tt.want {
				t.Errorf("code = %q, want %q (%v)", apperr.CodeOf(got), tt.want, err)
			}
			var pg *pgconn.PgError
			if errors.As(err, &pg) && !errors.As(got, &pg) {
				t.Error("the driver error is no longer in the chain")
			}
		})
	}
	if e := apperr.As(database.MapError(db.QueryRowContext(ctx, "INSERT INTO things VALUES ('a') RETURNING slug").Scan(new(string)), "test", "thing")); e == nil || e.Field != "slug" {
		t.Errorf("conflict field = %+v", e)
	}
}
