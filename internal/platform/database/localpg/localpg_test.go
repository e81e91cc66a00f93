package localpg

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// requireBinaries skips the test when no server binaries are installed.
func requireBinaries(t *testing.T) string {
	t.Helper()
	dir, err := FindBinDir(os.Getenv)
	if err != nil {
		t.Skipf("no PostgreSQL server binaries: %v", err)
	}
	return dir
}

// reachableDir returns a fresh directory the server user can enter. The
// directories made by t.TempDir are mode 0700, which the server user cannot
// enter when the tests run as root.
func reachableDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "localpg-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// testLogger sends log messages to the test output.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), nil))
}

// startServer starts an ephemeral cluster in dataDir and stops it at cleanup.
func startServer(t *testing.T, dataDir string) *Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	srv, err := Start(ctx, Options{DataDir: dataDir, Ephemeral: true, Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { srv.Stop() })
	return srv
}

// checkServer connects and checks the server answers on loopback only.
func checkServer(t *testing.T, srv *Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, srv.URL("postgres"))
	if err != nil {
		t.Fatalf("connect %s: %v", srv.URL("postgres"), err)
	}
	defer conn.Close(ctx)
	var one int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1 = %d, %v", one, err)
	}
	var listen string
	if err := conn.QueryRow(ctx, "SHOW listen_addresses").Scan(&listen); err != nil {
		t.Fatalf("SHOW listen_addresses: %v", err)
	}
	if listen != "127.0.0.1" {
		t.Errorf("listen_addresses = %q, want 127.0.0.1", listen)
	}
}

// checkOwnership checks the cluster directory is private to its owner.
func checkOwnership(t *testing.T, dir string) {
	t.Helper()
	fi, err := os.Lstat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		t.Errorf("%s: mode %v, want a 0700 directory", dir, fi.Mode())
	}
	id, err := currentIdentity()
	if err != nil {
		t.Fatal(err)
	}
	if !id.owns(fi) {
		t.Errorf("%s is not owned by the server user", dir)
	}
}

func TestStartStopReuse(t *testing.T) {
	requireBinaries(t)
	dataDir := filepath.Join(reachableDir(t), "pgdata")

	srv := startServer(t, dataDir)
	if srv.DataDir() != dataDir {
		t.Errorf("DataDir() = %q, want %q", srv.DataDir(), dataDir)
	}
	if srv.Port() == 5432 || srv.Port() <= 0 {
		t.Errorf("Port() = %d", srv.Port())
	}
	checkOwnership(t, dataDir)
	checkServer(t, srv)
	if err := srv.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if canDial(srv.Port()) {
		t.Errorf("port %d still accepts connections after Stop", srv.Port())
	}

	start := time.Now()
	again := startServer(t, dataDir)
	t.Logf("restart on existing data directory took %s", time.Since(start))
	checkServer(t, again)
	stopConcurrently(t, again)
}

// stopConcurrently calls Stop from several goroutines at once.
func stopConcurrently(t *testing.T, srv *Server) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { errs[i] = srv.Stop() })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Errorf("Stop: %v", err)
		}
	}
}

func TestStartExplicitPortAndURL(t *testing.T) {
	requireBinaries(t)
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	srv, err := Start(ctx, Options{DataDir: filepath.Join(reachableDir(t), "pg"), Port: port, Ephemeral: true})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	defer srv.Stop()
	if srv.Port() != port {
		t.Errorf("Port() = %d, want %d", srv.Port(), port)
	}
	want := "postgres://postgres@127.0.0.1:" + strconv.Itoa(port) + "/app?sslmode=disable"
	if got := srv.URL("app"); got != want {
		t.Errorf("URL = %q, want %q", got, want)
	}
}

func TestStartFailureReportsServerLog(t *testing.T) {
	requireBinaries(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	srv, err := Start(ctx, Options{DataDir: filepath.Join(reachableDir(t), "pg"), Port: port, Ephemeral: true})
	if err == nil {
		srv.Stop()
		t.Fatal("Start succeeded on a port that is in use")
	}
	t.Log(err)
	if !strings.Contains(err.Error(), "could not bind") {
		t.Errorf("error does not include the server log: %v", err)
	}
}

func TestSecondStartOnSameDirIsRefused(t *testing.T) {
	requireBinaries(t)
	dataDir := filepath.Join(reachableDir(t), "pgdata")
	first := startServer(t, dataDir)

	_, err := Start(t.Context(), Options{DataDir: dataDir, Ephemeral: true})
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("second Start error = %v, want ErrInUse", err)
	}
	checkServer(t, first) // the running server must be left alone
}

