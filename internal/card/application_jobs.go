package card

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/mail"
	"github.com/fritid/fritid/internal/platform/database"
)

// delayBatch is how many overdue applications one run of the delay job notices at most.
const delayBatch = 500

// overdueApplication is an application past its due time without a decision or a notice
// of delay, with what its notice needs.
type overdueApplication struct {
	ID             uuid.UUID  `bun:"id"`
	MunicipalityID uuid.UUID  `bun:"municipality_id"`
	ProgrammeID    uuid.UUID  `bun:"programme_id"`
	SubmittedAt    time.Time  `bun:"submitted_at"`
	ContactEmail   *string    `bun:"contact_email"`
	ApplicantEmail *string    `bun:"applicant_email"`
	Locale         string     `bun:"default_locale"`
	TimeZone       string     `bun:"time_zone"`
	AppealHandler  *uuid.UUID `bun:"appeal_handler"`
}

// SendDelayNotices finds the applications, in every municipality, whose answer was due by
// now (a month after submission or appeal, as forvaltningsloven § 11a asks) without a
// decision (SUBMITTED, IN_REVIEW or APPEALED; one waiting for the applicant's answer is
// not late) and without a notice of delay, e-mails the applicant a notice of delay
// (foreløpig svar) where an address is known (the contact given, or the applying user's),
// and the municipality's card coordinators that it is late, and records the notice
// (delayNoticeAt), once per application. Applications locked by a request are left for
// the next run. It returns how many were noticed.
func (s *Service) SendDelayNotices(ctx context.Context, now time.Time) (int, error) {
	n := 0
	err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		var due []*overdueApplication
		err := tx.NewSelect().TableExpr("card_applications AS ca").
			Join("JOIN municipalities m ON m.id = ca.municipality_id").
			Join("LEFT JOIN users u ON u.id = ca.applicant_id").
			ColumnExpr("ca.id, ca.municipality_id, ca.programme_id, ca.submitted_at, ca.contact_email, ca.appeal_handler").
			ColumnExpr("u.email AS applicant_email, m.default_locale, m.time_zone").
			Where("ca.status IN ('SUBMITTED', 'IN_REVIEW', 'APPEALED') AND ca.delay_notice_at IS NULL").
			Where("ca.due_at <= ?", now).
			OrderExpr("ca.due_at, ca.id").
			Limit(delayBatch).
			For("UPDATE OF ca SKIP LOCKED").
			Scan(ctx, &due)
		if err != nil {
			return database.MapError(err, "find overdue applications", "application")
		}
		for _, a := range due {
			if err := s.noticeDelay(ctx, tx, a, now); err != nil {
				return err
			}
		}
		n = len(due)
		return nil
	})
	return n, err
}

// noticeDelay sends and records the notice of delay of one overdue application.
func (s *Service) noticeDelay(ctx context.Context, tx bun.Tx, a *overdueApplication, now time.Time) error {
	var name string
	err := tx.NewSelect().Table("card_programme_translations").Column("name").Where("programme_id = ?", a.ProgrammeID).
		OrderExpr("locale = ? DESC, locale", a.Locale).
		Limit(1).
		Scan(ctx, &name)
	if err != nil {
		return database.MapError(err, "find programme name", "programme")
	}
	data := map[string]any{"Programme": name, "Submitted": localDate(a.SubmittedAt, a.TimeZone),
		"Expected": localDate(now.AddDate(0, answerMonths, 0), a.TimeZone), "Link": s.PublicURL}
	to := a.ContactEmail
	if to == nil {
		to = a.ApplicantEmail
	}
	if to != nil {
		m := &mail.Message{MunicipalityID: a.MunicipalityID, Template: "CardApplicationDelay", To: *to, Locale: a.Locale,
			Data: data}
		if err := mail.Enqueue(ctx, tx, m); err != nil {
			return err
		}
	}
	var staff []string
	err = tx.NewSelect().TableExpr("municipal_roles r").Join("JOIN users u ON u.id = r.user_id").ColumnExpr("u.email").
		Where("r.municipality_id = ? AND r.role = ? AND u.disabled_at IS NULL", a.MunicipalityID, auth.RoleCardCoordinator).
		OrderExpr("u.email").
		Scan(ctx, &staff)
	if err != nil {
		return database.MapError(err, "find coordinators", "user")
	}
	for _, email := range staff {
		m := &mail.Message{MunicipalityID: a.MunicipalityID, Template: "CardApplicationOverdue", To: email,
			Locale: a.Locale, Data: data}
		if err := mail.Enqueue(ctx, tx, m); err != nil {
			return err
		}
	}
	if _, err := tx.NewUpdate().Table("card_applications").Set("delay_notice_at = ?", now).Where("id = ?", a.ID).
		Exec(ctx); err != nil {
		return database.MapError(err, "record delay notice", "application")
	}
	return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: a.MunicipalityID, Action: "notice_card_application_delay",
		ItemType: "CardApplication", ItemID: &a.ID, Fields: []string{"delayNoticeAt"}})
}

