package newsletter

import (
	"context"
	"fmt"
	"html"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	fmail "github.com/fritid/fritid/internal/mail"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/jobs"
	"github.com/fritid/fritid/internal/platform/relay"
)

// Sending a campaign takes two kinds of jobs. At the scheduled time, the queue job writes
// one delivery row per recipient (the list's confirmed subscribers with a targeted
// interest, or all when none is targeted) in one statement, and inserts the send jobs in
// one more, each for a batch of recipients and scheduled so that the batches keep the
// municipality's rate. A send job renders the issue in each recipient's language, with
// that recipient's unsubscribe headers, and marks each delivery SENT; a recipient who left
// in between is SKIPPED, and one whose delivery fails on the job's last attempt FAILED.

// QueueKind and SendKind name the jobs.
const (
	QueueKind = "newsletter_queue"
	SendKind  = "newsletter_send"
)

// QueueArgs is the job that queues a scheduled campaign's sends.
type QueueArgs struct {
	MunicipalityID uuid.UUID `json:"municipality_id"`
	CampaignID     uuid.UUID `json:"campaign_id"`
}

// Kind names the job.
func (QueueArgs) Kind() string { return QueueKind }

// SendArgs is the job that sends a campaign to a batch of subscribers, or as a test to
// one user.
type SendArgs struct {
	MunicipalityID uuid.UUID   `json:"municipality_id"`
	CampaignID     uuid.UUID   `json:"campaign_id"`
	SubscriberIDs  []uuid.UUID `json:"subscriber_ids,omitempty"`
	TestUserID     *uuid.UUID  `json:"test_user_id,omitempty"`
	TestLocale     string      `json:"test_locale,omitempty"`
}

// Kind names the job.
func (SendArgs) Kind() string { return SendKind }

// sendAttempts is how often a batch is tried before its unsent recipients count as FAILED.
const sendAttempts = 5

// InsertOpts gives send jobs their attempts.
func (SendArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: sendAttempts} }

// maxBatch is the most recipients one send job has.
const maxBatch = 100

// CleanupKind names the periodic job that erases unconfirmed subscriptions.
const CleanupKind = "newsletter_cleanup"

// CleanupInterval is how often it runs.
const CleanupInterval = time.Hour

// CleanupArgs is the periodic job that erases unconfirmed subscriptions.
type CleanupArgs struct{}

// Kind names the job.
func (CleanupArgs) Kind() string { return CleanupKind }

// CleanupWorker works the cleanup jobs.
type CleanupWorker struct {
	river.WorkerDefaults[CleanupArgs]
	Newsletters *Service
}

// Work erases the subscriptions left unconfirmed, and brings the provider lists that keep
// themselves in line with the data.
func (w *CleanupWorker) Work(ctx context.Context, _ *river.Job[CleanupArgs]) error {
	if _, err := w.Newsletters.ErasePending(ctx); err != nil {
		return err
	}
	return w.Newsletters.SyncKeptLists(ctx)
}

// QueueWorker works the queue jobs.
type QueueWorker struct {
	river.WorkerDefaults[QueueArgs]
	Newsletters *Service
}

// Work queues the campaign's sends, once: a campaign no longer SCHEDULED is left alone.
func (w *QueueWorker) Work(ctx context.Context, job *river.Job[QueueArgs]) error {
	_, err := w.Newsletters.queue(ctx, job.Args.MunicipalityID, job.Args.CampaignID)
	return err
}

// queue writes the deliveries and send jobs of a SCHEDULED campaign, marks it SENDING and
// returns how many recipients it has. A provider list that keeps itself is brought in line
// with the data first, so the campaign reaches the organisations published by then.
func (s *Service) queue(ctx context.Context, mid, id uuid.UUID) (int, error) {
	var n int
	err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		c, err := findCampaign(ctx, tx, mid, id, "campaign", true)
		if err != nil || c.Status != CampaignScheduled {
			return err
		}
		if err := s.syncKept(ctx, tx, mid, c.ListID); err != nil {
			return err
		}
		ids, err := writeDeliveries(ctx, tx, c)
		if err != nil {
			return err
		}
		n = len(ids)
		rate, err := sendingRate(ctx, tx, mid)
		if err != nil {
			return err
		}
		if _, err := jobs.InsertManyTx(ctx, tx, sendJobs(c, ids, rate, s.now())); err != nil {
			return err
		}
		status := CampaignSending
		if n == 0 {
			status = CampaignSent
		}
		_, err = tx.NewUpdate().Model(c).Set("status = ?, started_at = ?, updated_at = now()", status, s.now()).
			Set("finished_at = CASE WHEN ? THEN now() END", n == 0).WherePK().Exec(ctx)
		return database.MapError(err, "start campaign", "campaign")
	})
	return n, err
}

