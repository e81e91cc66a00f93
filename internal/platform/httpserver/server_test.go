package httpserver

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"
)

// runResult starts Run in the background and returns its address and a
// channel with its result.
func runResult(t *testing.T, ctx context.Context, h http.Handler) (string, <-chan error) {
	t.Helper()
	log, _ := newTestLogger(slog.LevelInfo)
	addrs := make(chan net.Addr, 1)
	done := make(chan error, 1)
	cfg := Config{Addr: "127.0.0.1:0", ShutdownTimeout: 5 * time.Second}
	go func() { done <- Run(ctx, cfg, h, log, func(a net.Addr) { addrs <- a }) }()
	select {
	case a := <-addrs:
		return "http://" + a.String(), done
	case err := <-done:
		t.Fatalf("Run returned before listening: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not start listening")
	}
	return "", nil
}

// fetch GETs url and returns status and body, or an error.
func fetch(url string) (int, string, error) {
	res, err := http.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, string(b), err
}

type fetchResult struct {
	status int
	body   string
	err    error
}

func TestRunGracefulShutdown(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	mux := http.NewServeMux()
	mux.Handle("/healthz", Healthz())
	mux.HandleFunc("/slow", func(w http.ResponseWriter, _ *http.Request) {
		close(started)
		<-release
		_, _ = io.WriteString(w, "done")
	})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	base, done := runResult(t, ctx, mux)

	if status, _, err := fetch(base + "/healthz"); err != nil || status != http.StatusOK {
		t.Fatalf("healthz: %d %v", status, err)
	}
	slow := make(chan fetchResult, 1)
	go func() {
		s, b, err := fetch(base + "/slow")
		slow <- fetchResult{s, b, err}
	}()
	<-started
	cancel()
	select {
	case err := <-done:
		t.Fatalf("Run returned with a request in flight: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	if r := <-slow; r.err != nil || r.status != http.StatusOK || r.body != "done" {
		t.Fatalf("slow request: %d %q %v", r.status, r.body, r.err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if _, _, err := fetch(base + "/healthz"); err == nil {
		t.Fatal("server still accepts requests after shutdown")
	}
}

func TestRunShutdownTimeout(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		close(started)
		<-release
	})
	log, _ := newTestLogger(slog.LevelInfo)
	ctx, cancel := context.WithCancel(t.Context())
	addrs := make(chan net.Addr, 1)
	done := make(chan error, 1)
	cfg := Config{Addr: "127.0.0.1:0", ShutdownTimeout: 100 * time.Millisecond}
	go func() { done <- Run(ctx, cfg, h, log, func(a net.Addr) { addrs <- a }) }()
	go func() { _, _, _ = fetch("http://" + (<-addrs).String()) }()
	<-started
	cancel()
	if err := <-done; err == nil {
		t.Fatal("Run = nil, want a shutdown timeout error")
	}
}

func TestRunListenError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	log, _ := newTestLogger(slog.LevelInfo)
	cfg := Config{Addr: ln.Addr().String()}
	if err := Run(t.Context(), cfg, okHandler, log, nil); err == nil {
		t.Fatal("Run on a busy address = nil, want error")
	}
}
