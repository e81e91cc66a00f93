package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/platform/database/testdb"
)

// productionEnv is the least environment `fritid serve` accepts in production, on dbURL.
func productionEnv(t *testing.T, dbURL, addr string, extra ...string) []string {
	return append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		"FRITID_ENV=production",
		"FRITID_DATABASE_URL=" + dbURL,
		"FRITID_SECRET_KEY=" + strings.Repeat("p", 40),
		"FRITID_MEDIA_URL=file://" + t.TempDir(),
		"FRITID_DATA_DIR=" + t.TempDir(),
		"FRITID_HTTP_ADDR=" + addr,
	}, extra...)
}

// jsonLines decodes every line of out as a JSON object and fails the test on any other line.
func jsonLines(t *testing.T, name, out string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Errorf("%s has a line that is not JSON: %q", name, sc.Text())
			continue
		}
		lines = append(lines, m)
	}
	return lines
}

// introspect asks the server at base for its schema's query type, as a client would, with a
// proxy's X-Forwarded-For and a user agent; it returns the HTTP status and the decoded answer.
func introspect(t *testing.T, base string) (int, map[string]any) {
	t.Helper()
	body := `{"query":"{ __schema { queryType { name } } }"}`
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, base+"/graphql", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	req.Header.Set("User-Agent", "fritid-production-test/1.0")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST /graphql: %v", err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var ans map[string]any
	if err := json.Unmarshal(raw, &ans); err != nil {
		t.Fatalf("POST /graphql: status %s, body %q: %v", res.Status, raw, err)
	}
	return res.StatusCode, ans
}

// TestProductionServe runs the binary in production twice on one database: with introspection
// left unset (refused) and turned on (answered). Standard output and standard error hold
// nothing but JSON lines, the banner is one of them, and the access line of the request has
// the duration in milliseconds, the client the trusted proxy names and the user agent.
func TestProductionServe(t *testing.T) {
	t.Parallel()
	fritidBinary(t)
	_, dbURL := testdb.NewWithURL(t)
	// A production server starts without municipalities; the operator adds the first.
	if _, stderr, err := runCLI(t, envOf(t, map[string]string{"FRITID_DATABASE_URL": dbURL}),
		"admin", "create-municipality", "--slug", "larvik", "--name", "Larvik kommune"); err != nil {
		t.Fatalf("create the municipality: %v\n%s", err, stderr)
	}
	for _, tt := range []struct {
		name       string
		extra      []string
		wantSchema bool
	}{
		{"introspection unset is off", nil, false},
		{"introspection turned on", []string{"FRITID_INTROSPECTION=true"}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			addr := freeAddr(t)
			// The test's own connection comes from 127.0.0.1: the trusted proxy.
			env := productionEnv(t, dbURL, addr, append(tt.extra, "FRITID_TRUSTED_PROXIES=127.0.0.1")...)
			p := startFritid(t, t.TempDir(), env, "serve")
			base := "http://" + addr
			if !waitFor(60*time.Second, func() bool { return readyz(base+"/graphql") == http.StatusOK }) {
				t.Fatalf("fritid did not become ready; stderr:\n%s", p.stderr.String())
			}
			status, ans := introspect(t, base)
			data, _ := ans["data"].(map[string]any)
			schema, _ := data["__schema"].(map[string]any)
			if tt.wantSchema {
				if status != http.StatusOK || schema == nil {
					t.Errorf("introspection on: status %d, answer %v; want the schema", status, ans)
				}
			} else {
				errs, _ := ans["errors"].([]any)
				code := ""
				if len(errs) > 0 {
					ext, _ := errs[0].(map[string]any)["extensions"].(map[string]any)
					code, _ = ext["code"].(string)
				}
				if schema != nil || code != "GRAPHQL_VALIDATION_FAILED" {
					t.Errorf("introspection off: status %d, answer %v; want GRAPHQL_VALIDATION_FAILED and no schema", status, ans)
				}
			}
			if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			if state := p.wait(t, 30*time.Second); state.ExitCode() != 0 {
				t.Errorf("exit state = %v, want 0; stderr:\n%s", state, p.stderr.String())
			}

			if out := p.stdout.String(); out != "" {
				jsonLines(t, "stdout", out)
			}
			lines := jsonLines(t, "stderr", p.stderr.String())
			var banner, access map[string]any
			for _, l := range lines {
				switch {
				case l["msg"] == "fritid is serving":
					banner = l
				case l["msg"] == "http request" && l["route"] == "/graphql":
					access = l
				}
			}
			if banner == nil || banner["api"] != base+"/graphql" || banner["version"] == "" {
				t.Errorf("no JSON banner with the API's address and the version; stderr:\n%s", p.stderr.String())
			}
			if access == nil {
				t.Fatalf("no access line for /graphql; stderr:\n%s", p.stderr.String())
			}
			if ms, ok := access["duration_ms"].(float64); !ok || ms <= 0 {
				t.Errorf("duration_ms = %#v, want a positive number of milliseconds", access["duration_ms"])
			}
			if access["client_net"] != "203.0.113.0/24" || access["user_agent"] != "fritid-production-test/1.0" {
				t.Errorf("access line %v, want client_net 203.0.113.0/24 and the user agent", access)
			}
		})
	}
}

// TestProductionErrorIsJSON: a production server that cannot start says why as a JSON log line
// naming the missing setting, and exits 1.
func TestProductionErrorIsJSON(t *testing.T) {
	t.Parallel()
	fritidBinary(t)
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"FRITID_ENV=production",
		"FRITID_DATABASE_URL=postgres://fritid@127.0.0.1:1/fritid",
		"FRITID_SECRET_KEY=" + strings.Repeat("p", 40),
		"FRITID_DATA_DIR=" + t.TempDir(),
	}
	p := startFritid(t, t.TempDir(), env, "serve")
	if state := p.wait(t, 30*time.Second); state.ExitCode() != 1 {
		t.Errorf("exit state = %v, want exit status 1", state)
	}
	if p.stdout.String() != "" {
		t.Errorf("stdout = %q, want nothing", p.stdout.String())
	}
	lines := jsonLines(t, "stderr", p.stderr.String())
	if len(lines) != 1 || lines[0]["level"] != "ERROR" ||
		!strings.Contains(lines[0]["error"].(string), "FRITID_MEDIA_URL is required in production") {
		t.Errorf("stderr = %q, want one JSON error line naming FRITID_MEDIA_URL", p.stderr.String())
	}
	if bytes.Contains([]byte(p.stderr.String()), []byte("fritid: ")) {
		t.Errorf("stderr has the plain-text error too: %q", p.stderr.String())
	}
}
