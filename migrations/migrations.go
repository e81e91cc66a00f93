// Package migrations embeds fritid's SQL migrations. Each migration is a pair of files,
// NNNN_name.tx.up.sql and NNNN_name.tx.down.sql; ".tx" runs the file in one transaction.
// In production migrations only go forward; the down files are for development.
package migrations

import "embed"

// FS holds the migration files.
//
//go:embed *.sql
var FS embed.FS
