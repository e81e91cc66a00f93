package app_test

import (
	"context"
	"testing"

	"github.com/fritid/fritid/internal/platform/config"
)

// BenchmarkChangeFeedGraphQL pages through a feed of 10,000 events over HTTP, 1,000 at a
// time, as an integration catching up does; one op is the whole feed (the target: well
// under a second).
// Run: go test ./internal/app/ -run '^$' -bench ChangeFeedGraphQL
func BenchmarkChangeFeedGraphQL(b *testing.B) {
	s := newServer(b, func(c *config.Config) { c.BudgetUser = 0 })
	createAdminIn(b, s, "demo", "admin@example.no")
	admin := login(b, s, "admin@example.no")
	ctx := context.Background()
	if _, err := s.app.DB.ExecContext(ctx, `INSERT INTO change_events (municipality_id, type, subject_id)
		SELECT id, 'activity.updated', uuid_generate_v7() FROM municipalities, generate_series(1, 10000) WHERE slug = 'demo'`); err != nil {
		b.Fatal(err)
	}
	if n, err := s.app.Integration.Dispatch(ctx); err != nil || n != 10000 {
		b.Fatalf("sequenced %d: %v", n, err)
	}
	const page = `query($a: String) { changes(after: $a, first: 1000) {
		edges { cursor node { name occurredAt payload { id } } } pageInfo { endCursor hasNextPage } } }`
	b.ResetTimer()
	for b.Loop() {
		seen, vars := 0, map[string]any{}
		for {
			r := ok(b, s.post(b, page, vars, admin))
			seen += len(get(r.Data, "changes.edges").([]any))
			if get(r.Data, "changes.pageInfo.hasNextPage") != true {
				break
			}
			vars["a"] = get(r.Data, "changes.pageInfo.endCursor")
		}
		if seen != 10000 {
			b.Fatalf("paged %d events", seen)
		}
	}
}
