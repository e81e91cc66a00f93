package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The fritid binary, built once per test run by the first test that needs it.
var binary struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// fritidBinary builds the command into a temporary directory (once) and returns its path.
func fritidBinary(t *testing.T) string {
	t.Helper()
	binary.once.Do(func() {
		binary.dir, binary.err = os.MkdirTemp("", "fritid-bin-")
		if binary.err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		path := filepath.Join(binary.dir, "fritid")
		out, err := exec.CommandContext(ctx, "go", "build", "-o", path, ".").CombinedOutput()
		if err != nil {
			binary.err = fmt.Errorf("go build: %w\n%s", err, out)
			return
		}
		binary.path = path
	})
	if binary.err != nil {
		t.Fatalf("build fritid: %v", binary.err)
	}
	return binary.path
}

// removeBinary deletes the built command; TestMain calls it after all tests.
func removeBinary() {
	if binary.dir != "" {
		os.RemoveAll(binary.dir)
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// process is a running fritid command.
type process struct {
	cmd    *exec.Cmd
	stdout syncBuffer
	stderr syncBuffer
	done   chan struct{} // closed when the process has exited and been reaped
	err    error         // the result of Wait; read only after done is closed
}

// startFritid starts the built command with exactly env (nothing is inherited) in dir. The
// process is killed, if still running, when t ends.
func startFritid(t *testing.T, dir string, env []string, args ...string) *process {
	t.Helper()
	p := &process{done: make(chan struct{})}
	p.cmd = exec.Command(fritidBinary(t), args...)
	p.cmd.Dir = dir
	p.cmd.Env = env
	p.cmd.Stdout = &p.stdout
	p.cmd.Stderr = &p.stderr
	p.cmd.WaitDelay = 5 * time.Second
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start fritid %s: %v", strings.Join(args, " "), err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		if p.exited() {
			return
		}
		_ = p.cmd.Process.Kill()
		select {
		case <-p.done:
		case <-time.After(15 * time.Second):
			t.Errorf("fritid (pid %d) did not exit after SIGKILL", p.cmd.Process.Pid)
		}
	})
	return p
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// wait waits up to timeout for the process to exit and returns its exit state.
func (p *process) wait(t *testing.T, timeout time.Duration) *os.ProcessState {
	t.Helper()
	select {
	case <-p.done:
		return p.cmd.ProcessState
	case <-time.After(timeout):
		t.Fatalf("fritid (pid %d) still running after %s; stderr:\n%s", p.cmd.Process.Pid, timeout, p.stderr.String())
		return nil
	}
}

var apiLine = regexp.MustCompile(`(?m)^\s*API:\s+(\S+)\s*$`)

// waitForAPI waits up to timeout for the "API:" line on stdout and returns its URL.
func (p *process) waitForAPI(t *testing.T, timeout time.Duration) string {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if m := apiLine.FindStringSubmatch(p.stdout.String()); m != nil {
			return m[1]
		}
		select {
		case <-p.done:
			t.Fatalf("fritid exited before serving (%v); stdout:\n%s\nstderr:\n%s", p.err, p.stdout.String(), p.stderr.String())
		case <-deadline.C:
			t.Fatalf("fritid printed no API line within %s; stdout:\n%s\nstderr:\n%s", timeout, p.stdout.String(), p.stderr.String())
		case <-tick.C:
		}
	}
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// serveEnv is the least environment `fritid serve` runs with: no database URL, no secret.
func serveEnv(dataDir, addr string) []string {
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		"FRITID_DATA_DIR=" + dataDir,
		"FRITID_HTTP_ADDR=" + addr,
	}
}

// newDataDir returns an empty data directory. When t ends it checks that no process still
// uses the directory or the cluster it holds (killing any it finds). The directory above it
// is opened to others (o+x), as an operator running fritid as root does for the postgres
// user (fritid opens the data directory itself).
func newDataDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(filepath.Dir(dir), 0o711); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cluster := clusterDir(dir)
		var left []int
		if !waitFor(20*time.Second, func() bool { left = processesUsing(dir, cluster); return len(left) == 0 }) {
			t.Errorf("processes still use the data directory: %s", describeProcesses(left))
			for _, pid := range left {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
			waitFor(10*time.Second, func() bool { return len(processesUsing(dir, cluster)) == 0 })
		}
	})
	return dir
}

