package talk

import (
	"context"
	"math"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// Status is where a question stands.
type Status string

// The statuses.
const (
	// StatusVisible: shown to the public.
	StatusVisible Status = "VISIBLE"
	// StatusHeld: reported by QuestionHoldReports reporters since a moderator last looked;
	// hidden until a moderator decides.
	StatusHeld Status = "HELD"
	// StatusHidden: hidden by a moderator.
	StatusHidden Status = "HIDDEN"
)

// Question is a resident's question on an activity or event, with the organisation's
// answer. The public sees only its text, the display name the asker chose and the answer;
// the link to the asker's device or person (OwnerID) is never shown, and is cut, with the
// display name, when they are erased.
type Question struct {
	bun.BaseModel `bun:"table:resident_questions,alias:q"`

	ID             uuid.UUID  `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID  `bun:"municipality_id,type:uuid"`
	SubjectKind    string     `bun:"subject_kind"`
	SubjectID      uuid.UUID  `bun:"subject_id,type:uuid"`
	OrganisationID *uuid.UUID `bun:"organisation_id,type:uuid"`
	OwnerID        *uuid.UUID `bun:"owner_id,type:uuid"`
	// DisplayName is nil once the asker is erased.
	DisplayName *string    `bun:"display_name"`
	Body        string     `bun:"body"`
	Status      Status     `bun:"status"`
	Answer      *string    `bun:"answer"`
	AnsweredBy  *uuid.UUID `bun:"answered_by,type:uuid"`
	AnsweredAt  *time.Time `bun:"answered_at"`
	ReviewedAt  *time.Time `bun:"reviewed_at"`
	CreatedAt   time.Time  `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	// Reports counts the reports since a moderator last looked (moderation queue only).
	Reports int `bun:"reports,scanonly"`
}

// GlobalID returns the question's global ID.
func (q *Question) GlobalID() string { return relay.GlobalID("Question", q.ID) }

// SubjectGlobalID returns the activity's or event's global ID.
func (q *Question) SubjectGlobalID() string {
	typ := map[string]string{"ACTIVITY": "Activity", "EVENT": "Event"}[q.SubjectKind]
	return relay.GlobalID(typ, q.SubjectID)
}

// AskInput is a resident's question.
type AskInput struct {
	// SubjectID is the activity's or event's global ID.
	SubjectID, DisplayName, Text string
}

// subject is an activity or event questions are asked on.
type subject struct {
	Kind           string
	ID             uuid.UUID
	OrganisationID *uuid.UUID
	Closed         bool
}

// findSubject returns the public activity or event gid of municipality mid. Errors:
// BAD_USER_INPUT naming field (an ID of another type), NOT_FOUND naming field (unknown,
// unpublished or of another municipality).
func findSubject(ctx context.Context, db bun.IDB, mid uuid.UUID, gid, field string) (*subject, error) {
	typ, id, err := relay.ParseGlobalID(gid, field)
	if err != nil {
		return nil, err
	}
	var q string
	switch typ {
	case "Activity":
		q = `SELECT 'ACTIVITY' AS kind, a.id, a.organisation_id FROM activities a
			WHERE a.id = ?0 AND a.municipality_id = ?1 AND a.published`
	case "Event":
		q = `SELECT 'EVENT' AS kind, e.id, e.organisation_id FROM events e
			LEFT JOIN organisations o ON o.id = e.organisation_id
			WHERE e.id = ?0 AND e.municipality_id = ?1 AND e.publication = 'PUBLISHED'
			AND (o.id IS NULL OR o.status = 'PUBLISHED')`
	default:
		return nil, apperr.Invalid(field, "QuestionSubjectInvalid", nil).WithReason("KIND")
	}
	sub := new(subject)
	// SECURITY: what the public sees of the request's municipality only.
	err = db.NewRaw(`SELECT s.*, EXISTS (SELECT 1 FROM organisation_questions_closed c
		WHERE c.organisation_id = s.organisation_id) AS closed FROM (`+q+`) s`, id, mid).
		Scan(ctx, &sub.Kind, &sub.ID, &sub.OrganisationID, &sub.Closed)
	if noRows(err) {
		return nil, apperr.NotFoundf(typ).WithField(field)
	} else if err != nil {
		return nil, database.MapError(err, "find subject", "question")
	}
	return sub, nil
}

// disabled returns QUESTIONS_DISABLED when questions are off in t (reason MUNICIPALITY)
// or, when sub is given, closed by its organisation (ORGANISATION).
func disabled(t *tenant.Tenant, sub *subject) error {
	if !t.Municipality.QuestionsEnabled {
		return apperr.New(apperr.QuestionsDisabled, "QuestionsDisabled").WithReason("MUNICIPALITY")
	}
	if sub != nil && sub.Closed {
		return apperr.New(apperr.QuestionsDisabled, "QuestionsClosed").WithReason("ORGANISATION")
	}
	return nil
}

// AskQuestion asks a question on a public activity or event of the request's municipality
// as the request's resident: a device, or a person signed in with ID-porten. It is shown
// at once with the display name chosen. Errors: UNAUTHENTICATED, FORBIDDEN (as
// resident.MyThings), BAD_USER_INPUT naming "input.displayName" or "input.text" (with a
// reason: LENGTH, URL, IDENTITY_NUMBER, HTML, CHARACTERS) or "input.subjectId",
// QUESTIONS_DISABLED (reason MUNICIPALITY or ORGANISATION), NOT_FOUND naming
// "input.subjectId", RATE_LIMITED (RetryAfter seconds in Data) beyond MaxQuestions in
// QuestionWindow.
func (s *Service) AskQuestion(ctx context.Context, in AskInput) (*Question, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	// SECURITY: only a resident asks: a device of this municipality, or a person with an
	// identity number (resident.Service).
	key, ok, err := s.residents.CallerKey(ctx)
	if err != nil {
		return nil, err
	} else if !ok {
		_, err := s.residents.Owner(ctx, s.db)
		return nil, err
	}
	name, err := CheckDisplayName(in.DisplayName, "input.displayName")
	if err != nil {
		return nil, err
	}
	body, err := checkFreeText(in.Text, MinQuestion, MaxQuestion, "input.text")
	if err != nil {
		return nil, err
	}
	if err := disabled(t, nil); err != nil {
		return nil, err
	}
	now := s.now()
	// SECURITY: a resident asks at most MaxQuestions in the window, on any instance.
	if err := s.throttle(ctx, t.ID(), s.hash("question-asker", key), s.MaxQuestions, DefaultMaxQuestions,
		now, "QuestionsRateLimited"); err != nil {
		return nil, err
	}
	q := &Question{ID: uuid.Must(uuid.NewV7()), MunicipalityID: t.ID(), DisplayName: &name, Body: body,
		Status: StatusVisible, CreatedAt: now}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		sub, err := findSubject(ctx, tx, t.ID(), in.SubjectID, "input.subjectId")
		if err != nil {
			return err
		}
		if err := disabled(t, sub); err != nil {
			return err
		}
		owner, err := s.residents.Owner(ctx, tx)
		if err != nil {
			return err
		}
		q.SubjectKind, q.SubjectID, q.OrganisationID, q.OwnerID = sub.Kind, sub.ID, sub.OrganisationID, &owner
		_, err = tx.NewInsert().Model(q).Exec(ctx)
		return database.MapError(err, "ask question", "question")
	})
	if err != nil {
		return nil, err
	}
	return q, nil
}

