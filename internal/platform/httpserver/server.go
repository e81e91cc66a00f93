package httpserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
)

// Run serves h on cfg.Addr until ctx is cancelled, then shuts down
// gracefully: it stops accepting connections and waits up to
// cfg.ShutdownTimeout for in-flight requests to finish. Once the listener is
// open it calls ready (if non-nil) with the actual address, so an Addr such as
// "127.0.0.1:0" can be used in tests.
//
// Run returns nil after a clean shutdown, and an error when listening or
// serving fails or when in-flight requests outlast the shutdown timeout (in
// which case remaining connections are closed).
func Run(ctx context.Context, cfg Config, h http.Handler, log *slog.Logger, ready func(net.Addr)) error {
	cfg = cfg.withDefaults()
	log = orDefault(log)
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("httpserver: listen: %w", err)
	}
	srv := newServer(cfg, h, log)
	log.Info("http server listening", slog.String("addr", ln.Addr().String()))
	if ready != nil {
		ready(ln.Addr())
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case err := <-serveErr:
		return fmt.Errorf("httpserver: serve: %w", err)
	case <-ctx.Done():
	}
	return shutdown(srv, cfg, log, serveErr)
}

// newServer builds the http.Server for cfg.
func newServer(cfg Config, h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Addr:              cfg.Addr,
		Handler:           h,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// shutdown stops srv gracefully within cfg.ShutdownTimeout and waits for
// Serve to return.
func shutdown(srv *http.Server, cfg Config, log *slog.Logger, serveErr <-chan error) error {
	log.Info("http server shutting down", slog.Duration("timeout", cfg.ShutdownTimeout))
	ctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(ctx)
	if err != nil {
		_ = srv.Close()
		err = fmt.Errorf("httpserver: graceful shutdown: %w", err)
	}
	if sErr := <-serveErr; sErr != nil && !errors.Is(sErr, http.ErrServerClosed) && err == nil {
		err = fmt.Errorf("httpserver: serve: %w", sErr)
	}
	if err == nil {
		log.Info("http server stopped")
	}
	return err
}
