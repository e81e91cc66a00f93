package tracing

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/extra/bunotel"
	"go.opentelemetry.io/otel/trace"
)

// InstrumentDB adds a client span to each SQL statement db runs within a traced request:
// db.statement holds the statement's text with ? in place of every bound value, never the
// values themselves (bunotel's default, kept by not formatting queries). Statements run
// outside a trace (background jobs, start-up) record nothing. When tracing is off it does
// nothing.
func (t *Tracing) InstrumentDB(db *bun.DB) {
	if !t.Enabled() {
		return
	}
	db.AddQueryHook(sqlHook{bunotel.NewQueryHook(
		bunotel.WithTracerProvider(t.provider),
		bunotel.WithFormattedQueries(false),
	)})
}

// sqlHook is bunotel's hook, limited to statements within a trace.
type sqlHook struct{ *bunotel.QueryHook }

func (h sqlHook) BeforeQuery(ctx context.Context, e *bun.QueryEvent) context.Context {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return ctx
	}
	return h.QueryHook.BeforeQuery(ctx, e)
}
