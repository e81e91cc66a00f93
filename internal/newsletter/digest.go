package newsletter

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/jobs"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/tenant"
)

// A digest list writes its issues itself. When one is due (DigestWorker, every few
// minutes) or an editor sends it now (SendDigest), the issue takes the activities, events
// and articles published since the last issue (digest_items.go), fixes its recipients —
// the confirmed subscribers with at least one item for their interests — and records
// itself as a campaign with its period, sent through the same send jobs as any campaign:
// each recipient's items rendered in their language when their turn comes
// (digest_render.go).

// Cadence is how often a digest goes out.
type Cadence string

// The cadences.
const (
	Weekly  Cadence = "WEEKLY"
	Monthly Cadence = "MONTHLY"
)

// step returns at moved one period on, on the wall clock of at's location: the same
// weekday, or day of the month, and time of day, whatever daylight saving does.
func (c Cadence) step(at time.Time, n int) time.Time {
	if c == Monthly {
		return at.AddDate(0, n, 0)
	}
	return at.AddDate(0, 0, 7*n)
}

// nextAfter returns the first issue time after now counted from at in loc: issues missed
// while nothing ran are not made up, the next one takes everything since the last.
func (c Cadence) nextAfter(at, now time.Time, loc *time.Location) time.Time {
	next := at.In(loc)
	for !next.After(now) {
		next = c.step(next, 1)
	}
	return next
}

// DigestSchedule is when a digest list's issues go out.
type DigestSchedule struct {
	Cadence *Cadence   `bun:"digest_cadence"`
	NextAt  *time.Time `bun:"digest_next_at"`
	// LastAt is the end of the last issue's period; the next issue takes what came after.
	LastAt *time.Time `bun:"digest_last_at"`
}

// Digest returns the list's digest schedule, nil when it is no digest.
func (l *List) Digest() *DigestSchedule {
	if l.Cadence == nil {
		return nil
	}
	return &l.DigestSchedule
}

// DigestInput makes a list a digest: its cadence and the time of the next issue.
type DigestInput struct {
	Cadence Cadence
	NextAt  time.Time
}

// applyDigest sets l's digest schedule from in. Errors: BAD_USER_INPUT naming the field.
func (s *Service) applyDigest(t *tenant.Tenant, l *List, in ListInput) error {
	if in.Digest.Set {
		l.Cadence, l.NextAt = nil, nil
		if d := in.Digest.Value; d != nil {
			if err := s.checkDigest(t, d); err != nil {
				return err
			}
			cadence, next := d.Cadence, d.NextAt
			l.Cadence, l.NextAt = &cadence, &next
		}
	}
	if l.Cadence != nil && l.Audience != Residents {
		field := fieldOf(in.Digest.Set, "input.digest", "input.audience")
		return apperr.Invalid(field, "NewsletterDigestNeedsResidents", nil)
	}
	return nil
}

// maxMonthDay is the last day of the month a monthly digest may go out on: every month has it.
const maxMonthDay = 28

// checkDigest validates a digest schedule. Errors: BAD_USER_INPUT naming the field.
func (s *Service) checkDigest(t *tenant.Tenant, d *DigestInput) error {
	if d.Cadence != Weekly && d.Cadence != Monthly {
		return apperr.Invalid("input.digest.cadence", "NewsletterCadenceInvalid", nil)
	}
	if d.NextAt.Before(s.now().Add(-time.Minute)) {
		return apperr.Invalid("input.digest.nextAt", "NewsletterScheduleInPast", nil)
	}
	if d.Cadence == Monthly && d.NextAt.In(locationOf(t)).Day() > maxMonthDay {
		return apperr.Invalid("input.digest.nextAt", "NewsletterDigestDayInvalid", map[string]any{"Max": maxMonthDay})
	}
	return nil
}

// locationOf returns the municipality's time zone (Europe/Oslo when it names none known).
func locationOf(t *tenant.Tenant) *time.Location {
	if loc, err := time.LoadLocation(t.Municipality.TimeZone); err == nil && t.Municipality.TimeZone != "" {
		return loc
	}
	loc, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		return time.UTC
	}
	return loc
}

// DefaultDigestSettle is how long a newly published item waits for the next issue: an
// item whose transaction was still open when an issue was written is not missed by the
// one after.
const DefaultDigestSettle = time.Minute

