package newsletter

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/database/testdb"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/tenant"
)

// BenchmarkQueueCampaign50k queues a campaign to 50,000 confirmed subscribers: the
// deliveries written and the send jobs inserted, as the queue job does when the campaign's
// time comes. Run: go test -run XXX -bench QueueCampaign -benchtime 3x ./internal/newsletter/
func BenchmarkQueueCampaign50k(b *testing.B) {
	ctx := context.Background()
	db := testdb.New(b)
	tn, err := tenant.NewService(db, portal.SeedCategories).CreateMunicipality(ctx, tenant.CreateMunicipalityInput{
		Slug: "bench", Name: "Bench kommune"})
	if err != nil {
		b.Fatal(err)
	}
	mid, list, campaign := tn.ID(), uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
	exec := func(q string, args ...any) {
		b.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			b.Fatal(err)
		}
	}
	exec(`INSERT INTO newsletter_lists (id, municipality_id, audience) VALUES (?, ?, 'RESIDENTS')`, list, mid)
	exec(`INSERT INTO newsletter_subscribers (municipality_id, list_id, email, locale, status, consent_source, confirmed_at)
		SELECT ?, ?, 'abonnent' || i || '@example.no', 'nb', 'CONFIRMED', 'IMPORT', now()
		FROM generate_series(1, 50000) i`, mid, list)
	exec(`INSERT INTO newsletter_campaigns (id, municipality_id, list_id, status) VALUES (?, ?, ?, 'DRAFT')`,
		campaign, mid, list)
	s := NewService(db, "bench secret bench secret bench secret")
	for b.Loop() {
		b.StopTimer()
		exec(`DELETE FROM newsletter_deliveries`)
		exec(`DELETE FROM river_job`)
		exec(`UPDATE newsletter_campaigns SET status = 'SCHEDULED'`)
		b.StartTimer()
		n, err := s.queue(ctx, mid, campaign)
		if err != nil || n != 50000 {
			b.Fatalf("queued %d: %v", n, err)
		}
	}
	var jobs int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM river_job WHERE kind = ?`, SendKind).Scan(&jobs); err != nil ||
		jobs != 500 {
		b.Fatalf("%d send jobs (%v)", jobs, err)
	}
}