// clusterDir returns where the embedded cluster of dataDir really lives: the target of the
// "postgres" symlink when there is one, else the directory itself.
func clusterDir(dataDir string) string {
	pg := filepath.Join(dataDir, "postgres")
	if real, err := filepath.EvalSymlinks(pg); err == nil {
		return real
	}
	if target, err := os.Readlink(pg); err == nil && filepath.IsAbs(target) {
		return target
	}
	return pg
}

// postmasterPID reads the pid of the running postmaster from the cluster's pid file.
func postmasterPID(t *testing.T, dataDir string) int {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(clusterDir(dataDir), "postmaster.pid"))
	if err != nil {
		t.Fatalf("read postmaster.pid: %v", err)
	}
	first, _, _ := strings.Cut(string(data), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil || pid <= 0 {
		t.Fatalf("postmaster.pid starts with %q, want a pid", first)
	}
	return pid
}

// processExists reports whether pid exists (zombies included): kill(pid, 0) fails with
// ESRCH only once the process is gone.
func processExists(pid int) bool {
	return !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

// processesUsing lists the processes, other than this one, whose command line mentions one
// of dirs or whose working directory is inside one of them.
func processesUsing(dirs ...string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		cwd, _ := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
		for _, d := range dirs {
			if strings.Contains(string(cmdline), d) || cwd == d || strings.HasPrefix(cwd, d+"/") {
				pids = append(pids, pid)
				break
			}
		}
	}
	return pids
}

// describeProcesses names each pid with its command line, for failure messages.
func describeProcesses(pids []int) string {
	var parts []string
	for _, pid := range pids {
		cmdline, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
		parts = append(parts, fmt.Sprintf("%d (%s)", pid, strings.TrimSpace(strings.ReplaceAll(string(cmdline), "\x00", " "))))
	}
	return strings.Join(parts, ", ")
}

// waitFor polls cond until it holds or timeout passes, and reports whether it held.
func waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(25 * time.Millisecond)
	}
}

const portalQuery = `{ municipality { name } categories { name children { name } } locales { code } }`

// portalAnswer is the answer to portalQuery.
type portalAnswer struct {
	Data struct {
		Municipality struct{ Name string }
		Categories   []struct {
			Name     string
			Children []struct{ Name string }
		}
		Locales []struct{ Code string }
	}
	Errors []struct{ Message string }
}

// queryPortal posts portalQuery to url, asking for acceptLanguage when not empty.
func queryPortal(t *testing.T, url, acceptLanguage string) (*portalAnswer, http.Header) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": portalQuery})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if acceptLanguage != "" {
		req.Header.Set("Accept-Language", acceptLanguage)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	var ans portalAnswer
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
		t.Fatalf("POST %s: status %s, decode body: %v", url, resp.Status, err)
	}
	if resp.StatusCode != http.StatusOK || len(ans.Errors) > 0 {
		t.Fatalf("POST %s: status %s, errors %+v", url, resp.Status, ans.Errors)
	}
	return &ans, resp.Header
}

// checkPortal asks the server at url for the demo municipality in each locale.
func checkPortal(t *testing.T, url string) {
	t.Helper()
	tests := []struct {
		name           string
		acceptLanguage string
		wantLanguage   string
		wantCategory   string
		notCategory    string
	}{
		{"Norwegian Bokmål by default", "", "nb", "Idrett og fysisk aktivitet", "Sports and physical activity"},
		{"English on request", "en", "en", "Sports and physical activity", "Idrett og fysisk aktivitet"},
		{"Nynorsk on request", "nn", "nn", "Tru- og livssynsorganisasjonar", "Tro- og livssynsorganisasjoner"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ans, header := queryPortal(t, url, tt.acceptLanguage)
			if got := header.Get("Content-Language"); got != tt.wantLanguage {
				t.Errorf("Content-Language = %q, want %q", got, tt.wantLanguage)
			}
			if got := ans.Data.Municipality.Name; got != "Larvik kommune" {
				t.Errorf("municipality name = %q, want %q", got, "Larvik kommune")
			}
			var names []string
			for _, c := range ans.Data.Categories {
				names = append(names, c.Name)
			}
			if !slices.Contains(names, tt.wantCategory) {
				t.Errorf("categories %q lack %q", names, tt.wantCategory)
			}
			if slices.Contains(names, tt.notCategory) {
				t.Errorf("categories %q contain %q from another language", names, tt.notCategory)
			}
			var codes []string
			for _, l := range ans.Data.Locales {
				codes = append(codes, l.Code)
			}
			if want := []string{"nb", "nn", "en"}; !slices.Equal(codes, want) {
				t.Errorf("locales = %q, want %q", codes, want)
			}
		})
	}
}

