package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestHealthcheck: the command succeeds when the server at FRITID_HTTP_ADDR (a wildcard host
// asked on the loopback) or at --url answers 200, and fails with the answer when it is not
// ready or not there.
func TestHealthcheck(t *testing.T) {
	var ready atomic.Bool
	ready.Store(true)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" || !ready.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"status":"unavailable","error":"database"}`))
			return
		}
		w.Write([]byte(`{"status":"ready"}`))
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	wildcard := envOf(t, map[string]string{"FRITID_HTTP_ADDR": ":" + port})
	if out, _, err := runCLI(t, wildcard, "healthcheck"); err != nil || !strings.Contains(out, "ready") {
		t.Fatalf("ready server: %q, %v", out, err)
	}
	if _, _, err := runCLI(t, envOf(t, nil), "healthcheck", "--url", srv.URL+"/readyz"); err != nil {
		t.Fatalf("--url: %v", err)
	}
	ready.Store(false)
	if _, _, err := runCLI(t, wildcard, "healthcheck"); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("server not ready: %v, want an error with 503", err)
	}
	srv.Close()
	if _, _, err := runCLI(t, wildcard, "healthcheck"); err == nil {
		t.Fatal("no server: no error")
	}
}