// sendingRate returns how many list e-mails municipality mid sends per minute.
func sendingRate(ctx context.Context, db bun.IDB, mid uuid.UUID) (int, error) {
	var rate int
	err := db.NewSelect().TableExpr("municipalities").Column("newsletter_rate_per_minute").
		Where("id = ?", mid).Scan(ctx, &rate)
	return rate, database.MapError(err, "find sending rate", "campaign")
}

// writeDeliveries writes a PENDING delivery for each recipient of c and returns their ids.
func writeDeliveries(ctx context.Context, tx bun.IDB, c *Campaign) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	q := tx.NewSelect().TableExpr("newsletter_subscribers AS s").
		ColumnExpr("?, s.id, s.municipality_id", c.ID).
		Where("s.municipality_id = ? AND s.list_id = ? AND s.status = 'CONFIRMED'", c.MunicipalityID, c.ListID)
	if len(c.CategoryIDs)+len(c.NeighbourhoodIDs)+len(c.AgeGroups) > 0 {
		// A subscriber who picked no interest gets everything of the list.
		q = q.Where(`(cardinality(s.category_ids) + cardinality(s.neighbourhood_ids) + cardinality(s.age_groups) = 0
			OR s.category_ids && ? OR s.neighbourhood_ids && ? OR s.age_groups && ?::text[])`,
			pgdialect.Array(c.CategoryIDs), pgdialect.Array(c.NeighbourhoodIDs), pgdialect.Array(c.AgeGroups))
	}
	// Written first and read back after: cheaper than RETURNING 50,000 rows through the insert.
	_, err := tx.NewRaw(`INSERT INTO newsletter_deliveries (campaign_id, subscriber_id, municipality_id) ?
		ON CONFLICT DO NOTHING`, q).Exec(ctx)
	if err != nil {
		return nil, database.MapError(err, "write deliveries", "campaign")
	}
	err = tx.NewSelect().TableExpr("newsletter_deliveries").Column("subscriber_id").
		Where("campaign_id = ? AND status = 'PENDING'", c.ID).Scan(ctx, &ids)
	return ids, database.MapError(err, "read deliveries", "campaign")
}

// sendJobs returns the send jobs of ids in batches, the i-th batch scheduled at
// start + i × batch ÷ rate minutes.
func sendJobs(c *Campaign, ids []uuid.UUID, rate int, start time.Time) []river.InsertManyParams {
	batch := min(maxBatch, max(rate, 1))
	step := time.Duration(float64(batch) / float64(max(rate, 1)) * float64(time.Minute))
	var out []river.InsertManyParams
	for i := 0; i < len(ids); i += batch {
		chunk := ids[i:min(i+batch, len(ids))]
		out = append(out, river.InsertManyParams{
			Args: SendArgs{MunicipalityID: c.MunicipalityID, CampaignID: c.ID, SubscriberIDs: chunk},
			InsertOpts: &river.InsertOpts{MaxAttempts: sendAttempts,
				ScheduledAt: start.Add(time.Duration(i/batch) * step)},
		})
	}
	return out
}

// SendWorker works the send jobs.
type SendWorker struct {
	river.WorkerDefaults[SendArgs]
	Newsletters *Service
	Log         *slog.Logger
}

// Timeout bounds one batch.
func (w *SendWorker) Timeout(*river.Job[SendArgs]) time.Duration { return 10 * time.Minute }

// Work sends the job's batch (or test).
func (w *SendWorker) Work(ctx context.Context, job *river.Job[SendArgs]) error {
	s, a := w.Newsletters, job.Args
	c, err := findCampaign(ctx, s.db, a.MunicipalityID, a.CampaignID, "campaign", false)
	if err != nil {
		if apperr.As(err) != nil && apperr.As(err).Code == apperr.NotFound {
			return nil // the campaign (or its list) was deleted
		}
		return err
	}
	m, err := s.municipalityOf(ctx, a.MunicipalityID)
	if err != nil {
		return err
	}
	if a.TestUserID != nil {
		return s.sendTest(ctx, c, m, *a.TestUserID, a.TestLocale)
	}
	var dg *digest
	if c.Period() != nil { // a digest's issue: its items, read once for the batch
		if dg, err = s.issueDigest(ctx, c); err != nil {
			return err
		}
	}
	last := job.Attempt >= job.MaxAttempts
	for _, id := range a.SubscriberIDs {
		if err := s.sendOne(ctx, c, dg, m, id, last); err != nil {
			w.Log.WarnContext(ctx, "newsletter delivery failed", "campaign", c.ID, "job", job.ID, "err", err)
			return err
		}
	}
	return s.finish(ctx, c)
}