// period returns the period of l's next issue written now: from the end of the last
// (or one cadence before the end, for the first) to settle ago.
func period(l *List, now time.Time, loc *time.Location, settle time.Duration) (since, until time.Time) {
	until = now.Add(-settle)
	cadence := Weekly
	if l.Cadence != nil {
		cadence = *l.Cadence
	}
	since = cadence.step(until.In(loc), -1)
	if l.LastAt != nil {
		since = *l.LastAt
	}
	if since.After(until) {
		since = until
	}
	return since, until
}

// DigestKind names the periodic job that writes the digests due.
const DigestKind = "newsletter_digest"

// DigestInterval is how often it runs.
const DigestInterval = 5 * time.Minute

// DigestArgs is the periodic job that writes the digests due.
type DigestArgs struct{}

// Kind names the job.
func (DigestArgs) Kind() string { return DigestKind }

// DigestWorker works the digest jobs.
type DigestWorker struct {
	river.WorkerDefaults[DigestArgs]
	Newsletters *Service
}

// Work writes every digest issue due.
func (w *DigestWorker) Work(ctx context.Context, _ *river.Job[DigestArgs]) error {
	_, err := w.Newsletters.RunDueDigests(ctx)
	return err
}

// RunDueDigests writes the issue of every digest list of every municipality that is due,
// each in a transaction of its own, moves each list's next issue on by its cadence, and
// returns how many issues had recipients.
func (s *Service) RunDueDigests(ctx context.Context) (int, error) {
	sent := 0
	for {
		var found bool
		err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
			l := new(List)
			err := tx.NewSelect().Model(l).Where("l.digest_cadence IS NOT NULL AND l.digest_next_at <= ?", s.now()).
				OrderExpr("l.digest_next_at").Limit(1).For("UPDATE SKIP LOCKED").Scan(ctx)
			if errors.Is(err, sql.ErrNoRows) {
				return nil
			}
			if err != nil {
				return database.MapError(err, "find due digests", "list")
			}
			found = true
			c, _, err := s.writeIssue(ctx, tx, l, true)
			if c != nil {
				sent++
			}
			return err
		})
		if err != nil || !found {
			return sent, err
		}
	}
}

// SendDigest writes the next issue of digest list gid now (ADMIN, EDITOR) and returns it
// and its recipients; nil and 0 when nobody has anything new. The schedule stays; the next
// scheduled issue takes what comes after this one. Errors: UNAUTHENTICATED, FORBIDDEN,
// NOT_FOUND, BAD_USER_INPUT naming "list" for a list that is no digest.
func (s *Service) SendDigest(ctx context.Context, gid string) (*Campaign, int, error) {
	t, v, err := requireEditor(ctx)
	if err != nil {
		return nil, 0, err
	}
	id, err := relay.ParseTypedID(gid, "NewsletterList", "list")
	if err != nil {
		return nil, 0, err
	}
	var c *Campaign
	var n int
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		l := new(List)
		err := tx.NewSelect().Model(l).Where("l.municipality_id = ? AND l.id = ?", t.ID(), id).For("UPDATE").Scan(ctx)
		if err != nil {
			return database.MapError(err, "find newsletter list", "list")
		}
		if l.Cadence == nil {
			return apperr.Invalid("list", "NewsletterNotDigest", nil)
		}
		if c, n, err = s.writeIssue(ctx, tx, l, false); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
			Action: "send_newsletter_digest", ItemType: "NewsletterList", ItemID: &l.ID})
	})
	if err != nil || c == nil {
		return nil, 0, err
	}
	c, err = findCampaign(ctx, s.db, t.ID(), c.ID, "list", false)
	return c, n, err
}

// writeIssue writes l's next issue in tx: its period ends now (less DigestSettle), the
// list remembers it (and, when scheduled, moves its next issue on), and when anyone has
// something new a campaign with the period, their deliveries and the send jobs are
// written. It returns the campaign and how many recipients it has; nil when nobody had
// anything new.
func (s *Service) writeIssue(ctx context.Context, tx bun.Tx, l *List, scheduled bool) (*Campaign, int, error) {
	c, ids, err := s.issueOf(ctx, tx, l, scheduled)
	if err != nil || c == nil {
		return nil, 0, err
	}
	if _, err := tx.NewInsert().Model(c).ExcludeColumn("created_at", "updated_at").Exec(ctx); err != nil {
		return nil, 0, database.MapError(err, "record digest issue", "list")
	}
	_, err = tx.NewRaw(`INSERT INTO newsletter_deliveries (campaign_id, subscriber_id, municipality_id)
		SELECT ?, unnest(?::uuid[]), ?`, c.ID, pgdialect.Array(ids), c.MunicipalityID).Exec(ctx)
	if err != nil {
		return nil, 0, database.MapError(err, "write digest deliveries", "list")
	}
	rate, err := sendingRate(ctx, tx, c.MunicipalityID)
	if err != nil {
		return nil, 0, err
	}
	_, err = jobs.InsertManyTx(ctx, tx, sendJobs(c, ids, rate, *c.StartedAt))
	return c, len(ids), err
}