func TestInitdbLocaleFallback(t *testing.T) {
	requireBinaries(t)
	saved := initdbLocales
	initdbLocales = []string{"xx_NO.SUCH-LOCALE", "C"}
	t.Cleanup(func() { initdbLocales = saved })

	srv := startServer(t, filepath.Join(reachableDir(t), "pgdata"))
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, srv.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var collate string
	if err := conn.QueryRow(ctx, "SELECT datcollate FROM pg_database WHERE datname = 'postgres'").Scan(&collate); err != nil {
		t.Fatal(err)
	}
	if collate != "C" {
		t.Errorf("datcollate = %q, want C", collate)
	}
}

// TestCancelledInitdbLeavesNoHalfCluster checks the promise of a cancelled
// start: the data directory is left empty, or holds a complete cluster (when
// initdb finished as the deadline passed), never a half-made one. Either way
// the next Start works on it. Deadlines from "already passed" to "about when
// initdb finishes" cancel it in each of its phases.
func TestCancelledInitdbLeavesNoHalfCluster(t *testing.T) {
	requireBinaries(t)
	for _, after := range []time.Duration{0, 100 * time.Millisecond, 400 * time.Millisecond, 1500 * time.Millisecond} {
		t.Run(after.String(), func(t *testing.T) {
			dataDir := filepath.Join(reachableDir(t), "pgdata")
			ctx, cancel := context.WithTimeout(t.Context(), after)
			defer cancel()
			srv, err := Start(ctx, Options{DataDir: dataDir})
			if err == nil {
				srv.Stop()
			}
			entries, _ := os.ReadDir(dataDir)
			t.Logf("Start with a %s deadline: %v; %d entries left", after, err, len(entries))
			if len(entries) > 0 && !hasCluster(dataDir) {
				t.Fatalf("cancelled initdb left %d entries and no PG_VERSION", len(entries))
			}
			// A half cluster with PG_VERSION would fail here: Start would skip initdb
			// and postgres would refuse the directory.
			checkServer(t, startServer(t, dataDir))
		})
	}
}

// TestDataDirInPlaceAsRoot: run as root, the cluster is made where it was asked for, in a
// data directory that only root could enter (as a fresh ./.fritid is), handed to the server
// user; nothing is made outside. A cluster that belongs to root (copied in, say) is handed
// over too.
func TestDataDirInPlaceAsRoot(t *testing.T) {
	requireBinaries(t)
	if os.Geteuid() != 0 {
		t.Skip("only relevant when running as root: otherwise PostgreSQL runs as the current user")
	}
	before, _ := filepath.Glob(filepath.Join(relocationRoot, relocationPrefix+"*"))
	appDir := filepath.Join(reachableDir(t), ".fritid")
	if err := os.Mkdir(appDir, 0o700); err != nil {
		t.Fatal(err)
	}
	dataDir := filepath.Join(appDir, "postgres")

	srv := startServer(t, dataDir)
	if srv.DataDir() != dataDir {
		t.Errorf("DataDir() = %q, want %q", srv.DataDir(), dataDir)
	}
	if fi, err := os.Lstat(dataDir); err != nil || !fi.IsDir() {
		t.Fatalf("%s is not a directory: %v, %v", dataDir, fi, err)
	}
	checkOwnership(t, dataDir)
	checkServer(t, srv)
	if fi, err := os.Stat(appDir); err != nil || fi.Mode().Perm() != 0o701 {
		t.Errorf("data directory mode = %v (%v), want 0701: the server user may enter, not list", fi.Mode(), err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	after, _ := filepath.Glob(filepath.Join(relocationRoot, relocationPrefix+"*"))
	if len(after) > len(before) {
		t.Errorf("a cluster was made outside the data directory: %v", after)
	}

	// The same cluster, owned by root: the next start hands it back to the server user.
	if err := filepath.WalkDir(dataDir, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, 0, 0)
	}); err != nil {
		t.Fatal(err)
	}
	again := startServer(t, dataDir)
	checkOwnership(t, dataDir)
	checkServer(t, again)
	if err := again.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
}

