package integration_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/integration"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database/testdb"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/tenant"
)

// municipality makes a municipality and returns its ID.
func municipality(t testing.TB, db *bun.DB, slug string) uuid.UUID {
	t.Helper()
	tn, err := tenant.NewService(db, portal.SeedCategories).CreateMunicipality(context.Background(),
		tenant.CreateMunicipalityInput{Slug: slug, Name: slug + " kommune"})
	if err != nil {
		t.Fatal(err)
	}
	return tn.ID()
}

// adminOf returns ctx with an administrator of municipality mid as the viewer.
func adminOf(ctx context.Context, mid uuid.UUID) context.Context {
	return auth.WithViewer(ctx, &auth.Viewer{User: &auth.User{ID: uuid.New(), MunicipalityID: mid}, Roles: []auth.MunicipalRole{auth.RoleAdmin}})
}

func exec(t *testing.T, db bun.IDB, query string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// types returns the types of the municipality's feed, oldest first, after sequencing.
func types(t *testing.T, s *integration.Service, mid uuid.UUID) []string {
	t.Helper()
	ctx := adminOf(context.Background(), mid)
	if _, err := s.Dispatch(ctx); err != nil {
		t.Fatal(err)
	}
	first := integration.MaxFeedPage
	conn, err := s.FindChanges(ctx, integration.ChangeFilter{First: &first})
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, c := range conn.Nodes() {
		out = append(out, c.Type)
	}
	return out
}

// TestTriggersRecordPublicChanges: publishing, changing and taking down a listing is
// recorded as published, updated, archived; a draft's changes and a card offer's stock are
// not.
func TestTriggersRecordPublicChanges(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	mid := municipality(t, db, "larvik")
	s := integration.NewService(db)
	var org uuid.UUID
	if err := db.QueryRowContext(context.Background(), `INSERT INTO organisations (municipality_id, slug, name, kind)
		VALUES (?, 'lag', 'Lag', 'VOLUNTARY') RETURNING id`, mid).Scan(&org); err != nil {
		t.Fatal(err)
	}
	exec(t, db, "UPDATE organisations SET name = 'Laget' WHERE id = ?", org) // pending: nothing
	if got := types(t, s, mid); len(got) != 0 {
		t.Fatalf("a pending organisation's changes are in the feed: %v", got)
	}
	exec(t, db, "UPDATE organisations SET status = 'PUBLISHED' WHERE id = ?", org)
	exec(t, db, "UPDATE organisations SET name = 'Laget vårt' WHERE id = ?", org)
	exec(t, db, "UPDATE organisations SET updated_at = now() WHERE id = ?", org) // no real change
	exec(t, db, `INSERT INTO organisation_translations (organisation_id, municipality_id, locale, description)
		VALUES (?, ?, 'nb', 'Om oss')`, org, mid)
	exec(t, db, "UPDATE organisations SET status = 'HIDDEN' WHERE id = ?", org)
	var venue uuid.UUID
	if err := db.QueryRowContext(context.Background(), `INSERT INTO venues (municipality_id, name) VALUES (?, 'Hallen') RETURNING id`, mid).Scan(&venue); err != nil {
		t.Fatal(err)
	}
	// One transaction records a subject's change once.
	err := db.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
		exec(t, tx, "UPDATE venues SET name = 'Hallen 2' WHERE id = ?", venue)
		exec(t, tx, "UPDATE venues SET name = 'Hallen 3' WHERE id = ?", venue)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"organisation.published", "organisation.updated", "organisation.updated", "organisation.archived",
		"venue.published", "venue.updated"}
	if got := types(t, s, mid); !slices.Equal(got, want) {
		t.Errorf("feed = %v, want %v", got, want)
	}
}

