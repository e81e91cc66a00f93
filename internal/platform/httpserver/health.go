package httpserver

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"
)

// readyTimeout bounds a single readiness check.
const readyTimeout = 2 * time.Second

// maxReasonLen caps the error text returned by Readyz.
const maxReasonLen = 120

type healthBody struct {
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

// Healthz answers liveness probes with 200 {"status":"ok"}.
func Healthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, healthBody{Status: "ok"})
	})
}

// Readyz answers readiness probes. It runs check with a 2 second timeout and
// answers 200 {"status":"ready"} when it succeeds, or 503
// {"status":"unavailable","error":"<short reason>"} when it fails. A nil
// check is always ready.
func Readyz(check func(ctx context.Context) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := runCheck(r.Context(), check); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, healthBody{Status: "unavailable", Error: shortReason(err)})
			return
		}
		writeJSON(w, http.StatusOK, healthBody{Status: "ready"})
	})
}

// runCheck runs check with the readiness timeout. It gives up waiting when
// the timeout passes even if check ignores its context.
func runCheck(ctx context.Context, check func(ctx context.Context) error) error {
	if check == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- check(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// shortReason turns err into a one-line reason of bounded length.
func shortReason(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	s := strings.Join(strings.Fields(err.Error()), " ")
	if len(s) > maxReasonLen {
		s = strings.ToValidUTF8(s[:maxReasonLen], "") + "..."
	}
	return s
}
