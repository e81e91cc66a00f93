package graphqlhttpaudit

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// ensureDeps runs "npm ci" in dir when node_modules is missing or older than
// package-lock.json. Test binaries of several packages may call it at once,
// so the install is guarded by a lock directory.
func ensureDeps(t testing.TB, npm, dir string) error {
	if fresh(dir) {
		return nil
	}
	unlock, err := lock(t.Context(), filepath.Join(dir, lockName))
	if err != nil {
		return err
	}
	defer unlock()
	if fresh(dir) { // another process installed while we waited
		return nil
	}
	return npmCI(t, npm, dir)
}

// fresh reports whether node_modules exists and is not older than
// package-lock.json.
func fresh(dir string) bool {
	mods, err := os.Stat(filepath.Join(dir, "node_modules"))
	if err != nil {
		return false
	}
	lockFile, err := os.Stat(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		return true
	}
	return !mods.ModTime().Before(lockFile.ModTime())
}

// npmCI installs the locked dependencies into dir.
func npmCI(t testing.TB, npm, dir string) error {
	ctx, cancel := context.WithTimeout(t.Context(), installTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("npm ci: %w\n%s", err, out)
	}
	t.Logf("npm ci in %s:\n%s", filepath.Base(dir), out)
	// Stamp node_modules with the install time, whether npm recreated the
	// folder or only refilled it, so the next run sees it as fresh.
	now := time.Now()
	return os.Chtimes(filepath.Join(dir, "node_modules"), now, now)
}

// lock creates the lock directory at path, waiting while another process
// holds it. A lock older than lockStale is considered abandoned and removed.
// The returned function releases the lock.
func lock(ctx context.Context, path string) (func(), error) {
	deadline := time.Now().Add(lockWait)
	for {
		err := os.Mkdir(path, 0o755)
		if err == nil {
			return func() { _ = os.Remove(path) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		if info, err := os.Stat(path); err == nil && time.Since(info.ModTime()) > lockStale {
			_ = os.Remove(path)
			continue
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("timed out waiting for %s", filepath.Base(path))
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
