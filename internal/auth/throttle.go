package auth

import (
	"context"
	"math"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
)

// throttled returns RATE_LIMITED (with RetryAfter seconds in Data) when the account key
// (keys[0]) has MaxFailures, or the client key (keys[1]) four times as many, failures in
// the window.
func (s *Service) throttled(ctx context.Context, mid uuid.UUID, keys [][]byte) error {
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
		if n >= limit {
			wait := oldest.Add(s.opt.FailureWindow).Sub(s.now())
			return &apperr.Error{Code: apperr.RateLimited, MessageID: "LoginRateLimited",
				Data: map[string]any{"RetryAfter": int(math.Ceil(max(wait.Seconds(), 1)))}}
		}
	}
	return nil
}

// fail records a failed login for both keys, audits it when the account exists, and
// returns the one answer for every failed login.
func (s *Service) fail(ctx context.Context, mid uuid.UUID, keys [][]byte, u *User) error {
	err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		now := s.now()
		if _, err := tx.NewDelete().Table("login_failures").Where("municipality_id = ? AND failed_at < ?", mid, now.Add(-s.opt.FailureWindow)).Exec(ctx); err != nil {
			return database.MapError(err, "prune login failures", "login")
		}
		for _, key := range keys {
			if _, err := tx.ExecContext(ctx, "INSERT INTO login_failures (municipality_id, key_hash, failed_at) VALUES (?, ?, ?)", mid, key, now); err != nil {
				return database.MapError(err, "record login failure", "login")
			}
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
