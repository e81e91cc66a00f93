// Package database opens fritid's PostgreSQL connection (bun over pgx's database/sql
// driver), runs the embedded migrations, and maps driver errors to application errors.
package database

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// Open connects to the PostgreSQL at url with at most maxConns connections and checks that
// it answers.
func Open(ctx context.Context, url string, maxConns int) (*bun.DB, error) {
	return open(ctx, url, maxConns, map[string]string{"application_name": "fritid"})
}

// OpenReplica is Open for a read replica: its sessions are read-only
// (default_transaction_read_only), so a write sent there by mistake fails rather than
// being lost, and they show in pg_stat_activity as fritid-read.
func OpenReplica(ctx context.Context, url string, maxConns int) (*bun.DB, error) {
	return open(ctx, url, maxConns, map[string]string{"application_name": "fritid-read", "default_transaction_read_only": "on"})
}

func open(ctx context.Context, url string, maxConns int, params map[string]string) (*bun.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	for k, v := range params {
		cfg.RuntimeParams[k] = v
	}
	cfg.RuntimeParams["timezone"] = "UTC"
	// Typo tolerance of search: "bowlnig" still finds "bowling" (pg_trgm's default, 0.6,
	// misses a swapped pair of letters in a short word).
	cfg.RuntimeParams["pg_trgm.word_similarity_threshold"] = "0.45"
	sqldb := stdlib.OpenDB(*cfg)
	sqldb.SetMaxOpenConns(maxConns)
	sqldb.SetMaxIdleConns(maxConns)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	db := bun.NewDB(sqldb, pgdialect.New())
	if err := Ping(ctx, db.DB); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Ping checks within five seconds that the database answers.
func Ping(ctx context.Context, db *sql.DB) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		return fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	return nil
}