// issueOf moves l on past its next issue and returns that issue's campaign (not written
// yet) and recipients; nil when nobody has anything new.
func (s *Service) issueOf(ctx context.Context, tx bun.IDB, l *List, scheduled bool) (*Campaign, []uuid.UUID, error) {
	t, err := loadTenant(ctx, tx, l.MunicipalityID)
	if err != nil {
		return nil, nil, err
	}
	now, loc := s.now(), locationOf(t)
	since, until := period(l, now, loc, s.DigestSettle)
	q := tx.NewUpdate().Model(l).Set("digest_last_at = ?, updated_at = now()", until).WherePK()
	if scheduled {
		q = q.Set("digest_next_at = ?", l.Cadence.nextAfter(*l.NextAt, now, loc))
	}
	if _, err := q.Exec(ctx); err != nil {
		return nil, nil, database.MapError(err, "move digest on", "list")
	}
	dg, err := s.loadDigest(ctx, tx, t, l, since, until, now)
	if err != nil {
		return nil, nil, err
	}
	ids, err := digestRecipients(ctx, tx, l, dg)
	if err != nil || len(ids) == 0 {
		return nil, nil, err
	}
	return &Campaign{ID: uuid.Must(uuid.NewV7()), MunicipalityID: l.MunicipalityID, ListID: l.ID,
		Status: CampaignSending, StartedAt: &now, DigestSince: &since, DigestUntil: &until, Interests: noInterests(),
	}, ids, nil
}

// noInterests returns interests with none picked, as the database keeps them (empty, not null).
func noInterests() Interests {
	return Interests{CategoryIDs: []uuid.UUID{}, NeighbourhoodIDs: []uuid.UUID{}, AgeGroups: []portal.TargetGroup{}}
}

// digestRecipients returns the confirmed subscribers of l who have an item of dg for their
// interests.
func digestRecipients(ctx context.Context, tx bun.IDB, l *List, dg *digest) ([]uuid.UUID, error) {
	if len(dg.items) == 0 {
		return nil, nil
	}
	var subs []*Subscriber
	err := tx.NewSelect().Model(&subs).Column("s.id", "s.category_ids", "s.neighbourhood_ids", "s.age_groups").
		Where("s.list_id = ? AND s.status = 'CONFIRMED'", l.ID).Order("s.id").Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find digest subscribers", "list")
	}
	var ids []uuid.UUID
	for _, sub := range subs {
		if len(dg.itemsFor(sub.Interests)) > 0 {
			ids = append(ids, sub.ID)
		}
	}
	return ids, nil
}

// loadTenant returns municipality mid with its locales, as a request would resolve it.
func loadTenant(ctx context.Context, db bun.IDB, mid uuid.UUID) (*tenant.Tenant, error) {
	t := &tenant.Tenant{Municipality: new(tenant.Municipality)}
	if err := db.NewSelect().Model(t.Municipality).Where("id = ?", mid).Scan(ctx); err != nil {
		return nil, database.MapError(err, "find municipality", "list")
	}
	err := db.NewSelect().Model(&t.Locales).Where("municipality_id = ?", mid).Order("sort_order", "code").Scan(ctx)
	return t, database.MapError(err, "find locales", "list")
}

// DigestPeriod is the period a digest's issue took its items from.
type DigestPeriod struct {
	Since, Until time.Time
}

// Period returns the period of a digest's issue; nil for a campaign written by hand.
func (c *Campaign) Period() *DigestPeriod {
	if c.DigestSince == nil || c.DigestUntil == nil {
		return nil
	}
	return &DigestPeriod{Since: *c.DigestSince, Until: *c.DigestUntil}
}
