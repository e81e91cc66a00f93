// Command floor is the benchmark's floor: the catalogue read of the GraphQL API (a page of
// published activities with organisation, categories, venue and texts in the request's
// language with fallback), done as one plain SQL statement behind a minimal net/http
// handler. It answers POST /graphql with the same JSON shape as the API, so the same wrk
// script drives both. It understands three operations by name: Catalogue (by name), Search
// (variables.query, best match first) and Nested (organisations by name, each with its
// first 10 activities); it does not parse GraphQL.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18092", "address to listen on")
	dbURL := flag.String("database-url", "", "PostgreSQL URL of the database fritid uses")
	maxConns := flag.Int("max-conns", 20, "most open connections to PostgreSQL")
	threshold := flag.String("word-similarity-threshold", "0.45", "pg_trgm.word_similarity_threshold, as the API sets it")
	flag.Parse()
	if err := run(*addr, *dbURL, *maxConns, *threshold); err != nil {
		log.Fatal(err)
	}
}

// run serves until SIGINT or SIGTERM.
func run(addr, dbURL string, maxConns int, threshold string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return fmt.Errorf("database URL: %w", err)
	}
	cfg.MaxConns = int32(maxConns)
	cfg.ConnConfig.RuntimeParams["pg_trgm.word_similarity_threshold"] = threshold
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := pool.Ping(ctx); err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("POST /graphql", &handler{pool: pool})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) }) //nolint:errcheck // best effort
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown) //nolint:errcheck // exiting anyway
	}()
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		return err
	}
	return nil
}

// handler answers the catalogue operations.
type handler struct {
	pool *pgxpool.Pool
}

// request is the part of a GraphQL request the floor reads.
type request struct {
	OperationName string `json:"operationName"`
	Variables     struct {
		First *int   `json:"first"`
		Query string `json:"query"`
	} `json:"variables"`
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req request
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	first := 50
	if req.Variables.First != nil {
		first = min(max(*req.Variables.First, 0), 100)
	}
	municipality, chain := r.Header.Get("X-Municipality"), chain(r.Header.Get("Accept-Language"))
	var out any
	var err error
	switch req.OperationName {
	case "Catalogue":
		out, err = catalogue(r.Context(), h.pool, municipality, chain, first)
	case "Nested":
		out, err = nested(r.Context(), h.pool, municipality, chain, first)
	case "Search":
		if strings.TrimSpace(req.Variables.Query) == "" {
			http.Error(w, "Search needs variables.query", http.StatusBadRequest)
			return
		}
		out, err = search(r.Context(), h.pool, municipality, chain, first, req.Variables.Query)
	default:
		http.Error(w, "unknown operation", http.StatusBadRequest)
		return
	}
	if err != nil {
		log.Print(err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	b, err := json.Marshal(map[string]any{"data": out})
	if err != nil {
		log.Print(err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b) //nolint:errcheck // client gone
}

// chain is the locale chain for an Accept-Language header: its first tag when it is one of
// the municipality's locales, Nynorsk falling back to Bokmål, then the default Bokmål.
func chain(acceptLanguage string) []string {
	tag, _, _ := strings.Cut(acceptLanguage, ",")
	tag, _, _ = strings.Cut(strings.TrimSpace(tag), ";")
	tag, _, _ = strings.Cut(strings.ToLower(tag), "-")
	switch tag {
	case "en":
		return []string{"en", "nb"}
	case "nn":
		return []string{"nn", "nb"}
	}
	return []string{"nb"}
}
