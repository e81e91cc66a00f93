package database

import (
	"context"
	"database/sql"

	"github.com/uptrace/bun"
)

// RunInTx runs fn in one transaction on db, committing when fn returns nil and rolling back
// otherwise. Service methods own their transaction through it.
func RunInTx(ctx context.Context, db *bun.DB, fn func(ctx context.Context, tx bun.Tx) error) error {
	return db.RunInTx(ctx, &sql.TxOptions{}, fn)
}
