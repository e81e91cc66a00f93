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
	"syscall"
	"time"
)

// stopStep is one signal of a shutdown escalation and how long to wait for
// the process to exit after it.
type stopStep struct {
	sig  syscall.Signal
	wait time.Duration
}

// staleStopSteps is the escalation used on a server left over from an
// earlier run: fast shutdown, immediate shutdown, kill.
var staleStopSteps = []stopStep{
	{syscall.SIGINT, 10 * time.Second},
	{syscall.SIGQUIT, 5 * time.Second},
	{syscall.SIGKILL, 5 * time.Second},
}

// stopStale stops a postmaster still running on dir, e.g. one whose parent
// died without delivering the parent-death signal. It is called with the
// data directory lock held, so a running server cannot belong to a live
// owner. A pid file naming a dead process is left alone; postgres handles
// that itself.
func stopStale(ctx context.Context, dir string, log *slog.Logger) error {
	pid, ok := livePostmaster(dir)
	if !ok {
		return nil
	}
	log.Info("stopping PostgreSQL server left over from an earlier run", "pid", pid, "data_dir", dir)
	step, err := signalUntilGone(ctx, pid, staleStopSteps)
	if err != nil {
		return fmt.Errorf("stale postgres %d: %w", pid, err)
	}
	if step < 0 {
		return fmt.Errorf("stale postgres %d on %s does not exit", pid, dir)
	}
	return nil
}

// signalUntilGone sends each step's signal to pid in turn, waiting after each
// for the process to exit. It returns the index of the step after which the
// process was gone, or -1 when it outlived them all.
func signalUntilGone(ctx context.Context, pid int, steps []stopStep) (int, error) {
	for i, step := range steps {
		if err := syscall.Kill(pid, step.sig); err != nil && !errors.Is(err, syscall.ESRCH) {
			return -1, fmt.Errorf("signal %s: %w", step.sig, err)
		}
		gone, err := waitGone(ctx, pid, step.wait)
		if err != nil {
			return -1, err
		}
		if gone {
			return i, nil
		}
	}
	return -1, nil
}

// livePostmaster returns the pid from dir/postmaster.pid when that process
// is alive and is a postgres server running on dir.
func livePostmaster(dir string) (int, bool) {
	data, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return 0, false
	}
	first, _, _ := strings.Cut(string(data), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil || pid <= 0 || pid == os.Getpid() {
		return 0, false
	}
	return pid, isPostgresOn(pid, dir)
}

// isPostgresOn reports whether pid is a live postgres process whose working
// directory is dir (the postmaster changes into its data directory).
func isPostgresOn(pid int, dir string) bool {
	if !processAlive(pid) {
		return false
	}
	comm, err := os.ReadFile(procPath(pid, "comm"))
	if err != nil || !strings.HasPrefix(strings.TrimSpace(string(comm)), "postgres") {
		return false
	}
	cwd, err := os.Readlink(procPath(pid, "cwd"))
	if err != nil {
		return true // not allowed to look; the name and the pid file agree
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		real = dir
	}
	return cwd == real
}

// processAlive reports whether pid exists and is not a zombie.
func processAlive(pid int) bool {
	stat, err := os.ReadFile(procPath(pid, "stat"))
	if err != nil {
		err := syscall.Kill(pid, 0)
		return err == nil || errors.Is(err, syscall.EPERM)
	}
	// The state follows the parenthesised command name, which may contain spaces.
	i := strings.LastIndexByte(string(stat), ')')
	if i < 0 || i+2 >= len(stat) {
		return true
	}
	state := stat[i+2]
	return state != 'Z' && state != 'X'
}

// waitGone waits up to wait for pid to exit.
func waitGone(ctx context.Context, pid int, wait time.Duration) (bool, error) {
	deadline := time.Now().Add(wait)
	for processAlive(pid) {
		if time.Now().After(deadline) {
			return false, nil
		}
		select {
		case <-ctx.Done():
			return false, fmt.Errorf("wait for postgres %d to exit: %w", pid, ctx.Err())
		case <-time.After(pollInterval):
		}
	}
	return true, nil
}

// procPath returns /proc/PID/NAME.
func procPath(pid int, name string) string {
	return filepath.Join("/proc", strconv.Itoa(pid), name)
}
