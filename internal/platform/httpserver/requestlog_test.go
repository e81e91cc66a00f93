package httpserver

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// echoIDHandler answers with the request id and logger state seen in the
// request context, and reports an operation name.
var echoIDHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	SetOperationName(r.Context(), r.URL.Query().Get("op"))
	LoggerFromContext(r.Context()).Info("inside handler")
	_, _ = io.WriteString(w, RequestIDFromContext(r.Context()))
})

func TestRequestID(t *testing.T) {
	log, _ := newTestLogger(slog.LevelInfo)
	srv := serve(t, Chain(echoIDHandler, RequestLog(log, nil)))
	tests := []struct {
		name     string
		incoming string
		keep     bool
	}{
		{"missing", "", false},
		{"sane", "abc-123.X_y", true},
		{"max length", strings.Repeat("a", 64), true},
		{"too long", strings.Repeat("a", 65), false},
		{"spaces", "bad id", false},
		{"injection", "x\"; level=ERROR", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := newRequest(t, http.MethodGet, srv, "/graphql", nil)
			if tt.incoming != "" {
				req.Header.Set(RequestIDHeader, tt.incoming)
			}
			res, body := do(t, srv, req)
			got := res.Header.Get(RequestIDHeader)
			if got != body {
				t.Fatalf("header %q differs from context id %q", got, body)
			}
			if tt.keep {
				if got != tt.incoming {
					t.Fatalf("id = %q, want %q", got, tt.incoming)
				}
				return
			}
			if _, err := uuid.Parse(got); err != nil {
				t.Fatalf("id %q is not a UUID: %v", got, err)
			}
		})
	}
}

func TestAccessLog(t *testing.T) {
	log, buf := newTestLogger(slog.LevelInfo)
	srv := serve(t, Chain(echoIDHandler, RequestLog(log, nil)))
	req := newRequest(t, http.MethodPost, srv, "/graphql?op=ListActivities&secret=hunter2", nil)
	req.Header.Set(RequestIDHeader, "log-req-1")
	req.Header.Set("Authorization", "Bearer topsecret")
	do(t, srv, req)
	get(t, srv, "/healthz")

	logs := buf.String()
	for _, want := range []string{
		`msg="inside handler" request_id=log-req-1`,
		`msg="http request" request_id=log-req-1 method=POST path=/graphql route=/graphql status=200`,
		"operation=ListActivities",
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	for _, banned := range []string{"hunter2", "topsecret", "127.0.0.1", "/healthz"} {
		if strings.Contains(logs, banned) {
			t.Errorf("log contains %q:\n%s", banned, logs)
		}
	}
}

func TestAccessLogDebugForProbes(t *testing.T) {
	log, buf := newTestLogger(slog.LevelDebug)
	srv := serve(t, Chain(okHandler, RequestLog(log, nil)))
	get(t, srv, "/healthz")
	if !strings.Contains(buf.String(), "level=DEBUG msg=\"http request\"") {
		t.Fatalf("probe not logged at debug:\n%s", buf.String())
	}
}

func TestLoggerFromContextOutsideRequest(t *testing.T) {
	ctx := t.Context()
	if LoggerFromContext(ctx) != slog.Default() {
		t.Error("want slog.Default() for a bare context")
	}
	if RequestIDFromContext(ctx) != "" {
		t.Error("want empty request id for a bare context")
	}
	ctx = WithRequestID(ctx, "r1")
	if RequestIDFromContext(ctx) != "r1" {
		t.Error("WithRequestID did not store the id")
	}
	SetOperationName(ctx, "Ignored") // must not panic without RequestLog
}

func TestRouteLabel(t *testing.T) {
	cases := map[string]string{
		"":              "/",
		"/":             "/",
		"/graphql":      "/graphql",
		"/graphql/":     "/graphql",
		"/graphqlx":     "other",
		"/healthz":      "/healthz",
		"/readyz":       "/readyz",
		"/metrics":      "/metrics",
		"/geo/tiles/1":  "/geo",
		"/media/a.jpg":  "/media",
		"/wp-login.php": "other",
	}
	for path, want := range cases {
		if got := RouteLabel(path); got != want {
			t.Errorf("RouteLabel(%q) = %q, want %q", path, got, want)
		}
	}
}