// municipality is what a list e-mail says of its municipality.
type municipality struct {
	Name          string `bun:"name"`
	DefaultLocale string `bun:"default_locale"`
}

func (s *Service) municipalityOf(ctx context.Context, mid uuid.UUID) (*municipality, error) {
	m := new(municipality)
	err := s.db.NewSelect().TableExpr("municipalities").Column("name", "default_locale").Where("id = ?", mid).
		Scan(ctx, m)
	return m, database.MapError(err, "find municipality", "campaign")
}

// sendOne sends c to subscriber id unless it went already, marking its delivery; a
// digest's issue (dg) carries the subscriber's own items, and one with none left is
// SKIPPED. On the last attempt a failure is marked FAILED instead of returned.
func (s *Service) sendOne(ctx context.Context, c *Campaign, dg *digest, m *municipality, id uuid.UUID, last bool) error {
	var d struct {
		Number int64   `bun:"number"`
		Status string  `bun:"status"`
		Email  *string `bun:"email"`
		Locale *string `bun:"locale"`
		Source Source  `bun:"consent_source"`
		Interests
	}
	err := s.db.NewSelect().TableExpr("newsletter_deliveries AS d").ColumnExpr("d.number, d.status, s.email, s.locale").
		ColumnExpr("s.consent_source, s.category_ids, s.neighbourhood_ids, s.age_groups").
		Join("LEFT JOIN newsletter_subscribers AS s ON s.id = d.subscriber_id AND s.status = 'CONFIRMED'").
		Where("d.campaign_id = ? AND d.subscriber_id = ?", c.ID, id).Scan(ctx, &d)
	if err != nil {
		return database.MapError(err, "find delivery", "campaign")
	}
	if d.Status != "PENDING" {
		return nil
	}
	issue := c
	if d.Email != nil && dg != nil {
		issue = s.digestIssue(c, dg, *d.Locale, d.Interests)
	}
	if d.Email == nil || issue == nil {
		return s.markDelivery(ctx, c.ID, id, "SKIPPED")
	}
	env := s.render(issue, m, *d.Locale, d.Source, s.recipientLinks(c.MunicipalityID, id, c.ID, d.Number))
	env.To = *d.Email
	if path, tok := s.returnPath(returnToken{kind: kindBounce, delivery: d.Number}); path != "" {
		env.ReturnPath, env.Headers[DeliveryHeader] = path, tok
	}
	if err := s.Transport.Send(ctx, env); err != nil {
		if last {
			return s.markDelivery(ctx, c.ID, id, "FAILED")
		}
		return fmt.Errorf("send: %s", strings.ReplaceAll(err.Error(), *d.Email, fmail.Mask(*d.Email)))
	}
	return s.markDelivery(ctx, c.ID, id, "SENT")
}

// links are the links of one recipient's list e-mail.
type links struct {
	// Unsubscribe is the one-click URL, Preferences the preferences page's.
	Unsubscribe, Preferences string
	// Mailto is the mailto: unsubscribe URI; empty without a bounce address.
	Mailto string
}

// recipientLinks returns the links of subscriber id's e-mail of campaign, delivery number.
func (s *Service) recipientLinks(mid, id, campaign uuid.UUID, number int64) links {
	return links{Unsubscribe: s.UnsubscribeURL(mid, id, campaign), Preferences: s.preferencesLink(mid, id),
		Mailto: s.unsubscribeMailto(number)}
}

func (s *Service) markDelivery(ctx context.Context, campaign, id uuid.UUID, status string) error {
	_, err := s.db.NewUpdate().TableExpr("newsletter_deliveries").Set("status = ?", status).
		Where("campaign_id = ? AND subscriber_id = ?", campaign, id).Exec(ctx)
	return database.MapError(err, "mark delivery", "campaign")
}

// finish marks c SENT once none of its deliveries is pending.
func (s *Service) finish(ctx context.Context, c *Campaign) error {
	_, err := s.db.NewUpdate().Model((*Campaign)(nil)).
		Set("status = 'SENT', finished_at = now(), updated_at = now()").
		Where("id = ? AND status = 'SENDING'", c.ID).
		Where("NOT EXISTS (SELECT 1 FROM newsletter_deliveries d WHERE d.campaign_id = ? AND d.status = 'PENDING')",
			c.ID).Exec(ctx)
	return database.MapError(err, "finish campaign", "campaign")
}