// localDate formats t as a date in the time zone zone, as a letter writes it.
func localDate(t time.Time, zone string) string {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	return t.In(loc).Format("02.01.2006")
}

// DelayNoticeInterval is how often the delay notice job runs.
const DelayNoticeInterval = time.Hour

// DelayNoticeArgs is the job that sends notices of delay for overdue applications
// (SendDelayNotices), enqueued every DelayNoticeInterval. It belongs to every
// municipality, so it carries no municipality id.
type DelayNoticeArgs struct{}

// Kind names the job.
func (DelayNoticeArgs) Kind() string { return "card_application_delay" }

// InsertOpts makes the job unique per period, also when inserted by hand.
func (DelayNoticeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByPeriod: DelayNoticeInterval}}
}

// DelayNoticeWorker runs the delay notice job.
type DelayNoticeWorker struct {
	river.WorkerDefaults[DelayNoticeArgs]
	Cards *Service
}

// Work runs SendDelayNotices at the service clock's now.
func (w *DelayNoticeWorker) Work(ctx context.Context, _ *river.Job[DelayNoticeArgs]) error {
	n, err := w.Cards.SendDelayNotices(ctx, w.Cards.now())
	if n > 0 {
		slog.InfoContext(ctx, "card application delay notices", "sent", n)
	}
	if err != nil && ctx.Err() == nil {
		slog.ErrorContext(ctx, "card application delay notices", "err", err)
	}
	return err
}

// noticeDecision e-mails a's applicant the decision just made (in tx), where an address
// is known: the contact given, or the applying user's. The decision's reason goes with
// it, and for a rejection or a partial approval the last day to appeal.
func (s *Service) noticeDecision(ctx context.Context, tx bun.IDB, a *Application) error {
	template := map[ApplicationStatus]string{ApplicationApproved: "CardApplicationApproved",
		ApplicationRejected: "CardApplicationRejected", ApplicationNeedsInfo: "CardApplicationNeedsInfo"}[a.Status]
	if template == "" {
		return nil
	}
	var to struct {
		Email    *string `bun:"email"`
		Locale   string  `bun:"default_locale"`
		TimeZone string  `bun:"time_zone"`
	}
	err := tx.NewSelect().TableExpr("municipalities AS m").
		ColumnExpr("m.default_locale, m.time_zone, coalesce(?, (SELECT u.email FROM users u WHERE u.id = ?)) AS email",
			a.ContactEmail, a.ApplicantID).
		Where("m.id = ?", a.MunicipalityID).
		Scan(ctx, &to)
	if err != nil || to.Email == nil {
		return database.MapError(err, "find applicant's address", "application")
	}
	var name string
	err = tx.NewSelect().Table("card_programme_translations").Column("name").Where("programme_id = ?", a.ProgrammeID).
		OrderExpr("locale = ? DESC, locale", to.Locale).
		Limit(1).
		Scan(ctx, &name)
	if err != nil {
		return database.MapError(err, "find programme name", "programme")
	}
	data := map[string]any{"Programme": name, "Submitted": localDate(a.SubmittedAt, to.TimeZone),
		"Reason": deref(a.DecisionReason), "Link": s.PublicURL, "AppealBy": ""}
	if a.Status == ApplicationNeedsInfo {
		data["Reason"] = deref(a.InfoRequest)
	}
	if a.ApprovedOre != nil {
		data["Approved"] = kroner(*a.ApprovedOre)
	}
	if by := a.AppealDeadline(); by != nil {
		data["AppealBy"] = localDate(*by, to.TimeZone)
	}
	return mail.Enqueue(ctx, tx, &mail.Message{MunicipalityID: a.MunicipalityID, Template: template, To: *to.Email,
		Locale: to.Locale, Data: data})
}
