package newsletter

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/content"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/jobs"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/tenant"
)

// CampaignStatus is where a campaign stands.
type CampaignStatus string

// The campaign statuses.
const (
	CampaignDraft     CampaignStatus = "DRAFT"
	CampaignScheduled CampaignStatus = "SCHEDULED"
	CampaignSending   CampaignStatus = "SENDING"
	CampaignSent      CampaignStatus = "SENT"
)

// Campaign is one issue of a list: a subject and a rich-text body per language, sent to
// the list's confirmed subscribers with the interests targeted.
type Campaign struct {
	bun.BaseModel `bun:"table:newsletter_campaigns,alias:c"`

	ID             uuid.UUID      `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID      `bun:"municipality_id,type:uuid"`
	ListID         uuid.UUID      `bun:"list_id,type:uuid"`
	Status         CampaignStatus `bun:"status"`
	Interests
	ScheduledAt  *time.Time `bun:"scheduled_at"`
	StartedAt    *time.Time `bun:"started_at"`
	FinishedAt   *time.Time `bun:"finished_at"`
	Unsubscribed int        `bun:"unsubscribed"`
	// DigestSince and DigestUntil are a digest's issue's period (nil: written by hand).
	DigestSince *time.Time `bun:"digest_since"`
	DigestUntil *time.Time `bun:"digest_until"`
	CreatedAt   time.Time  `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt   time.Time  `bun:"updated_at,nullzero,notnull,default:current_timestamp"`

	Texts []*CampaignText `bun:"-"`
}

// GlobalID returns the campaign's global ID.
func (c *Campaign) GlobalID() string { return relay.GlobalID("NewsletterCampaign", c.ID) }

// IsNode marks Campaign as a Node.
func (*Campaign) IsNode() {}

// ListGlobalID returns the list's global ID.
func (c *Campaign) ListGlobalID() string { return relay.GlobalID("NewsletterList", c.ListID) }

// TargetInterests returns the interests targeted (none: every subscriber).
func (c *Campaign) TargetInterests() Interests { return c.Interests }

// text returns the text in locale, else in def, else any; nil without texts.
func (c *Campaign) text(locale, def string) *CampaignText {
	var fallback *CampaignText
	for _, x := range c.Texts {
		if x.Locale == locale {
			return x
		}
		if x.Locale == def || fallback == nil {
			fallback = x
		}
	}
	return fallback
}

// CampaignText is one language's subject and body of a campaign.
type CampaignText struct {
	bun.BaseModel `bun:"table:newsletter_campaign_translations"`

	CampaignID     uuid.UUID       `bun:"campaign_id,pk,type:uuid"`
	MunicipalityID uuid.UUID       `bun:"municipality_id,type:uuid"`
	Locale         string          `bun:"locale,pk"`
	Subject        string          `bun:"subject"`
	BodyJSON       json.RawMessage `bun:"body,type:jsonb"`
	BodyHTML       string          `bun:"body_html"`
	BodyText       string          `bun:"body_text"`
}

// Body returns the body served three ways.
func (x *CampaignText) Body() *content.RichText {
	return &content.RichText{JSON: portal.RawJSON(x.BodyJSON), HTML: x.BodyHTML, PlainText: x.BodyText}
}

// CampaignCounts are how a campaign's sending went, and what came back: hard bounces and
// complaints read from the returned mail, and unsubscriptions through its links.
type CampaignCounts struct {
	Recipients, Pending, Sent, Failed, Skipped, Unsubscribed int
	Bounced, Complained                                      int
}

// CampaignInput is a campaign to create, or the fields to change (nil: unchanged).
type CampaignInput struct {
	ID        string
	ListID    string
	Interests *InterestsInput
	// Texts replace the languages given.
	Texts []CampaignTextInput
}

// CampaignTextInput is one language's subject and body (the body in one of the forms pages take).
type CampaignTextInput struct {
	Locale  string
	Subject string
	Body    content.BodyInput
}

// FindCampaigns returns the campaigns of a list (nil: every list), newest first, for ADMIN
// and EDITOR. Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT naming "list".
func (s *Service) FindCampaigns(ctx context.Context, listGID *string) ([]*Campaign, error) {
	t, _, err := requireEditor(ctx)
	if err != nil {
		return nil, err
	}
	var cs []*Campaign
	q := s.db.NewSelect().Model(&cs).Where("c.municipality_id = ?", t.ID())
	if listGID != nil {
		id, err := relay.ParseTypedID(*listGID, "NewsletterList", "list")
		if err != nil {
			return nil, err
		}
		q = q.Where("c.list_id = ?", id)
	}
	if err := q.Order("c.id DESC").Limit(200).Scan(ctx); err != nil {
		return nil, database.MapError(err, "find campaigns", "list")
	}
	return cs, loadCampaignTexts(ctx, s.db, cs...)
}

