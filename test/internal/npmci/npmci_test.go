package npmci

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDirFindsCallersFolder(t *testing.T) {
	dir, err := Dir("test/internal/npmci", "npmci.go")
	if err != nil {
		t.Fatal(err)
	}
	if !has(dir, "npmci_test.go") {
		t.Fatalf("Dir = %s, not this package's folder", dir)
	}
	if _, err := Dir("test/internal/npmci", "no-such-file.mjs"); err == nil {
		t.Fatal("Dir found a file that does not exist")
	}
}

func TestFresh(t *testing.T) {
	dir := t.TempDir()
	if fresh(dir) {
		t.Fatal("fresh without node_modules")
	}
	mods, lockFile := filepath.Join(dir, "node_modules"), filepath.Join(dir, "package-lock.json")
	if err := os.Mkdir(mods, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(lockFile, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	old, now := time.Now().Add(-time.Hour), time.Now()
	setTime(t, mods, old)
	setTime(t, lockFile, now)
	if fresh(dir) {
		t.Fatal("fresh although node_modules is older than the lock file")
	}
	setTime(t, mods, now)
	if !fresh(dir) {
		t.Fatal("not fresh although node_modules is up to date")
	}
}

func setTime(t *testing.T, path string, at time.Time) {
	t.Helper()
	if err := os.Chtimes(path, at, at); err != nil {
		t.Fatal(err)
	}
}

func TestLockExcludesAndReleases(t *testing.T) {
	path := filepath.Join(t.TempDir(), lockName)
	unlock, err := lock(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("lock not held: %v", err)
	}
	unlock()
	unlock2, err := lock(t.Context(), path)
	if err != nil {
		t.Fatalf("relock: %v", err)
	}
	unlock2()
}

func TestLockBreaksStaleLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), lockName)
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	setTime(t, path, time.Now().Add(-2*lockStale))
	unlock, err := lock(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
}

func TestUnreachable(t *testing.T) {
	for _, tt := range []struct {
		name, out, want string
	}{
		{"ConnectionRefused", "npm error code ECONNREFUSED\nnpm error syscall connect\n" +
			"npm error FetchError: request to http://127.0.0.1:1/graphql-http failed, reason: connect ECONNREFUSED 127.0.0.1:1\n",
			"ECONNREFUSED: request to http://127.0.0.1:1/graphql-http failed, reason: connect ECONNREFUSED 127.0.0.1:1"},
		{"NoDNSOldNpm", "npm ERR! code ENOTFOUND\nnpm ERR! errno ENOTFOUND\n", "ENOTFOUND"},
		{"RegistryDown", "npm error code E503\nnpm error 503 Service Unavailable - GET https://registry.npmjs.org/graphql\n", "E503"},
		{"BrokenLockFile", "npm error code EJSONPARSE\nnpm error JSON.parse Invalid package-lock.json\n", ""},
		{"NoLockFile", "npm error code EUSAGE\nnpm error The `npm ci` command can only install with an existing package-lock.json\n", ""},
		{"PackageGone", "npm error code E404\nnpm error 404 Not Found - GET https://registry.npmjs.org/graphql-htt\n", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := unreachable(tt.out); got != tt.want {
				t.Errorf("unreachable = %q, want %q", got, tt.want)
			}
		})
	}
}

// copyPackage copies testdata's package files (the lock file too when lock)
// into a new temporary folder and returns it.
func copyPackage(t *testing.T, lock bool) string {
	t.Helper()
	names := []string{"package.json"}
	if lock {
		names = append(names, "package-lock.json")
	}
	dir := t.TempDir()
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// offlineEnv points npm at a registry that refuses connections, with an empty
// cache so nothing can come from earlier installs.
func offlineEnv(t *testing.T) []string {
	return []string{"npm_config_registry=http://127.0.0.1:1/", "npm_config_cache=" + t.TempDir(),
		"npm_config_fetch_retries=0", "npm_config_update_notifier=false"}
}

func TestInstallWithoutRegistryIsUnavailable(t *testing.T) {
	_, npm, ok := Tools()
	if !ok {
		t.Skip("node and npm are needed to test npm ci")
	}
	_, err := Install(t.Context(), npm, copyPackage(t, true), offlineEnv(t))
	var unavailable *UnavailableError
	if !errors.As(err, &unavailable) || !strings.Contains(err.Error(), "ECONNREFUSED") {
		t.Fatalf("npm ci against a dead registry: %v, want an UnavailableError naming ECONNREFUSED", err)
	}
}

func TestInstallOtherFailureIsAnError(t *testing.T) {
	_, npm, ok := Tools()
	if !ok {
		t.Skip("node and npm are needed to test npm ci")
	}
	_, err := Install(t.Context(), npm, copyPackage(t, false), offlineEnv(t))
	var unavailable *UnavailableError
	if err == nil || errors.As(err, &unavailable) {
		t.Fatalf("npm ci without a lock file: %v, want a plain error (a failure, not a skip)", err)
	}
}
