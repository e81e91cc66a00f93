// Package graphqlhttpaudit runs the GraphQL-over-HTTP conformance audits of
// the graphql-http npm package against a running server from Go tests.
//
// The audits need Node.js and npm and the npm packages pinned by
// package-lock.json in this folder, installed with "npm ci" on first use.
// When node or npm is missing, or npm cannot reach its registry, the calling
// test is skipped with the reason; any other failure fails it.
package graphqlhttpaudit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fritid/fritid/test/internal/npmci"
)

// SkipReason is the reason given to t.Skip when node or npm is missing.
const SkipReason = "node and npm are needed for the GraphQL-over-HTTP audit"

const (
	auditTimeout = 3 * time.Minute
	dirRelPath   = "test/graphql-http-audit"
	scriptName   = "audit.mjs"
)

// Tally counts the audits of one level (MUST, SHOULD or MAY).
type Tally struct {
	Passed, Total int
}

// Result is what one audit run found: a Tally by level, and the report line of
// every audit that failed.
type Result struct {
	Levels map[string]Tally
	Failed []string
}

// String returns "MUST 13/13, SHOULD 23/23, MAY 25/25".
func (r Result) String() string {
	var parts []string
	for _, level := range []string{"MUST", "SHOULD", "MAY"} {
		if n, ok := r.Levels[level]; ok {
			parts = append(parts, fmt.Sprintf("%s %d/%d", level, n.Passed, n.Total))
		}
	}
	return strings.Join(parts, ", ")
}

// Run audits the GraphQL endpoint at url and returns the result. Every failed
// audit, of any level, is reported through t.Errorf. headers are added to each
// audit request, for example {"X-Municipality": "demo"}. The full audit output
// goes to t.Log. Run skips t when the audit's tools or packages cannot be had
// (see the package comment), and stops t when the audit does not complete.
func Run(t testing.TB, url string, headers map[string]string) Result {
	t.Helper()
	node, npm, ok := npmci.Tools()
	if !ok {
		t.Skip(SkipReason)
	}
	dir, err := auditDir()
	if err != nil {
		t.Fatalf("graphql-http audit: %v", err)
	}
	var unavailable *npmci.UnavailableError
	if err := npmci.Ensure(t, npm, dir); errors.As(err, &unavailable) {
		t.Skipf("graphql-http audit skipped: %v", err)
	} else if err != nil {
		t.Fatalf("graphql-http audit: installing npm dependencies: %v", err)
	}
	out, err := runAudit(t, node, dir, url, headers)
	t.Logf("graphql-http audit of %s:\n%s", url, out)
	res := parse(out)
	if len(res.Levels) == 0 || (err != nil && len(res.Failed) == 0) {
		t.Fatalf("graphql-http audit did not complete (%v):\n%s", err, out)
	}
	if len(res.Failed) > 0 {
		t.Errorf("graphql-http audit: %d failing audits (%s):\n%s", len(res.Failed), res, strings.Join(res.Failed, "\n"))
	}
	return res
}

// parse reads the audit script's report lines ("PASS <id> <name>", "FAIL <id>
// <name> -- <reason>"); the level is the first word of the name.
func parse(out string) Result {
	res := Result{Levels: map[string]Tally{}}
	for line := range strings.Lines(out) {
		line = strings.TrimRight(line, "\n")
		fields := strings.Fields(line)
		if len(fields) < 3 || (fields[0] != "PASS" && fields[0] != "FAIL") {
			continue
		}
		n := res.Levels[fields[2]]
		n.Total++
		if fields[0] == "PASS" {
			n.Passed++
		} else {
			res.Failed = append(res.Failed, line)
		}
		res.Levels[fields[2]] = n
	}
	return res
}

// auditDir returns the folder holding audit.mjs.
func auditDir() (string, error) {
	return npmci.Dir(dirRelPath, scriptName)
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
