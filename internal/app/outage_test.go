package app_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fritid/fritid/internal/platform/config"
	"github.com/fritid/fritid/internal/platform/database/localpg"
)

// ownCluster starts a PostgreSQL cluster of the test's own, with an empty database
// "fritid", and stops it when t ends. port 0 picks one.
func ownCluster(t *testing.T, dataDir string, port int) *localpg.Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	pg, err := localpg.Start(ctx, localpg.Options{DataDir: dataDir, Port: port, Ephemeral: true})
	if err != nil {
		t.Fatalf("start PostgreSQL: %v", err)
	}
	t.Cleanup(func() { pg.Stop() })
	return pg
}

// reachableTempDir is a fresh directory the PostgreSQL server user can enter when the tests
// run as root (t.TempDir's are private to root).
func reachableTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "fritid-outage-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// checkUnavailable checks r is the answer given while the database is away.
func checkUnavailable(t *testing.T, what string, r *gqlResponse) {
	t.Helper()
	if r.Status != http.StatusServiceUnavailable || r.code() != "SERVICE_UNAVAILABLE" {
		t.Errorf("%s: status %d, code %q, want 503 SERVICE_UNAVAILABLE; %+v", what, r.Status, r.code(), r.Errors)
	}
	if got := r.Header.Get("Retry-After"); got != "2" {
		t.Errorf("%s: Retry-After = %q, want 2", what, got)
	}
	if len(r.Errors) > 0 && r.Errors[0].Message != "The service is briefly unavailable. Try again in a moment." {
		t.Errorf("%s: message %q, want the English one", what, r.Errors[0].Message)
	}
}

// TestDatabaseOutage: while the database is down reads answer 503 SERVICE_UNAVAILABLE with
// Retry-After, whether the tenant lookup or a resolver meets the outage; once it is back the
// same read answers at once, without restarting the app.
func TestDatabaseOutage(t *testing.T) {
	t.Parallel()
	dataDir := filepath.Join(reachableTempDir(t), "pg")
	pg := ownCluster(t, dataDir, 0)
	createFritidDatabase(t, pg.URL("postgres"))
	s := newServer(t, func(c *config.Config) { c.DatabaseURL = pg.URL("fritid") })
	// Every field of the read needs the database, so that nothing of it can be answered.
	const read = "{ organisations(first: 5) { totalCount } }"
	if r := s.post(t, read, nil); r.Status != http.StatusOK || get(r.Data, "organisations.totalCount") != 0.0 {
		t.Fatalf("before the outage: %+v", r)
	}

	if err := pg.Stop(); err != nil {
		t.Fatalf("stop PostgreSQL: %v", err)
	}
	checkUnavailable(t, "read with the tenant cached", s.post(t, read, nil, "Accept-Language: en"))
	s.app.Tenants.Invalidate()
	checkUnavailable(t, "read looking the tenant up", s.post(t, read, nil, "Accept-Language: en"))
	checkUnavailable(t, "mutation", s.post(t, `mutation { login(email: "a@b.no", password: "x") { token } }`, nil,
		"Accept-Language: en"))
	checkUnavailable(t, "GeoJSON", s.do(t, http.MethodGet, "/geo/activities.geojson", "", nil, "Accept-Language: en"))
	if status := getStatus(t, s.URL+"/readyz"); status != http.StatusServiceUnavailable {
		t.Errorf("/readyz = %d during the outage, want 503", status)
	}

	ownCluster(t, dataDir, pg.Port())
	if r := s.post(t, read, nil); r.Status != http.StatusOK || get(r.Data, "organisations.totalCount") != 0.0 {
		t.Errorf("first read after the database is back: %+v", r)
	}
	if status := getStatus(t, s.URL+"/readyz"); status != http.StatusOK {
		t.Errorf("/readyz = %d after the outage, want 200", status)
	}
}

// createFritidDatabase makes the empty database "fritid" on the server at adminURL.
func createFritidDatabase(t *testing.T, adminURL string) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), adminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), "CREATE DATABASE fritid"); err != nil {
		t.Fatal(err)
	}
}

// getStatus returns the HTTP status of a GET of url.
func getStatus(t *testing.T, url string) int {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}
