package httpserver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"
)

// scrape returns the metrics text served by m.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	srv := serve(t, m.Handler())
	res, body := get(t, srv, "/metrics")
	wantStatus(t, res, body, http.StatusOK)
	return body
}

// wantMetrics fails the test when text lacks any of the lines.
func wantMetrics(t *testing.T, text string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(text, l) {
			t.Errorf("metrics lack %q", l)
		}
	}
}

func TestMetricsHTTP(t *testing.T) {
	m := NewMetrics()
	log, _ := newTestLogger(slog.LevelInfo)
	mux := http.NewServeMux()
	mux.Handle("/graphql", okHandler)
	mux.Handle("/metrics", m.Handler())
	srv := serve(t, Chain(mux, RequestLog(log, m)))

	do(t, srv, newRequest(t, http.MethodPost, srv, "/graphql", nil))
	get(t, srv, "/no/such/page")
	_, text := get(t, srv, "/metrics")
	wantMetrics(t, text,
		`http_requests_total{method="POST",route="/graphql",status="200"} 1`,
		`http_requests_total{method="GET",route="other",status="404"} 1`,
		`http_request_duration_seconds_count{route="/graphql"} 1`,
		"go_goroutines ",
	)
}

func TestMetricsGraphQL(t *testing.T) {
	m := NewMetrics()
	m.ObserveGraphQL("ListActivities", "ok", 30*time.Millisecond)
	m.ObserveGraphQL("ListActivities", "BAD_USER_INPUT", time.Millisecond)
	m.ObserveGraphQL("", "", time.Millisecond)
	m.ObserveGraphQL(strings.Repeat("A", 65), "ok", time.Millisecond)
	m.ObserveGraphQL("weird-name{}", "weird code!", time.Millisecond)
	wantMetrics(t, scrape(t, m),
		`graphql_operations_total{operation="ListActivities",outcome="ok"} 1`,
		`graphql_operations_total{operation="ListActivities",outcome="BAD_USER_INPUT"} 1`,
		`graphql_operations_total{operation="anonymous",outcome="ok"} 1`,
		`graphql_operations_total{operation="other",outcome="ok"} 1`,
		`graphql_operations_total{operation="other",outcome="other"} 1`,
		`graphql_operation_duration_seconds_count{operation="ListActivities"} 2`,
	)
}

func TestMetricsNilSafe(t *testing.T) {
	var m *Metrics
	m.ObserveGraphQL("X", "ok", time.Second)
	m.observeHTTP("GET", "/", 200, time.Second)
}

func TestMetricsIndependentRegistries(t *testing.T) {
	a, b := NewMetrics(), NewMetrics()
	a.ObserveGraphQL("OnlyA", "ok", time.Millisecond)
	if strings.Contains(scrape(t, b), "OnlyA") {
		t.Fatal("registries share state")
	}
}

// idleConnector is a database/sql connector that never connects.
type idleConnector struct{}

func (idleConnector) Connect(context.Context) (driver.Conn, error) {
	return nil, errors.New("no database in tests")
}

func (idleConnector) Driver() driver.Driver { return idleDriver{} }

type idleDriver struct{}

func (idleDriver) Open(string) (driver.Conn, error) { return nil, errors.New("no database in tests") }

func TestMetricsRegisterDB(t *testing.T) {
	m := NewMetrics()
	db := sql.OpenDB(idleConnector{})
	t.Cleanup(func() { _ = db.Close() })
	m.RegisterDB(db, "main")
	m.RegisterDB(db, "main") // a second registration is ignored
	wantMetrics(t, scrape(t, m), `go_sql_max_open_connections{db_name="main"} 0`)
}

// TestMetricsOperationLabelsBounded sends more distinct operation names than there are
// labels for: the first names keep theirs, later ones count as "other", and the number of
// series stays bounded.
func TestMetricsOperationLabelsBounded(t *testing.T) {
	m := NewMetrics()
	m.ObserveGraphQL("Known", "ok", time.Millisecond)
	for i := range 1000 {
		m.ObserveGraphQL(fmt.Sprintf("Invented%d", i), "ok", time.Millisecond)
		m.ObserveGraphQL("", fmt.Sprintf("CODE_%d", i), time.Millisecond)
	}
	m.ObserveGraphQL("Known", "ok", time.Millisecond)
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	series := map[string]int{}
	for _, f := range families {
		series[f.GetName()] = len(f.GetMetric())
	}
	// Operations: the kept names, "other" and "anonymous"; outcomes: the kept codes and "other".
	if n, most := series["graphql_operation_duration_seconds"], MaxOperationLabels+2; n != most {
		t.Errorf("graphql_operation_duration_seconds has %d series, want %d", n, most)
	}
	if n, most := series["graphql_operations_total"], MaxOperationLabels+1+maxOutcomeLabels+1; n > most {
		t.Errorf("graphql_operations_total has %d series, want at most %d", n, most)
	}
	wantMetrics(t, scrape(t, m),
		`graphql_operations_total{operation="Known",outcome="ok"} 2`,
		`graphql_operations_total{operation="other",outcome="ok"} 901`,
	)
}
