package talk

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// mayAnswer returns nil when v answers for organisation org (nil: the municipality's own
// event): the municipality's ADMIN and EDITOR, and the organisation's OWNER and EDITOR
// members. Errors: FORBIDDEN.
func mayAnswer(ctx context.Context, db bun.IDB, v *auth.Viewer, mid uuid.UUID, org *uuid.UUID) error {
	// SECURITY: the municipality's ADMIN and EDITOR answer on every activity and event.
	if v.MunicipalEditor() {
		return nil
	}
	if org == nil {
		return apperr.New(apperr.Forbidden, "")
	}
	// SECURITY: an organisation's OWNER and EDITOR members answer on its own only.
	ok, err := db.NewSelect().Table("organisation_members").
		Where("municipality_id = ? AND organisation_id = ? AND user_id = ? AND role IN ('OWNER', 'EDITOR')",
			mid, *org, v.User.ID).
		Exists(ctx)
	if err != nil {
		return database.MapError(err, "check membership", "organisation")
	}
	if !ok {
		return apperr.New(apperr.Forbidden, "")
	}
	return nil
}

// lockQuestion locks question gid of municipality mid. Errors: BAD_USER_INPUT naming
// "id", NOT_FOUND.
func lockQuestion(ctx context.Context, tx bun.IDB, mid uuid.UUID, gid string) (*Question, error) {
	id, err := relay.ParseTypedID(gid, "Question", "id")
	if err != nil {
		return nil, err
	}
	q := new(Question)
	// SECURITY: a question of the request's municipality only; another's is NOT_FOUND.
	err = tx.NewSelect().Model(q).
		Where("q.id = ? AND q.municipality_id = ?", id, mid).
		For("UPDATE").
		Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find question", "question")
	}
	return q, nil
}

// AnswerQuestion answers a question publicly for the activity's or event's organisation,
// replacing an earlier answer; the public sees the organisation answered, not who. A
// question hidden by a moderator is not answered. Errors: UNAUTHENTICATED, FORBIDDEN (not
// the organisation's OWNER or EDITOR, nor the municipality's ADMIN or EDITOR), NOT_FOUND,
// BAD_USER_INPUT naming "text" (reason LENGTH, HTML, IDENTITY_NUMBER).
func (s *Service) AnswerQuestion(ctx context.Context, id, text string) (*Question, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	v, err := auth.RequirePerson(ctx)
	if err != nil {
		return nil, err
	}
	var q *Question
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if q, err = lockQuestion(ctx, tx, t.ID(), id); err != nil {
			return err
		}
		if err := mayAnswer(ctx, tx, v, t.ID(), q.OrganisationID); err != nil {
			return err
		}
		if q.Status == StatusHidden {
			return apperr.NotFoundf("question").WithField("id")
		}
		answer, err := checkFreeText(text, 1, MaxAnswer, "text")
		if err != nil {
			return err
		}
		now := s.now()
		q.Answer, q.AnsweredBy, q.AnsweredAt = &answer, &v.User.ID, &now
		_, err = tx.NewUpdate().Model(q).Column("answer", "answered_by", "answered_at").WherePK().Exec(ctx)
		if err != nil {
			return database.MapError(err, "answer question", "question")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
			Action: "answer_question", ItemType: "Question", ItemID: &q.ID})
	})
	if err != nil {
		return nil, err
	}
	return q, nil
}

// SetOrganisationQuestions opens or closes questions on an organisation's activities and
// events (open unless closed, where the municipality has questions on) and returns
// whether they are open. Its OWNER and EDITOR members and the municipality's ADMIN and
// EDITOR may. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND naming "organisationId",
// BAD_USER_INPUT naming "organisationId".
func (s *Service) SetOrganisationQuestions(ctx context.Context, organisationID string, open bool) (bool, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return false, err
	}
	org, err := relay.ParseTypedID(organisationID, "Organisation", "organisationId")
	if err != nil {
		return false, err
	}
	v, err := auth.RequirePerson(ctx)
	if err != nil {
		return false, err
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		// SECURITY: an organisation of the request's municipality only.
		exists, err := tx.NewSelect().Table("organisations").
			Where("id = ? AND municipality_id = ?", org, t.ID()).
			Exists(ctx)
		if err != nil {
			return database.MapError(err, "find organisation", "organisation")
		}
		if !exists {
			return apperr.NotFoundf("organisation").WithField("organisationId")
		}
		if err := mayAnswer(ctx, tx, v, t.ID(), &org); err != nil {
			return err
		}
		q := `DELETE FROM organisation_questions_closed WHERE organisation_id = ?0`
		if !open {
			q = `INSERT INTO organisation_questions_closed (organisation_id, municipality_id, closed_at)
				VALUES (?0, ?1, ?2) ON CONFLICT DO NOTHING`
		}
		if _, err := tx.ExecContext(ctx, q, org, t.ID(), s.now()); err != nil {
			return database.MapError(err, "set questions", "organisation")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
			Action: "set_organisation_questions", ItemType: "Organisation", ItemID: &org,
			Fields: []string{"questionsOpen"}})
	})
	return open, err
}
