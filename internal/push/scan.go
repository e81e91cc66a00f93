package push

import (
	"context"
	"log/slog"
	"net/url"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database"
)

// The scan of what residents hear of by push beside the card's notices: an event of a
// favourite (an organisation's new event; a new date of a favourite event: a new part of
// it, or a new occurrence of its series in the next SeriesAhead) when the favourite asks
// for new dates, a news article published for the resident's neighbourhood, and a
// favourite event cancelled (to its followers, and to the anonymous cards holding a
// ticket for it). Each item is told of once (push_announced); items up to Lookback old
// are looked at, so a scan missed (a restart) is made up by the next.
const (
	// ScanInterval is how often the scan runs.
	ScanInterval = 5 * time.Minute
	// Lookback is how far back the scan looks for new items.
	Lookback = 48 * time.Hour
	// SeriesAhead bounds the new occurrences of a series told of: those the daily horizon
	// job adds a year ahead are not news.
	SeriesAhead = 90 * 24 * time.Hour
	// scanBatch is how many items one statement of a scan takes.
	scanBatch = 200
	// keepAnnounced is how long an announcement is remembered: longer than Lookback.
	keepAnnounced = 30 * 24 * time.Hour
)

// ScanArgs is the periodic job that runs Scan. It belongs to every municipality.
type ScanArgs struct{}

// Kind names the job.
func (ScanArgs) Kind() string { return "push_scan" }

// InsertOpts makes the job unique per period.
func (ScanArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: ScanInterval}}
}

// ScanWorker runs the scan.
type ScanWorker struct {
	river.WorkerDefaults[ScanArgs]
	Push *Service
}

// Work runs Scan at the service clock's now; it logs counts, never a subscriber.
func (w *ScanWorker) Work(ctx context.Context, _ *river.Job[ScanArgs]) error {
	n, err := w.Push.Scan(ctx, w.Push.now())
	if n > 0 {
		slog.InfoContext(ctx, "push scan", "messages", n)
	}
	return err
}

// Scan queues the push messages of the items new since the last scans (see above) and
// returns how many. It forgets old announcements and messages left behind.
func (s *Service) Scan(ctx context.Context, now time.Time) (int, error) {
	if !s.Available() {
		return 0, nil
	}
	total := 0
	for _, scan := range []func(context.Context, bun.Tx, time.Time) (int, int, error){
		s.scanNewDates, s.scanNews, s.scanCancelled,
	} {
		for {
			var items, n int
			err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
				var err error
				items, n, err = scan(ctx, tx, now)
				return err
			})
			total += n
			if err != nil {
				return total, err
			}
			if items < scanBatch {
				break
			}
		}
	}
	_, err := s.db.ExecContext(ctx, `DELETE FROM push_announced WHERE announced_at < ?`, now.Add(-keepAnnounced))
	if err != nil {
		return total, database.MapError(err, "forget push announcements", "push")
	}
	_, err = s.db.ExecContext(ctx, `DELETE FROM push_messages WHERE created_at < ?`, now.Add(-2*TTL))
	return total, database.MapError(err, "forget push messages", "push")
}

// item is an item of a scan, announced now, with what its message needs.
type item struct {
	MunicipalityID uuid.UUID  `bun:"municipality_id"`
	ID             uuid.UUID  `bun:"item_id"`
	Slug           string     `bun:"slug"`
	OrganisationID *uuid.UUID `bun:"organisation_id"`
	ParentID       *uuid.UUID `bun:"parent_id"`
	SeriesID       *uuid.UUID `bun:"series_id"`
	OfferID        *uuid.UUID `bun:"card_offer_id"`
	StartsAt       time.Time  `bun:"starts_at"`
	TimeZone       string     `bun:"time_zone"`
	DefaultLocale  string     `bun:"default_locale"`
}

// announceEvents marks the events matching where (on events AS e) announced as kind and
// returns them.
func announceEvents(ctx context.Context, tx bun.Tx, kind Kind, where string, args ...any) ([]item, error) {
	var items []item
	args = append(append([]any{kind}, args...), kind, scanBatch)
	err := tx.NewRaw(`WITH a AS (INSERT INTO push_announced (municipality_id, kind, item_id)
			SELECT e.municipality_id, ?, e.id FROM events e WHERE e.publication = 'PUBLISHED' AND `+where+`
			AND NOT EXISTS (SELECT 1 FROM push_announced pa WHERE pa.kind = ? AND pa.item_id = e.id)
			ORDER BY e.created_at LIMIT ?
			ON CONFLICT DO NOTHING RETURNING municipality_id, item_id)
		SELECT a.municipality_id, a.item_id, e.slug, e.organisation_id, e.parent_id, e.series_id, e.card_offer_id,
			e.starts_at, m.time_zone, m.default_locale
		FROM a JOIN events e ON e.id = a.item_id JOIN municipalities m ON m.id = a.municipality_id`,
		args...).Scan(ctx, &items)
	return items, database.MapError(err, "announce events", "push")
}

