// Package graphqlhttpaudit runs the GraphQL-over-HTTP conformance audits of
// the graphql-http npm package against a running server from Go tests.
//
// The audits need Node.js and npm; when either is missing the calling test is
// skipped. The npm dependencies are pinned by package-lock.json in this
// folder and installed with "npm ci" on first use.
package graphqlhttpaudit

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// SkipReason is the reason given to t.Skip when node or npm is missing.
const SkipReason = "node and npm are needed for the GraphQL-over-HTTP audit"

const (
	installTimeout = 5 * time.Minute
	auditTimeout   = 3 * time.Minute
	lockWait       = 5 * time.Minute
	lockStale      = 10 * time.Minute
	lockName       = ".npm-ci.lock"
	dirRelPath     = "test/graphql-http-audit"
	scriptName     = "audit.mjs"
)

// Run audits the GraphQL endpoint at url and reports every failed MUST or
// SHOULD audit through t.Errorf. headers are added to each audit request, for
// example {"X-Municipality": "demo"}. The full audit output goes to t.Log.
func Run(t testing.TB, url string, headers map[string]string) {
	t.Helper()
	node, npm, ok := tools()
	if !ok {
		t.Skip(SkipReason)
	}
	dir, err := auditDir()
	if err != nil {
		t.Fatalf("graphql-http audit: %v", err)
	}
	if err := ensureDeps(t, npm, dir); err != nil {
		t.Fatalf("graphql-http audit: installing npm dependencies: %v", err)
	}
	out, err := runAudit(t, node, dir, url, headers)
	t.Logf("graphql-http audit of %s:\n%s", url, out)
	if err != nil {
		reportFailure(t, out, err)
	}
}

// tools looks up node and npm on PATH.
func tools() (node, npm string, ok bool) {
	node, errNode := exec.LookPath("node")
	npm, errNpm := exec.LookPath("npm")
	return node, npm, errNode == nil && errNpm == nil
}

// auditDir returns the folder holding audit.mjs. It uses the location of this
// source file and falls back to searching upwards from the working directory
// for the module root when source paths are not available.
func auditDir() (string, error) {
	if _, file, _, ok := runtime.Caller(0); ok {
		if dir := filepath.Dir(file); hasScript(dir) {
			return dir, nil
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if dir := filepath.Join(d, filepath.FromSlash(dirRelPath)); hasScript(dir) {
			return dir, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("cannot find " + dirRelPath + "/" + scriptName)
		}
	}
}

// hasScript reports whether dir contains the audit script.
func hasScript(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, scriptName))
	return err == nil
}

// runAudit runs the audit script and returns its combined output.
func runAudit(t testing.TB, node, dir, url string, headers map[string]string) (string, error) {
	ctx, cancel := context.WithTimeout(t.Context(), auditTimeout)
	defer cancel()
	args := append([]string{scriptName, url}, headerArgs(headers)...)
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// headerArgs turns headers into sorted name=value arguments.
func headerArgs(headers map[string]string) []string {
	args := make([]string, 0, len(headers))
	for k, v := range headers {
		args = append(args, k+"="+v)
	}
	slices.Sort(args)
	return args
}

// reportFailure reports the failing audit lines, or the whole output when the
// script failed without any.
func reportFailure(t testing.TB, out string, err error) {
	t.Helper()
	var failed []string
	for line := range strings.Lines(out) {
		if strings.HasPrefix(line, "FAIL ") {
			failed = append(failed, strings.TrimRight(line, "\n"))
		}
	}
	if len(failed) == 0 {
		t.Errorf("graphql-http audit did not complete (%v):\n%s", err, out)
		return
	}
	t.Errorf("graphql-http audit: %d failing audits:\n%s", len(failed), strings.Join(failed, "\n"))
}
