package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/platform/database/testdb"
)

// TestServeMetricsListener runs `fritid serve` in production with FRITID_METRICS_ADDR: the
// metrics are on their own listener and not on the public one, and both listeners stop
// cleanly when the server is told to stop.
func TestServeMetricsListener(t *testing.T) {
	t.Parallel()
	_, dbURL := testdb.NewWithURL(t)
	apiAddr, metricsAddr := freeAddr(t), freeAddr(t)
	getenv := envOf(t, map[string]string{
		"FRITID_ENV":          "production",
		"FRITID_DATABASE_URL": dbURL,
		"FRITID_SECRET_KEY":   strings.Repeat("k", 40),
		"FRITID_HTTP_ADDR":    apiAddr,
		"FRITID_METRICS_ADDR": metricsAddr,
		"FRITID_MEDIA_URL":    "file://" + t.TempDir(),
	})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, getenv, &stdout, &stderr) }()

	status := func(url string) int {
		res, err := http.Get(url)
		if err != nil {
			return 0
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	if !waitFor(60*time.Second, func() bool { return status("http://"+metricsAddr+"/metrics") == http.StatusOK }) {
		t.Fatalf("the metrics listener did not answer; stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	}
	if !waitFor(60*time.Second, func() bool { return status("http://"+apiAddr+"/healthz") == http.StatusOK }) {
		t.Fatalf("the API did not answer; stderr:\n%s", stderr.String())
	}
	if got := status("http://" + apiAddr + "/metrics"); got != http.StatusNotFound {
		t.Errorf("/metrics on the public listener: %d, want 404", got)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve: %v; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30s of being told to")
	}
	if status("http://"+metricsAddr+"/metrics") != 0 {
		t.Error("the metrics listener still answers after serve stopped")
	}
}