// startServe starts `fritid serve` on dataDir and a free port and waits until it serves.
func startServe(t *testing.T, dataDir string) (*process, string) {
	t.Helper()
	addr := freeAddr(t)
	p := startFritid(t, dataDir, serveEnv(dataDir, addr), "serve")
	url := p.waitForAPI(t, 60*time.Second)
	if want := "http://" + addr + "/graphql"; url != want {
		t.Fatalf("API line names %s, want %s", url, want)
	}
	return p, url
}

const demoCreated = `msg="created the demo municipality (demo data)"`

// TestZeroConfigServe runs `fritid serve` with nothing configured, kills it hard, restarts
// it on the same data, stops it gracefully, and then runs the migrate commands on that data.
func TestZeroConfigServe(t *testing.T) {
	t.Parallel()
	fritidBinary(t)
	dataDir := newDataDir(t)

	first, url := startServe(t, dataDir)
	t.Run("first start serves the demo municipality", func(t *testing.T) {
		checkPortal(t, url)
		if n := strings.Count(first.stderr.String(), demoCreated); n != 1 {
			t.Errorf("the log says %d times that the demo municipality was created, want once:\n%s", n, first.stderr.String())
		}
	})
	pgPID := postmasterPID(t, dataDir)
	if !processExists(pgPID) {
		t.Fatalf("postmaster %d from postmaster.pid is not running", pgPID)
	}

	t.Run("SIGKILL takes the embedded PostgreSQL down with it", func(t *testing.T) {
		if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		state := first.wait(t, 10*time.Second)
		if ws, ok := state.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Errorf("fritid exit state = %v, want killed by SIGKILL", state)
		}
		if !waitFor(15*time.Second, func() bool { return !processExists(pgPID) }) {
			t.Errorf("postgres (pid %d) still exists 15s after fritid was killed", pgPID)
		}
	})

	second, url := startServe(t, dataDir)
	t.Run("restart reuses the data", func(t *testing.T) {
		checkPortal(t, url)
		logs := second.stderr.String()
		if strings.Contains(logs, demoCreated) {
			t.Errorf("the restart created the demo municipality again:\n%s", logs)
		}
		if strings.Contains(logs, "initialized PostgreSQL cluster") {
			t.Errorf("the restart ran initdb again:\n%s", logs)
		}
		if strings.Contains(logs, "applied migrations") {
			t.Errorf("the restart applied migrations again:\n%s", logs)
		}
	})
	pgPID = postmasterPID(t, dataDir)

	t.Run("SIGTERM stops fritid and PostgreSQL cleanly", func(t *testing.T) {
		if err := second.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if state := second.wait(t, 20*time.Second); state.ExitCode() != 0 {
			t.Errorf("fritid exit state = %v, want exit status 0; stderr:\n%s", state, second.stderr.String())
		}
		if processExists(pgPID) {
			t.Errorf("postgres (pid %d) still exists after fritid exited", pgPID)
		}
		if _, err := os.Stat(filepath.Join(clusterDir(dataDir), "postmaster.pid")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("postmaster.pid is still there after a clean shutdown (stat error %v)", err)
		}
	})

	t.Run("nothing is left running", func(t *testing.T) {
		if pids := processesUsing(dataDir, clusterDir(dataDir)); len(pids) > 0 {
			t.Errorf("still running: %s", describeProcesses(pids))
		}
	})

	// A warm start after a clean stop, with the schema current: what nearly every start is.
	third, url := startServe(t, dataDir)
	t.Run("a warm start serves and is ready", func(t *testing.T) {
		checkPortal(t, url)
		if got := readyz(url); got != http.StatusOK {
			t.Errorf("/readyz answered %d, want 200; stderr:\n%s", got, third.stderr.String())
		}
		logs := third.stderr.String()
		for _, done := range []string{"initialized PostgreSQL cluster", "applied migrations", demoCreated} {
			if strings.Contains(logs, done) {
				t.Errorf("the warm start did again what was done (%s):\n%s", done, logs)
			}
		}
		if err := third.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if state := third.wait(t, 20*time.Second); state.ExitCode() != 0 {
			t.Errorf("fritid exit state = %v, want exit status 0; stderr:\n%s", state, third.stderr.String())
		}
	})

	if !second.exited() || !third.exited() {
		t.Fatal("fritid serve is still running; not running migrate on the same data")
	}
	t.Run("migrate", func(t *testing.T) {
		getenv := envOf(t, map[string]string{"FRITID_DATA_DIR": dataDir})
		steps := []struct {
			name string
			args []string
			want string // a regular expression stdout must match
		}{
			{"status lists the foundation as applied", []string{"migrate", "status"}, `(?m)^0001_foundation\s+applied \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$`},
			{"down rolls it back", []string{"migrate", "down"}, `(?m)^rolled back 0001_foundation$`},
			{"status shows it pending", []string{"migrate", "status"}, `(?m)^0001_foundation\s+pending$`},
			{"down again has nothing to roll back", []string{"migrate", "down"}, `(?m)^nothing rolled back$`},
			{"up applies it again", []string{"migrate", "up"}, `(?m)^applied 0001_foundation$`},
			{"up again has nothing to apply", []string{"migrate", "up"}, `(?m)^nothing applied$`},
			{"status lists it as applied again", []string{"migrate", "status"}, `(?m)^0001_foundation\s+applied `},
		}
		for _, s := range steps {
			ok := t.Run(s.name, func(t *testing.T) {
				stdout, stderr, err := runCLI(t, getenv, s.args...)
				if err != nil {
					t.Fatalf("fritid %s: %v\nstderr:\n%s", strings.Join(s.args, " "), err, stderr)
				}
				if !regexp.MustCompile(s.want).MatchString(stdout) {
					t.Errorf("fritid %s printed:\n%s\nwant a match for %s", strings.Join(s.args, " "), stdout, s.want)
				}
				if pids := processesUsing(dataDir, clusterDir(dataDir)); len(pids) > 0 {
					t.Errorf("still running after fritid %s returned: %s", strings.Join(s.args, " "), describeProcesses(pids))
				}
			})
			if !ok {
				break
			}
		}
	})
}

