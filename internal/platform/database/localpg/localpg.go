// Package localpg runs a private PostgreSQL cluster as a child of the current
// process, using the PostgreSQL server binaries installed on the machine.
//
// It lets the server run with zero configuration and gives tests a real
// database when no database URL is configured. The cluster listens on the
// loopback interface only, trusts local connections for the "postgres"
// superuser, and is shut down when the owning process exits, even when that
// process is killed. While it runs it is supervised: a postmaster that dies
// is restarted on the same port, and one restarted by someone else (pg_ctl
// restart) is adopted, so that Stop stops whichever postmaster runs it.
package localpg

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// ErrNoBinaries is returned (wrapped) when no PostgreSQL server binaries can be found.
var ErrNoBinaries = errors.New("no PostgreSQL server binaries found")

// Options configures Start.
type Options struct {
	// DataDir is the cluster data directory. It is created with initdb when it
	// is missing or empty and reused otherwise.
	DataDir string
	// BinDir is the directory holding postgres and initdb. When empty,
	// FindBinDir(Getenv) is used.
	BinDir string
	// Getenv looks up PG_BINDIR. Nil means os.Getenv.
	Getenv func(string) string
	// Port is the TCP port to listen on at 127.0.0.1. Zero picks a free port.
	Port int
	// Ephemeral trades crash safety for speed (fsync, synchronous_commit and
	// full_page_writes are turned off). Meant for tests.
	Ephemeral bool
	// Share uses the server another live process runs on DataDir, when there
	// is one, instead of failing with ErrInUse: Start waits until it is ready
	// and returns a Server that only connects to it. Its Stop leaves the
	// server running and its Failed never closes; the other process owns it.
	Share bool
	// Logger receives progress messages. Nil discards them. The server's own
	// output never goes to this process's stdout or stderr; it is written to
	// log/postgres.log inside the data directory.
	Logger *slog.Logger
}

// Server is a running cluster that is a child of this process, and its
// supervisor.
type Server struct {
	cfg     launchConfig // how postgres is started; cfg.port is fixed once it runs
	out     serverLog
	lock    *os.File
	log     *slog.Logger
	watcher *watcher

	shared bool // another process runs the server; see Options.Share

	stopOnce sync.Once
	stopErr  error
}

// Start prepares the data directory (running initdb when needed), stops a
// server left running on it by an earlier process that has died, starts
// postgres and waits until it accepts connections. It fails when another
// live process is running a server on the same data directory.
func Start(ctx context.Context, opt Options) (*Server, error) {
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opt.DataDir == "" {
		return nil, errors.New("localpg: Options.DataDir is required")
	}
	abs, err := filepath.Abs(opt.DataDir)
	if err != nil {
		return nil, fmt.Errorf("localpg: resolve data directory: %w", err)
	}
	bin, err := resolveBinDir(opt)
	if err != nil {
		return nil, err // already says what to do; a person reads it as it is
	}
	id, err := currentIdentity()
	if err != nil {
		return nil, fmt.Errorf("localpg: %w", err)
	}
	dir, err := clusterDir(abs, id, log)
	if err != nil {
		return nil, fmt.Errorf("localpg: %w", err)
	}
	lock, err := lockDir(dir, log)
	for attempt := 1; errors.Is(err, ErrInUse) && opt.Share; attempt++ {
		srv, aerr := attach(ctx, dir, log)
		if !errors.Is(aerr, errOwnerGone) || attempt == portAttempts {
			return srv, aerr
		}
		lock, err = lockDir(dir, log) // the owner stopped: start the server here
	}
	if err != nil {
		return nil, fmt.Errorf("localpg: %w", err)
	}
	srv, err := startLocked(ctx, launchConfig{bin: bin, dir: dir, id: id, port: opt.Port, ephemeral: opt.Ephemeral, log: log})
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("localpg: %w", err)
	}
	srv.lock = lock
	srv.watcher.start()
	return srv, nil
}

// startLocked stops a stale server, initializes the cluster when needed and
// starts postgres. The caller holds the data directory lock.
func startLocked(ctx context.Context, cfg launchConfig) (*Server, error) {
	if err := stopStale(ctx, cfg.dir, cfg.log); err != nil {
		return nil, err
	}
	if err := initCluster(ctx, cfg.bin, cfg.dir, cfg.id, cfg.ephemeral, cfg.log); err != nil {
		return nil, err
	}
	logFile, logPath, err := openServerLog(cfg.dir, cfg.id)
	if err != nil {
		return nil, err
	}
	out := serverLog{logFile, logPath}
	c, port, err := launch(ctx, cfg, out)
	if err != nil {
		logFile.Close()
		return nil, err
	}
	cfg.port = port // restarts must keep the address the pool connects to
	srv := &Server{cfg: cfg, out: out, log: cfg.log}
	srv.watcher = newWatcher(cfg, out, c)
	return srv, nil
}

// resolveBinDir returns opt.BinDir when set and FindBinDir otherwise.
func resolveBinDir(opt Options) (string, error) {
	if opt.BinDir != "" {
		if !hasServerBinaries(opt.BinDir) {
			return "", fmt.Errorf("%w in %s (postgres and initdb are required)", ErrNoBinaries, opt.BinDir)
		}
		return opt.BinDir, nil
	}
	getenv := opt.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	return FindBinDir(getenv)
}

// URL returns a connection URL for database as the "postgres" superuser.
func (s *Server) URL(database string) string { return serverURL(s.cfg.port, database) }

// serverURL is the connection URL for database on a cluster listening on port.
func serverURL(port int, database string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User(superuser),
		Host:     fmt.Sprintf("127.0.0.1:%d", port),
		Path:     "/" + database,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// Shared reports whether another process runs the server (see Options.Share).
func (s *Server) Shared() bool { return s.shared }

// Port returns the TCP port the server listens on at 127.0.0.1. It stays the
// same across restarts.
func (s *Server) Port() int { return s.cfg.port }

// DataDir returns the real directory the cluster lives in. It differs from
// Options.DataDir when that is a symlink to a relocated cluster.
func (s *Server) DataDir() string { return s.cfg.dir }

// Failed returns a channel that is closed when the server has stopped on its
// own and could not be restarted; Err then says why. It is never closed by
// Stop.
func (s *Server) Failed() <-chan struct{} {
	if s.shared {
		return nil // never ready: a nil channel blocks forever
	}
	return s.watcher.failed
}

// Err returns why the server could not be restarted, once Failed is closed,
// and nil before.
func (s *Server) Err() error {
	if s.shared {
		return nil
	}
	select {
	case <-s.watcher.failed:
		return s.watcher.err
	default:
		return nil
	}
}

// Stop ends supervision, shuts the cluster down (fast shutdown, escalating
// to immediate shutdown and kill) and waits for it to exit. It stops the
// postmaster named by the data directory's postmaster.pid, so a cluster
// restarted with pg_ctl since Start is stopped too. It is idempotent and safe
// to call concurrently; every call returns the result of the first. A shared
// server (Options.Share) is left running.
func (s *Server) Stop() error {
	if s.shared {
		return nil
	}
	s.stopOnce.Do(func() {
		start := time.Now()
		s.stopErr = s.watcher.stop()
		if err := s.out.file.Close(); err != nil && s.stopErr == nil {
			s.stopErr = fmt.Errorf("localpg: close server log: %w", err)
		}
		s.lock.Close() // releases the data directory lock
		s.log.Info("stopped PostgreSQL", "data_dir", s.cfg.dir, "took", time.Since(start))
	})
	return s.stopErr
}
