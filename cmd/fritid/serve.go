package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/fritid/fritid/internal/app"
	"github.com/fritid/fritid/internal/platform/buildinfo"
	"github.com/fritid/fritid/internal/platform/config"
	"github.com/fritid/fritid/internal/platform/httpserver"
	"github.com/fritid/fritid/internal/portal/demo"
)

// serve runs the API until ctx ends: database (embedded when unconfigured), migrations,
// the demo municipality on an empty development database, then HTTP. In production it
// writes nothing but JSON log lines: also the reason it stops, when it fails.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	err := serveUntilDone(ctx, args, getenv, stdout, stderr)
	if err != nil && !errors.Is(err, flag.ErrHelp) && productionRequested(args, getenv) {
		slog.New(slog.NewJSONHandler(stderr, nil)).Error("fritid serve stopped", "error", err.Error())
		return loggedError{err}
	}
	return err
}

// productionRequested reports whether the environment or the flags ask for production,
// for reporting an error when the configuration itself could not be loaded.
func productionRequested(args []string, getenv func(string) string) bool {
	env := getenv("FRITID_ENV")
	for i, arg := range args {
		name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if !strings.HasPrefix(arg, "-") || name != "env" {
			continue
		}
		if !hasValue && i+1 < len(args) {
			value = args[i+1]
		}
		env = value
	}
	return env == string(config.Production)
}

func serveUntilDone(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	a, log, err := open(ctx, "fritid serve", args, getenv, stdout, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	if a.Config.MigrateOnStart {
		if err := migrateUp(ctx, a, log); err != nil {
			return err
		}
	}
	if !a.Config.Production() {
		created, err := demo.EnsureSeeded(ctx, a.Tenants)
		if err != nil {
			return fmt.Errorf("seed the demo municipality: %w", err)
		}
		if created {
			log.Info("created the demo municipality (demo data)", "slug", "larvik")
		}
	}
	// An embedded PostgreSQL that died and could not be restarted ends serve with an error,
	// so that whoever runs fritid starts it again.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	lost := make(chan error, 1)
	go func() { lost <- a.WatchDatabase(ctx); cancel() }()
	// The job queue's workers: e-mails, and the card housekeeping every quarter of an hour
	// (enqueued by one server, each period's job run once).
	if err := a.StartJobs(ctx); err != nil {
		cancel()
		<-lost
		return err
	}
	err = serveHTTP(ctx, a, log, stdout)
	cancel()
	// Running jobs get the shutdown grace to finish; those still running then are
	// cancelled and retried by the next server.
	stopCtx, stopCancel := context.WithTimeout(context.Background(), a.Config.ShutdownGrace)
	if jobErr := a.StopJobs(stopCtx); jobErr != nil {
		log.Warn("stop the job queue", "err", jobErr)
	}
	stopCancel()
	if dbErr := <-lost; dbErr != nil {
		return dbErr
	}
	return err
}

// serveHTTP runs the API's listener and, when FRITID_METRICS_ADDR is set, the metrics
// listener until ctx ends, then shuts both down gracefully. When one fails, the other
// stops too.
func serveHTTP(ctx context.Context, a *app.App, log *slog.Logger, stdout io.Writer) error {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		return httpserver.Run(ctx, a.HTTPConfig(), a.Handler(), log, func(addr net.Addr) {
			version := buildinfo.Get()
			if a.Config.Production() {
				log.Info("fritid is serving", "api", "http://"+addr.String()+"/graphql", "version", version.Version,
					"commit", version.Commit)
				return
			}
			fmt.Fprintf(stdout, "fritid %s is serving\n  API:      http://%s/graphql\n  Explorer: http://%s/\n",
				version.Version, addr, addr)
		})
	})
	switch {
	case a.Config.MetricsAddr != "":
		g.Go(func() error {
			return httpserver.Run(ctx, a.MetricsHTTPConfig(), a.MetricsHandler(), log, func(addr net.Addr) {
				log.Info("metrics listener", "url", "http://"+addr.String()+"/metrics")
			})
		})
	case !a.Config.MetricsOnMain():
		log.Info("metrics are not served: set FRITID_METRICS_ADDR to serve them on a listener of their own")
	}
	return g.Wait()
}

// open loads the configuration for command name (help goes to stdout, logs to stderr)
// and opens the app.
func open(ctx context.Context, name string, args []string, getenv func(string) string, stdout, stderr io.Writer, extra ...func(*flag.FlagSet)) (*app.App, *slog.Logger, error) {
	cfg, _, err := config.Load(name, args, getenv, stdout, extra...)
	if err != nil {
		return nil, nil, err
	}
	log := app.NewLogger(cfg, stderr)
	openApp := app.OpenCommand // beside a running server, on its embedded PostgreSQL
	if name == "fritid serve" {
		openApp = app.Open
	}
	a, err := openApp(ctx, cfg, log) // reads or makes the development secret key too
	if err != nil {
		return nil, nil, err
	}
	if cfg.SecretKeyGenerated {
		log.Debug("using the development secret key from the data directory")
	}
	return a, log, nil
}

func migrateUp(ctx context.Context, a *app.App, log *slog.Logger) error {
	names, err := a.Migrator().Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if len(names) > 0 {
		log.Info("applied migrations", "migrations", names)
	}
	return nil
}