func TestServeWithoutPostgresBinaries(t *testing.T) {
	t.Parallel()
	fritidBinary(t)
	// fritid also looks for the server in the standard places of the distributions' packages.
	skipNothingInstalled := ""
	for _, pattern := range []string{"/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin"} {
		dirs, _ := filepath.Glob(pattern)
		for _, d := range dirs {
			if isFile(filepath.Join(d, "postgres")) && isFile(filepath.Join(d, "initdb")) {
				skipNothingInstalled = "a PostgreSQL server is installed in " + d + ", where fritid always finds it"
			}
		}
	}
	emptyBinDir := t.TempDir()
	tests := []struct {
		name string
		// skip, when not empty, is why the case cannot be provoked on this machine.
		skip string
		env  []string
		want []string
	}{
		{
			name: "PG_BINDIR names a directory without the binaries",
			env:  []string{"PG_BINDIR=" + emptyBinDir},
			want: []string{"FRITID_DATABASE_URL", "PG_BINDIR=" + emptyBinDir, "install the PostgreSQL server package"},
		},
		{
			name: "no server installed and no pg_config on PATH",
			skip: skipNothingInstalled,
			want: []string{"FRITID_DATABASE_URL", "install the PostgreSQL server package"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.skip != "" {
				t.Skip(tt.skip)
			}
			dataDir := newDataDir(t)
			env := append([]string{
				"PATH=" + t.TempDir(), // no pg_config
				"HOME=" + os.Getenv("HOME"),
				"FRITID_DATA_DIR=" + dataDir,
				"FRITID_HTTP_ADDR=" + freeAddr(t),
			}, tt.env...)
			p := startFritid(t, dataDir, env, "serve")
			state := p.wait(t, 30*time.Second)
			if state.ExitCode() != 1 {
				t.Errorf("exit state = %v, want exit status 1", state)
			}
			stderr := p.stderr.String()
			if !strings.Contains(stderr, "fritid: no database") {
				t.Errorf("stderr does not say there is no database:\n%s", stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not mention %q:\n%s", w, stderr)
				}
			}
			if strings.Contains(p.stdout.String(), "API:") {
				t.Errorf("fritid claims to serve without a database:\n%s", p.stdout.String())
			}
			if _, err := os.Lstat(filepath.Join(dataDir, "postgres")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a cluster directory was made without binaries to run it (lstat error %v)", err)
			}
		})
	}
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}
