package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/platform/config"
	"github.com/fritid/fritid/internal/portal/synthetic"
)

// nestedQuery is the read of bench/peers.sh: organisations by name, each with its first 10
// activities (id and title, in Bokmål with fallback).
const nestedQuery = `query Nested($first: Int) { organisations(first: $first) { edges { node { id
	activities(first: 10) { edges { node { id title } } } } } } }`

// newSyntheticServer is newServer with a synthetic municipality "synthetic" of orgs
// organisations, each with per activities.
func newSyntheticServer(t testing.TB, orgs, per int, tweak ...func(*config.Config)) *testServer {
	t.Helper()
	s := newServer(t, tweak...)
	opt := synthetic.Options{Slug: "synthetic", Organisations: orgs, ActivitiesPerOrganisation: per, Seed: 1}
	if _, err := synthetic.Generate(context.Background(), s.app.Tenants, opt); err != nil {
		t.Fatalf("seed synthetic: %v", err)
	}
	return s
}

// BenchmarkNestedRead reads 50 organisations with their first 10 activities each, from 16
// clients at once as bench/peers.sh does, and reports the process's CPU time per request
// (server and a client that only reads the answer; PostgreSQL runs apart): what a nested
// list costs in Go, its scanning, batches and output.
// Run: go test ./internal/app/ -run '^$' -bench NestedRead -benchmem
func BenchmarkNestedRead(b *testing.B) { benchmarkRead(b, nestedQuery) }

// benchmarkRead posts query (with first: 50) to a synthetic municipality of 200
// organisations from 16 clients at once, and reports the CPU time per request. All the
// clients are one address, which the anonymous cost budget would rightly throttle: the
// benchmark measures the API without it, as bench/run.sh does.
func benchmarkRead(b *testing.B, query string) {
	s := newSyntheticServer(b, 200, 10, func(c *config.Config) { c.BudgetAnonymous = 0 })
	body, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"first": 50}})
	ok(b, s.post(b, query, map[string]any{"first": 50}, "X-Municipality: synthetic"))
	b.SetParallelism(8)
	start := cpuTime()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			postDiscard(b, s.URL+"/graphql", body)
		}
	})
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-start).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// postDiscard posts a GraphQL request to the synthetic municipality and reads the answer.
func postDiscard(b *testing.B, url string, body []byte) { postDiscardTo(b, url, body, "synthetic") }

// postDiscardTo posts a GraphQL request to municipality and reads the answer.
func postDiscardTo(b *testing.B, url string, body []byte, municipality string) {
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", "nb")
	req.Header.Set("X-Municipality", municipality)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Error(err)
		return
	}
	io.Copy(io.Discard, res.Body) //nolint:errcheck // only the time counts
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b.Errorf("status %d", res.StatusCode)
	}
}

// cpuTime returns the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// catalogueQuery is the read of bench/run.sh: the first 50 activities by name, with their
// organisation, categories, venue and texts.
const catalogueQuery = `query Catalogue($first: Int) { activities(first: $first) { edges { node {
	id title summary textLocale priceOre free organisation { id name summary } categories { id name }
	venue { id name address { street place } } } } } }`

// BenchmarkCatalogueRead is BenchmarkNestedRead for the catalogue read of bench/run.sh.
// Run: go test ./internal/app/ -run '^$' -bench CatalogueRead -benchmem
func BenchmarkCatalogueRead(b *testing.B) { benchmarkRead(b, catalogueQuery) }

// searchTopQuery is the read of bench/search.sh: the first 20 results of a search with
// their titles or names, what a search box shows.
const searchTopQuery = `query SearchTop($query: String!, $first: Int) { search(query: $query, first: $first) {
	edges { rank node { __typename ... on Activity { id title } ... on Organisation { id name }
	... on Neighbourhood { id name } } } } }`

// BenchmarkSearchRead is BenchmarkNestedRead for bench/search.sh's search, for a common
// word and a typo. Run: go test ./internal/app/ -run '^$' -bench SearchRead -benchmem
func BenchmarkSearchRead(b *testing.B) {
	s := newSyntheticServer(b, 200, 10, func(c *config.Config) { c.BudgetAnonymous = 0 })
	for _, q := range []string{"svømming", "bowlnig"} {
		b.Run(q, func(b *testing.B) {
			vars := map[string]any{"query": q, "first": 20}
			body, _ := json.Marshal(map[string]any{"query": searchTopQuery, "variables": vars})
			if r := ok(b, s.post(b, searchTopQuery, vars, "X-Municipality: synthetic")); len(get(r.Data, "search.edges").([]any)) == 0 {
				b.Fatalf("%q finds nothing", q)
			}
			b.SetParallelism(8)
			start := cpuTime()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					postDiscard(b, s.URL+"/graphql", body)
				}
			})
			b.StopTimer()
			b.ReportMetric(float64((cpuTime()-start).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}
