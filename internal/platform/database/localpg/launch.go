package localpg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

const (
	// startTimeout bounds how long the server may take to become ready.
	startTimeout = 30 * time.Second
	// pollInterval is how often a stopping server is checked for having exited.
	pollInterval = 25 * time.Millisecond
	// readyPoll is how often a starting server is checked for being ready: reading
	// postmaster.pid is cheap, and a server that starts in 60 ms should not wait 25 more.
	readyPoll = 2 * time.Millisecond
	// portAttempts is how often a freshly picked port is retried when some
	// other process grabbed it first.
	portAttempts = 3
	// maxLogSize is the size above which the server log is rotated at start.
	maxLogSize = 16 << 20
)

// launchConfig is everything launch needs to start a prepared cluster.
type launchConfig struct {
	bin       string
	dir       string
	id        *identity
	port      int // 0 = pick a free port
	ephemeral bool
	log       *slog.Logger
}

// launch starts postgres on the prepared cluster, writing its output to out,
// and waits until it is ready. It returns the postmaster and its port.
func launch(ctx context.Context, cfg launchConfig, out serverLog) (*child, int, error) {
	for attempt := 1; ; attempt++ {
		c, port, err := launchOnce(ctx, cfg, out)
		if err == nil {
			return c, port, nil
		}
		if cfg.port != 0 || attempt == portAttempts || !errors.Is(err, errAddrInUse) {
			return nil, 0, err
		}
	}
}

// errAddrInUse marks a start that failed because the port was taken.
var errAddrInUse = errors.New("port already in use")

// serverLog is the open server log file and its path.
type serverLog struct {
	file *os.File
	path string
}

// launchOnce makes one attempt to start the server and wait for it.
func launchOnce(ctx context.Context, cfg launchConfig, out serverLog) (*child, int, error) {
	port := cfg.port
	if port == 0 {
		p, err := freePort()
		if err != nil {
			return nil, 0, err
		}
		port = p
	}
	logStart, _ := out.file.Seek(0, io.SeekEnd)
	start := time.Now()
	c, err := startChild(serverCommand(cfg.bin, cfg.dir, port, cfg.ephemeral, cfg.id, out.file))
	if err != nil {
		return nil, 0, err
	}
	if err := waitReady(ctx, c, cfg.dir, port); err != nil {
		_ = c.stop() // the start error is the one worth reporting
		return nil, 0, startError(err, out, logStart)
	}
	cfg.log.Info("started PostgreSQL", "data_dir", cfg.dir, "port", port, "pid", c.pid(), "took", time.Since(start))
	return c, port, nil
}

// startError adds the server log written during this attempt to err.
func startError(err error, out serverLog, from int64) error {
	tail := readLogTail(out.file, from, 4096)
	if strings.Contains(tail, "Address already in use") || strings.Contains(tail, "could not bind") {
		err = fmt.Errorf("%w: %w", errAddrInUse, err)
	}
	if tail == "" {
		return fmt.Errorf("%w (server log: %s)", err, out.path)
	}
	return fmt.Errorf("%w; end of server log %s:\n%s", err, out.path, tail)
}

// readLogTail returns up to n trailing bytes of the log written after from.
func readLogTail(f *os.File, from int64, n int64) string {
	end, err := f.Seek(0, io.SeekEnd)
	if err != nil || end <= from {
		return ""
	}
	from = max(from, end-n)
	buf := make([]byte, end-from)
	if _, err := f.ReadAt(buf, from); err != nil && !errors.Is(err, io.EOF) {
		return ""
	}
	return strings.TrimSpace(string(buf))
}

// waitReady polls until the server accepts TCP connections and reports
// itself ready, it exits, ctx ends or startTimeout passes.
func waitReady(ctx context.Context, c *child, dir string, port int) error {
	ctx, cancel := context.WithTimeoutCause(ctx, startTimeout,
		fmt.Errorf("postgres did not become ready within %s", startTimeout))
	defer cancel()
	tick := time.NewTicker(readyPoll)
	defer tick.Stop()
	for !isReady(dir, c.pid(), port) {
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for postgres on port %d: %w", port, context.Cause(ctx))
		case <-c.done:
			return fmt.Errorf("postgres exited during startup: %w", exitError(c.err))
		case <-tick.C:
		}
	}
	return nil
}

// exitError turns a nil Wait result into an error.
func exitError(err error) error {
	if err == nil {
		return errors.New("exit status 0")
	}
	return err
}

// isReady reports whether the postmaster with pid is ready and listening.
func isReady(dir string, pid, port int) bool {
	return pidFileReady(dir, pid) && canDial(port)
}

// pidFileReady reads postmaster.pid: the first line is the postmaster's pid
// and the eighth its status, which is "ready" once connections are accepted.
func pidFileReady(dir string, pid int) bool {
	data, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return false
	}
	lines := strings.Split(string(data), "\n")
	if len(lines) < 8 || strings.TrimSpace(lines[0]) != strconv.Itoa(pid) {
		return false
	}
	return strings.TrimSpace(lines[7]) == "ready"
}

// canDial reports whether something accepts TCP connections on the port.
func canDial(port int) bool {
	conn, err := net.DialTimeout("tcp", loopbackAddr(port), 200*time.Millisecond)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

// loopbackAddr is the server address for port.
func loopbackAddr(port int) string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

// freePort asks the kernel for an unused loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pick a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// openServerLog opens DIR/log/postgres.log for appending. We open it
// ourselves and hand it to postgres as stderr, so it works whoever the
// server runs as; ownership is still given to the server user for tidiness.
func openServerLog(dir string, id *identity) (*os.File, string, error) {
	logDir := filepath.Join(dir, "log")
	if err := os.Mkdir(logDir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, "", fmt.Errorf("create server log directory: %w", err)
	}
	path := filepath.Join(logDir, "postgres.log")
	rotateLog(path)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, "", fmt.Errorf("open server log: %w", err)
	}
	for _, p := range []string{logDir, path} {
		if err := id.chown(p); err != nil {
			f.Close()
			return nil, "", err
		}
	}
	return f, path, nil
}

// rotateLog moves an oversized log aside, keeping one previous generation.
func rotateLog(path string) {
	if fi, err := os.Stat(path); err == nil && fi.Size() > maxLogSize {
		_ = os.Rename(path, path+".1") // best effort; appending to a big log is harmless
	}
}
