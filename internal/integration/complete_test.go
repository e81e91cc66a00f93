package integration_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/integration"
	"github.com/fritid/fritid/internal/platform/database/testdb"
)

func insertID(t *testing.T, db bun.IDB, query string, args ...any) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	if err := db.QueryRowContext(context.Background(), query, args...).Scan(&id); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return id
}

// TestPartsChangesAreUpdates: changing only a public subject's categories, links, images,
// neighbourhoods or names in other languages is an "updated" of it, as the API shows it
// changed; the same change to a subject nobody sees, and an update that changes nothing, is
// not.
func TestPartsChangesAreUpdates(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	mid := municipality(t, db, "larvik")
	s := integration.NewService(db)
	cat := insertID(t, db, "SELECT id FROM categories WHERE municipality_id = ? ORDER BY slug LIMIT 1", mid)
	nb := insertID(t, db, `INSERT INTO neighbourhoods (municipality_id, slug, area, min_lat, min_lon, max_lat, max_lon)
		VALUES (?, 'sentrum', '{}', 59, 10, 59.1, 10.1) RETURNING id`, mid)
	org := insertID(t, db, `INSERT INTO organisations (municipality_id, slug, name, kind, status)
		VALUES (?, 'lag', 'Lag', 'VOLUNTARY', 'PUBLISHED') RETURNING id`, mid)
	pending := insertID(t, db, `INSERT INTO organisations (municipality_id, slug, name, kind)
		VALUES (?, 'ny', 'Ny', 'VOLUNTARY') RETURNING id`, mid)
	act := insertID(t, db, `INSERT INTO activities (municipality_id, organisation_id, slug, status)
		VALUES (?, ?, 'fotball', 'PUBLISHED') RETURNING id`, mid, org)
	venue := insertID(t, db, `INSERT INTO venues (municipality_id, name) VALUES (?, 'Hallen') RETURNING id`, mid)
	media := insertID(t, db, `INSERT INTO media (municipality_id, url, width, height)
		VALUES (?, 'https://bilder.no/a.jpg', 800, 600) RETURNING id`, mid)
	seen := 0
	// fresh returns the feed's types recorded since it was last called.
	fresh := func() []string {
		all := types(t, s, mid)
		defer func() { seen = len(all) }()
		return all[seen:]
	}
	fresh() // what the inserts recorded is not what this test is about

	exec(t, db, "INSERT INTO organisation_categories (organisation_id, category_id, municipality_id) VALUES (?, ?, ?)", org, cat, mid)
	exec(t, db, "INSERT INTO organisation_categories (organisation_id, category_id, municipality_id) VALUES (?, ?, ?)", pending, cat, mid)
	exec(t, db, "INSERT INTO organisation_links (organisation_id, municipality_id, kind, url) VALUES (?, ?, 'WEBSITE', 'https://lag.no')", org, mid)
	if got := fresh(); !slices.Equal(got, []string{"organisation.updated", "organisation.updated"}) {
		t.Errorf("organisation's category and link: feed %v, want two organisation.updated", got)
	}
	exec(t, db, "UPDATE organisation_links SET url = url WHERE organisation_id = ?", org) // no real change
	if got := fresh(); len(got) != 0 {
		t.Errorf("an update that changed nothing recorded %v", got)
	}
	exec(t, db, "UPDATE organisation_links SET url = 'https://laget.no' WHERE organisation_id = ?", org)
	exec(t, db, "INSERT INTO activity_images (activity_id, media_id, municipality_id) VALUES (?, ?, ?)", act, media, mid)
	exec(t, db, "INSERT INTO activity_neighbourhoods (activity_id, neighbourhood_id, municipality_id) VALUES (?, ?, ?)", act, nb, mid)
	exec(t, db, "INSERT INTO venue_translations (venue_id, municipality_id, locale, name) VALUES (?, ?, 'en', 'The hall')", venue, mid)
	exec(t, db, "DELETE FROM activity_images WHERE activity_id = ?", act)
	want := []string{"organisation.updated", "activity.updated", "activity.updated", "venue.updated", "activity.updated"}
	if got := fresh(); !slices.Equal(got, want) {
		t.Errorf("feed = %v, want %v", got, want)
	}
}

