package httpserver

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

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
	req.Header.Set("User-Agent", "portal-app/2.1")
	do(t, srv, req)
	get(t, srv, "/healthz")

	logs := buf.String()
	for _, want := range []string{
		`msg="inside handler" request_id=log-req-1`,
		`msg="http request" request_id=log-req-1 method=POST path=/graphql route=/graphql status=200`,
		"operation=ListActivities",
		"client_net=127.0.0.0/24 user_agent=portal-app/2.1",
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	for _, banned := range []string{"hunter2", "topsecret", "/healthz"} {
		if strings.Contains(logs, banned) {
			t.Errorf("log contains %q:\n%s", banned, logs)
		}
	}
}

// TestAccessLogJSON reads the access line as a log collector does: JSON with the duration in
// milliseconds as a number, the network of the client a trusted proxy names, and the user agent cut short.
func TestAccessLogJSON(t *testing.T) {
	buf := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(buf, nil))
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(3 * time.Millisecond) // a lower bound on the duration, not a race
		w.WriteHeader(http.StatusNoContent)
	})
	srv := serve(t, Chain(slow, TrustProxies([]netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}), RequestLog(log, nil)))
	req := newRequest(t, http.MethodGet, srv, "/graphql", nil)
	req.Header.Set("X-Forwarded-For", "198.51.100.23, 2001:db8::7")
	longAgent := strings.Repeat("å", 200) // 400 bytes
	req.Header.Set("User-Agent", longAgent)
	do(t, srv, req)

	var line map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(buf.String())), &line); err != nil {
		t.Fatalf("the access log line is not one JSON object: %v\n%s", err, buf.String())
	}
	ms, ok := line["duration_ms"].(float64)
	if !ok || ms < 3 || ms > 60_000 {
		t.Errorf("duration_ms = %#v, want a number of milliseconds of at least 3", line["duration_ms"])
	}
	if _, ok := line["duration"]; ok {
		t.Errorf("the line still has a duration in nanoseconds: %v", line)
	}
	if got := line["client_net"]; got != "2001:db8::/48" {
		t.Errorf("client_net = %#v, want the network of the client the trusted proxy names, 2001:db8::/48", got)
	}
	if strings.Contains(buf.String(), "2001:db8::7") {
		t.Errorf("the client's whole address is in the log: %s", buf.String())
	}
	ua, _ := line["user_agent"].(string)
	if len(ua) > maxUserAgentLen || len(ua) < maxUserAgentLen-1 || !strings.HasPrefix(longAgent, ua) || !utf8.ValidString(ua) {
		t.Errorf("user_agent = %q (%d bytes), want the first %d bytes of the header, whole characters",
			ua, len(ua), maxUserAgentLen)
	}
	if line["status"] != float64(http.StatusNoContent) || line["msg"] != "http request" {
		t.Errorf("line = %v", line)
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
