package jobs_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database/testdb"
	"github.com/fritid/fritid/internal/platform/jobs"
)

type countArgs struct{}

func (countArgs) Kind() string { return "test_count" }

// counter counts its runs.
type counter struct {
	river.WorkerDefaults[countArgs]
	runs atomic.Int32
}

func (w *counter) Work(context.Context, *river.Job[countArgs]) error {
	w.runs.Add(1)
	return nil
}

type blockArgs struct{}

func (blockArgs) Kind() string { return "test_block" }

// blocker signals that it runs, then waits for release, or for its context to end when
// release is nil.
type blocker struct {
	river.WorkerDefaults[blockArgs]
	started chan struct{}
	release chan struct{}
}

func (w *blocker) Work(ctx context.Context, _ *river.Job[blockArgs]) error {
	close(w.started)
	if w.release == nil {
		<-ctx.Done()
		return ctx.Err()
	}
	<-w.release
	return nil
}

func start(t *testing.T, q *jobs.Queue, url string) {
	t.Helper()
	if err := q.Start(context.Background(), url, jobs.Options{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Stop(context.Background()) }) //nolint:errcheck // stopped already in most tests
}

func insert(t *testing.T, db *bun.DB, args river.JobArgs) int64 {
	t.Helper()
	var id int64
	err := db.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := jobs.InsertTx(ctx, tx, args, nil)
		if err == nil {
			id = res.Job.ID
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func state(t *testing.T, db *bun.DB, id int64) string {
	t.Helper()
	var s string
	if err := db.QueryRowContext(context.Background(), "SELECT state FROM river_job WHERE id = ?", id).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestPeriodicJobRunsOncePerPeriod starts two instances with the same periodic job (run on
// start; a period of a year, so that the test does not straddle two): one job is enqueued
// for the period and run once.
func TestPeriodicJobRunsOncePerPeriod(t *testing.T) {
	t.Parallel()
	db, url := testdb.NewWithURL(t)
	w := &counter{}
	queues := make([]*jobs.Queue, 2)
	for i := range queues {
		q, err := jobs.New(db)
		if err != nil {
			t.Fatal(err)
		}
		jobs.AddWorker(q, w)
		q.AddPeriodic(365*24*time.Hour, func() river.JobArgs { return countArgs{} })
		queues[i] = q
	}
	done, stop := func() (<-chan *river.Event, func()) {
		start(t, queues[0], url)
		start(t, queues[1], url)
		return queues[0].Subscribe(river.EventKindJobCompleted)
	}()
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// The first run may have completed before the subscription: wait for the table.
	for {
		var n int
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM river_job WHERE kind = 'test_count' AND state = 'completed'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			break
		}
		select {
		case <-done:
		case <-time.After(50 * time.Millisecond):
		case <-ctx.Done():
			t.Fatal("the periodic job did not run")
		}
	}
	// Both instances stop; either may have become leader meanwhile and enqueued again.
	for _, q := range queues {
		if err := q.Stop(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var rows int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM river_job WHERE kind = 'test_count'").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 1 || w.runs.Load() != 1 {
		t.Errorf("%d jobs enqueued, %d runs; want 1, 1", rows, w.runs.Load())
	}
}

// TestStopWaitsForRunningJobs: a graceful stop lets the running job finish and records it.
func TestStopWaitsForRunningJobs(t *testing.T) {
	t.Parallel()
	db, url := testdb.NewWithURL(t)
	q, err := jobs.New(db)
	if err != nil {
		t.Fatal(err)
	}
	w := &blocker{started: make(chan struct{}), release: make(chan struct{})}
	jobs.AddWorker(q, w)
	start(t, q, url)
	id := insert(t, db, blockArgs{})
	<-w.started
	stopped := make(chan error, 1)
	go func() { stopped <- q.Stop(context.Background()) }()
	close(w.release)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if s := state(t, db, id); s != "completed" {
		t.Errorf("after a graceful stop the job is %s, want completed", s)
	}
}

// TestStopCancelsAtTheDeadline: a job still running when the shutdown time is up is
// cancelled and left to be retried, not lost as running.
func TestStopCancelsAtTheDeadline(t *testing.T) {
	t.Parallel()
	db, url := testdb.NewWithURL(t)
	q, err := jobs.New(db)
	if err != nil {
		t.Fatal(err)
	}
	w := &blocker{started: make(chan struct{})}
	jobs.AddWorker(q, w)
	start(t, q, url)
	id := insert(t, db, blockArgs{})
	<-w.started
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := q.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if s := state(t, db, id); s != "available" && s != "retryable" {
		t.Errorf("after the deadline the job is %s, want it queued again", s)
	}
}

// TestInsertTxRollsBack: a job inserted in a transaction that rolls back is gone.
func TestInsertTxRollsBack(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jobs.InsertTx(ctx, tx, countArgs{}, nil); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM river_job").Scan(&n); err != nil || n != 0 {
		t.Errorf("%d jobs after the rollback (%v)", n, err)
	}
}
