package httpserver

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

const (
	internalBody = `{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`
	tooLargeBody = `{"errors":[{"message":"request body too large","extensions":{"code":"PAYLOAD_TOO_LARGE"}}]}`
)

func TestChainOrder(t *testing.T) {
	var order []string
	mw := func(name string) func(http.Handler) http.Handler {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				order = append(order, name)
				next.ServeHTTP(w, r)
			})
		}
	}
	h := Chain(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		order = append(order, "handler")
	}), mw("a"), mw("b"), mw("c"))
	srv := serve(t, h)
	get(t, srv, "/")
	if got := strings.Join(order, ","); got != "a,b,c,handler" {
		t.Fatalf("order = %s", got)
	}
}

func TestRecoverReturns500AndKeepsServing(t *testing.T) {
	log, buf := newTestLogger(slog.LevelInfo)
	mux := http.NewServeMux()
	mux.HandleFunc("/boom", func(http.ResponseWriter, *http.Request) { panic("kaput") })
	mux.Handle("/ok", okHandler)
	srv := serve(t, Chain(mux, Recover(log), RequestLog(log, nil)))

	req := newRequest(t, http.MethodGet, srv, "/boom", nil)
	req.Header.Set(RequestIDHeader, "panic-req-1")
	res, body := do(t, srv, req)
	wantStatus(t, res, body, http.StatusInternalServerError)
	wantBody(t, body, internalBody)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	if id := res.Header.Get(RequestIDHeader); id != "panic-req-1" {
		t.Errorf("X-Request-Id = %q", id)
	}

	res, body = get(t, srv, "/ok")
	wantStatus(t, res, body, http.StatusOK)

	logs := buf.String()
	for _, want := range []string{"panic serving request", "request_id=panic-req-1", "kaput", "stack=", "status=500"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
}

func TestRecoverAfterResponseStarted(t *testing.T) {
	log, _ := newTestLogger(slog.LevelInfo)
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		panic("late")
	})
	srv := serve(t, Chain(h, Recover(log)))
	res, body := get(t, srv, "/")
	wantStatus(t, res, body, http.StatusAccepted)
}

// readAllHandler reads the whole body and reports its size, or 400 when
// reading fails.
var readAllHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "read failed", http.StatusBadRequest)
		return
	}
	_, _ = io.WriteString(w, strconv.Itoa(len(b)))
})

// chunked hides the length of r so the client sends it chunked.
type chunked struct{ io.Reader }

func TestBodyLimit(t *testing.T) {
	const limit = 1024
	var seenLength atomic.Int64
	record := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seenLength.Store(r.ContentLength)
			next.ServeHTTP(w, r)
		})
	}
	srv := serve(t, Chain(readAllHandler, record, BodyLimit(limit)))
	big := bytes.Repeat([]byte("x"), 4*limit)
	tests := []struct {
		name   string
		body   io.Reader
		status int
		want   string
	}{
		{"small with length", bytes.NewReader(big[:limit]), http.StatusOK, "1024"},
		{"small chunked", chunked{bytes.NewReader(big[:10])}, http.StatusOK, "10"},
		{"large with length", bytes.NewReader(big), http.StatusRequestEntityTooLarge, tooLargeBody},
		{"large chunked", chunked{bytes.NewReader(big)}, http.StatusRequestEntityTooLarge, tooLargeBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := newRequest(t, http.MethodPost, srv, "/", tt.body)
			res, body := do(t, srv, req)
			wantStatus(t, res, body, tt.status)
			wantBody(t, body, tt.want)
			if _, isChunked := tt.body.(chunked); isChunked && seenLength.Load() != -1 {
				t.Errorf("server saw Content-Length %d, want unknown", seenLength.Load())
			}
		})
	}
}

func TestBodyLimitOverridesHandlerThatIgnoresError(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "fine")
	})
	srv := serve(t, Chain(h, BodyLimit(16)))
	req := newRequest(t, http.MethodPost, srv, "/", chunked{strings.NewReader(strings.Repeat("y", 100))})
	res, body := do(t, srv, req)
	wantStatus(t, res, body, http.StatusRequestEntityTooLarge)
	wantBody(t, body, tooLargeBody)
}

func TestBodyLimitDisabled(t *testing.T) {
	srv := serve(t, Chain(readAllHandler, BodyLimit(0)))
	req := newRequest(t, http.MethodPost, srv, "/", strings.NewReader(strings.Repeat("z", 5000)))
	res, body := do(t, srv, req)
	wantStatus(t, res, body, http.StatusOK)
	wantBody(t, body, "5000")
}

func TestMiddlewareStack(t *testing.T) {
	log, _ := newTestLogger(slog.LevelInfo)
	cfg := Config{MaxBodyBytes: 8, CORSOrigins: []string{"https://app.example"}}
	srv := serve(t, Chain(readAllHandler, Middleware(cfg, log, NewMetrics())...))
	req := newRequest(t, http.MethodPost, srv, "/graphql", strings.NewReader("0123456789"))
	req.Header.Set("Origin", "https://app.example")
	res, body := do(t, srv, req)
	wantStatus(t, res, body, http.StatusRequestEntityTooLarge)
	if res.Header.Get(RequestIDHeader) == "" {
		t.Error("413 response lacks X-Request-Id")
	}
}

// TestMiddlewareMessages checks that Config.Message gives the 413 and 500 responses their
// messages, for a body with a declared length and a chunked one.
func TestMiddlewareMessages(t *testing.T) {
	log, _ := newTestLogger(slog.LevelError)
	msg := func(r *http.Request, code string) string { return r.Header.Get("Accept-Language") + ":" + code }
	cfg := Config{MaxBodyBytes: 8, Message: msg}
	panicky := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/panic" {
			panic("boom")
		}
		readAllHandler.ServeHTTP(w, r)
	})
	srv := serve(t, Chain(panicky, Middleware(cfg, log, nil)...))
	for _, tt := range []struct {
		name, path string
		body       io.Reader
		status     int
		want       string
	}{
		{"large with length", "/", strings.NewReader("0123456789"), http.StatusRequestEntityTooLarge,
			`{"errors":[{"message":"nn:PAYLOAD_TOO_LARGE","extensions":{"code":"PAYLOAD_TOO_LARGE"}}]}`},
		{"large chunked", "/", chunked{strings.NewReader("0123456789")}, http.StatusRequestEntityTooLarge,
			`{"errors":[{"message":"nn:PAYLOAD_TOO_LARGE","extensions":{"code":"PAYLOAD_TOO_LARGE"}}]}`},
		{"panic", "/panic", nil, http.StatusInternalServerError,
			`{"errors":[{"message":"nn:INTERNAL","extensions":{"code":"INTERNAL"}}]}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := newRequest(t, http.MethodPost, srv, tt.path, tt.body)
			req.Header.Set("Accept-Language", "nn")
			res, body := do(t, srv, req)
			wantStatus(t, res, body, tt.status)
			wantBody(t, body, tt.want)
		})
	}
}
