package database

import (
	"context"
	"database/sql"

	"github.com/uptrace/bun"
)

// RunInTx runs fn in one transaction on db, committing when fn returns nil and rolling back
// otherwise. Service methods own their transaction through it. What fn schedules with
// AfterCommit runs once the transaction has committed, in order, and never when it did not.
func RunInTx(ctx context.Context, db *bun.DB, fn func(ctx context.Context, tx bun.Tx) error) error {
	h := &afterCommit{}
	err := db.RunInTx(context.WithValue(ctx, afterCommitKey{}, h), &sql.TxOptions{}, fn)
	if err == nil {
		for _, f := range h.fns {
			f()
		}
	}
	return err
}

type afterCommitKey struct{}

// afterCommit is what a transaction of RunInTx runs once it has committed.
type afterCommit struct{ fns []func() }

// AfterCommit schedules fn to run once the transaction of RunInTx that ctx belongs to has
// committed, and reports true; outside such a transaction it schedules nothing and reports
// false, and the caller does its work otherwise. fn must not block for long: the caller
// of RunInTx waits for it.
func AfterCommit(ctx context.Context, fn func()) bool {
	h, _ := ctx.Value(afterCommitKey{}).(*afterCommit)
	if h == nil {
		return false
	}
	h.fns = append(h.fns, fn)
	return true
}
