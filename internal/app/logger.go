package app

import (
	"io"
	"log/slog"

	"github.com/fritid/fritid/internal/platform/config"
	"github.com/fritid/fritid/internal/platform/tracing"
)

// NewLogger returns the process logger: text in development, JSON in production. A line
// logged with a traced request's context carries its trace_id and span_id.
func NewLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(cfg.LogLevel)) //nolint:errcheck // validated by config
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Production() {
		return slog.New(tracing.LogHandler(slog.NewJSONHandler(w, opts)))
	}
	return slog.New(tracing.LogHandler(slog.NewTextHandler(w, opts)))
}
