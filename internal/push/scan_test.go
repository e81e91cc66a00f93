package push

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"
)

// insertID runs an INSERT ... RETURNING id.
func (e *env) insertID(q string, args ...any) uuid.UUID {
	e.t.Helper()
	var id uuid.UUID
	if err := e.db.QueryRowContext(context.Background(), q, args...).Scan(&id); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	return id
}

// owner returns the resident owner of a device's context.
func (e *env) owner(ctx context.Context) uuid.UUID {
	e.t.Helper()
	id, err := e.residents.CurrentOwner(ctx, false)
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

// event inserts a published event of org starting in a week, with status and a title.
func (e *env) event(org uuid.UUID, slug, status, title string) uuid.UUID {
	e.t.Helper()
	start := time.Now().Add(7 * 24 * time.Hour)
	id := e.insertID(`INSERT INTO events (municipality_id, organisation_id, slug, starts_at, ends_at, time_zone,
		status, publication) VALUES (?, ?, ?, ?, ?, 'Europe/Oslo', ?, 'PUBLISHED') RETURNING id`,
		e.larvik.ID(), org, slug, start, start.Add(time.Hour), status)
	e.exec(`INSERT INTO event_translations (event_id, municipality_id, locale, title) VALUES (?, ?, 'nb', ?)`,
		id, e.larvik.ID(), title)
	return id
}

// TestScan: favourites' new dates, news in a chosen neighbourhood and a favourite event
// cancelled reach the residents who asked, once however often the scan runs.
func TestScan(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mid := e.larvik.ID()
	follower, fan, nobody := e.device("nb"), e.device("en"), e.device("nb")
	e.subscribe(follower, "/ok/follower")
	e.subscribe(fan, "/ok/fan")
	e.subscribe(nobody, "/ok/nobody")

	hood := e.insertID(`INSERT INTO neighbourhoods (municipality_id, slug, area, min_lat, min_lon, max_lat, max_lon)
		VALUES (?, 'torstrand', '{}', 0, 0, 0, 0) RETURNING id`, mid)
	e.exec("UPDATE resident_owners SET neighbourhood_id = ? WHERE id = ?", hood, e.owner(follower))
	org := e.insertID(`INSERT INTO organisations (municipality_id, slug, name, kind, status)
		VALUES (?, 'korps', 'Korpset', 'VOLUNTARY', 'PUBLISHED') RETURNING id`, mid)
	cancelled := e.event(org, "sommerkonsert", "CANCELLED", "Sommerkonsert")
	e.exec(`INSERT INTO resident_favourites (owner_id, municipality_id, kind, item_id, notify_new_dates)
		VALUES (?0, ?1, 'ORGANISATION', ?2, true), (?3, ?1, 'ORGANISATION', ?2, false), (?3, ?1, 'EVENT', ?4, false)`,
		e.owner(follower), mid, org, e.owner(fan), cancelled)
	e.event(org, "julekonsert", "SCHEDULED", "Julekonsert")
	article := e.insertID(`INSERT INTO articles (municipality_id, slug) VALUES (?, 'ny-lekeplass') RETURNING id`, mid)
	e.exec(`INSERT INTO article_translations (article_id, municipality_id, locale, title, publish_at)
		VALUES (?, ?, 'nb', 'Ny lekeplass', now() - interval '5 minutes')`, article, mid)
	e.exec(`INSERT INTO article_neighbourhoods (article_id, neighbourhood_id, municipality_id) VALUES (?, ?, ?)`,
		article, hood, mid)

	n, err := e.svc.Scan(context.Background(), time.Now())
	if err != nil || n != 3 {
		t.Fatalf("scan queued %d messages (%v), want 3", n, err)
	}
	if n, err := e.svc.Scan(context.Background(), time.Now()); err != nil || n != 0 {
		t.Fatalf("the second scan queued %d messages (%v), want none", n, err)
	}
	for _, err := range e.deliverAll() {
		if err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, m := range e.rcv.messages() {
		got = append(got, m.Path+" "+string(m.Payload.Kind)+" "+m.Payload.Title+" | "+m.Payload.URL)
	}
	sort.Strings(got)
	want := []string{
		"/ok/fan EVENT_CANCELLED Cancelled: Sommerkonsert | https://larvik.example/arrangementer/sommerkonsert?lang=en",
		"/ok/follower NEIGHBOURHOOD_NEWS Nytt i nærmiljøet ditt | https://larvik.example/nyheter/ny-lekeplass?lang=nb",
		"/ok/follower NEW_DATE Ny dato: Julekonsert | https://larvik.example/arrangementer/julekonsert?lang=nb",
	}
	if len(got) != len(want) {
		t.Fatalf("received\n%q\nwant\n%q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("received %q, want %q", got[i], want[i])
		}
	}
}
