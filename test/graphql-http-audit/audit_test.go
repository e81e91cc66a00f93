package graphqlhttpaudit

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestHeaderArgs(t *testing.T) {
	got := headerArgs(map[string]string{"X-Municipality": "demo", "Accept-Language": "nb=NO"})
	want := []string{"Accept-Language=nb=NO", "X-Municipality=demo"}
	if !slices.Equal(got, want) {
		t.Fatalf("headerArgs = %q, want %q", got, want)
	}
}

func TestAuditDirHasScript(t *testing.T) {
	dir, err := auditDir()
	if err != nil {
		t.Fatal(err)
	}
	if !hasScript(dir) {
		t.Fatalf("%s has no %s", filepath.Base(dir), scriptName)
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
