package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/platform/config"
)

// BenchmarkEventRead reads a calendar of 10,000 published events over a year: the first
// 100 events of a month (events(filter: {from, to})), the calendar of a week (about 190
// events), and the iCalendar feed of 1,000 events. cpu-ms/op is the server's and client's
// CPU time per request (as BenchmarkCatalogueRead's); divide by the items for the cost of one.
func BenchmarkEventRead(b *testing.B) {
	s := newServer(b, func(c *config.Config) { c.BudgetAnonymous = 0 })
	now := time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC)
	s.app.Events.Now = func() time.Time { return now }
	execB(b, s, `WITH m AS (SELECT id FROM municipalities WHERE slug = 'demo'),
		v AS (INSERT INTO venues (municipality_id, name, street, postal_code, place, lat, lon)
			SELECT id, 'Kulturhuset', 'Storgata 1', '3256', 'Larvik', 59.05, 10.03 FROM m RETURNING id)
		INSERT INTO events (municipality_id, venue_id, slug, starts_at, ends_at, time_zone, publication, price_ore)
		SELECT m.id, v.id, 'arr-' || i, timestamptz '2027-01-01 08:00+01' + i * interval '52 minutes',
			timestamptz '2027-01-01 10:00+01' + i * interval '52 minutes', 'Europe/Oslo', 'PUBLISHED', (i % 3) * 5000
		FROM m, v, generate_series(1, 10000) i`)
	execB(b, s, `INSERT INTO event_translations (event_id, municipality_id, locale, title, summary, description_text)
		SELECT id, municipality_id, 'nb', 'Konsert ' || slug, 'Konsert i kulturhuset; ta med venner, og kom tidlig',
			'Dørene åpner en halv time før. Billetter i døra.' FROM events`)
	queries := map[string]string{
		"events-month": `{ events(first: 100, filter: {from: "2027-02-01T00:00:00+01:00", to: "2027-03-01T00:00:00+01:00"})
			{ nodes { id title summary startsAt endsAt status free venue { name } } } }`,
		"calendar-week": `{ calendar(from: "2027-02-01", to: "2027-02-07") { date items { ... on Event { id title
			startsAt endsAt venue { name } } } } }`,
	}
	for name, query := range queries {
		b.Run(name, func(b *testing.B) {
			ok(b, s.post(b, query, nil, "X-Municipality: demo"))
			body, _ := json.Marshal(map[string]any{"query": query})
			b.SetParallelism(8)
			start := cpuTime()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					postDiscardTo(b, s.URL+"/graphql", body, "demo")
				}
			})
			b.StopTimer()
			b.ReportMetric(float64((cpuTime()-start).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
	// One client at a time: the time a calendar app waits for the feed, unchanged since the
	// server last rendered it (ics-1000) or just after an event in it changed
	// (ics-1000-changed: each fetch renders the feed anew).
	benchmarkFeed(b, s, "ics-1000", nil)
	n := 0
	benchmarkFeed(b, s, "ics-1000-changed", func() {
		n++
		execB(b, s, fmt.Sprintf("UPDATE events SET place = 'Sal %d' WHERE slug = 'arr-5000'", n))
	})
}

// benchmarkFeed fetches the municipality's feed of 1,000 events b.N times, one client at
// a time, after change (when given; not timed) each time.
func benchmarkFeed(b *testing.B, s *testServer, name string, change func()) {
	b.Run(name, func(b *testing.B) {
		get := func() int {
			req, _ := http.NewRequest(http.MethodGet, s.URL+"/feeds/events.ics?lang=nb", nil)
			req.Header.Set("X-Municipality", "demo")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			n, _ := io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				b.Fatalf("status %d", res.StatusCode)
			}
			return int(n)
		}
		size := get()
		var cpu time.Duration
		b.ResetTimer()
		for range b.N {
			if change != nil {
				b.StopTimer()
				change()
				b.StartTimer()
			}
			start := cpuTime()
			get()
			cpu += cpuTime() - start
		}
		b.StopTimer()
		b.ReportMetric(float64(size)/1024, "KiB")
		b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
	})
}

func execB(b *testing.B, s *testServer, query string) {
	b.Helper()
	if _, err := s.app.DB.ExecContext(context.Background(), query); err != nil {
		b.Fatalf("%s: %v", query, err)
	}
}
