package talk

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// Moderation is what a moderator does with a question.
type Moderation string

// The moderations.
const (
	ModerateHide    Moderation = "HIDE"
	ModerateRestore Moderation = "RESTORE"
	ModerateDelete  Moderation = "DELETE"
)

// reporterKey returns the keyed hash a report is kept under: of the resident (device or
// person), else of the signed-in user or key, else of the client address; so that each
// reporter reports a question once. Errors: UNAUTHENTICATED for an unknown device token.
func (s *Service) reporterKey(ctx context.Context) ([]byte, error) {
	key, ok, err := s.residents.CallerKey(ctx)
	if err != nil {
		return nil, err
	}
	if !ok {
		v := auth.ViewerFrom(ctx)
		switch {
		case v != nil && v.User != nil:
			key = append([]byte("user:"), v.User.ID[:]...)
		case v != nil && v.APIKey != nil:
			key = append([]byte("key:"), v.APIKey.ID[:]...)
		default:
			key = []byte("client:" + auth.ClientFrom(ctx))
		}
	}
	return s.hash("question-reporter", key), nil
}

// ReportQuestion reports a question the public sees, with an optional reason, and
// returns false when the caller had reported it before (each reporter counts once: a
// resident's device or person, a user, or else a client address). A question reported by
// the municipality's QuestionHoldReports reporters since a moderator last looked is held
// for moderation. Anyone may. Errors: NOT_FOUND (unknown, of another municipality, held or
// hidden), BAD_USER_INPUT naming "id" or "reason", RATE_LIMITED beyond MaxReports in
// QuestionWindow, UNAUTHENTICATED for an unknown device token.
func (s *Service) ReportQuestion(ctx context.Context, id string, reason string) (bool, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return false, err
	}
	reason, err = checkFreeText(reason, 0, MaxReportNote, "reason")
	if err != nil {
		return false, err
	}
	key, err := s.reporterKey(ctx)
	if err != nil {
		return false, err
	}
	now := s.now()
	// SECURITY: each reporter reports at most MaxReports in the window.
	if err := s.throttle(ctx, t.ID(), s.hash("question-reports", key), s.MaxReports, DefaultMaxReports, now,
		"ReportsRateLimited"); err != nil {
		return false, err
	}
	var reported bool
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		q, err := lockQuestion(ctx, tx, t.ID(), id)
		if err != nil {
			return err
		}
		// SECURITY: only what the public sees is reported.
		if q.Status != StatusVisible {
			return apperr.NotFoundf("question").WithField("id")
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO resident_question_reports
			(question_id, municipality_id, reporter_key, reason, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, q.ID, t.ID(), key, reason, now)
		if err != nil {
			return database.MapError(err, "report question", "question")
		}
		n, _ := res.RowsAffected()
		if reported = n == 1; !reported {
			return nil
		}
		_, err = tx.ExecContext(ctx, `UPDATE resident_questions q SET status = 'HELD' WHERE q.id = ?
			AND (SELECT count(*) FROM resident_question_reports r WHERE r.question_id = q.id
				AND (q.reviewed_at IS NULL OR r.created_at > q.reviewed_at)) >= ?`,
			q.ID, holdAt(t))
		return database.MapError(err, "hold question", "question")
	})
	return reported, err
}

// DefaultHoldReports is how many reports hold a question where the municipality has not
// said.
const DefaultHoldReports = 3

// holdAt returns how many reports hold a question in t.
func holdAt(t *tenant.Tenant) int {
	if n := t.Municipality.QuestionHoldReports; n > 0 {
		return n
	}
	return DefaultHoldReports
}

// requireModerator returns the municipality's ADMIN or EDITOR. Errors: UNAUTHENTICATED,
// FORBIDDEN.
func requireModerator(ctx context.Context) (*auth.Viewer, error) {
	v, err := auth.RequirePerson(ctx)
	if err != nil {
		return nil, err
	}
	// SECURITY: the municipality's ADMIN and EDITOR moderate questions.
	if !v.MunicipalEditor() {
		return nil, apperr.New(apperr.Forbidden, "")
	}
	return v, nil
}

// ModerateQuestion hides a question, restores it (shown again; reports made before no
// longer count towards holding it), or deletes it with its answer and reports; it returns
// the question, nil when deleted. The municipality's ADMIN and EDITOR may. Errors:
// UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT naming "id" or "action".
func (s *Service) ModerateQuestion(ctx context.Context, id string, action Moderation) (*Question, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	v, err := requireModerator(ctx)
	if err != nil {
		return nil, err
	}
	var out *Question
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		q, err := lockQuestion(ctx, tx, t.ID(), id)
		if err != nil {
			return err
		}
		now := s.now()
		switch action {
		case ModerateHide, ModerateRestore:
			q.Status, q.ReviewedAt, out = StatusHidden, &now, q
			if action == ModerateRestore {
				q.Status = StatusVisible
			}
			_, err = tx.NewUpdate().Model(q).Column("status", "reviewed_at").WherePK().Exec(ctx)
		case ModerateDelete:
			_, err = tx.NewDelete().Model(q).WherePK().Exec(ctx)
		default:
			return apperr.Invalid("action", "", nil)
		}
		if err != nil {
			return database.MapError(err, "moderate question", "question")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
			Action: "moderate_question", ItemType: "Question", ItemID: &q.ID, Fields: []string{string(action)}})
	})
	return out, err
}

// ModerationQueue returns the questions for moderators, most reported first (reports
// since a moderator last looked), then oldest: with status nil those held or with open
// reports; else every question of that status. At most first (relay.NewPage bounds it).
// The municipality's ADMIN and EDITOR may. Errors: UNAUTHENTICATED, FORBIDDEN.
func (s *Service) ModerationQueue(ctx context.Context, status *Status, first int) ([]*Question, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := requireModerator(ctx); err != nil {
		return nil, err
	}
	out := []*Question{}
	if first < 1 {
		return out, nil
	}
	q := s.db.NewSelect().Model(&out).
		ColumnExpr("q.*").
		ColumnExpr(`(SELECT count(*) FROM resident_question_reports r WHERE r.question_id = q.id
			AND (q.reviewed_at IS NULL OR r.created_at > q.reviewed_at)) AS reports`).
		Where("q.municipality_id = ?", t.ID()).
		OrderExpr("reports DESC, q.created_at, q.id").
		Limit(int64(min(first, relay.MaxPageSize)))
	if status != nil {
		q = q.Where("q.status = ?", *status)
	} else {
		q = q.Where(`q.status = 'HELD' OR (q.status = 'VISIBLE' AND EXISTS (SELECT 1 FROM resident_question_reports r
			WHERE r.question_id = q.id AND (q.reviewed_at IS NULL OR r.created_at > q.reviewed_at)))`)
	}
	// SECURITY: the request's municipality only.
	if err := q.Scan(ctx); err != nil {
		return nil, database.MapError(err, "find questions", "question")
	}
	return out, nil
}
