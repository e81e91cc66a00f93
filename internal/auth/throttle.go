package auth

import (
	"context"
	"log/slog"
	"math"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
)

// reserve counts a login attempt against keys (the account's, keys[0], and the client's,
// keys[1]) before its password is checked: it records the attempt as a failure of each key
// at once, then counts each key's failures in the window, its own included. RATE_LIMITED
// (RetryAfter seconds in Data) when the account has more than MaxFailures, or the client
// four times as many; the attempt is taken back then. Otherwise the caller keeps the
// recorded failure for a wrong password, or calls release for a right one.
//
// Recording before counting makes the limit exact across any number of instances and
// attempts arriving at the same moment: every attempt's count runs after its own record,
// so the k-th count to run sees at least k attempts, and at most the limit pass.
func (s *Service) reserve(ctx context.Context, mid uuid.UUID, keys [][]byte) (release func(), err error) {
	now := s.now().Truncate(time.Microsecond) // as PostgreSQL keeps it, so release finds the rows
	if _, err := s.db.ExecContext(ctx, "INSERT INTO login_failures (municipality_id, key_hash, failed_at) VALUES (?, ?, ?), (?, ?, ?)",
		mid, keys[0], now, mid, keys[1], now); err != nil {
		return nil, database.MapError(err, "record login attempt", "login")
	}
	release = func() {
		for _, key := range keys {
			// Rows of one key and time are alike: taking back any one of them is taking back this one.
			_, err := s.db.ExecContext(context.WithoutCancel(ctx), `DELETE FROM login_failures WHERE ctid = (SELECT ctid
				FROM login_failures WHERE municipality_id = ? AND key_hash = ? AND failed_at = ? LIMIT 1)`, mid, key, now)
			if err != nil {
				slog.ErrorContext(ctx, "take back a login attempt", "err", err)
			}
		}
	}
	if err := s.over(ctx, mid, keys, 1); err != nil {
		release()
		return nil, err
	}
	return release, nil
}

// throttled returns RATE_LIMITED (with RetryAfter seconds in Data) when the account key
// (keys[0]) has MaxFailures, or the client key (keys[1]) four times as many, failures in
// the window.
func (s *Service) throttled(ctx context.Context, mid uuid.UUID, keys [][]byte) error {
	return s.over(ctx, mid, keys, 0)
}

// over returns RATE_LIMITED when a key has more than its limit plus own failures in the
// window: own is how many of them are the attempt being checked.
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
		if n-own >= limit {
			wait := oldest.Add(s.opt.FailureWindow).Sub(s.now())
			return &apperr.Error{Code: apperr.RateLimited, MessageID: "LoginRateLimited",
				Data: map[string]any{"RetryAfter": int(math.Ceil(max(wait.Seconds(), 1)))}}
		}
	}
	return nil
}

// fail keeps a failed login (reserve recorded it), audits it when the account exists, and
// returns the one answer for every failed login.
func (s *Service) fail(ctx context.Context, mid uuid.UUID, u *User) error {
	err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Table("login_failures").Where("municipality_id = ? AND failed_at < ?", mid, s.now().Add(-s.opt.FailureWindow)).Exec(ctx); err != nil {
			return database.MapError(err, "prune login failures", "login")
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
