package testdb

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestNewGivesEachTestItsOwnMigratedDatabase(t *testing.T) {
	ctx := context.Background()
	a, b := New(t), New(t)
	if _, err := a.ExecContext(ctx, "INSERT INTO municipalities (slug, name, default_locale) VALUES ('a', 'A', 'nb')"); err == nil {
		// The deferred default-locale check fails at commit: this is autocommit, so it must fail.
		t.Fatal("insert without locale succeeded; the migration's constraint is missing")
	}
	if _, err := a.ExecContext(ctx, "CREATE TABLE only_in_a (x int)"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := b.QueryRowContext(ctx, "SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("databases are shared: n=%d err=%v", n, err)
	}
	if err := b.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil || n == 0 {
		t.Fatalf("not migrated: n=%d err=%v", n, err)
	}
}

func TestNewIsFastAndConcurrent(t *testing.T) {
	New(t) // warm up: the server and template exist after this
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.Run("", func(t *testing.T) {
				db := New(t)
				if err := db.Ping(); err != nil {
					t.Error(err)
				}
			})
		}()
	}
	wg.Wait()
	t.Logf("8 databases in %v", time.Since(start))
}

func TestNewDurableCommitsDurably(t *testing.T) {
	db := NewDurable(t) // checks fsync and synchronous_commit itself
	var n int
	if err := db.QueryRowContext(context.Background(), "SELECT count(*) FROM municipalities").Scan(&n); err != nil || n != 0 {
		t.Fatalf("durable database is not a fresh migrated one: %d, %v", n, err)
	}
}