// TestPagesFollowTheirLanguages: a page is published with its first published language
// and archived with its last.
func TestPagesFollowTheirLanguages(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	mid := municipality(t, db, "larvik")
	s := integration.NewService(db)
	var page uuid.UUID
	if err := db.QueryRowContext(context.Background(), `INSERT INTO pages (municipality_id, slug, path) VALUES (?, 'om', 'om') RETURNING id`, mid).Scan(&page); err != nil {
		t.Fatal(err)
	}
	exec(t, db, `INSERT INTO page_translations (page_id, municipality_id, locale, title) VALUES (?, ?, 'nb', 'Om'), (?, ?, 'en', 'About')`, page, mid, page, mid)
	exec(t, db, "UPDATE page_translations SET title = 'Om oss' WHERE page_id = ? AND locale = 'nb'", page) // a draft
	exec(t, db, "UPDATE page_translations SET publish_at = now() WHERE page_id = ? AND locale = 'nb'", page)
	exec(t, db, "UPDATE page_translations SET publish_at = now() WHERE page_id = ? AND locale = 'en'", page)
	exec(t, db, "UPDATE page_translations SET publish_at = NULL WHERE page_id = ? AND locale = 'nb'", page)
	exec(t, db, "DELETE FROM page_translations WHERE page_id = ? AND locale = 'en'", page)
	want := []string{"page.published", "page.updated", "page.updated", "page.archived"}
	if got := types(t, s, mid); !slices.Equal(got, want) {
		t.Errorf("feed = %v, want %v", got, want)
	}
}

