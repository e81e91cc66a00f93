// Package jobs is fritid's one job mechanism: a durable queue in fritid's own PostgreSQL
// database, run by River (riverqueue.com). A job is inserted in the transaction of the
// change that causes it (InsertTx), so it exists exactly when that change commits; the
// server's workers (Queue.Start, in `fritid serve` only) work it with retries and back-off,
// each job on one instance at a time however many run; periodic jobs are enqueued by the
// elected leader alone and are unique per period. River's tables come with migration 0019.
//
// A domain package defines its job as a river.JobArgs (Kind names it; a job that belongs
// to a municipality carries "municipality_id" in its args, so that its administrators see
// it) and a river.Worker, and the application registers the worker with AddWorker.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"
)

// inserter inserts jobs inside a caller's transaction; it has no pool and works nothing.
var inserter = func() *river.Client[*sql.Tx] {
	c, err := river.NewClient(riverdatabasesql.New(nil), &river.Config{})
	if err != nil {
		panic(fmt.Sprintf("jobs: insert-only client: %v", err))
	}
	return c
}()

// InsertTx inserts a job in tx, the transaction of the change that causes it: the job is
// there (and can run) only once tx commits, and goes if tx rolls back. opts may be nil;
// the args' own InsertOpts apply then. A job to run later sets opts.ScheduledAt.
func InsertTx(ctx context.Context, tx bun.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	res, err := inserter.InsertTx(ctx, tx.Tx, args, opts)
	if err != nil {
		return nil, fmt.Errorf("insert %s job: %w", args.Kind(), err)
	}
	return res, nil
}

// InsertManyTx inserts many jobs in tx at once (PostgreSQL's COPY where the driver has it),
// for work that fans out: a campaign's thousands of sends are queued in one statement.
func InsertManyTx(ctx context.Context, tx bun.Tx, params []river.InsertManyParams) (int, error) {
	if len(params) == 0 {
		return 0, nil
	}
	n, err := inserter.InsertManyFastTx(ctx, tx.Tx, params)
	if err != nil {
		return 0, fmt.Errorf("insert %d %s jobs: %w", len(params), params[0].Args.Kind(), err)
	}
	return n, nil
}

// Options are the settings of a running queue.
type Options struct {
	// Workers is how many jobs one instance works at once (FRITID_JOB_WORKERS).
	Workers int
	// Logger receives River's own warnings and errors (its routine messages are left out);
	// nil discards them.
	Logger *slog.Logger
}

// Queue registers the workers and periodic jobs, and runs them once started. The zero
// value is not usable; use New.
type Queue struct {
	db       *bun.DB
	admin    *river.Client[*sql.Tx]
	workers  *river.Workers
	periodic []*river.PeriodicJob

	// RequireAdmin answers, for the jobs query and mutation, which municipality the
	// request's viewer administers; set by the application.
	RequireAdmin func(ctx context.Context) (municipalityID uuid.UUID, err error)

	mu     sync.Mutex
	pool   *pgxpool.Pool
	runner *river.Client[pgx.Tx]
}

// New returns a queue over db, fritid's database. It starts nothing.
func New(db *bun.DB) (*Queue, error) {
	admin, err := river.NewClient(riverdatabasesql.New(db.DB), &river.Config{})
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	return &Queue{db: db, admin: admin, workers: river.NewWorkers()}, nil
}

// AddWorker registers the worker of one kind of job. Register every worker before Start.
func AddWorker[T river.JobArgs](q *Queue, w river.Worker[T]) {
	river.AddWorker(q.workers, w)
}

// AddPeriodic has the leader instance enqueue the job made by args every interval, and
// once when it starts. Each job is unique for its period (the interval, counted from the
// Unix epoch): however many instances run, and however often they restart, one job runs
// per period.
func (q *Queue) AddPeriodic(interval time.Duration, args func() river.JobArgs) {
	q.periodic = append(q.periodic, river.NewPeriodicJob(river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) {
			return args(), &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: interval}}
		}, &river.PeriodicJobOpts{RunOnStart: true}))
}

// Start connects a small pool of its own to the database at url (LISTEN/NOTIFY and the
// queue's bookkeeping) and starts working jobs until Stop.
func (q *Queue) Start(ctx context.Context, url string, opts Options) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.runner != nil {
		return errors.New("job queue: already started")
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return fmt.Errorf("job queue: parse database URL: %w", err)
	}
	cfg.MaxConns = 4
	cfg.MinConns = 0
	cfg.ConnConfig.RuntimeParams["application_name"] = "fritid-jobs"
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("job queue: connect: %w", err)
	}
	log := slog.New(slog.DiscardHandler)
	if opts.Logger != nil {
		log = slog.New(atLeast{opts.Logger.Handler(), slog.LevelWarn})
	}
	runner, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Logger:       log,
		Queues:       map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: max(opts.Workers, 1)}},
		Workers:      q.workers,
		PeriodicJobs: q.periodic,
		// The workers set their own timeouts; River's default (a minute) is for the rest.
		JobTimeout: time.Minute,
	})
	if err != nil {
		pool.Close()
		return fmt.Errorf("job queue: %w", err)
	}
	if err := runner.Start(ctx); err != nil {
		pool.Close()
		return fmt.Errorf("job queue: start: %w", err)
	}
	q.pool, q.runner = pool, runner
	return nil
}

// Stop stops fetching new jobs and waits for the running ones to finish until ctx ends;
// then it cancels those still running (River retries them later) and waits for them to
// return. It is a no-op on a queue that was not started.
func (q *Queue) Stop(ctx context.Context) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.runner == nil {
		return nil
	}
	err := q.runner.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		// Running jobs get a short moment to see their context cancelled and return.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		err = q.runner.StopAndCancel(cctx)
		cancel()
	}
	q.pool.Close()
	q.runner, q.pool = nil, nil
	return err
}

// Subscribe returns the events of the given kinds from the running queue, and the function
// that ends the subscription. It panics when the queue is not started.
func (q *Queue) Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func()) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.runner == nil {
		panic("jobs: Subscribe before Start")
	}
	return q.runner.Subscribe(kinds...)
}

// WaitIdle waits until no job of the given kinds is running or due: each has completed,
// been discarded, or waits for a later retry. It reads the queue's table every 20 ms until
// ctx ends, for tests and tools that need the queue's work done.
func WaitIdle(ctx context.Context, db bun.IDB, kinds ...string) error {
	for {
		var n int
		err := db.QueryRowContext(ctx, `SELECT count(*) FROM river_job WHERE kind IN (?)
			AND (state IN ('available', 'running', 'pending')
				OR (state IN ('scheduled', 'retryable') AND scheduled_at <= now()))`, bun.In(kinds)).Scan(&n)
		if err != nil {
			return fmt.Errorf("wait for jobs: %w", err)
		}
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for jobs: %d still due: %w", n, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// atLeast passes on the records of its level and above.
type atLeast struct {
	slog.Handler
	min slog.Level
}

func (h atLeast) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h atLeast) WithAttrs(attrs []slog.Attr) slog.Handler {
	return atLeast{h.Handler.WithAttrs(attrs), h.min}
}

func (h atLeast) WithGroup(name string) slog.Handler {
	return atLeast{h.Handler.WithGroup(name), h.min}
}
