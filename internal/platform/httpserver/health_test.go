package httpserver

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestHealthz(t *testing.T) {
	srv := serve(t, Healthz())
	res, body := get(t, srv, "/healthz")
	wantStatus(t, res, body, http.StatusOK)
	wantBody(t, body, `{"status":"ok"}`)
}

func TestReadyzReady(t *testing.T) {
	var deadline time.Duration
	srv := serve(t, Readyz(func(ctx context.Context) error {
		d, ok := ctx.Deadline()
		if !ok {
			return errors.New("no deadline")
		}
		deadline = time.Until(d)
		return nil
	}))
	res, body := get(t, srv, "/readyz")
	wantStatus(t, res, body, http.StatusOK)
	wantBody(t, body, `{"status":"ready"}`)
	if deadline <= 0 || deadline > 2*time.Second {
		t.Errorf("check deadline in %v, want within 2s", deadline)
	}
}

func TestReadyzUnavailable(t *testing.T) {
	srv := serve(t, Readyz(func(context.Context) error {
		return errors.New("database:\n  connection refused " + strings.Repeat("x", 300))
	}))
	res, body := get(t, srv, "/readyz")
	wantStatus(t, res, body, http.StatusServiceUnavailable)
	if !strings.HasPrefix(body, `{"status":"unavailable","error":"database: connection refused xxx`) {
		t.Fatalf("body = %q", body)
	}
	if len(body) > 200 {
		t.Errorf("reason not shortened: %d bytes", len(body))
	}
}

func TestReadyzTimeoutReason(t *testing.T) {
	if got := shortReason(context.DeadlineExceeded); got != "timeout" {
		t.Errorf("shortReason = %q", got)
	}
}
