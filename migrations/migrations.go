// Package migrations holds fritid's migrations. Most are SQL: each a pair of files,
// NNNN_name.tx.up.sql and NNNN_name.tx.down.sql; ".tx" runs the file in one transaction.
// 0019 (the job queue) is Go, in 0019_job_queue.go: it runs River's own migrations and
// moves the outbox's waiting e-mails onto the queue. In production migrations only go
// forward; the down files are for development.
package migrations

import "embed"

// FS holds the migration files.
//
//go:embed *.sql
var FS embed.FS
