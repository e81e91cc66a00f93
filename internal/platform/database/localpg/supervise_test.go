//go:build linux

package localpg

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// postmasterOf returns the pid of the live postmaster running dir.
func postmasterOf(t *testing.T, dir string) int {
	t.Helper()
	pid, ok := livePostmaster(dir)
	if !ok {
		t.Fatalf("no live postmaster on %s", dir)
	}
	return pid
}

// killPostmaster sends SIGKILL to the postmaster of srv alone, leaving its
// backends to notice.
func killPostmaster(t *testing.T, srv *Server) int {
	t.Helper()
	pid := postmasterOf(t, srv.DataDir())
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	return pid
}

// checkNothingRuns checks that no postgres process works in dir any more.
func checkNothingRuns(t *testing.T, dir string) {
	t.Helper()
	if pid, ok := livePostmaster(dir); ok {
		t.Errorf("postmaster %d still runs %s", pid, dir)
	}
	if pids := postgresProcessesOn(dir); len(pids) > 0 {
		t.Errorf("postgres processes still run in %s: %v", dir, pids)
	}
}

func TestKilledPostmasterIsRestarted(t *testing.T) {
	requireBinaries(t)
	srv := startServer(t, filepath.Join(reachableDir(t), "pgdata"))
	url, port := srv.URL("postgres"), srv.Port()
	old := killPostmaster(t, srv)

	waitFor(t, 30*time.Second, func() bool {
		pid, ok := livePostmaster(srv.DataDir())
		return ok && pid != old && isReady(srv.DataDir(), pid, port)
	}, "a new postmaster ready on port %d", port)
	if srv.Port() != port || srv.URL("postgres") != url {
		t.Errorf("restarted on %s, want the same URL %s", srv.URL("postgres"), url)
	}
	checkServer(t, srv)
	if err := srv.Err(); err != nil {
		t.Errorf("Err() = %v after a successful restart", err)
	}
	if err := srv.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}
	checkNothingRuns(t, srv.DataDir())
}

func TestStopAfterPgCtlRestart(t *testing.T) {
	bin := requireBinaries(t)
	srv := startServer(t, filepath.Join(reachableDir(t), "pgdata"))
	old := postmasterOf(t, srv.DataDir())

	pgCtl(t, bin, "restart", "-m", "fast", "-D", srv.DataDir())
	restarted := postmasterOf(t, srv.DataDir())
	if restarted == old {
		t.Fatalf("pg_ctl restart left postmaster %d in place", old)
	}
	checkServer(t, srv) // pg_ctl restarts with the recorded options: same port
	waitFor(t, 30*time.Second, srv.watcher.adopted, "the supervisor to adopt postmaster %d", restarted)
	if pid := postmasterOf(t, srv.DataDir()); pid != restarted {
		t.Errorf("postmaster %d replaced the one pg_ctl started (%d)", pid, restarted)
	}
	if err := srv.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}
	if processAlive(restarted) {
		t.Errorf("the postmaster pg_ctl started (%d) still runs after Stop", restarted)
	}
	checkNothingRuns(t, srv.DataDir())
}

// adopted reports whether the watcher supervises a postmaster it did not start.
func (w *watcher) adopted() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.child == nil
}

// pgCtl runs pg_ctl from bin as the server user and waits for it to finish.
func pgCtl(t *testing.T, bin string, args ...string) {
	t.Helper()
	id, err := currentIdentity()
	if err != nil {
		t.Fatal(err)
	}
	// A file, not a pipe: the postmaster pg_ctl starts inherits it and outlives pg_ctl.
	out, err := os.Create(filepath.Join(t.TempDir(), "pg_ctl.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "pg_ctl"), args...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = "/", childEnv(), out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: id.credential()}
	if err := cmd.Run(); err != nil {
		log, _ := os.ReadFile(out.Name())
		t.Fatalf("pg_ctl %s: %v\n%s", strings.Join(args, " "), err, log)
	}
}

func TestGivesUpWhenRestartsFail(t *testing.T) {
	real := requireBinaries(t)
	bin := reachableDir(t)
	for _, name := range []string{"postgres", "initdb"} {
		if err := os.Symlink(filepath.Join(real, name), filepath.Join(bin, name)); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	srv, err := Start(ctx, Options{DataDir: filepath.Join(reachableDir(t), "pgdata"), BinDir: bin,
		Ephemeral: true, Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { srv.Stop() })
	// From now on postgres cannot start.
	broken := filepath.Join(bin, "postgres")
	if err := os.Remove(broken); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(broken, []byte("#!/bin/sh\necho 'broken on purpose' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	killPostmaster(t, srv)

	select {
	case <-srv.Failed():
	case <-time.After(time.Minute):
		t.Fatal("the supervisor neither restarted postgres nor gave up within a minute")
	}
	err = srv.Err()
	if err == nil || !strings.Contains(err.Error(), "restarts failed") || !strings.Contains(err.Error(), "broken on purpose") {
		t.Errorf("Err() = %v, want the failed restarts and the server's last words", err)
	}
	if stopErr := srv.Stop(); stopErr != nil {
		t.Errorf("Stop after giving up: %v", stopErr)
	}
	checkNothingRuns(t, srv.DataDir())
}
