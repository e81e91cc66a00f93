//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fritid/fritid/internal/platform/database/localpg"
)

const registerMutation = `mutation($in: RegisterOrganisationInput!) {
	registerOrganisation(input: $in) { organisation { id } } }`

// register asks the server at url to register an organisation called name and returns the
// HTTP status and the first error code ("" when none).
func register(url, name string) (int, string, error) {
	in := map[string]any{"name": name, "kind": "VOLUNTARY",
		"owner": map[string]any{"email": strings.ReplaceAll(name, " ", "-") + "@example.org", "password": "riktig hest batteri"}}
	body, _ := json.Marshal(map[string]any{"query": registerMutation, "variables": map[string]any{"in": in}})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	var ans struct {
		Errors []struct {
			Extensions struct{ Code string } `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.NewDecoder(res.Body).Decode(&ans); err != nil {
		return res.StatusCode, "", fmt.Errorf("decode the answer: %w", err)
	}
	if len(ans.Errors) > 0 {
		return res.StatusCode, ans.Errors[0].Extensions.Code, nil
	}
	return res.StatusCode, "", nil
}

// writeLog is the outcome of a stream of registrations.
type writeLog struct {
	mu    sync.Mutex
	acked []string       // registrations answered OK
	other map[string]int // any other answer: "status code" -> count
}

// write registers name and notes the outcome.
func (l *writeLog) write(url, name string) {
	status, code, err := register(url, name)
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case err == nil && status == http.StatusOK && code == "":
		l.acked = append(l.acked, name)
	default:
		if l.other == nil {
			l.other = map[string]int{}
		}
		key := fmt.Sprintf("%d %s", status, code)
		if err != nil {
			key = err.Error()
		}
		l.other[key]++
	}
}

// writeUntil registers organisations one after another until stop is closed.
func (l *writeLog) writeUntil(url, prefix string, stop <-chan struct{}) {
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		l.write(url, fmt.Sprintf("%s %d", prefix, i))
	}
}

// readyz returns the status of GET /readyz next to the API url (0 when it cannot ask).
func readyz(apiURL string) int {
	res, err := http.Get(strings.TrimSuffix(apiURL, "/graphql") + "/readyz")
	if err != nil {
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

// readPostmasterPID reads the pid in the cluster's postmaster.pid.
func readPostmasterPID(dataDir string) (int, error) {
	data, err := os.ReadFile(filepath.Join(clusterDir(dataDir), "postmaster.pid"))
	if err != nil {
		return 0, err
	}
	first, _, _ := strings.Cut(string(data), "\n")
	return strconv.Atoi(strings.TrimSpace(first))
}

// clusterPort reads the port the cluster of dataDir listens on from postmaster.pid.
func clusterPort(t *testing.T, dataDir string) int {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(clusterDir(dataDir), "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	port, err := strconv.Atoi(strings.TrimSpace(lines[min(3, len(lines)-1)]))
	if err != nil {
		t.Fatalf("postmaster.pid has no port: %q", data)
	}
	return port
}

// missingOrganisations returns the names not found among the organisations of the embedded
// database of dataDir.
func missingOrganisations(t *testing.T, dataDir string, names []string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://postgres@127.0.0.1:%d/fritid?sslmode=disable", clusterPort(t, dataDir)))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(ctx, "SELECT n FROM unnest($1::text[]) n WHERE NOT EXISTS (SELECT 1 FROM organisations WHERE name = n)", names)
	if err != nil {
		t.Fatal(err)
	}
	missing, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return missing
}

// TestServeSurvivesPostmasterKill kills the embedded postmaster of a running `fritid serve`
// under a stream of writes: requests answer 503 meanwhile, never 500, /readyz recovers by
// itself, and every write that was answered OK is in the database afterwards.
func TestServeSurvivesPostmasterKill(t *testing.T) {
	t.Parallel()
	fritidBinary(t)
	dataDir := newDataDir(t)
	p, url := startServe(t, dataDir)
	var log writeLog
	for i := range 3 {
		log.write(url, fmt.Sprintf("Before %d", i))
	}
	if len(log.acked) != 3 {
		t.Fatalf("writes before the kill failed: %v", log.other)
	}
	stop := make(chan struct{})
	var writer sync.WaitGroup
	writer.Go(func() { log.writeUntil(url, "During", stop) })

	old := postmasterPID(t, dataDir)
	killed := time.Now()
	if err := syscall.Kill(old, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// Right after the kill a backend that has not noticed yet may still answer /readyz.
	recovered := func() bool {
		pid, err := readPostmasterPID(dataDir)
		return err == nil && pid != old && processRunning(pid) && readyz(url) == http.StatusOK
	}
	if !waitFor(60*time.Second, recovered) {
		t.Fatalf("/readyz did not recover within 60s; stderr:\n%s", p.stderr.String())
	}
	t.Logf("/readyz answered 200 again %s after the postmaster was killed", time.Since(killed))
	close(stop)
	writer.Wait()
	log.write(url, "After")

	if pid := postmasterPID(t, dataDir); pid == old {
		t.Errorf("postmaster.pid still names the killed postmaster %d", old)
	}
	for outcome := range log.other {
		if !strings.HasPrefix(outcome, "503 SERVICE_UNAVAILABLE") {
			t.Errorf("a write answered %q, want OK or 503 SERVICE_UNAVAILABLE", outcome)
		}
	}
	if !strings.Contains(strings.Join(log.acked, ","), "After") {
		t.Errorf("the write after recovery failed: %v", log.other)
	}
	t.Logf("%d writes answered OK, others: %v", len(log.acked), log.other)
	if missing := missingOrganisations(t, dataDir, log.acked); len(missing) > 0 {
		t.Errorf("writes answered OK are missing after the crash: %q", missing)
	}
	stopServe(t, p)
}

// stopServe stops `fritid serve` with SIGTERM and checks it exits cleanly.
func stopServe(t *testing.T, p *process) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if state := p.wait(t, 60*time.Second); state.ExitCode() != 0 {
		t.Errorf("fritid exit state = %v, want exit status 0; stderr:\n%s", state, p.stderr.String())
	}
}

// TestServeStopsPostgresRestartedWithPgCtl: after `pg_ctl restart -m fast` of the embedded
// cluster, fritid keeps serving, and stopping fritid stops the postmaster pg_ctl started.
func TestServeStopsPostgresRestartedWithPgCtl(t *testing.T) {
	t.Parallel()
	fritidBinary(t)
	bin, err := localpg.FindBinDir(os.Getenv)
	if err != nil {
		t.Skipf("no PostgreSQL server binaries: %v", err)
	}
	dataDir := newDataDir(t)
	p, url := startServe(t, dataDir)
	old := postmasterPID(t, dataDir)

	pgCtl(t, bin, "restart", "-m", "fast", "-D", clusterDir(dataDir))
	restarted := postmasterPID(t, dataDir)
	if restarted == old || !processExists(restarted) {
		t.Fatalf("after pg_ctl restart postmaster.pid names %d (was %d)", restarted, old)
	}
	if !waitFor(30*time.Second, func() bool { return readyz(url) == http.StatusOK }) {
		t.Fatalf("/readyz not 200 after pg_ctl restart; stderr:\n%s", p.stderr.String())
	}
	checkPortal(t, url)

	stopServe(t, p)
	if processRunning(restarted) {
		t.Errorf("the postmaster pg_ctl started (%d) still runs after fritid stopped", restarted)
	}
	if pids := processesUsing(dataDir, clusterDir(dataDir)); len(pids) > 0 {
		t.Errorf("still running: %s", describeProcesses(pids))
	}
}

// processRunning reports whether pid runs: it exists and is not a zombie. A postmaster
// started by pg_ctl is reaped by init, which may take its time.
func processRunning(pid int) bool {
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(stat, ')')
	return i < 0 || i+2 >= len(stat) || (stat[i+2] != 'Z' && stat[i+2] != 'X')
}

// pgCtl runs pg_ctl from bin, as the postgres user when we are root (pg_ctl refuses root).
func pgCtl(t *testing.T, bin string, args ...string) {
	t.Helper()
	out, err := os.Create(filepath.Join(t.TempDir(), "pg_ctl.log")) // a file: the postmaster inherits it
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "pg_ctl"), args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = "/", out, out
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	if os.Geteuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: postgresUser(t)}
	}
	if err := cmd.Run(); err != nil {
		log, _ := os.ReadFile(out.Name())
		t.Fatalf("pg_ctl %s: %v\n%s", strings.Join(args, " "), err, log)
	}
}

// postgresUser is the credential of the postgres system user.
func postgresUser(t *testing.T) *syscall.Credential {
	t.Helper()
	u, err := user.Lookup("postgres")
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
}

// TestServeExitsWhenPostgresCannotRestart: when the embedded PostgreSQL dies and cannot be
// started again, `fritid serve` says so and exits with status 1, for its supervisor to act.
func TestServeExitsWhenPostgresCannotRestart(t *testing.T) {
	t.Parallel()
	fritidBinary(t)
	real, err := localpg.FindBinDir(os.Getenv)
	if err != nil {
		t.Skipf("no PostgreSQL server binaries: %v", err)
	}
	bin := reachableBinDir(t, real)
	dataDir := newDataDir(t)
	addr := freeAddr(t)
	p := startFritid(t, dataDir, append(serveEnv(dataDir, addr), "PG_BINDIR="+bin), "serve")
	p.waitForAPI(t, 60*time.Second)

	broken := filepath.Join(bin, "postgres")
	if err := os.Remove(broken); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(broken, []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(postmasterPID(t, dataDir), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	state := p.wait(t, 60*time.Second)
	if state.ExitCode() != 1 {
		t.Errorf("fritid exit state = %v, want exit status 1", state)
	}
	stderr := p.stderr.String()
	for _, want := range []string{"could not be restarted; giving up", "fritid: embedded PostgreSQL stopped and could not be restarted"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr)
		}
	}
}

// reachableBinDir returns a directory the postgres user can enter, linking to the server
// binaries in real, so that a test may break them.
func reachableBinDir(t *testing.T, real string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "fritid-bin-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"postgres", "initdb"} {
		if err := os.Symlink(filepath.Join(real, name), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
