package integration_test

import (
	"context"
	"testing"

	"github.com/fritid/fritid/internal/integration"
	"github.com/fritid/fritid/internal/platform/database/testdb"
)

// BenchmarkChangeFeed pages through 10,000 change events, 1,000 at a time, as a consumer
// catching up does; one op is the whole feed (the target is well under a second).
func BenchmarkChangeFeed(b *testing.B) {
	db := testdb.New(b)
	ctx := context.Background()
	mid := municipality(b, db, "larvik")
	if _, err := db.ExecContext(ctx, `INSERT INTO change_events (municipality_id, type, subject_id)
		SELECT ?, 'activity.updated', uuid_generate_v7() FROM generate_series(1, 10000)`, mid); err != nil {
		b.Fatal(err)
	}
	s := integration.NewService(db)
	if n, err := s.Dispatch(ctx); err != nil || n != 10000 {
		b.Fatalf("sequenced %d: %v", n, err)
	}
	db.ExecContext(ctx, "ANALYZE change_events") //nolint:errcheck // statistics only
	reader := adminOf(ctx, mid)
	first := integration.MaxFeedPage
	b.ResetTimer()
	for b.Loop() {
		seen, after := 0, ""
		for {
			conn, err := s.FindChanges(reader, integration.ChangeFilter{After: after, First: &first})
			if err != nil {
				b.Fatal(err)
			}
			seen += len(conn.Edges)
			if !conn.PageInfo.HasNextPage {
				break
			}
			after = *conn.PageInfo.EndCursor
		}
		if seen != 10000 {
			b.Fatalf("paged %d events", seen)
		}
	}
}
