package app_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/fritid/fritid/internal/platform/config"
	"github.com/fritid/fritid/internal/platform/httpserver"
)

// TestMetricsCannotBeInflated sends 1,000 operations with distinct random names: the
// operation label keeps its bound, so the number of series does too.
func TestMetricsCannotBeInflated(t *testing.T) {
	s := newServer(t)
	for range 1000 {
		if r := s.post(t, "query Op"+rand.Text()+" { __typename }", nil); r.Status != http.StatusOK || len(r.Errors) > 0 {
			t.Fatalf("status %d, errors %+v", r.Status, r.Errors)
		}
	}
	families := scrapeMetrics(t, s.URL+"/metrics")
	for name, most := range map[string]int{
		"graphql_operations_total":           httpserver.MaxOperationLabels + 1, // and "other"
		"graphql_operation_duration_seconds": httpserver.MaxOperationLabels + 1,
	} {
		f := families[name]
		if f == nil {
			t.Fatalf("no %s in /metrics", name)
		}
		if n := len(f.GetMetric()); n > most {
			t.Errorf("%s has %d series after 1,000 operation names, want at most %d", name, n, most)
		}
	}
	for _, m := range families["graphql_operations_total"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "operation" && l.GetValue() == httpserver.LabelOther && m.GetCounter().GetValue() != 900 {
				t.Errorf("%s counts %v operations as other, want 900", l.GetValue(), m.GetCounter().GetValue())
			}
		}
	}
}

// scrapeMetrics reads the metric families served at url.
func scrapeMetrics(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, res.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("parse %s: %v", url, err)
	}
	return families
}

// TestMetricsListener checks where /metrics is served: on the public listener only in
// development without a metrics address, otherwise only on the metrics listener.
func TestMetricsListener(t *testing.T) {
	secret := strings.Repeat("s", 40)
	for _, tt := range []struct {
		name       string
		tweak      func(*config.Config)
		wantPublic int
	}{
		{"Development", func(*config.Config) {}, http.StatusOK},
		{"DevelopmentWithMetricsAddr", func(c *config.Config) { c.MetricsAddr = "127.0.0.1:0" }, http.StatusNotFound},
		{"Production", func(c *config.Config) { c.Env, c.SecretKey = config.Production, secret }, http.StatusNotFound},
		{"ProductionWithMetricsAddr", func(c *config.Config) {
			c.Env, c.SecretKey, c.MetricsAddr = config.Production, secret, "127.0.0.1:0"
		}, http.StatusNotFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, tt.tweak)
			res, err := http.Get(s.URL + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != tt.wantPublic {
				t.Errorf("/metrics on the public listener: %s, want %d", res.Status, tt.wantPublic)
			}
			if s.app.Config.MetricsAddr != "" {
				checkMetricsListener(t, s)
			}
		})
	}
}

// checkMetricsListener runs the metrics listener as serve does, scrapes it, and shuts it
// down.
func checkMetricsListener(t *testing.T, s *testServer) {
	t.Helper()
	s.post(t, "query Listed { __typename }", nil)
	ctx, cancel := context.WithCancel(t.Context())
	addrs, done := make(chan net.Addr, 1), make(chan error, 1)
	go func() {
		done <- httpserver.Run(ctx, s.app.MetricsHTTPConfig(), s.app.MetricsHandler(), testLogger(), func(a net.Addr) { addrs <- a })
	}()
	var addr net.Addr
	select {
	case addr = <-addrs:
	case err := <-done:
		t.Fatalf("metrics listener: %v", err)
	}
	families := scrapeMetrics(t, fmt.Sprintf("http://%s/metrics", addr))
	if families["graphql_operations_total"] == nil {
		t.Error("the metrics listener does not serve graphql_operations_total")
	}
	res, err := http.Get(fmt.Sprintf("http://%s/graphql", addr))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("the metrics listener serves /graphql: %s", res.Status)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("metrics listener shutdown: %v", err)
	}
}
