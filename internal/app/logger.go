package app

import (
	"io"
	"log/slog"

	"github.com/fritid/fritid/internal/platform/config"
)

// NewLogger returns the process logger: text in development, JSON in production.
func NewLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(cfg.LogLevel)) //nolint:errcheck // validated by config
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Production() {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