// FindCampaignByID returns campaign id with its texts, for ADMIN and EDITOR. Errors:
// UNAUTHENTICATED, FORBIDDEN, NOT_FOUND.
func (s *Service) FindCampaignByID(ctx context.Context, id uuid.UUID) (*Campaign, error) {
	t, _, err := requireEditor(ctx)
	if err != nil {
		return nil, err
	}
	return findCampaign(ctx, s.db, t.ID(), id, "id", false)
}

// findCampaign returns campaign id of municipality mid with its texts. Errors: NOT_FOUND
// naming field.
func findCampaign(ctx context.Context, db bun.IDB, mid, id uuid.UUID, field string, lock bool) (*Campaign, error) {
	c := new(Campaign)
	q := db.NewSelect().Model(c).Where("c.municipality_id = ? AND c.id = ?", mid, id)
	if lock {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, database.MapError(err, "find campaign", field)
	}
	return c, loadCampaignTexts(ctx, db, c)
}

// loadCampaignTexts sets the campaigns' texts.
func loadCampaignTexts(ctx context.Context, db bun.IDB, cs ...*Campaign) error {
	if len(cs) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(cs))
	byID := map[uuid.UUID]*Campaign{}
	for i, c := range cs {
		ids[i], byID[c.ID] = c.ID, c
	}
	var texts []*CampaignText
	if err := db.NewSelect().Model(&texts).Where("campaign_id IN (?)", bun.In(ids)).Order("locale").Scan(ctx); err != nil {
		return database.MapError(err, "find campaign texts", "campaign")
	}
	for _, x := range texts {
		byID[x.CampaignID].Texts = append(byID[x.CampaignID].Texts, x)
	}
	return nil
}

// CreateCampaign writes a DRAFT campaign for a list (ADMIN, EDITOR). Errors:
// UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT naming the field.
func (s *Service) CreateCampaign(ctx context.Context, in CampaignInput) (*Campaign, error) {
	t, v, err := requireEditor(ctx)
	if err != nil {
		return nil, err
	}
	listID, err := relay.ParseTypedID(in.ListID, "NewsletterList", "input.listId")
	if err != nil {
		return nil, err
	}
	if len(in.Texts) == 0 {
		return nil, apperr.Invalid("input.texts", "NewsletterTextsRequired", nil)
	}
	c := &Campaign{ID: uuid.Must(uuid.NewV7()), MunicipalityID: t.ID(), ListID: listID, Status: CampaignDraft}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		l, err := findList(ctx, tx, t.ID(), listID, "input.listId")
		if err != nil {
			return err
		}
		if c.Interests, err = targetOf(in.Interests, l); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(c).ExcludeColumn("created_at", "updated_at").Exec(ctx); err != nil {
			return database.MapError(err, "create campaign", "input")
		}
		if err := saveCampaignTexts(ctx, tx, t, c.ID, in.Texts); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
			Action: "create_newsletter_campaign", ItemType: "NewsletterCampaign", ItemID: &c.ID})
	})
	if err != nil {
		return nil, err
	}
	return findCampaign(ctx, s.db, t.ID(), c.ID, "input.id", false)
}

// targetOf parses the interests a campaign targets, each one list l offers.
func targetOf(in *InterestsInput, l *List) (Interests, error) {
	ints, err := in.parse("input.interests")
	if err != nil {
		return ints, err
	}
	if !ints.within(l.Interests) {
		return ints, apperr.Invalid("input.interests", "NewsletterInterestInvalid", nil)
	}
	return ints, nil
}