// render returns c's e-mail in locale (else the municipality's language, else any) with
// the links and headers of one recipient: RFC 2369 List-Unsubscribe with the https
// one-click URL and, with a bounce address, a mailto: address, and RFC 8058
// List-Unsubscribe-Post. The footer says why the recipient gets it: a subscription, or
// (src Kept) the data of a provider list that keeps itself. No tracking: no pixel, no
// rewritten links.
func (s *Service) render(c *Campaign, m *municipality, locale string, src Source, l links) *fmail.Envelope {
	x := c.text(locale, m.DefaultLocale)
	if x == nil {
		x = &CampaignText{Locale: locale}
	}
	chain := []string{x.Locale, m.DefaultLocale, "nb"}
	data := map[string]any{"Municipality": m.Name, "Unsubscribe": l.Unsubscribe, "Preferences": l.Preferences}
	footerID := "NewsletterFooter"
	if src.Kept() {
		footerID = "NewsletterFooterKept"
	}
	footer := s.Bundle.Localize(chain, footerID, data)
	unsubscribe := "<" + l.Unsubscribe + ">"
	if l.Mailto != "" {
		unsubscribe += ", <" + l.Mailto + ">"
	}
	env := &fmail.Envelope{Subject: x.Subject, Text: x.BodyText + "\n\n-- \n" + footer,
		HTML: `<!DOCTYPE html><html lang="` + html.EscapeString(x.Locale) + `"><body>` + x.BodyHTML +
			`<hr><p style="font-size:small">` + (s.Bundle.Localize(chain, footerID+"Html", map[string]any{
			"Municipality": html.EscapeString(m.Name), "Unsubscribe": html.EscapeString(l.Unsubscribe),
			"Preferences": html.EscapeString(l.Preferences)})) + `</p></body></html>`,
		Headers: map[string]string{"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
			"List-Unsubscribe": unsubscribe}}
	return env
}

// Preview is a campaign as one language's recipients would get it.
type Preview struct {
	Subject, HTML, Text string
	Headers             map[string]string
}

// PreviewCampaign renders campaign gid in locale as a recipient gets it, with example
// links, for ADMIN and EDITOR. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND,
// BAD_USER_INPUT naming the field.
func (s *Service) PreviewCampaign(ctx context.Context, gid, locale string) (*Preview, error) {
	t, _, err := requireEditor(ctx)
	if err != nil {
		return nil, err
	}
	id, err := relay.ParseTypedID(gid, "NewsletterCampaign", "id")
	if err != nil {
		return nil, err
	}
	if err := t.CheckEnabled(locale, "locale"); err != nil {
		return nil, err
	}
	c, err := findCampaign(ctx, s.db, t.ID(), id, "id", false)
	if err != nil {
		return nil, err
	}
	if c, err = s.asSent(ctx, c, locale); err != nil {
		return nil, err
	}
	m := &municipality{Name: t.Municipality.Name, DefaultLocale: t.Municipality.DefaultLocale}
	env := s.render(c, m, locale, SourceForm, s.recipientLinks(t.ID(), uuid.Nil, c.ID, 0))
	return &Preview{Subject: env.Subject, HTML: env.HTML, Text: env.Text, Headers: env.Headers}, nil
}

// SendCampaignTest sends campaign gid in locale to the signed-in editor's own address,
// through the job queue (ADMIN, EDITOR). Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND,
// BAD_USER_INPUT naming the field.
func (s *Service) SendCampaignTest(ctx context.Context, gid, locale string) error {
	t, v, err := requireEditor(ctx)
	if err != nil {
		return err
	}
	id, err := relay.ParseTypedID(gid, "NewsletterCampaign", "id")
	if err != nil {
		return err
	}
	if err := t.CheckEnabled(locale, "locale"); err != nil {
		return err
	}
	return database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if _, err := findCampaign(ctx, tx, t.ID(), id, "id", false); err != nil {
			return err
		}
		uid := v.User.ID
		_, err := jobs.InsertTx(ctx, tx, SendArgs{MunicipalityID: t.ID(), CampaignID: id, TestUserID: &uid,
			TestLocale: locale}, nil)
		if err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &uid,
			Action: "test_newsletter_campaign", ItemType: "NewsletterCampaign", ItemID: &id})
	})
}

// sendTest sends c to user uid, the subject marked as a test; its links lead nowhere.
func (s *Service) sendTest(ctx context.Context, c *Campaign, m *municipality, uid uuid.UUID, locale string) error {
	u := new(auth.User)
	err := s.db.NewSelect().Model(u).Column("email").Where("u.municipality_id = ? AND u.id = ?", c.MunicipalityID, uid).
		Scan(ctx)
	if err != nil {
		return database.MapError(err, "find user", "campaign")
	}
	if c, err = s.asSent(ctx, c, locale); err != nil {
		return err
	}
	env := s.render(c, m, locale, SourceForm, s.recipientLinks(c.MunicipalityID, uuid.Nil, c.ID, 0))
	env.To = u.Email
	env.Subject = "[" + s.Bundle.Localize([]string{locale, "nb"}, "NewsletterTestMark", nil) + "] " + env.Subject
	return s.Transport.Send(ctx, env)
}
