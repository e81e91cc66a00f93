// Package npmci gives Go tests the Node.js tools and npm packages of a folder
// under test/: it finds node and npm, and installs the folder's packages with
// "npm ci" from its committed package-lock.json when node_modules is missing
// or older than the lock file.
//
// node_modules stays in the folder (git ignores it), so later runs need no
// network until the lock file changes. When npm cannot reach its registry the
// error is an *UnavailableError, which callers turn into a skip; any other
// failure is an ordinary error.
package npmci

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

const (
	installTimeout = 5 * time.Minute
	lockWait       = 5 * time.Minute
	lockStale      = 10 * time.Minute
	lockName       = ".npm-ci.lock"
)

// Tools looks up node and npm on PATH; ok is false when either is missing.
func Tools() (node, npm string, ok bool) {
	node, errNode := exec.LookPath("node")
	npm, errNpm := exec.LookPath("npm")
	return node, npm, errNode == nil && errNpm == nil
}

// Dir returns the folder holding marker (a file name): the folder of the
// calling source file when it has it, or else relPath (slash-separated, from
// the module root) found by searching upwards from the working directory, for
// when source paths are not available.
func Dir(relPath, marker string) (string, error) {
	if _, file, _, ok := runtime.Caller(1); ok {
		if dir := filepath.Dir(file); has(dir, marker) {
			return dir, nil
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if dir := filepath.Join(d, filepath.FromSlash(relPath)); has(dir, marker) {
			return dir, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("cannot find " + relPath + "/" + marker)
		}
	}
}

// has reports whether dir contains the file name.
func has(dir, name string) bool {
	_, err := os.Stat(filepath.Join(dir, name))
	return err == nil
}

// Ensure runs "npm ci" in dir when node_modules is missing or older than
// package-lock.json. Test binaries of several packages may call it at once,
// so the install is guarded by a lock directory.
func Ensure(t testing.TB, npm, dir string) error {
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
	out, err := Install(t.Context(), npm, dir, nil)
	if err != nil {
		return err
	}
	t.Logf("npm ci in %s:\n%s", filepath.Base(dir), out)
	// Stamp node_modules with the install time, whether npm recreated the
	// folder or only refilled it, so the next run sees it as fresh.
	now := time.Now()
	return os.Chtimes(filepath.Join(dir, "node_modules"), now, now)
}

// Install runs "npm ci" in dir with env added to the environment and returns
// its output. When npm cannot reach its registry, or does not finish within
// installTimeout, the error is an *UnavailableError.
func Install(ctx context.Context, npm, dir string, env []string) ([]byte, error) {
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

// UnavailableError says that a folder's npm packages cannot be installed
// because npm cannot reach its registry; the test is skipped, not failed.
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
// Ensure does) and returns the path of node, for tests that run npm tools. It skips t when node or npm is missing or npm cannot reach its registry, and stops
// t on any other failure.
func InstallPackages(t testing.TB, dir string) string {
	t.Helper()
	node, npm, ok := Tools()
	if !ok {
		t.Skip("node and npm are needed for this test")
	}
	var unavailable *UnavailableError
	if err := Ensure(t, npm, dir); errors.As(err, &unavailable) {
		t.Skipf("skipped: %v", err)
	} else if err != nil {
		t.Fatalf("installing npm dependencies in %s: %v", filepath.Base(dir), err)
	}
	return node
}