// TestFeedPagesAndFilters: the feed pages by cursor, filters by type and keeps each
// municipality's events to its own readers.
func TestFeedPagesAndFilters(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	larvik, sandefjord := municipality(t, db, "larvik"), municipality(t, db, "sandefjord")
	s := integration.NewService(db)
	for i := range 5 {
		exec(t, db, "INSERT INTO venues (municipality_id, name) VALUES (?, ?)", larvik, "Hall "+string(rune('A'+i)))
	}
	exec(t, db, "INSERT INTO venues (municipality_id, name) VALUES (?, 'Annen')", sandefjord)
	exec(t, db, "UPDATE venues SET name = name || '!' WHERE municipality_id = ?", larvik)
	ctx := adminOf(context.Background(), larvik)
	if _, err := s.Dispatch(ctx); err != nil {
		t.Fatal(err)
	}
	two := 2
	var seen []string
	after := ""
	for {
		conn, err := s.FindChanges(ctx, integration.ChangeFilter{After: after, First: &two, Types: []string{"venue.published"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range conn.Edges {
			seen = append(seen, e.Node.Type)
		}
		if !conn.PageInfo.HasNextPage {
			break
		}
		after = *conn.PageInfo.EndCursor
	}
	if len(seen) != 5 {
		t.Errorf("paged %d published venues, want Larvik's 5: %v", len(seen), seen)
	}
	if _, err := s.FindChanges(ctx, integration.ChangeFilter{Types: []string{"card.issued"}}); apperr.CodeOf(err) != apperr.BadUserInput {
		t.Errorf("an unknown type: %v", err)
	}
	if _, err := s.FindChanges(context.Background(), integration.ChangeFilter{}); apperr.CodeOf(err) != apperr.Unauthenticated {
		t.Errorf("anonymous: %v", err)
	}
}

// TestCardOffersTellStatusOnly: an offer published, paused and ended is recorded; a
// change of its stock is not, and nothing of cards or tickets ever is.
func TestCardOffersTellStatusOnly(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	mid := municipality(t, db, "larvik")
	s := integration.NewService(db)
	var org, offer uuid.UUID
	if err := db.QueryRowContext(context.Background(), `INSERT INTO organisations (municipality_id, slug, name, kind, status)
		VALUES (?, 'lag', 'Lag', 'VOLUNTARY', 'PUBLISHED') RETURNING id`, mid).Scan(&org); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(context.Background(), `INSERT INTO card_offers (municipality_id, organisation_id, stock,
		valid_from, valid_to, source) VALUES (?, ?, 10, now(), now() + interval '30 days', 'DONATED') RETURNING id`, mid, org).Scan(&offer); err != nil {
		t.Fatal(err)
	}
	exec(t, db, "UPDATE card_offers SET status = 'PUBLISHED' WHERE id = ?", offer)
	exec(t, db, "UPDATE card_offers SET stock = stock + 1 WHERE id = ?", offer)
	exec(t, db, "UPDATE card_offers SET status = 'PAUSED' WHERE id = ?", offer)
	exec(t, db, "UPDATE card_offers SET status = 'ENDED' WHERE id = ?", offer)
	want := []string{"organisation.published", "card_offer.published", "card_offer.paused", "card_offer.ended"}
	if got := types(t, s, mid); !slices.Equal(got, want) {
		t.Errorf("feed = %v, want %v", got, want)
	}
}

// TestRecordChange: the newsletter records its subscriber events in its own transaction;
// a type that is not one is refused.
func TestRecordChange(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	mid := municipality(t, db, "larvik")
	s := integration.NewService(db)
	sub := uuid.Must(uuid.NewV7())
	err := db.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
		return integration.RecordChange(ctx, tx, mid, "subscriber.confirmed", sub)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := integration.RecordChange(context.Background(), db, mid, "card.issued", sub); apperr.CodeOf(err) != apperr.BadUserInput {
		t.Errorf("card.issued: %v", err)
	}
	if got := types(t, s, mid); !slices.Equal(got, []string{"subscriber.confirmed"}) {
		t.Errorf("feed = %v", got)
	}
	if err := integration.DeleteSubjectChanges(context.Background(), db, mid, sub); err != nil {
		t.Fatal(err)
	}
	if got := types(t, s, mid); len(got) != 0 {
		t.Errorf("after erasure the feed has %v", got)
	}
}

// TestPruneKeepsThirtyDays: attempts and messages older than 30 days go, newer stay.
func TestPruneKeepsThirtyDays(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	mid := municipality(t, db, "larvik")
	exec(t, db, `WITH e AS (INSERT INTO webhook_endpoints (municipality_id, url, secret) VALUES (?, 'https://x.example/', 'whsec_eA==') RETURNING id),
		m AS (INSERT INTO webhook_messages (municipality_id, endpoint_id, type, body, created_at)
			SELECT ?, e.id, 'webhook.test', '{}', t FROM e, (VALUES (now() - interval '31 days'), (now() - interval '29 days')) v(t)
			RETURNING id, endpoint_id, created_at)
		INSERT INTO webhook_attempts (municipality_id, endpoint_id, message_id, attempted_at, status_code)
		SELECT ?, endpoint_id, id, created_at, 200 FROM m`, mid, mid, mid)
	n, err := integration.NewService(db).Prune(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("pruned %d: %v", n, err)
	}
	var attempts, messages int
	db.QueryRowContext(context.Background(), "SELECT (SELECT count(*) FROM webhook_attempts), (SELECT count(*) FROM webhook_messages)").Scan(&attempts, &messages)
	if attempts != 1 || messages != 1 {
		t.Errorf("left %d attempts, %d messages; want the newer of each", attempts, messages)
	}
}

// TestPruneKeepsAYearOfChanges: change events older than a year leave the feed, newer
// ones and those not yet in it stay.
func TestPruneKeepsAYearOfChanges(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	mid := municipality(t, db, "larvik")
	exec(t, db, `INSERT INTO change_events (municipality_id, position, type, subject_id, occurred_at)
		SELECT ?, p, 'venue.updated', gen_random_uuid(), now() - d * interval '1 day'
		FROM (VALUES (1, 400), (2, 364), (3, 1)) v(p, d)`, mid)
	exec(t, db, `INSERT INTO change_events (municipality_id, type, subject_id, occurred_at)
		VALUES (?, 'venue.updated', gen_random_uuid(), now() - interval '400 days')`, mid)
	if _, err := integration.NewService(db).Prune(context.Background()); err != nil {
		t.Fatal(err)
	}
	var positions []int64
	if err := db.NewSelect().TableExpr("change_events").ColumnExpr("coalesce(position, 0)").OrderExpr("1").
		Scan(context.Background(), &positions); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(positions) != "[0 2 3]" {
		t.Errorf("left %v; want the unsequenced one and positions 2 and 3", positions)
	}
}
