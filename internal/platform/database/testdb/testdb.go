// Package testdb hands each test its own migrated PostgreSQL database, cloned in
// milliseconds from a migrated template database.
//
// The server is FRITID_TEST_DATABASE_URL when set (a URL whose user may create databases;
// its database part is only used to connect), and otherwise a private embedded cluster
// started from the local PostgreSQL server binaries, the same way `fritid serve` starts
// one, living as long as the test process. That cluster runs with fsync and
// synchronous_commit off, for speed; NewDurable gives benchmarks of commits a database on a
// second private cluster (or FRITID_TEST_DURABLE_DATABASE_URL) with both on.
package testdb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/database/localpg"
	"github.com/fritid/fritid/migrations"
)

// EnvURL names the variable that points the tests at an existing PostgreSQL server.
const EnvURL = "FRITID_TEST_DATABASE_URL"

// EnvDurableURL names the variable that points NewDurable at an existing PostgreSQL server,
// which must run with fsync and synchronous_commit on.
const EnvDurableURL = "FRITID_TEST_DURABLE_DATABASE_URL"

type server struct {
	base     *url.URL // connection URL; the path is replaced per database
	admin    *sql.DB  // connected to the maintenance database
	template string
	private  bool // the embedded cluster of this process
}

// lazyServer starts its server on first use.
type lazyServer struct {
	once    sync.Once
	durable bool
	srv     *server
	err     error
}

func (l *lazyServer) get() (*server, error) {
	l.once.Do(func() { l.srv, l.err = start(context.Background(), l.durable) })
	return l.srv, l.err
}

var (
	fast    = &lazyServer{}
	durable = &lazyServer{durable: true}
)

// New returns a fresh, migrated database of its own for t, dropped when t ends.
func New(t testing.TB) *bun.DB {
	t.Helper()
	db, _ := NewWithURL(t)
	return db
}

// NewWithURL is New that also returns the database's connection URL, for tests that start
// a whole server against it.
func NewWithURL(t testing.TB) (*bun.DB, string) {
	t.Helper()
	return newOn(t, fast)
}

// NewDurable is New on a server whose commits are durable: fsync and synchronous_commit on
// (checked), so each commit waits for its WAL flush as in production. For benchmarks of
// writes; slower to start than New (a second cluster is made on first use).
func NewDurable(t testing.TB) *bun.DB {
	t.Helper()
	db, _ := newOn(t, durable)
	for _, setting := range []string{"fsync", "synchronous_commit"} {
		var v string
		if err := db.QueryRowContext(context.Background(), "SHOW "+setting).Scan(&v); err != nil || v != "on" {
			t.Fatalf("testdb: durable server has %s = %q (%v)", setting, v, err)
		}
	}
	return db
}

func newOn(t testing.TB, l *lazyServer) (*bun.DB, string) {
	t.Helper()
	srv, err := l.get()
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	name := "test_" + randomHex(8)
	ctx := context.Background()
	if _, err := srv.admin.ExecContext(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, srv.template)); err != nil {
		t.Fatalf("testdb: create database: %v", err)
	}
	dsn := srv.url(name)
	db, err := database.Open(ctx, dsn, 10)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	t.Cleanup(func() {
		db.Close()
		// A private cluster goes away with the process, and skipping the drop keeps the
		// next CREATE DATABASE fast; a shared server is cleaned up after each test.
		if !srv.private {
			srv.admin.ExecContext(context.Background(), fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name)) //nolint:errcheck // best effort
		}
	})
	return db, dsn
}

func (s *server) url(dbname string) string {
	u := *s.base
	u.Path = "/" + dbname
	return u.String()
}

func start(ctx context.Context, durable bool) (*server, error) {
	env := EnvURL
	if durable {
		env = EnvDurableURL
	}
	raw := os.Getenv(env)
	private := raw == ""
	if private {
		pg, err := startLocal(ctx, durable)
		if err != nil {
			return nil, err
		}
		raw = pg.URL("postgres")
	}
	base, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", env, err)
	}
	s := &server{base: base, private: private}
	if s.admin, err = sqlOpen(s.url(maintenanceDB(base))); err != nil {
		return nil, err
	}
	if s.template, err = s.ensureTemplate(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

func maintenanceDB(u *url.URL) string {
	if p := filepath.Base(u.Path); p != "" && p != "/" && p != "." {
		return p
	}
	return "postgres"
}

// startLocal starts a throw-away cluster for this process in the temporary directory,
// after sweeping away clusters left by earlier test processes that are gone. It trades
// crash safety for speed unless durable.
func startLocal(ctx context.Context, durable bool) (*localpg.Server, error) {
	root := filepath.Join(os.TempDir(), "fritid-testdb")
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, err
	}
	sweep(root)
	name := strconv.Itoa(os.Getpid())
	if durable {
		name += "-durable"
	}
	dir := filepath.Join(root, name)
	os.RemoveAll(dir)
	return localpg.Start(ctx, localpg.Options{DataDir: dir, Ephemeral: !durable})
}

// sweep removes the data directories of test processes that no longer run.
func sweep(root string) {
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		pid, err := strconv.Atoi(strings.TrimSuffix(e.Name(), "-durable"))
		if err != nil || pid == os.Getpid() || alive(pid) {
			continue
		}
		dir := filepath.Join(root, e.Name())
		if target, err := os.Readlink(dir); err == nil {
			os.RemoveAll(target)
		}
		os.RemoveAll(dir)
	}
}

func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}

// ensureTemplate makes the migrated template database, named after the migrations'
// contents so a changed migration gets a new template. Processes sharing a server take
// turns through an advisory lock.
func (s *server) ensureTemplate(ctx context.Context) (string, error) {
	name := "fritid_tpl_" + migrationsHash()
	conn, err := s.admin.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(7215001)"); err != nil {
		return "", err
	}
	defer conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock(7215001)") //nolint:errcheck // session ends anyway
	var exists bool
	if err := conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	return name, s.buildTemplate(ctx, conn, name)
}

func (s *server) buildTemplate(ctx context.Context, conn *sql.Conn, name string) error {
	building := name + "_building"
	for _, q := range []string{"DROP DATABASE IF EXISTS " + building + " WITH (FORCE)", "CREATE DATABASE " + building} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("template: %w", err)
		}
	}
	db, err := database.Open(ctx, s.url(building), 2)
	if err != nil {
		return err
	}
	m, err := database.NewMigrator(db)
	if err == nil {
		_, err = m.Up(ctx)
	}
	db.Close()
	if err != nil {
		return fmt.Errorf("migrate template: %w", err)
	}
	_, err = conn.ExecContext(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", building, name))
	return err
}

func migrationsHash() string {
	h := sha256.New()
	fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error { //nolint:errcheck // embedded FS
		if err == nil && !d.IsDir() {
			b, _ := migrations.FS.ReadFile(path)
			fmt.Fprintf(h, "%s\x00%s\x00", path, b)
		}
		return nil
	})
	// The Go migration (0019, River's schema) is named by the River version it installs.
	fmt.Fprintf(h, "0019_job_queue\x00river %d\x00", migrations.RiverVersion)
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func sqlOpen(dsn string) (*sql.DB, error) {
	db, err := database.Open(context.Background(), dsn, 4)
	if err != nil {
		return nil, err
	}
	db.DB.SetConnMaxIdleTime(time.Minute)
	return db.DB, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) //nolint:errcheck // never fails
	return hex.EncodeToString(b)
}