// TestUnreachableAncestorAsRoot: when a directory above the data directory is closed to the
// server user (a clone in /root), Start says which and how to open it, and makes no cluster
// anywhere.
func TestUnreachableAncestorAsRoot(t *testing.T) {
	requireBinaries(t)
	if os.Geteuid() != 0 {
		t.Skip("only relevant when running as root: otherwise PostgreSQL runs as the current user")
	}
	private, err := os.MkdirTemp("", "localpg-private-") // mode 0700, like /root
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(private) })
	before, _ := filepath.Glob(filepath.Join(relocationRoot, relocationPrefix+"*"))
	dataDir := filepath.Join(private, "clone", ".fritid", "postgres")

	_, err = Start(t.Context(), Options{DataDir: dataDir, Ephemeral: true})
	if err == nil {
		t.Fatal("Start succeeded where the server user cannot enter")
	}
	wants := []string{"cannot enter " + private, "chmod o+x " + private, "FRITID_DATA_DIR", "FRITID_DATABASE_URL"}
	for _, want := range wants {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
	if _, err := os.Lstat(dataDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a cluster directory was made (lstat error %v)", err)
	}
	after, _ := filepath.Glob(filepath.Join(relocationRoot, relocationPrefix+"*"))
	if len(after) > len(before) {
		t.Errorf("a cluster was made outside the data directory: %v", after)
	}
	if fi, err := os.Stat(private); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("a directory above the data directory changed: %v (%v)", fi.Mode(), err)
	}
}

// TestShareTheRunningServer: with Share, a second Start on a data directory whose server
// another owner runs uses that server, and its Stop leaves it running.
func TestShareTheRunningServer(t *testing.T) {
	requireBinaries(t)
	dataDir := filepath.Join(reachableDir(t), "pgdata")
	first := startServer(t, dataDir)

	shared, err := Start(t.Context(), Options{DataDir: dataDir, Share: true})
	if err != nil {
		t.Fatalf("Start with Share: %v", err)
	}
	if !shared.Shared() || shared.Port() != first.Port() || shared.URL("x") != first.URL("x") {
		t.Errorf("shared server: Shared() %v, port %d; want true and the running server's port %d",
			shared.Shared(), shared.Port(), first.Port())
	}
	checkServer(t, shared)
	if err := shared.Stop(); err != nil {
		t.Errorf("Stop of the shared server: %v", err)
	}
	checkServer(t, first) // still running
	if err := first.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
}

func TestBlockedAt(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to check another user's access")
	}
	id, err := lookupIdentity(serverUser)
	if err != nil {
		t.Skip(err)
	}
	private := filepath.Join(reachableDir(t), "private")
	if err := os.Mkdir(private, 0o700); err != nil {
		t.Fatal(err)
	}
	inside := filepath.Join(private, "data")
	if err := os.Mkdir(inside, 0o755); err != nil {
		t.Fatal(err)
	}
	if blocked, _, err := id.blockedAt(inside); err != nil || blocked != private {
		t.Errorf("blockedAt(a directory in a 0700 root dir) = %q, %v; want %q", blocked, err, private)
	}
	public := reachableDir(t)
	if blocked, _, err := id.blockedAt(public); err != nil || blocked != "" {
		t.Errorf("blockedAt(0755 dir under /tmp) = %q, %v; want none", blocked, err)
	}
}

func TestFindBinDirHonoursPGBINDIR(t *testing.T) {
	fake := t.TempDir()
	for _, name := range []string{"postgres", "initdb"} {
		if err := os.WriteFile(filepath.Join(fake, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	env := func(v string) func(string) string {
		return func(key string) string {
			if key == binDirEnv {
				return v
			}
			return ""
		}
	}
	got, err := FindBinDir(env(fake))
	if err != nil || got != fake {
		t.Errorf("FindBinDir(PG_BINDIR=%s) = %q, %v", fake, got, err)
	}
	if _, err := FindBinDir(env(t.TempDir())); !errors.Is(err, ErrNoBinaries) {
		t.Errorf("FindBinDir(empty PG_BINDIR) error = %v, want ErrNoBinaries", err)
	}
}

func TestNoBinariesMessage(t *testing.T) {
	_, err := firstBinDir([]string{t.TempDir()})
	if !errors.Is(err, ErrNoBinaries) {
		t.Fatalf("error = %v, want ErrNoBinaries", err)
	}
	for _, want := range []string{"FRITID_DATABASE_URL", "apt-get install postgresql", "PG_BINDIR"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestVersionedBinDirOrder(t *testing.T) {
	dirs := []string{"/usr/lib/postgresql/9.6/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin"}
	sortByVersionDesc(dirs)
	want := []string{"/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/9.6/bin"}
	if !slices.Equal(dirs, want) {
		t.Errorf("sorted = %v, want %v", dirs, want)
	}
	if v := dirVersion("/usr/pgsql-14/bin"); len(v) != 1 || v[0] != 14 {
		t.Errorf("dirVersion(/usr/pgsql-14/bin) = %v", v)
	}
}

func TestStartWithoutBinaries(t *testing.T) {
	_, err := Start(t.Context(), Options{DataDir: t.TempDir(), BinDir: t.TempDir()})
	if !errors.Is(err, ErrNoBinaries) {
		t.Errorf("Start error = %v, want ErrNoBinaries", err)
	}
}
