package app

import (
	"io"
	"log/slog"

	"github.com/fritid/fritid/internal/platform/config"
	"github.com/fritid/fritid/internal/platform/httpserver"
	"github.com/fritid/fritid/internal/platform/tracing"
)

// NewLogger returns the process logger: text in development, JSON in production. In JSON a
// duration is a number of milliseconds under its key with "_ms" added ("took" becomes
// "took_ms": 12.5), not Go's integer nanoseconds. A line logged with a traced request's
// context carries its trace_id and span_id.
func NewLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(cfg.LogLevel)) //nolint:errcheck // validated by config
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Production() {
		opts.ReplaceAttr = durationsInMilliseconds
		return slog.New(tracing.LogHandler(slog.NewJSONHandler(w, opts)))
	}
	return slog.New(tracing.LogHandler(slog.NewTextHandler(w, opts)))
}

// durationsInMilliseconds turns a duration attribute into milliseconds under key_ms.
func durationsInMilliseconds(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		return slog.Float64(a.Key+"_ms", httpserver.Milliseconds(a.Value.Duration()))
	}
	return a
}