// TestEventsFollowTheirOrganisation: an organisation's events are public only while it is,
// so taking it down archives them, publishing it again publishes them, and deleting it
// archives them before they go.
func TestEventsFollowTheirOrganisation(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	mid := municipality(t, db, "larvik")
	s := integration.NewService(db)
	org := insertID(t, db, `INSERT INTO organisations (municipality_id, slug, name, kind)
		VALUES (?, 'lag', 'Lag', 'VOLUNTARY') RETURNING id`, mid)
	event := func(slug, publication string) uuid.UUID {
		return insertID(t, db, `INSERT INTO events (municipality_id, organisation_id, slug, starts_at, ends_at, time_zone, publication)
			VALUES (?, ?, ?, now() + interval '1 day', now() + interval '1 day 2 hours', 'Europe/Oslo', ?) RETURNING id`,
			mid, org, slug, publication)
	}
	concert, draft := event("konsert", "PUBLISHED"), event("utkast", "DRAFT")
	if got := types(t, s, mid); len(got) != 0 {
		t.Fatalf("the events of an organisation waiting for approval are in the feed: %v", got)
	}
	cat := insertID(t, db, "SELECT id FROM categories WHERE municipality_id = ? ORDER BY slug LIMIT 1", mid)
	exec(t, db, "INSERT INTO event_categories (event_id, category_id, municipality_id) VALUES (?, ?, ?)", concert, cat, mid)
	if got := types(t, s, mid); len(got) != 0 {
		t.Fatalf("a category of a hidden event is in the feed: %v", got)
	}

	subjects := func() []string {
		t.Helper()
		ctx := adminOf(context.Background(), mid)
		if _, err := s.Dispatch(ctx); err != nil {
			t.Fatal(err)
		}
		first := integration.MaxFeedPage
		conn, err := s.FindChanges(ctx, integration.ChangeFilter{First: &first, Types: []string{
			"event.published", "event.updated", "event.archived"}})
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, c := range conn.Nodes() {
			name := map[uuid.UUID]string{concert: "konsert", draft: "utkast"}[c.SubjectID]
			out = append(out, c.Type+" "+name)
		}
		return out
	}
	exec(t, db, "UPDATE organisations SET status = 'PUBLISHED' WHERE id = ?", org)
	exec(t, db, "DELETE FROM event_categories WHERE event_id = ?", concert)
	exec(t, db, "UPDATE organisations SET status = 'HIDDEN' WHERE id = ?", org)
	exec(t, db, "UPDATE organisations SET status = 'PUBLISHED' WHERE id = ?", org)
	exec(t, db, "DELETE FROM organisations WHERE id = ?", org)
	want := []string{"event.published konsert", "event.updated konsert", "event.archived konsert",
		"event.published konsert", "event.archived konsert"}
	if got := subjects(); !slices.Equal(got, want) {
		t.Errorf("feed = %v, want %v", got, want)
	}
}

// TestScheduledPublicationsWaitForTheirTime: a page scheduled for later is recorded as
// published when its time comes, not when the schedule is set; moving the time moves the
// event; the end of its window is recorded as archived when it comes.
func TestScheduledPublicationsWaitForTheirTime(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	mid := municipality(t, db, "larvik")
	s := integration.NewService(db)
	clock := time.Now()
	s.Now = func() time.Time { return clock }
	page := insertID(t, db, `INSERT INTO pages (municipality_id, slug, path) VALUES (?, 'om', 'om') RETURNING id`, mid)
	exec(t, db, `INSERT INTO page_translations (page_id, municipality_id, locale, title, publish_at)
		VALUES (?, ?, 'nb', 'Om', now() + interval '1 hour')`, page, mid)
	if got := types(t, s, mid); len(got) != 0 {
		t.Fatalf("a page scheduled for later is in the feed now: %v", got)
	}
	// Moved to three hours from now, with an end two hours after that.
	exec(t, db, `UPDATE page_translations SET publish_at = now() + interval '3 hours',
		unpublish_at = now() + interval '5 hours' WHERE page_id = ?`, page)
	clock = clock.Add(2 * time.Hour)
	if got := types(t, s, mid); len(got) != 0 {
		t.Fatalf("after the first time, which was moved, the feed has %v", got)
	}
	clock = clock.Add(2 * time.Hour)
	if got := types(t, s, mid); !slices.Equal(got, []string{"page.published"}) {
		t.Fatalf("at the new time the feed has %v, want page.published", got)
	}
	clock = clock.Add(2 * time.Hour)
	if got := types(t, s, mid); !slices.Equal(got, []string{"page.published", "page.archived"}) {
		t.Fatalf("after the window the feed has %v, want page.published, page.archived", got)
	}

	// A publication called off before its time leaves nothing.
	article := insertID(t, db, `INSERT INTO articles (municipality_id, slug) VALUES (?, 'nytt') RETURNING id`, mid)
	exec(t, db, `INSERT INTO article_translations (article_id, municipality_id, locale, title, publish_at)
		VALUES (?, ?, 'nb', 'Nytt', now() + interval '1 hour')`, article, mid)
	exec(t, db, "UPDATE article_translations SET publish_at = NULL WHERE article_id = ?", article)
	clock = clock.Add(24 * time.Hour)
	if got := types(t, s, mid); !slices.Equal(got, []string{"page.published", "page.archived"}) {
		t.Errorf("an article called off before its time is in the feed: %v", got)
	}
}
