package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/relay"
)

// State is where a job is in its life: River's state, in capitals.
type State string

// The states of a job.
const (
	StateAvailable State = "AVAILABLE" // due, waiting for a worker
	StateScheduled State = "SCHEDULED" // due later
	StatePending   State = "PENDING"   // not yet due to be scheduled
	StateRunning   State = "RUNNING"   // being worked
	StateRetryable State = "RETRYABLE" // failed, will be tried again
	StateCompleted State = "COMPLETED" // done
	StateCancelled State = "CANCELLED" // given up on purpose
	StateDiscarded State = "DISCARDED" // failed every attempt; an administrator may retry it
)

// Job is what an administrator sees of a job: never its arguments.
type Job struct {
	ID          int64
	Kind        string
	State       State
	Attempt     int
	MaxAttempts int
	// Errors are the messages of the failed attempts, oldest first. Workers keep personal
	// data out of them (the mail worker masks the address).
	Errors      []string
	CreatedAt   time.Time
	ScheduledAt time.Time
	AttemptedAt *time.Time
	FinalizedAt *time.Time
}

// GlobalID returns the job's opaque global ID.
func (j *Job) GlobalID() string { return relay.GlobalKey("Job", strconv.FormatInt(j.ID, 10)) }

// ParseID returns the job ID inside a global ID of a Job. Errors: BAD_USER_INPUT naming field.
func ParseID(gid, field string) (int64, error) {
	typ, key, err := relay.ParseGlobalKey(gid, field)
	if err != nil {
		return 0, err
	}
	id, perr := strconv.ParseInt(key, 10, 64)
	if typ != "Job" || perr != nil || id <= 0 {
		return 0, apperr.Invalid(field, "InvalidID", nil)
	}
	return id, nil
}

// JobConnection is a page of jobs, newest first.
type JobConnection struct {
	Edges    []*JobEdge
	PageInfo *relay.PageInfo
	count    func(context.Context) (int, error)
}

// JobEdge is a job in a page, with its cursor.
type JobEdge struct {
	Cursor string
	Node   *Job
}

// Nodes returns the page's jobs alone.
func (c *JobConnection) Nodes() []*Job {
	out := make([]*Job, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node
	}
	return out
}

// TotalCount returns how many jobs the list has in all.
func (c *JobConnection) TotalCount(ctx context.Context) (int, error) { return c.count(ctx) }

const jobColumns = `id, kind, upper(state::text), attempt, max_attempts, created_at, scheduled_at, attempted_at, finalized_at,
	coalesce((SELECT jsonb_agg(e->>'error' ORDER BY (e->>'attempt')::int) FROM unnest(errors) e), '[]')::text`

// where is the filter of an administrator's list: the municipality's jobs in states.
const jobWhere = `args->>'municipality_id' = ? AND (cardinality(?::text[]) = 0 OR state::text = ANY(?::text[]))`

func scanJob(row interface{ Scan(...any) error }) (*Job, error) {
	j := new(Job)
	var errs string
	if err := row.Scan(&j.ID, &j.Kind, &j.State, &j.Attempt, &j.MaxAttempts, &j.CreatedAt, &j.ScheduledAt,
		&j.AttemptedAt, &j.FinalizedAt, &errs); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(errs), &j.Errors); err != nil {
		return nil, err
	}
	return j, nil
}

// FindJobs returns a page of the municipality's jobs (those whose args carry its id), newest
// first, in the given states (all when none). Deployment-wide jobs (the card housekeeping)
// belong to no municipality and are not listed. Only forward paging (first, after).
// Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT naming "after".
func (q *Queue) FindJobs(ctx context.Context, states []State, page relay.Page) (*JobConnection, error) {
	// SECURITY: an administrator of the municipality, and only its own jobs.
	mid, err := q.requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	st := make([]string, len(states))
	for i, s := range states {
		st[i] = strings.ToLower(string(s))
	}
	var after int64
	if page.After != "" {
		if err := relay.DecodeCursor(page.After, "after", &after); err != nil {
			return nil, err
		}
	}
	rows, err := q.db.QueryContext(ctx, "SELECT "+jobColumns+" FROM river_job WHERE "+jobWhere+
		" AND (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?",
		mid.String(), pgdialect.Array(st), pgdialect.Array(st), after, after, page.Limit+1)
	if err != nil {
		return nil, fmt.Errorf("find jobs: %w", err)
	}
	defer rows.Close()
	conn := &JobConnection{PageInfo: &relay.PageInfo{}, count: func(ctx context.Context) (n int, err error) {
		err = q.db.QueryRowContext(ctx, "SELECT count(*) FROM river_job WHERE "+jobWhere,
			mid.String(), pgdialect.Array(st), pgdialect.Array(st)).Scan(&n)
		return n, err
	}}
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, fmt.Errorf("find jobs: %w", err)
		}
		if len(conn.Edges) == page.Limit {
			conn.PageInfo.HasNextPage = true
			break
		}
		conn.Edges = append(conn.Edges, &JobEdge{Cursor: relay.EncodeCursor(j.ID), Node: j})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find jobs: %w", err)
	}
	if n := len(conn.Edges); n > 0 {
		conn.PageInfo.StartCursor, conn.PageInfo.EndCursor = &conn.Edges[0].Cursor, &conn.Edges[n-1].Cursor
	}
	return conn, nil
}

// RetryJob makes a discarded job of the municipality available again, with its attempts
// counted anew, and returns it. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND naming "id"
// (no such job, or another municipality's), CONFLICT naming "id" when the job is not
// discarded.
func (q *Queue) RetryJob(ctx context.Context, id int64) (*Job, error) {
	// SECURITY: an administrator of the municipality, and only its own jobs.
	mid, err := q.requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	j, err := q.findJob(ctx, mid, id)
	if err != nil {
		return nil, err
	}
	if j.State != StateDiscarded {
		return nil, apperr.New(apperr.Conflict, "").WithField("id")
	}
	if _, err := q.admin.JobRetry(ctx, id); err != nil {
		if errors.Is(err, rivertype.ErrNotFound) {
			return nil, apperr.NotFoundf("job").WithField("id")
		}
		return nil, fmt.Errorf("retry job: %w", err)
	}
	return q.findJob(ctx, mid, id)
}

// FindJob returns the municipality's job with id. Errors: UNAUTHENTICATED, FORBIDDEN,
// NOT_FOUND naming "id" (no such job, or another municipality's).
func (q *Queue) FindJob(ctx context.Context, id int64) (*Job, error) {
	// SECURITY: an administrator of the municipality, and only its own jobs.
	mid, err := q.requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	return q.findJob(ctx, mid, id)
}

func (q *Queue) findJob(ctx context.Context, mid uuid.UUID, id int64) (*Job, error) {
	j, err := scanJob(q.db.QueryRowContext(ctx, "SELECT "+jobColumns+" FROM river_job WHERE id = ? AND "+jobWhere,
		id, mid.String(), pgdialect.Array([]string{}), pgdialect.Array([]string{})))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("job").WithField("id")
	}
	if err != nil {
		return nil, fmt.Errorf("find job: %w", err)
	}
	return j, nil
}

func (q *Queue) requireAdmin(ctx context.Context) (uuid.UUID, error) {
	// SECURITY: the application sets the check; without it nobody sees any job.
	if q.RequireAdmin == nil {
		return uuid.Nil, apperr.New(apperr.Forbidden, "")
	}
	return q.RequireAdmin(ctx)
}
