package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/fritid/fritid/internal/app"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/config"
	"github.com/fritid/fritid/internal/platform/database/testdb"
	"github.com/fritid/fritid/internal/tenant"
)

// testServer is a whole fritid over a database of its own.
type testServer struct {
	*httptest.Server
	app *app.App
	// mail counts the mail jobs deliver has seen completed.
	mail struct {
		sync.Mutex
		started   bool
		delivered int
	}
}

// newServer starts fritid on a fresh database with the demo municipality; tweak adjusts
// the configuration first.
func newServer(t testing.TB, tweak ...func(*config.Config)) *testServer {
	t.Helper()
	return newServerWith(t, nil, testLogger(), tweak...)
}

// newServerWith is newServer with the environment variables env and the logger log.
func newServerWith(t testing.TB, env map[string]string, log *slog.Logger, tweak ...func(*config.Config)) *testServer {
	t.Helper()
	_, url := testdb.NewWithURL(t)
	s := openServerWith(t, url, env, log, tweak...)
	if _, err := s.app.Migrator().Up(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.Tenants.CreateMunicipality(context.Background(), tenantInput("demo", "Demo kommune", "localhost", "127.0.0.1")); err != nil {
		t.Fatal(err)
	}
	return s
}

// openServer starts a fritid instance of its own (configuration, pools, caches, limiters)
// over the database at url, as it is: it neither migrates nor creates anything.
func openServer(t testing.TB, url string, tweak ...func(*config.Config)) *testServer {
	t.Helper()
	return openServerWith(t, url, nil, testLogger(), tweak...)
}

// openServerWith is openServer with the environment variables env and the logger log.
func openServerWith(t testing.TB, url string, env map[string]string, log *slog.Logger,
	tweak ...func(*config.Config)) *testServer {
	t.Helper()
	cfg, _, err := config.Load("test", nil, func(k string) string {
		if k == "FRITID_DATABASE_URL" {
			return url
		}
		return env[k]
	}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	cfg.MaxBodyBytes = 64 << 10
	for _, f := range tweak {
		f(cfg)
	}
	a, err := app.Open(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return &testServer{Server: srv, app: a}
}

// gqlResponse is a GraphQL response with its HTTP status and headers.
type gqlResponse struct {
	Status int
	Header http.Header
	Data   map[string]any
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	}
	Extensions map[string]any `json:"extensions"`
	// Raw is the answer's body as it came.
	Raw []byte `json:"-"`
}

// code returns the first error's extensions.code, or "".
func (r *gqlResponse) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// post sends a GraphQL query as JSON with the given headers ("Name: value").
func (s *testServer) post(t testing.TB, query string, vars map[string]any, headers ...string) *gqlResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return s.do(t, http.MethodPost, "/graphql", "application/json", body, headers...)
}

// do sends a raw request and decodes a GraphQL-shaped answer.
func (s *testServer) do(t testing.TB, method, path, contentType string, body []byte, headers ...string) *gqlResponse {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for _, h := range headers {
		if k, v, ok := strings.Cut(h, ":"); ok {
			req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := &gqlResponse{Status: res.StatusCode, Header: res.Header, Raw: raw}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("%s %s: status %d, not JSON: %q", method, path, res.StatusCode, raw)
	}
	return out
}

// get reads a path from a response's data, e.g. "municipality.name" or "categories.0.name".
func get(data any, path string) any {
	for _, p := range strings.Split(path, ".") {
		switch v := data.(type) {
		case map[string]any:
			data = v[p]
		case []any:
			i := 0
			for _, c := range p {
				i = i*10 + int(c-'0')
			}
			if i >= len(v) {
				return nil
			}
			data = v[i]
		default:
			return nil
		}
	}
	return data
}

// names returns field of every element of the list at path.
func names(data any, path, field string) []string {
	list, _ := get(data, path).([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		s, _ := get(e, field).(string)
		out = append(out, s)
	}
	return out
}

// healthy fails t unless the server still answers /healthz and a plain query.
func (s *testServer) healthy(t *testing.T) {
	t.Helper()
	res, err := http.Get(s.URL + "/healthz")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("healthz after bad input: %v %v", res, err)
	}
	res.Body.Close()
	if r := s.post(t, "{ municipality { name } }", nil); get(r.Data, "municipality.name") != "Demo kommune" {
		t.Fatalf("plain query after bad input: %+v", r)
	}
}

// exec runs SQL on the server's database.
func (s *testServer) exec(t *testing.T, query string, args ...any) {
	t.Helper()
	if _, err := s.app.DB.ExecContext(context.Background(), query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func tenantInput(slug, name string, domains ...string) tenant.CreateMunicipalityInput {
	return tenant.CreateMunicipalityInput{Slug: slug, Name: name, Domains: domains}
}

// postWithHost is post that lets a "Host: ..." header set the request's host.
func (s *testServer) postWithHost(t *testing.T, query string, headers ...string) *gqlResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		if k == "Host" {
			req.Host = strings.TrimSpace(v)
		} else {
			req.Header.Set(k, strings.TrimSpace(v))
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out := &gqlResponse{Status: res.StatusCode, Header: res.Header}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
	return out
}

func asAppErr(err error) *apperr.Error { return apperr.As(err) }

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// testLogger discards logs unless FRITID_TEST_LOG is set, to see an internal error.
func testLogger() *slog.Logger {
	if os.Getenv("FRITID_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.DiscardHandler)
}
