package graphqlhttpaudit

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
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
	out, err := install(t.Context(), npm, dir, nil)
	if err != nil {
		return err
	}
	t.Logf("npm ci in %s:\n%s", filepath.Base(dir), out)
	// Stamp node_modules with the install time, whether npm recreated the
	// folder or only refilled it, so the next run sees it as fresh.
	now := time.Now()
	return os.Chtimes(filepath.Join(dir, "node_modules"), now, now)
}

// install runs "npm ci" in dir with env added to the environment and returns
// its output. When npm cannot reach its registry, or does not finish within
// installTimeout, the error is an *UnavailableError.
func install(ctx context.Context, npm, dir string, env []string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, installTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	switch {
	case err == nil:
		return out, nil
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return out, &UnavailableError{Reason: fmt.Sprintf("npm ci did not finish within %s", installTimeout)}
	}
	if reason := unreachable(string(out)); reason != "" {
		return out, &UnavailableError{Reason: reason}
	}
	return out, fmt.Errorf("npm ci: %w\n%s", err, out)
}

// UnavailableError says that the audit's npm packages cannot be installed
// because npm cannot reach its registry; the audit is skipped, not failed.
type UnavailableError struct {
	// Reason is npm's own account, such as "ECONNREFUSED: request to
	// https://registry.npmjs.org/graphql-http failed, reason: connect ECONNREFUSED".
	Reason string
}

func (e *UnavailableError) Error() string {
	return "its npm packages cannot be installed, the npm registry is unreachable: " + e.Reason
}

// networkCodes are the npm error codes of a registry that cannot be reached:
// no name resolution, no route, refused, reset or timed-out connections, an
// intercepting proxy's certificate, and the registry's own server errors.
var networkCodes = map[string]bool{
	"ENOTFOUND": true, "EAI_AGAIN": true, "ECONNREFUSED": true, "ECONNRESET": true,
	"ETIMEDOUT": true, "ESOCKETTIMEDOUT": true, "ERR_SOCKET_TIMEOUT": true,
	"ENETUNREACH": true, "EHOSTUNREACH": true, "ENETDOWN": true, "EPROTO": true,
	"SELF_SIGNED_CERT_IN_CHAIN": true, "UNABLE_TO_GET_ISSUER_CERT_LOCALLY": true,
	"E407": true, "E500": true, "E502": true, "E503": true, "E504": true,
}

var (
	npmCode    = regexp.MustCompile(`(?m)^npm (?:error|ERR!) code (\S+)`)
	npmRequest = regexp.MustCompile(`(?m)^npm (?:error|ERR!) .*(request to \S+ failed.*)$`)
)

// unreachable returns npm's reason when its output says it could not reach
// the registry, and "" otherwise.
func unreachable(out string) string {
	m := npmCode.FindStringSubmatch(out)
	if m == nil || !networkCodes[m[1]] {
		return ""
	}
	if r := npmRequest.FindStringSubmatch(out); r != nil {
		return m[1] + ": " + strings.TrimSpace(r[1])
	}
	return m[1]
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

// InstallPackages installs the npm packages locked by package-lock.json in dir (once, as
// Run does for the audit's) and returns the path of node, for other tests that run npm
// tools. It skips t when node or npm is missing or npm cannot reach its registry, and stops
// t on any other failure.
func InstallPackages(t testing.TB, dir string) string {
	t.Helper()
	node, npm, ok := tools()
	if !ok {
		t.Skip("node and npm are needed for this test")
	}
	var unavailable *UnavailableError
	if err := ensureDeps(t, npm, dir); errors.As(err, &unavailable) {
		t.Skipf("skipped: %v", err)
	} else if err != nil {
		t.Fatalf("installing npm dependencies in %s: %v", filepath.Base(dir), err)
	}
	return node
}