// throttle records an attempt of key, or returns RATE_LIMITED (messageID, RetryAfter
// seconds in Data) when key has its limit (limit, else def) of attempts in QuestionWindow
// already. The attempts of one key take turns (a transaction-scoped advisory lock), so the
// limit is exact when they arrive at once on any number of instances; a refused attempt
// is not recorded.
func (s *Service) throttle(ctx context.Context, mid uuid.UUID, key []byte, limit, def int, now time.Time,
	messageID string) error {
	if limit <= 0 {
		limit = def
	}
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtextextended(encode(?, 'hex'), 0))", key)
		if err != nil {
			return database.MapError(err, "throttle", "question")
		}
		var n int
		var oldest time.Time
		err = tx.NewSelect().
			Table("login_failures").
			ColumnExpr("count(*), coalesce(min(failed_at), ?)", now).
			Where("municipality_id = ? AND key_hash = ? AND failed_at > ?", mid, key, now.Add(-QuestionWindow)).
			Scan(ctx, &n, &oldest)
		if err != nil {
			return database.MapError(err, "count attempts", "question")
		}
		if n >= limit {
			wait := oldest.Add(QuestionWindow).Sub(now)
			return &apperr.Error{Code: apperr.RateLimited, MessageID: messageID,
				Data: map[string]any{"RetryAfter": int(math.Ceil(max(wait.Seconds(), 1)))}}
		}
		_, err = auth.RecordAttempt(ctx, tx.Tx, mid, key, now)
		return err
	})
}