// UpdateCampaign changes a DRAFT campaign (ADMIN, EDITOR); a scheduled one is cancelled
// first. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT naming the field.
func (s *Service) UpdateCampaign(ctx context.Context, in CampaignInput) (*Campaign, error) {
	t, v, err := requireEditor(ctx)
	if err != nil {
		return nil, err
	}
	id, err := relay.ParseTypedID(in.ID, "NewsletterCampaign", "input.id")
	if err != nil {
		return nil, err
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		c, err := findCampaign(ctx, tx, t.ID(), id, "input.id", true)
		if err != nil {
			return err
		}
		if c.Status != CampaignDraft {
			return apperr.Invalid("input.id", "NewsletterCampaignNotDraft", nil)
		}
		if in.Interests != nil {
			l, err := findList(ctx, tx, t.ID(), c.ListID, "input.id")
			if err != nil {
				return err
			}
			if c.Interests, err = targetOf(in.Interests, l); err != nil {
				return err
			}
		}
		_, err = tx.NewUpdate().Model(c).Column("category_ids", "neighbourhood_ids", "age_groups").
			Set("updated_at = now()").WherePK().Exec(ctx)
		if err != nil {
			return database.MapError(err, "update campaign", "input")
		}
		if err := saveCampaignTexts(ctx, tx, t, c.ID, in.Texts); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
			Action: "update_newsletter_campaign", ItemType: "NewsletterCampaign", ItemID: &c.ID})
	})
	if err != nil {
		return nil, err
	}
	return findCampaign(ctx, s.db, t.ID(), id, "input.id", false)
}

// saveCampaignTexts writes the languages given of campaign id, each body as pages' are.
func saveCampaignTexts(ctx context.Context, tx bun.IDB, t *tenant.Tenant, id uuid.UUID,
	texts []CampaignTextInput,
) error {
	for _, x := range texts {
		if err := t.CheckEnabled(x.Locale, "input.texts.locale"); err != nil {
			return err
		}
		subject := strings.TrimSpace(x.Subject)
		if subject == "" || len(subject) > 300 || strings.ContainsAny(subject, "\r\n") {
			return apperr.Invalid("input.texts.subject", "NewsletterSubjectInvalid", nil)
		}
		x.Body.JSONField, x.Body.HTMLField, x.Body.MarkdownField = "input.texts.body", "input.texts.bodyHtml",
			"input.texts.bodyMarkdown"
		body, err := content.PrepareBody(ctx, tx, t.ID(), x.Body)
		if err != nil {
			return err
		}
		if body == nil {
			return apperr.Invalid("input.texts.body", "NewsletterBodyRequired", nil)
		}
		row := &CampaignText{CampaignID: id, MunicipalityID: t.ID(), Locale: x.Locale, Subject: subject,
			BodyJSON: json.RawMessage(body.JSON), BodyHTML: body.HTML, BodyText: body.PlainText}
		_, err = tx.NewInsert().Model(row).On("CONFLICT (campaign_id, locale) DO UPDATE").
			Set("subject = EXCLUDED.subject, body = EXCLUDED.body, body_html = EXCLUDED.body_html").
			Set("body_text = EXCLUDED.body_text").Exec(ctx)
		if err != nil {
			return database.MapError(err, "save campaign text", "input.texts")
		}
	}
	return nil
}

// ScheduleCampaign schedules a DRAFT campaign to be sent at at (nil: now), for ADMIN and
// EDITOR: at that time a job queues one send per recipient, paced by the municipality's
// rate. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT naming the field.
func (s *Service) ScheduleCampaign(ctx context.Context, gid string, at *time.Time) (*Campaign, error) {
	t, v, err := requireEditor(ctx)
	if err != nil {
		return nil, err
	}
	id, err := relay.ParseTypedID(gid, "NewsletterCampaign", "id")
	if err != nil {
		return nil, err
	}
	when := s.now()
	if at != nil {
		if at.Before(when.Add(-time.Minute)) {
			return nil, apperr.Invalid("at", "NewsletterScheduleInPast", nil)
		}
		when = *at
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		c, err := findCampaign(ctx, tx, t.ID(), id, "id", true)
		if err != nil {
			return err
		}
		if c.Status != CampaignDraft {
			return apperr.Invalid("id", "NewsletterCampaignNotDraft", nil)
		}
		_, err = tx.NewUpdate().Model(c).Set("status = 'SCHEDULED', scheduled_at = ?, updated_at = now()", when).
			WherePK().Exec(ctx)
		if err != nil {
			return database.MapError(err, "schedule campaign", "id")
		}
		args := QueueArgs{MunicipalityID: t.ID(), CampaignID: c.ID}
		_, err = jobs.InsertTx(ctx, tx, args, &river.InsertOpts{ScheduledAt: when})
		if err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
			Action: "schedule_newsletter_campaign", ItemType: "NewsletterCampaign", ItemID: &c.ID})
	})
	if err != nil {
		return nil, err
	}
	return findCampaign(ctx, s.db, t.ID(), id, "id", false)
}

