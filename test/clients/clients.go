// Package clients runs clients.mjs from Go tests: it checks a running server
// with the normalised caches of Apollo Client (relayStylePagination) and urql
// Graphcache (relayPagination) and returns what each client's cache held.
//
// The script needs Node.js 20 and npm, and the npm packages pinned by
// package-lock.json in this folder, installed with "npm ci" on first use.
// When node or npm is missing, or npm cannot reach its registry, the calling
// test is skipped with the reason; any other failure fails it.
package clients

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fritid/fritid/test/internal/npmci"
)

// SkipReason is the reason given to t.Skip when node or npm is missing.
const SkipReason = "node and npm are needed for the Apollo Client and urql checks"

const (
	runTimeout = 3 * time.Minute
	dirRelPath = "test/clients"
	scriptName = "clients.mjs"
)

// Report is what clients.mjs found, by client.
type Report struct {
	Apollo Client `json:"apollo"`
	URQL   Client `json:"urql"`
}

// Client is one client's findings.
type Client struct {
	// Forward is the list its cache merged from paging with first/after,
	// Backward from paging with last/before (in a cache of its own).
	Forward, Backward Paging
	// Organisation is the one the identity and mutation checks renamed: the
	// first of the list for Apollo, the second for urql.
	Organisation struct{ ID, Slug string }
	// Identity: the organisation was renamed behind the client's back to
	// RenamedTo, and only the slug query was fetched again.
	Identity struct {
		RenamedTo string
		// Before is what the three queries read from the cache before the rename.
		Before Seen
		// Refetched is the name the refetched slug query answered.
		Refetched string
		// After is what the three queries read from the cache afterwards.
		After Seen
	}
	// Mutation: the client renamed it to RenamedTo with updateOrganisation.
	Mutation struct {
		RenamedTo string
		// Answered is the name in the mutation's answer.
		Answered string
		// After is what the three queries read from the cache afterwards.
		After Seen
		// Requests counts the requests from the mutation to the last cache read.
		Requests int
	}
}

// Paging is a list as a client's cache merged it from its pages.
type Paging struct {
	// Pages is how many requests it took.
	Pages int
	// IDs and Slugs are the merged list's organisations, in order.
	IDs, Slugs []string
	// PageInfo is the merged list's.
	PageInfo struct {
		HasNextPage, HasPreviousPage bool
		StartCursor, EndCursor       string
	}
}

// Seen is an organisation's name as three queries read it from the cache
// alone; "" where the cache could not answer.
type Seen struct {
	// BySlug is organisation(slug:), ByNode node(id:), InList the organisations list.
	BySlug, ByNode, InList string
}

// Run checks the GraphQL endpoint at url with both clients and returns their
// report. headers go with every request; they must name the municipality and
// authorise updateOrganisation, for example {"X-Municipality": "larvik",
// "Authorization": "Bearer ..."}. The script renames the first two organisations
// of the list. Run skips t when node, npm or the packages cannot be had (see
// the package comment), and stops t when the script fails.
func Run(t testing.TB, url string, headers map[string]string) Report {
	t.Helper()
	node, npm, ok := npmci.Tools()
	if !ok {
		t.Skip(SkipReason)
	}
	dir, err := npmci.Dir(dirRelPath, scriptName)
	if err != nil {
		t.Fatalf("client checks: %v", err)
	}
	var unavailable *npmci.UnavailableError
	if err := npmci.Ensure(t, npm, dir); errors.As(err, &unavailable) {
		t.Skipf("client checks skipped: %v", err)
	} else if err != nil {
		t.Fatalf("client checks: installing npm dependencies: %v", err)
	}
	stdout, stderr, err := runScript(t, node, dir, url, headers)
	if stderr != "" {
		t.Logf("%s wrote:\n%s", scriptName, stderr)
	}
	if err != nil {
		t.Fatalf("%s: %v\n%s", scriptName, err, stdout)
	}
	return parse(t, stdout)
}

// parse decodes the report on the last line of out.
func parse(t testing.TB, out string) Report {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var r Report
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &r); err != nil {
		t.Fatalf("%s: no report (%v):\n%s", scriptName, err, out)
	}
	return r
}

// runScript runs clients.mjs and returns its standard output and error.
func runScript(t testing.TB, node, dir, url string, headers map[string]string) (string, string, error) {
	ctx, cancel := context.WithTimeout(t.Context(), runTimeout)
	defer cancel()
	args := append([]string{scriptName, url}, headerArgs(headers)...)
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
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
