package localpg

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// attachPoll is how often attach looks at the other process's server.
const attachPoll = 50 * time.Millisecond

// errOwnerGone reports that the process holding the data directory lock let
// go of it while attach waited: the caller may start the server itself.
var errOwnerGone = errors.New("the process running the cluster has stopped")

// attach returns a shared Server for the cluster another live process runs in
// dir, once postmaster.pid names a live postmaster on dir that is ready and
// accepts connections on the port it records. It waits up to startTimeout, as
// long as the other process holds the lock (it may be starting the server).
func attach(ctx context.Context, dir string, log *slog.Logger) (*Server, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, startTimeout, errors.New("timed out"))
	defer cancel()
	tick := time.NewTicker(attachPoll)
	defer tick.Stop()
	for {
		if port, ok := readyPort(dir); ok {
			log.Info("using the PostgreSQL another process runs on the data directory", "data_dir", dir, "port", port)
			return &Server{cfg: launchConfig{dir: dir, port: port, log: log}, log: log, shared: true}, nil
		}
		if lock, err := lockDir(dir, log); err == nil {
			lock.Close()
			return nil, errOwnerGone
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("localpg: %s: %w, and no PostgreSQL became ready there within %s (%v): "+
				"let that process finish starting it and try again, or stop it", dir, ErrInUse, startTimeout,
				context.Cause(ctx))
		case <-tick.C:
		}
	}
}

// readyPort returns the port of the postmaster that postmaster.pid in dir
// names, when that postmaster is alive on dir, reports itself ready and
// accepts connections.
func readyPort(dir string) (int, bool) {
	pid, ok := livePostmaster(dir)
	if !ok {
		return 0, false
	}
	data, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return 0, false
	}
	lines := strings.Split(string(data), "\n")
	if len(lines) < 8 || strings.TrimSpace(lines[0]) != strconv.Itoa(pid) || strings.TrimSpace(lines[7]) != "ready" {
		return 0, false
	}
	port, err := strconv.Atoi(strings.TrimSpace(lines[3]))
	if err != nil || port <= 0 || !canDial(port) {
		return 0, false
	}
	return port, true
}
