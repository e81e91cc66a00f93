package newsletter

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/database/testdb"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/tenant"
)

// BenchmarkDigestIssue50k writes a digest issue for 50,000 confirmed subscribers, each
// interested in one of two categories, from 40 new activities: the items read, every
// subscriber's interests matched, the deliveries written and the send jobs inserted, as
// the digest job does when an issue is due.
// Run: go test -run XXX -bench DigestIssue -benchtime 3x ./internal/newsletter/
func BenchmarkDigestIssue50k(b *testing.B) {
	ctx := context.Background()
	db := testdb.New(b)
	tn, err := tenant.NewService(db, portal.SeedCategories).CreateMunicipality(ctx, tenant.CreateMunicipalityInput{
		Slug: "bench", Name: "Bench kommune"})
	if err != nil {
		b.Fatal(err)
	}
	mid, list := tn.ID(), uuid.Must(uuid.NewV7())
	exec := func(q string, args ...any) {
		b.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			b.Fatal(err)
		}
	}
	var cats []uuid.UUID
	if err := db.NewSelect().TableExpr("categories").Column("id").Where("municipality_id = ?", mid).
		Order("sort_order").Limit(2).Scan(ctx, &cats); err != nil {
		b.Fatal(err)
	}
	exec(`INSERT INTO newsletter_lists (id, municipality_id, audience, digest_cadence, digest_next_at)
		VALUES (?, ?, 'RESIDENTS', 'WEEKLY', now() + interval '1 day')`, list, mid)
	exec(`INSERT INTO newsletter_subscribers (municipality_id, list_id, email, locale, status, consent_source,
		confirmed_at, category_ids)
		SELECT ?, ?, 'abonnent' || i || '@example.no', 'nb', 'CONFIRMED', 'IMPORT', now(), ARRAY[(?::uuid[])[1 + i % 2]]
		FROM generate_series(1, 50000) i`, mid, list, pgdialect.Array(cats))
	exec(`WITH o AS (INSERT INTO organisations (municipality_id, slug, name, kind, status)
			VALUES (?, 'lag', 'Lag', 'VOLUNTARY', 'PUBLISHED') RETURNING *),
		a AS (INSERT INTO activities (municipality_id, organisation_id, slug, status)
			SELECT o.municipality_id, o.id, 'aktivitet-' || i, 'PUBLISHED' FROM o, generate_series(1, 40) i
			RETURNING *),
		t AS (INSERT INTO activity_translations (activity_id, municipality_id, locale, title)
			SELECT id, municipality_id, 'nb', 'Aktivitet ' || slug FROM a)
		INSERT INTO activity_categories (activity_id, category_id, municipality_id)
			SELECT a.id, (?::uuid[])[1 + (right(a.slug, 1)::int % 2)], a.municipality_id FROM a`,
		mid, pgdialect.Array(cats))
	s := NewService(db, "bench secret bench secret bench secret")
	s.DigestSettle = 0
	for b.Loop() {
		b.StopTimer()
		exec(`DELETE FROM newsletter_campaigns`)
		exec(`DELETE FROM river_job`)
		exec(`UPDATE newsletter_lists SET digest_last_at = NULL`)
		b.StartTimer()
		var n int
		err := database.RunInTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
			l := new(List)
			if err := tx.NewSelect().Model(l).Where("l.id = ?", list).For("UPDATE").Scan(ctx); err != nil {
				return err
			}
			_, n, err = s.writeIssue(ctx, tx, l, false)
			return err
		})
		if err != nil || n != 50000 {
			b.Fatalf("issue to %d: %v", n, err)
		}
	}
}