// UnscheduleCampaign turns a SCHEDULED campaign back into a DRAFT before it starts
// (ADMIN, EDITOR); its job then finds nothing to do. Errors: UNAUTHENTICATED, FORBIDDEN,
// NOT_FOUND, BAD_USER_INPUT naming "id" once sending started.
func (s *Service) UnscheduleCampaign(ctx context.Context, gid string) (*Campaign, error) {
	t, v, err := requireEditor(ctx)
	if err != nil {
		return nil, err
	}
	id, err := relay.ParseTypedID(gid, "NewsletterCampaign", "id")
	if err != nil {
		return nil, err
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		c, err := findCampaign(ctx, tx, t.ID(), id, "id", true)
		if err != nil {
			return err
		}
		if c.Status != CampaignScheduled {
			return apperr.Invalid("id", "NewsletterCampaignNotScheduled", nil)
		}
		_, err = tx.NewUpdate().Model(c).Set("status = 'DRAFT', scheduled_at = NULL, updated_at = now()").
			WherePK().Exec(ctx)
		if err != nil {
			return database.MapError(err, "unschedule campaign", "id")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
			Action: "unschedule_newsletter_campaign", ItemType: "NewsletterCampaign", ItemID: &c.ID})
	})
	if err != nil {
		return nil, err
	}
	return findCampaign(ctx, s.db, t.ID(), id, "id", false)
}

// Counts returns how campaign c's sending went, for ADMIN and EDITOR. Errors:
// UNAUTHENTICATED, FORBIDDEN.
func (s *Service) Counts(ctx context.Context, c *Campaign) (*CampaignCounts, error) {
	if _, _, err := requireEditor(ctx); err != nil {
		return nil, err
	}
	var rows []struct {
		Status   string  `bun:"status"`
		Returned *string `bun:"returned"`
		N        int     `bun:"n"`
	}
	err := s.db.NewSelect().TableExpr("newsletter_deliveries").ColumnExpr("status, returned, count(*) AS n").
		Where("campaign_id = ?", c.ID).Group("status", "returned").Scan(ctx, &rows)
	if err != nil {
		return nil, database.MapError(err, "count deliveries", "campaign")
	}
	out := &CampaignCounts{Unsubscribed: c.Unsubscribed}
	for _, r := range rows {
		out.Recipients += r.N
		switch r.Status {
		case "PENDING":
			out.Pending += r.N
		case "SENT":
			out.Sent += r.N
		case "FAILED":
			out.Failed += r.N
		case "SKIPPED":
			out.Skipped += r.N
		}
		if r.Returned != nil && *r.Returned == "BOUNCED" {
			out.Bounced += r.N
		} else if r.Returned != nil && *r.Returned == "COMPLAINED" {
			out.Complained += r.N
		}
	}
	return out, nil
}

// Settings are a municipality's newsletter settings.
type Settings struct {
	// SendRatePerMinute is how many list e-mails are sent per minute.
	SendRatePerMinute int `bun:"newsletter_rate_per_minute"`
}

// FindSettings returns the municipality's newsletter settings (ADMIN, EDITOR). Errors:
// UNAUTHENTICATED, FORBIDDEN.
func (s *Service) FindSettings(ctx context.Context) (*Settings, error) {
	t, _, err := requireEditor(ctx)
	if err != nil {
		return nil, err
	}
	out := new(Settings)
	err = s.db.NewSelect().TableExpr("municipalities").Column("newsletter_rate_per_minute").
		Where("id = ?", t.ID()).Scan(ctx, out)
	return out, database.MapError(err, "find newsletter settings", "settings")
}

// MaxRate bounds the sending rate per minute.
const MaxRate = 100000

// UpdateSettings changes the municipality's newsletter settings (ADMIN). Errors:
// UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT naming the field.
func (s *Service) UpdateSettings(ctx context.Context, rate int) (*Settings, error) {
	t, v, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	if rate < 1 || rate > MaxRate {
		return nil, apperr.Invalid("input.sendRatePerMinute", "NewsletterRateInvalid", map[string]any{"Max": MaxRate})
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().TableExpr("municipalities").Set("newsletter_rate_per_minute = ?", rate).
			Where("id = ?", t.ID()).Exec(ctx)
		if err != nil {
			return database.MapError(err, "update newsletter settings", "input")
		}
		mid := t.ID()
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: mid, ActorID: &v.User.ID,
			Action: "update_newsletter_settings", ItemType: "Municipality", ItemID: &mid})
	})
	if err != nil {
		return nil, err
	}
	return &Settings{SendRatePerMinute: rate}, nil
}
