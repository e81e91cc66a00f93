package auth

import (
	"context"
	"database/sql"
	"log/slog"
	"math"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
)

// reserve counts a login attempt against the account (keys[0]) before its password is
// checked: it records the attempt as a failure of the account at once, then counts the
// account's failures in the window, its own included, and the client's (keys[1]).
// RATE_LIMITED (RetryAfter seconds in Data) when the account has more than MaxFailures, or
// the client four times as many; the attempt is taken back then. Otherwise the caller
// keeps the recorded failure for a wrong password (fail), or calls release for a right one.
//
// Recording before counting makes the account's limit exact across any number of
// instances and attempts arriving at once: every attempt's count runs after its own
// record, so the k-th count to run sees at least k attempts, and at most the limit pass.
// The client's limit counts only failures (recorded by fail), so that many people behind
// one address signing in at once are not refused: a burst from one address may have a few
// more passwords checked than it allows, but never more than each account's limit.
func (s *Service) reserve(ctx context.Context, mid uuid.UUID, keys [][]byte) (release func(), err error) {
	if release, err = RecordAttempt(ctx, s.db.DB, mid, keys[0], s.now()); err != nil {
		return nil, err
	}
	if err := s.over(ctx, mid, keys, 1); err != nil {
		release()
		return nil, err
	}
	return release, nil
}

// asyncCommit is a condition that holds and makes the statement's own transaction commit
// without waiting for its WAL to reach the disk (synchronous_commit off, for this
// transaction only). An attempt's record is a throttle's count: a crash may forget the last
// few, which costs nothing, while waiting for the disk would cost every claim by number and
// PIN and every login two flushes. Only for statements run on their own, never in a
// transaction that holds other writes.
const asyncCommit = "(SELECT set_config('synchronous_commit', 'off', true)) = 'off'"

// Execer runs a statement with bound parameters: a *sql.DB, outside any transaction.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// recordAttemptSQL and takeBackSQL are constant texts with bind parameters, so that each
// connection prepares and plans them once.
const (
	recordAttemptSQL = `INSERT INTO login_failures (municipality_id, key_hash, failed_at)
	SELECT $1::uuid, $2::bytea, $3::timestamptz WHERE ` + asyncCommit
	// Rows of one key and time are alike: taking back any one of them is taking back this one.
	takeBackSQL = `DELETE FROM login_failures WHERE ctid = (SELECT ctid FROM login_failures
	WHERE municipality_id = $1 AND key_hash = $2 AND failed_at = $3 LIMIT 1) AND ` + asyncCommit
)

// RecordAttempt records an attempt as a failure of key at now, in login_failures where the
// throttles count them, and returns the function that takes it back (for an attempt that
// turns out right, or is refused unchecked). Throttles that record first and count after,
// their own record included, hold their limit across instances and for attempts arriving
// at once. db must not be a transaction (see asyncCommit).
func RecordAttempt(ctx context.Context, db Execer, mid uuid.UUID, key []byte, now time.Time) (release func(), err error) {
	now = now.Truncate(time.Microsecond) // as PostgreSQL keeps it, so release finds the row
	if _, err = db.ExecContext(ctx, recordAttemptSQL, mid, key, now); err != nil {
		return nil, database.MapError(err, "record attempt", "login")
	}
	return func() {
		if _, err := db.ExecContext(context.WithoutCancel(ctx), takeBackSQL, mid, key, now); err != nil {
			slog.ErrorContext(ctx, "take back an attempt", "err", err)
		}
	}, nil
}

// throttled returns RATE_LIMITED (with RetryAfter seconds in Data) when the account key
// (keys[0]) has MaxFailures, or the client key (keys[1]) four times as many, failures in
// the window.
func (s *Service) throttled(ctx context.Context, mid uuid.UUID, keys [][]byte) error {
	return s.over(ctx, mid, keys, 0)
}

// over returns RATE_LIMITED when the account key (keys[0]) has its limit of failures in
// the window besides own (the attempt being checked, when reserve recorded it), or the
// client key four times as many.
func (s *Service) over(ctx context.Context, mid uuid.UUID, keys [][]byte, own int) error {
	since := s.now().Add(-s.opt.FailureWindow)
	for i, key := range keys {
		limit := s.opt.MaxFailures
		if i == 1 {
			limit *= 4
		}
		var n int
		var oldest time.Time
		err := s.db.NewSelect().Table("login_failures").ColumnExpr("count(*), coalesce(min(failed_at), now())").
			Where("municipality_id = ? AND key_hash = ? AND failed_at > ?", mid, key, since).Scan(ctx, &n, &oldest)
		if err != nil {
			return database.MapError(err, "count login failures", "login")
		}
		if i == 0 {
			n -= own
		}
		if n >= limit {
			wait := oldest.Add(s.opt.FailureWindow).Sub(s.now())
			return &apperr.Error{Code: apperr.RateLimited, MessageID: "LoginRateLimited",
				Data: map[string]any{"RetryAfter": int(math.Ceil(max(wait.Seconds(), 1)))}}
		}
	}
	return nil
}

// fail keeps a failed login (reserve recorded it against the account), records it against
// the client (keys[1]), audits it when the account exists, and returns the one answer for
// every failed login.
func (s *Service) fail(ctx context.Context, mid uuid.UUID, keys [][]byte, u *User) error {
	err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		now := s.now()
		_, err := tx.NewDelete().Table("login_failures").
			Where("municipality_id = ? AND failed_at < ?", mid, now.Add(-s.opt.FailureWindow)).
			Exec(ctx)
		if err != nil {
			return database.MapError(err, "prune login failures", "login")
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO login_failures (municipality_id, key_hash, failed_at) VALUES (?, ?, ?)",
			mid, keys[1], now)
		if err != nil {
			return database.MapError(err, "record login failure", "login")
		}
		e := &audit.Entry{MunicipalityID: mid, Action: "login_failed"}
		if u != nil {
			e.ItemType, e.ItemID = "User", &u.ID
		}
		return audit.Append(ctx, tx, e)
	})
	if err != nil {
		return err
	}
	return errBadLogin
}

// recordAttempt counts a request that sends e-mail (a reset or confirmation link) against
// each of keys, as throttled reads them, so asking too often is RATE_LIMITED like failed
// logins.
func (s *Service) recordAttempt(ctx context.Context, tx bun.IDB, mid uuid.UUID, keys [][]byte) error {
	for _, k := range keys {
		_, err := tx.ExecContext(ctx,
			"INSERT INTO login_failures (municipality_id, key_hash, failed_at) VALUES (?, ?, ?)", mid, k, s.now())
		if err != nil {
			return database.MapError(err, "count e-mail request", "user")
		}
	}
	return nil
}
