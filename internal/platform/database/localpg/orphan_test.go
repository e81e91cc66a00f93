//go:build linux

package localpg

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// helperDataDirEnv tells the re-executed test binary to act as a helper
// process that starts a server in the named data directory.
const helperDataDirEnv = "LOCALPG_HELPER_DATADIR"

// TestHelperProcess is not a real test: when re-executed with
// helperDataDirEnv set it starts a server, prints its port and data
// directory, and blocks until killed.
func TestHelperProcess(t *testing.T) {
	dataDir := os.Getenv(helperDataDirEnv)
	if dataDir == "" {
		t.Skip("helper process for TestNoOrphanAfterSIGKILL")
	}
	srv, err := Start(context.Background(), Options{DataDir: dataDir, Ephemeral: true})
	if err != nil {
		fmt.Printf("ERROR=%v\n", err)
		os.Exit(1)
	}
	fmt.Printf("PORT=%d DIR=%s\n", srv.Port(), srv.DataDir())
	time.Sleep(time.Hour)
}

func TestNoOrphanAfterSIGKILL(t *testing.T) {
	requireBinaries(t)
	dataDir := filepath.Join(reachableDir(t), "pgdata")
	t.Cleanup(func() { _ = stopStale(context.Background(), dataDir, testLogger(t)) })

	helper, port, realDir := startHelper(t, dataDir)
	if !canDial(port) {
		t.Fatalf("helper's server on port %d does not accept connections", port)
	}
	if err := helper.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = helper.Wait() // killed on purpose

	waitFor(t, 10*time.Second, func() bool {
		return !canDial(port) && len(postgresProcessesOn(realDir)) == 0
	}, "postgres on port %d / %s to exit after its parent was killed", port, realDir)

	srv := startServer(t, dataDir)
	checkServer(t, srv)
	if err := srv.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
}

// startHelper runs the test binary as a helper process that starts a server
// in dataDir, and returns it with the server's port and real data directory.
func startHelper(t *testing.T, dataDir string) (*exec.Cmd, int, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperDataDirEnv+"="+dataDir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	lines := make(chan string)
	go scanLines(out, lines)
	select {
	case line := <-lines:
		port, dir := parseHelperLine(t, line)
		return cmd, port, dir
	case <-time.After(2 * time.Minute):
		t.Fatal("helper process did not report its server")
	}
	return nil, 0, ""
}

// scanLines sends the helper's PORT= or ERROR= line and drains the rest.
func scanLines(r interface{ Read([]byte) (int, error) }, lines chan<- string) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "PORT=") || strings.HasPrefix(line, "ERROR=") {
			lines <- line
		}
	}
	close(lines)
}

// parseHelperLine parses "PORT=n DIR=path".
func parseHelperLine(t *testing.T, line string) (int, string) {
	t.Helper()
	portField, dir, ok := strings.Cut(strings.TrimPrefix(line, "PORT="), " DIR=")
	port, err := strconv.Atoi(portField)
	if !ok || err != nil {
		t.Fatalf("helper process: %s", line)
	}
	return port, dir
}

func TestStaleServerIsStopped(t *testing.T) {
	bin := requireBinaries(t)
	dataDir := filepath.Join(reachableDir(t), "pgdata")
	if err := startServer(t, dataDir).Stop(); err != nil { // initialise the cluster
		t.Fatalf("Stop: %v", err)
	}

	stale := startUnsupervised(t, bin, dataDir)
	exited := make(chan struct{})
	srv := startServer(t, dataDir) // must stop the stale server first
	go func() { _ = stale.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		t.Fatal("stale server still running after Start")
	}
	checkServer(t, srv)
	if err := srv.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
}

// startUnsupervised starts postgres on dataDir without a parent-death
// signal, like a server whose parent died without stopping it.
func startUnsupervised(t *testing.T, bin, dataDir string) *exec.Cmd {
	t.Helper()
	id, err := currentIdentity()
	if err != nil {
		t.Fatal(err)
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	logFile, err := os.Create(filepath.Join(t.TempDir(), "stale.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logFile.Close() })
	cmd := serverCommand(bin, dataDir, port, true, id, logFile)
	cmd.SysProcAttr.Pdeathsig = 0 // like a server whose parent-death signal was lost
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Signal(syscall.SIGKILL) })
	waitFor(t, 30*time.Second, func() bool { return canDial(port) }, "unsupervised postgres on port %d", port)
	return cmd
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, cond func() bool, format string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for "+format, append([]any{timeout}, args...)...)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// postgresProcessesOn lists live postgres processes working in dir.
func postgresProcessesOn(dir string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err == nil && isPostgresOn(pid, dir) {
			pids = append(pids, pid)
		}
	}
	return pids
}