// scanNewDates queues the messages of new events to the residents who follow their
// organisation, their umbrella event or their series with notifyNewDates.
func (s *Service) scanNewDates(ctx context.Context, tx bun.Tx, now time.Time) (int, int, error) {
	items, err := announceEvents(ctx, tx, KindNewDate, `e.status = 'SCHEDULED' AND e.starts_at > ?
		AND e.created_at > ?`, now, now.Add(-Lookback))
	if err != nil {
		return 0, 0, err
	}
	total := 0
	for _, it := range items {
		series := it.SeriesID
		if it.StartsAt.After(now.Add(SeriesAhead)) {
			series = nil
		}
		n, err := s.enqueue(ctx, tx, &campaign{mid: it.MunicipalityID, kind: KindNewDate,
			where: `s.owner_id IN (SELECT f.owner_id FROM resident_favourites f WHERE f.notify_new_dates
				AND ((f.kind = 'ORGANISATION' AND f.item_id = ?) OR (f.kind = 'EVENT' AND (f.item_id = ?
				OR f.item_id IN (SELECT o.id FROM events o WHERE o.series_id = ? AND o.id <> ?)))))`,
			args:   []any{it.OrganisationID, it.ParentID, series, it.ID},
			render: s.eventTexts(ctx, tx, &it, "PushNewDate")})
		if err != nil {
			return 0, 0, err
		}
		total += n
	}
	return len(items), total, nil
}

// scanCancelled queues the messages of cancelled events to the residents who keep them as
// favourites and the anonymous cards holding a ticket for them.
func (s *Service) scanCancelled(ctx context.Context, tx bun.Tx, now time.Time) (int, int, error) {
	items, err := announceEvents(ctx, tx, KindEventCancelled, `e.status = 'CANCELLED' AND e.starts_at > ?
		AND e.updated_at > ?`, now, now.Add(-Lookback))
	if err != nil {
		return 0, 0, err
	}
	total := 0
	for _, it := range items {
		n, err := s.enqueue(ctx, tx, &campaign{mid: it.MunicipalityID, kind: KindEventCancelled,
			where: `s.owner_id IN (SELECT f.owner_id FROM resident_favourites f
					WHERE f.kind = 'EVENT' AND f.item_id = ?)
				OR s.card_id IN (SELECT t.card_id FROM card_tickets t WHERE t.offer_id = ? AND t.status = 'CLAIMED')`,
			args: []any{it.ID, it.OfferID}, render: s.eventTexts(ctx, tx, &it, "PushEventCancelled")})
		if err != nil {
			return 0, 0, err
		}
		total += n
	}
	return len(items), total, nil
}

// eventTexts returns the renderer of an event's message id.
func (s *Service) eventTexts(ctx context.Context, tx bun.IDB, it *item, id string) func(string) (*Payload, error) {
	return func(locale string) (*Payload, error) {
		title, err := pickTitle(ctx, tx, "event_translations", "event_id", it.ID, locale, it.DefaultLocale)
		if err != nil {
			return nil, err
		}
		data := map[string]any{"Title": title, "Start": localTime(it.StartsAt, it.TimeZone)}
		link := s.opt.PublicURL + "/arrangementer/" + url.PathEscape(it.Slug) + "?lang=" + url.QueryEscape(locale)
		return s.texts(locale, it.DefaultLocale, id, data, link), nil
	}
}

// pickTitle returns an item's title in locale, else the default locale, else any.
func pickTitle(ctx context.Context, db bun.IDB, table, column string, id uuid.UUID, locale, def string) (
	string, error,
) {
	var title string
	err := db.NewSelect().Table(table).Column("title").Where("? = ? AND title <> ''", bun.Ident(column), id).
		OrderExpr("locale = ? DESC, locale = ? DESC, locale", locale, def).Limit(1).Scan(ctx, &title)
	if err != nil && !noRows(err) {
		return "", database.MapError(err, "find title", "push")
	}
	return title, nil
}
